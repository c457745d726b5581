"""What a history event says to a reader: the action and the task or object it touched ("Task completed: Verify the
remediation"), and its details as labelled values in the reader's language and time zone.

Each feature declares how its actions read, as a table of `EventKind`s (cases/event_kinds.py, tasks/event_kinds.py,
...); `create_app` merges the tables into the app's registry with `install`. An action nobody declared still reads,
by its stored name and keys, so that an event is never hidden from an auditor."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspect_app.audit.lookups import Lookups
from inspect_app.core.labels import ACTION_LABELS
from inspect_app.models import CaseEvent

EXTENSION_KEY = "inspect.event_kinds"

# The kinds of event a reader filters the history by, in the order the filters offer them.
GROUPS = {
    "case": _l("Case and team"),
    "tasks": _l("Tasks and deadlines"),
    "checklist": _l("Checklist"),
    "findings": _l("Findings, minutes and conclusion"),
    "remediation": _l("Remediation"),
    "evidence": _l("Evidence"),
    "par": _l("PAR scores and approval"),
}

# Stored dicts whose keys are details of their own (a completed task's decisions); other dicts are one value.
NESTED_KEYS = frozenset({"decisions"})

# A formatter turns one stored value into text, or None to leave it out: (value, event, lookups) -> str | None.
Formatter = Callable[[Any, CaseEvent, Lookups], str | None]


class EventKindError(RuntimeError):
    """The features' tables of event kinds do not fit together."""


def plain(value, event: CaseEvent, lookups: Lookups) -> str:
    """A stored text (or number) as it is."""
    return str(value)


@dataclass(frozen=True)
class Field:
    """One detail of an event: the key it is stored under (`decisions.decision` for a nested one), its label and
    how its value reads."""

    key: str
    label: Any
    show: Formatter = plain


@dataclass(frozen=True)
class EventKind:
    """How one action reads: its group (GROUPS), what it was done to (`subject`), and its details."""

    group: str
    subject: Callable[[CaseEvent, Lookups], str | None] | None = None
    fields: tuple[Field, ...] = ()
    # Keys stored for machines only (a device's record id is shown; an engine's routing flag is not).
    hidden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Detail:
    label: str
    value: str


@dataclass(frozen=True)
class Description:
    """An event as a reader sees it."""

    action: str
    subject: str | None
    group: str | None
    details: tuple[Detail, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        """One line: "Task completed: Verify the remediation"."""
        return f"{self.action}: {self.subject}" if self.subject else self.action

    @property
    def group_label(self) -> str:
        return str(GROUPS[self.group]) if self.group in GROUPS else ""


def install(app: Flask, tables: Iterable[Mapping[str, EventKind]]) -> dict[str, EventKind]:
    """Merge the features' tables into the app's registry; refuse an action declared twice or an unknown group."""
    merged: dict[str, EventKind] = {}
    for table in tables:
        twice = sorted(set(merged) & set(table))
        if twice:
            raise EventKindError(f"event kind declared twice: {', '.join(twice)}")
        unknown = sorted(action for action, kind in table.items() if kind.group not in GROUPS)
        if unknown:
            raise EventKindError(f"event kinds in no known group: {', '.join(unknown)}")
        merged.update(table)
    app.extensions[EXTENSION_KEY] = merged
    return merged


def kinds() -> dict[str, EventKind]:
    """The running app's event kinds, by action."""
    return current_app.extensions[EXTENSION_KEY]


def actions_in(group: str) -> list[str]:
    """The actions of one group, in the order they were declared."""
    return [action for action, kind in kinds().items() if kind.group == group]


def described(events: Iterable[CaseEvent]) -> list[tuple[CaseEvent, Description]]:
    """Each event beside its description (for a page: the names they refer to are looked up once)."""
    lookups = Lookups()
    return [(event, describe(event, lookups)) for event in events]


def describe(event: CaseEvent, lookups: Lookups) -> Description:
    """The event in the reader's words."""
    action = str(ACTION_LABELS.get(event.action, event.action))
    kind = kinds().get(event.action)
    details = event.details or {}
    if kind is None:
        shown = tuple(Detail(key, _unknown(value)) for key, value in details.items() if not _is_empty(value))
        return Description(action, None, None, shown)
    subject = kind.subject(event, lookups) if kind.subject else None
    shown, declared = [], set()
    for detail in kind.fields:
        declared.add(detail.key)
        value = _lookup(details, detail.key)
        text = None if _is_empty(value) else detail.show(value, event, lookups)
        if text is not None:  # a formatter may leave out a value that says nothing (a process still running)
            shown.append(Detail(str(detail.label), text))
    for key, value in _flat(details):
        # A key a service stores that the feature's table does not declare: shown by its name rather than hidden.
        if key not in declared and key not in kind.hidden and not _is_empty(value):
            shown.append(Detail(key, _unknown(value)))
    return Description(action, subject, kind.group, tuple(shown))


def _lookup(details: dict, key: str):
    value: Any = details
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _flat(details: dict, prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Every stored key, a nested dict's keys as `outer.inner` (the declared keys of a kind are written that way)."""
    for key, value in details.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and name in NESTED_KEYS:
            yield from _flat(value, f"{name}.")
        else:
            yield name, value


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _unknown(value) -> str:
    if isinstance(value, list):
        return ", ".join(_unknown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_unknown(item)}" for key, item in value.items())
    return _("yes") if value is True else _("no") if value is False else str(value)
