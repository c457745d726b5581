"""Timer event definitions that read the workflow's injectable clock instead of the real time.

SpiffWorkflow's own timers call datetime.now() when a timer starts and when it is checked.  These subclasses keep
Spiff's behaviour and class names (so serialized specs stay standard) but take "now" from the script engine's
`clock`, which is re-attached after every load.  Naive dates and times count as UTC, not the server's zone.

A timer may be due at most `max_timer` (an ISO 8601 duration, default five years) after it starts; the script
engine carries the limit as it carries the clock. A timer that cannot be computed or is due too late fails as a
task error naming its element, never as a raw exception.
"""

from datetime import UTC, date, datetime, timedelta

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from .helpers import utc_now

DEFAULT_MAX_TIMER = "P5Y"
# Whatever the configured limit, durations are never computed beyond this many days: Spiff adds a year's months one
# by one, so "P99999999Y" would otherwise loop for minutes before overflowing the date.
_CEILING_DAYS = 100 * 366


class TimerTooLong(ValueError):
    """A timer would be due later than the limit allows."""


def clock_now(my_task) -> datetime:
    """Return the time on the clock of the workflow that owns `my_task`."""
    clock = getattr(my_task.workflow.script_engine, "clock", None) or utc_now
    return clock()


def parse_due(value: object) -> datetime:
    """Return an aware UTC datetime for an ISO 8601 date or datetime (naive values are taken as UTC)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, datetime.min.time())
    else:
        moment = datetime.fromisoformat(str(value).strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_duration(expression: str) -> dict:
    """Parse an ISO 8601 duration such as P30D or PT4H, refusing an empty one."""
    parsed = spiff_timer.TimerEventDefinition.parse_iso_duration(str(expression).strip())
    if not parsed:
        raise ValueError(f"invalid ISO 8601 duration {expression!r}")
    return parsed


def _at_least_days(parsed: dict) -> float:
    hours = parsed.get("hours", 0) + parsed.get("minutes", 0) / 60 + parsed.get("seconds", 0) / 3600
    return (
        (parsed.get("years", 0) * 365 + parsed.get("months", 0) * 28 + parsed.get("weeks", 0) * 7)
        + parsed.get("days", 0)
        + hours / 24
    )


def _bounded(parsed: dict) -> dict:
    if _at_least_days(parsed) > _CEILING_DAYS:
        raise TimerTooLong(f"a duration of {_describe(parsed)} is longer than 100 years")
    return dict(parsed)  # Spiff's conversions consume the dict they are given


def _describe(parsed: dict) -> str:
    return ", ".join(f"{value} {unit}" for unit, value in parsed.items())


def delta_after(parsed: dict, start: datetime) -> timedelta:
    """The length of a parsed duration counted forward from `start` (months and years by the calendar)."""
    return spiff_timer.TimerEventDefinition.get_timedelta_from_start(_bounded(parsed), start)


def delta_before(parsed: dict, end: datetime) -> timedelta:
    """The length of a parsed duration counted back from `end`."""
    return spiff_timer.TimerEventDefinition.get_timedelta_from_end(_bounded(parsed), end)


def latest_due(now: datetime, max_timer: str = DEFAULT_MAX_TIMER) -> datetime:
    """The latest moment a timer started at `now` may be due."""
    return now + delta_after(parse_duration(max_timer), now)


def check_due(due: datetime, now: datetime, max_timer: str = DEFAULT_MAX_TIMER) -> datetime:
    """Return `due`, or raise TimerTooLong when it lies more than `max_timer` after `now`."""
    if due > latest_due(now, max_timer):
        raise TimerTooLong(f"it would be due {due:%Y-%m-%d}, more than {max_timer} ahead (the longest timer allowed)")
    return due


def duration_due(expression: str, now: datetime, max_timer: str = DEFAULT_MAX_TIMER) -> datetime:
    """When a timer of ISO 8601 duration `expression` started at `now` is due, held to `max_timer`."""
    return check_due(now + delta_after(parse_duration(expression), now), now, max_timer)


def date_due(value: object, now: datetime, max_timer: str = DEFAULT_MAX_TIMER) -> datetime:
    """When a timer of date/time `value` is due (aware UTC), held to `max_timer` after `now`."""
    return check_due(parse_due(value), now, max_timer)


def parse_cycle(expression: str, now: datetime) -> tuple[int, datetime, timedelta]:
    """Parse an ISO 8601 cycle (R3/PT1H, R/2024-01-01T00:00Z/P1D, ...) into (cycles, first due, interval)."""
    components = str(expression).strip().upper().replace("--", "/").split("/")
    if not components[0].startswith("R") or len(components) not in (2, 3):
        raise ValueError(f"invalid ISO 8601 cycle {expression!r}")
    cycles = int(components[0][1:]) if components[0][1:] else -1
    first = _time_or_duration(components[1])
    second = _time_or_duration(components[2]) if len(components) == 3 else None
    if isinstance(first, datetime) and isinstance(second, dict):
        return cycles, first, delta_after(second, first)
    if isinstance(first, dict) and isinstance(second, datetime):
        duration = delta_before(first, second)
        return cycles, second - duration, duration
    if isinstance(first, dict) and second is None:
        duration = delta_after(first, now)
        return cycles, now + duration, duration
    raise ValueError(f"invalid ISO 8601 cycle {expression!r}")


def check_cycle(expression: str, now: datetime, max_timer: str = DEFAULT_MAX_TIMER) -> tuple[int, datetime, timedelta]:
    """parse_cycle, also refusing a first repetition or an interval beyond `max_timer`."""
    cycles, first, interval = parse_cycle(expression, now)
    check_due(first, now, max_timer)
    check_due(now + interval, now, max_timer)
    return cycles, first, interval


def _time_or_duration(text: str) -> datetime | dict:
    return parse_duration(text) if text.startswith("P") else parse_due(text)


def _max_timer(my_task) -> str:
    return getattr(my_task.workflow.script_engine, "max_timer", None) or DEFAULT_MAX_TIMER


def _start_timer(my_task, compute):
    """Run `compute` (the timer's first due time or cycle), turning any failure into a task error naming the timer."""
    try:
        return compute()
    except WorkflowTaskException:
        raise
    except Exception as exc:
        element_id = my_task.task_spec.bpmn_id or my_task.task_spec.name
        detail = str(exc) if isinstance(exc, TimerTooLong) else f"{type(exc).__name__}: {exc}"
        message = f"{element_id}: timer: {detail}"
        raise WorkflowTaskException(message, task=my_task, exception=exc) from exc


def _fire_if_due(my_task) -> bool:
    if parse_due(my_task._get_internal_data("event_value")) <= clock_now(my_task):
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


def _evaluate(definition, my_task):
    value = my_task.workflow.script_engine.evaluate(my_task, definition.expression)
    return value.isoformat() if isinstance(value, date) else value


class TimeDateEventDefinition(spiff_timer.TimeDateEventDefinition):
    """A timer due at a date/time computed from its expression."""

    def has_fired(self, my_task):
        """Fire once the clock reaches the due time."""
        if my_task._get_internal_data("event_value") is None:
            now = clock_now(my_task)
            due = _start_timer(my_task, lambda: date_due(_evaluate(self, my_task), now, _max_timer(my_task)))
            my_task._set_internal_data(event_value=due.isoformat())
        return _fire_if_due(my_task)


class DurationTimerEventDefinition(spiff_timer.DurationTimerEventDefinition):
    """A timer due a duration after the clock time at which it started waiting."""

    def has_fired(self, my_task):
        """Fire once the clock has moved the duration past the start."""
        if my_task._get_internal_data("event_value") is None:
            now = clock_now(my_task)
            due = _start_timer(my_task, lambda: duration_due(_evaluate(self, my_task), now, _max_timer(my_task)))
            my_task._set_internal_data(event_value=due.isoformat())
        return _fire_if_due(my_task)


class CycleTimerEventDefinition(spiff_timer.CycleTimerEventDefinition):
    """A repeating timer whose repetitions follow the clock."""

    def cycle_complete(self, my_task):
        """Return True each time the next repetition is due; mark the event fired after the last one."""
        now = clock_now(my_task)
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = _evaluate(self, my_task)
            cycles, start, duration = _start_timer(my_task, lambda: check_cycle(value, now, _max_timer(my_task)))
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            next_event = parse_due(event_value["next"])
            if next_event <= now:
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready


CLOCK_TIMERS = {
    spiff_timer.TimeDateEventDefinition: TimeDateEventDefinition,
    spiff_timer.DurationTimerEventDefinition: DurationTimerEventDefinition,
    spiff_timer.CycleTimerEventDefinition: CycleTimerEventDefinition,
}


def clock_aware(definition):
    """Return the clock-reading equivalent of a Spiff timer definition (other definitions unchanged)."""
    replacement = CLOCK_TIMERS.get(type(definition))
    if replacement is None:
        return definition
    return replacement(definition.name, definition.expression, description=definition.description)
