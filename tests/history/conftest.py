"""The inspection world of tests/inspections (the demo roles, a small checklist, acting as each user), shared here
so that the history is read from a case the real pages and services built."""

from tests.inspections.conftest import act, checklist, decide, do_task, people  # noqa: F401
