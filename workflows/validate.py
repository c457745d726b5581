"""Check a BPMN upload against our rules and report one line per problem, naming the element."""

import ast
import re
from collections.abc import Callable, Iterator
from datetime import datetime

from lxml import etree

from .engine import MAX_PROCESS_STEPS
from .errors import BpmnError, Problem
from .expressions import Mode, check_expression
from .helpers import utc_now
from .names import PRIMARY_LANGUAGE, element_names, looks_vietnamese
from .parser import ProcessBundle, bundle_from_tree
from .timers import (
    DEFAULT_MAX_TIMER,
    TimerTooLong,
    check_cycle,
    date_due,
    duration_due,
    parse_cycle,
    parse_due,
    parse_duration,
)
from .xmlsafe import MAX_BPMN_BYTES, load_xml

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}

# Wrapper elements that carry no id of interest; problems are reported against the element that owns them.
_WRAPPERS = {
    "extensionElements",
    "timerEventDefinition",
    "conditionalEventDefinition",
    "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics",
}

_EXPRESSIONS: list[tuple[str, str, Mode]] = [
    ("//bpmn:sequenceFlow/bpmn:conditionExpression", "condition", "eval"),
    ("//bpmn:conditionalEventDefinition/bpmn:condition", "condition", "eval"),
    ("//bpmn:scriptTask/bpmn:script", "script", "exec"),
    ("//spiffworkflow:preScript", "pre-script", "exec"),
    ("//spiffworkflow:postScript", "post-script", "exec"),
    ("//bpmn:loopCardinality", "loop cardinality", "eval"),
    ("//bpmn:completionCondition", "completion condition", "eval"),
    ("//bpmn:loopCondition", "loop condition", "eval"),
]

_TIMER_PARSERS: dict[str, tuple[str, Callable[[str], object]]] = {
    "timeDuration": ("duration", parse_duration),
    "timeDate": ("date/time", parse_due),
    "timeCycle": ("cycle", lambda text: parse_cycle(text, utc_now())),
}

# How a timer's value is held to the limit: due no later than `limit` (an ISO 8601 duration) after `now`.
_TIMER_LIMITS: dict[str, Callable[[str, datetime, str], object]] = {
    "timeDuration": duration_due,
    "timeDate": date_due,
    "timeCycle": check_cycle,
}

_UNQUOTED_ISO = re.compile(r"^(R\d*/.*|P[\dYMWDTHS.,]+|\d{4}-\d{2}-\d{2}([T ].*)?)$", re.IGNORECASE)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _owner_id(node: etree._Element) -> str | None:
    owner = node.getparent()
    while owner is not None and _local(owner) in _WRAPPERS:
        owner = owner.getparent()
    return owner.get("id") if owner is not None else None


def _lane_problems(root, known_lanes: set[str]) -> Iterator[Problem]:
    for lane in root.iterfind(".//bpmn:lane", NS):
        name = (lane.get("name") or "").strip()
        if not name:
            yield Problem(lane.get("id"), "lane has no name")
        elif name not in known_lanes:
            yield Problem(lane.get("id"), f"unknown lane {name!r}; known lanes: {', '.join(sorted(known_lanes))}")


def _user_task_problems(root, known_forms: set[str]) -> Iterator[Problem]:
    in_lanes = {ref.text.strip() for ref in root.iterfind(".//bpmn:flowNodeRef", NS) if ref.text}
    for task in root.iterfind(".//bpmn:userTask", NS):
        task_id = task.get("id")
        forms = task.xpath(
            "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='form']/@value",
            namespaces=NS,
        )
        if not forms or not forms[0].strip():
            yield Problem(task_id, "user task has no 'form' property")
        elif forms[0].strip() not in known_forms:
            yield Problem(task_id, f"unknown form {forms[0].strip()!r}")
        if task_id not in in_lanes:
            yield Problem(task_id, "user task is not in a lane, so nobody would be asked to do it")
        if not _has_vietnamese_name(task):
            yield Problem(
                task_id,
                "user task has no Vietnamese name: write one, with its diacritics, in the name attribute "
                "(a name in another language goes in a property such as name:en)",
                task.get("name"),
            )


