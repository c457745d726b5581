"""Schemathesis against the API as it runs (served from a thread), as four roles on the demo province: every check
it has, in every phase, bounded by schemathesis.toml. The document and the server must agree: 0 failures.

The demo's cases, tasks, findings and rounds are real resources: the stateful phase follows what the answers name
(task ids, case references) into the next calls, so paths with ids hit them as well as ids that do not exist."""

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.engine.run import PhaseName

from inspect_app.api.openapi import OPERATIONS
from inspect_app.auth.tokens import issue_token
from inspect_app.core.extensions import db
from inspect_app.models import User

pytestmark = pytest.mark.long

CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
ROLES = {
    "admin": "administers the app",
    "director": "decides inspections and sees every case",
    "inspector": "is on the team of running inspections",
    "officer": "works at an inspected unit",
}
# The coverage phase walks every field's boundaries, every missing field and every other method: hundreds of calls
# that test what the server accepts, the same for everyone. It runs as the director, whom the most calls let through
# to that validation (deciding an inspection, seeing every case); the other roles get the other phases.
COVERAGE_ROLE = "director"


@dataclass
class Run:
    """What one schemathesis run tried and found."""

    operations: set[str] = field(default_factory=set)
    cases: Counter = field(default_factory=Counter)  # by phase
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, role: str) -> str:
        phases = ", ".join(f"{phase.value} {count}" for phase, count in self.cases.items())
        return (
            f"{role} ({ROLES[role]}): {len(self.operations)} operations, {self.cases.total()} examples ({phases}), "
            f"{len(self.failures)} failures, {self.seconds:.1f} s"
        )


def run_schemathesis(url: str, token: str, *, coverage: bool) -> Run:
    """Every check of schemathesis against the document at `url`, calling with `token`: examples, fuzzing, stateful
    and (if `coverage`) the coverage phase."""
    config = schemathesis.Config.from_path(CONFIG)
    schema = schemathesis.openapi.from_url(url, config=config)
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    schema.config.phases.coverage.enabled = coverage
    run, started = Run(), time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            if event.phase != PhaseName.STATEFUL_TESTING:  # whose scenarios are chains of calls
                run.operations.add(recorder.label)
            run.cases[event.phase] += len(recorder.cases)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        failure, case = check.failure_info.failure, recorder.cases[case_id].value
                        run.failures.append(
                            f"{check.name}: {failure.title}\n{failure.message}\n{case.as_curl_command()}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.failures.append(f"schemathesis could not run: {event!r}")
    run.seconds = time.monotonic() - started
    return run


@pytest.mark.parametrize("role", ROLES)
def test_the_server_and_its_document_agree(server_url, demo, role):
    user = db.session.query(User).filter_by(username=role).one()
    _row, token = issue_token(user, "schemathesis")
    db.session.commit()
    run = run_schemathesis(f"{server_url}/api/v1/openapi.json", token, coverage=role == COVERAGE_ROLE)
    print(run.summary(role))
    assert run.failures == [], "\n\n".join(run.failures)
    # Schemathesis leaves out the call that serves the document it reads (test_openapi.py covers that one).
    tried = {f"{op.method.upper()} /api/v1{op.path}" for op in OPERATIONS if op.operation_id != "getOpenApi"}
    assert run.operations == tried, "every operation is tried"