def _has_vietnamese_name(task) -> bool:
    """Users read a task by its name, Vietnamese first (names.py)."""
    named = element_names(task)
    return bool(named and looks_vietnamese(named[1].get(PRIMARY_LANGUAGE)))


def _expression_problems(root) -> Iterator[Problem]:
    for path, what, mode in _EXPRESSIONS:
        for node in root.xpath(path, namespaces=NS):
            problems = check_expression(node.text or "", mode)
            if problems:
                yield Problem(_owner_id(node), f"{what}: {'; '.join(problems)}")


def _constant(text: str) -> object:
    body = ast.parse(text.strip(), mode="eval").body
    return body.value if isinstance(body, ast.Constant) else None


def _timer_problem(kind: str, text: str) -> str | None:
    stripped = text.strip()
    if _UNQUOTED_ISO.match(stripped):
        return f'{stripped} looks like an ISO 8601 value without quotes; write "{stripped}"'
    problems = check_expression(text, "eval")
    if problems:
        return "; ".join(problems)
    body = ast.parse(stripped, mode="eval").body
    if not isinstance(body, ast.Constant):
        return None  # computed from task data at run time
    label, parse = _TIMER_PARSERS[kind]
    if not isinstance(body.value, str):
        return f'must give an ISO 8601 {label} string such as "P30D", not {body.value!r}'
    try:
        parse(body.value)
    except TimerTooLong:
        return None  # valid, but too long: _timer_too_long says so
    except Exception:
        return f"{body.value!r} is not a valid ISO 8601 {label}"
    return None


def _timer_too_long(kind: str, text: str, max_timer: str) -> bool:
    value = _constant(text)
    if not isinstance(value, str):
        return False  # computed from task data: the engine holds it to the limit when the timer starts
    try:
        _TIMER_LIMITS[kind](value, utc_now(), max_timer)
    except TimerTooLong:
        return True
    return False


def _timer_problems(root, max_timer: str) -> Iterator[Problem]:
    for definition in root.iterfind(".//bpmn:timerEventDefinition", NS):
        owner = definition.getparent()
        specs = [child for child in definition if _local(child) in _TIMER_PARSERS]
        if not specs:
            yield Problem(owner.get("id"), "timer has no timeDate, timeDuration or timeCycle")
        for child in specs:
            kind, text = _local(child), child.text or ""
            problem = _timer_problem(kind, text)
            if problem:
                yield Problem(owner.get("id"), f"timer: {problem}")
            elif _timer_too_long(kind, text, max_timer):
                too_long = f"timer: {text.strip()} goes beyond {max_timer}, the longest timer allowed"
                yield Problem(owner.get("id"), too_long, owner.get("name"))


def _size_problems(bundle: ProcessBundle) -> Iterator[Problem]:
    for spec in [bundle.spec, *bundle.subprocess_specs.values()]:
        if len(spec.task_specs) > MAX_PROCESS_STEPS:
            yield Problem(
                spec.name,
                f"the process is too long to run: {len(spec.task_specs)} engine steps (its elements, and a split "
                f"and a join around each task with boundary events), at most {MAX_PROCESS_STEPS}; "
                "move part of it into a call activity",
                spec.description,
            )


def validate_bpmn(
    xml: bytes,
    filename: str,
    known_lanes: set[str],
    known_forms: set[str],
    max_bytes: int = MAX_BPMN_BYTES,
    max_timer: str = DEFAULT_MAX_TIMER,
) -> list[str]:
    """Return one "{filename}: {element_id}: {message}" line per problem (empty when the file is acceptable).

    `max_timer` is the longest timer allowed, an ISO 8601 duration; timers whose value is a constant are checked."""
    try:
        root = load_xml(xml, max_bytes)
    except BpmnError as exc:
        return [f"{filename}: {problem}" for problem in exc.problems]
    problems: list[Problem] = []
    try:
        problems.extend(_size_problems(bundle_from_tree(root, filename=filename)))
    except BpmnError as exc:
        problems.extend(exc.problems)
    problems.extend(_lane_problems(root, known_lanes))
    problems.extend(_user_task_problems(root, known_forms))
    problems.extend(_expression_problems(root))
    problems.extend(_timer_problems(root, max_timer))
    return list(dict.fromkeys(f"{filename}: {problem}" for problem in problems))
