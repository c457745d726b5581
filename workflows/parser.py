"""Parse one BPMN document into a ProcessBundle, with a fresh SpiffBpmnParser per call."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser, SpiffProcessParser

from .errors import BpmnError, Problem
from .names import names_from_tree
from .timers import clock_aware
from .xmlsafe import MAX_BPMN_BYTES, load_xml

BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}


@dataclass(frozen=True)
class ProcessInfo:
    """A process declared in a BPMN file."""

    process_id: str
    name: str
    is_executable: bool


@dataclass(frozen=True)
class ElementInfo:
    """A BPMN flow node as the engine sees it: id, label, lane name and kind (Spiff spec class name)."""

    bpmn_id: str
    name: str | None
    lane: str | None
    kind: str
    process_id: str


@dataclass(frozen=True)
class Flow:
    """A sequence flow between two elements."""

    flow_id: str
    source: str
    target: str


@dataclass(frozen=True, eq=False)
class ProcessBundle:
    """Everything needed to start a process: its spec, the specs it calls, element/lane/flow facts, and the
    display names of its elements in each language (names.py)."""

    process_id: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: Mapping[str, BpmnProcessSpec]
    elements: Mapping[str, ElementInfo] = field(default_factory=dict)
    lanes: frozenset[str] = frozenset()
    flows: tuple[Flow, ...] = ()
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


class _ClockTimerParsing:
    def parse_timer_event(self, event):
        """Parse the timer as Spiff does, then swap in the clock-aware definition."""
        return clock_aware(super().parse_timer_event(event))


class _StartEventParser(_ClockTimerParsing, SpiffStartEventParser):
    pass


class _BoundaryEventParser(_ClockTimerParsing, SpiffBoundaryEventParser):
    pass


class _IntermediateCatchEventParser(_ClockTimerParsing, SpiffIntermediateCatchEventParser):
    pass


class _TargetsFirstProcessParser(SpiffProcessParser):
    """Parses the flow nodes a process reaches from the end of each path backwards.

    Spiff parses a node, then recursively each node its flows lead to, so a chain of a few hundred tasks exceeds
    Python's recursion limit. When every target is parsed before its source, each recursive call finds the target
    already parsed and returns at once. Boundary events are left to the task they are attached to."""

    def add_tasks(self):
        """Parse the reachable nodes targets-first, then let Spiff connect the start events as usual."""
        for node in self._targets_first():
            self.parse_node(node)
        super().add_tasks()

    def _successors(self, node) -> list:
        node_id = node.get("id")
        targets = [flow.get("targetRef") for flow in self.get_outgoing_sequence_flows(node_id)]
        found = [self.get_node_by_id(target) for target in targets]
        return [*self.get_boundary_events(node_id), *(target for target in found if target is not None)]

    def _targets_first(self) -> list:
        """The nodes reachable from the start events in depth-first post-order, found without recursion."""
        order, seen = [], set()
        for start in self.xpath("./bpmn:startEvent"):
            stack = [(start, iter(self._successors(start)))]
            seen.add(start.get("id"))
            while stack:
                node, successors = stack[-1]
                following = next((s for s in successors if s.get("id") not in seen), None)
                if following is None:
                    stack.pop()
                    order.append(node)
                else:
                    seen.add(following.get("id"))
                    stack.append((following, iter(self._successors(following))))
        return [node for node in order if etree.QName(node).localname not in ("startEvent", "boundaryEvent")]


class BpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser whose timers follow the workflow's injectable clock and whose long chains do not recurse."""

    PROCESS_PARSER_CLASS = _TargetsFirstProcessParser
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("startEvent"): (_StartEventParser, SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("startEvent")][1]),
        full_tag("boundaryEvent"): (
            _BoundaryEventParser,
            SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("boundaryEvent")][1],
        ),
        full_tag("intermediateCatchEvent"): (
            _IntermediateCatchEventParser,
            SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("intermediateCatchEvent")][1],
        ),
    }


def _processes(root: etree._Element) -> list[ProcessInfo]:
    return [
        ProcessInfo(node.get("id"), node.get("name") or node.get("id"), node.get("isExecutable", "true") == "true")
        for node in root.iterfind("bpmn:process", BPMN_NS)
    ]


def list_processes(xml: bytes, max_bytes: int = MAX_BPMN_BYTES) -> list[ProcessInfo]:
    """Return the processes (id, name, executable or not) declared in a BPMN file."""
    return _processes(load_xml(xml, max_bytes))


def _problem_from(exc: Exception) -> Problem:
    if isinstance(exc, ValidationException):
        message = exc.args[0] if exc.args else type(exc).__name__
        if exc.line_number:
            message = f"{message} (line {exc.line_number})"
        return Problem(exc.id or None, message)
    return Problem(None, f"could not parse the BPMN: {type(exc).__name__}: {exc}")


def _choose_process(root: etree._Element, process_id: str | None) -> str:
    processes = _processes(root)
    if process_id is not None:
        if process_id not in {process.process_id for process in processes}:
            raise BpmnError([Problem(None, f"no process with id {process_id!r} in this file")])
        return process_id
    called = set(root.xpath("//bpmn:callActivity/@calledElement", namespaces=BPMN_NS))
    executable = [process.process_id for process in processes if process.is_executable]
    if not executable:
        raise BpmnError([Problem(None, 'no executable process (set isExecutable="true" on one process)')])
    top_level = [pid for pid in executable if pid not in called] or executable
    if len(top_level) > 1:
        raise BpmnError([Problem(None, f"several executable processes ({', '.join(top_level)}); name one")])
    return top_level[0]


def _elements(specs: list[BpmnProcessSpec]) -> dict[str, ElementInfo]:
    elements = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            known = elements.get(task_spec.bpmn_id)
            # A multi-instance task has an outer spec and a child spec; the child carries the lane.
            if task_spec.bpmn_id and (known is None or (known.lane is None and task_spec.lane)):
                elements[task_spec.bpmn_id] = ElementInfo(
                    task_spec.bpmn_id, task_spec.bpmn_name, task_spec.lane, type(task_spec).__name__, spec.name
                )
    return elements


def _flows(root: etree._Element) -> tuple[Flow, ...]:
    return tuple(
        Flow(node.get("id"), node.get("sourceRef"), node.get("targetRef"))
        for node in root.iterfind(".//bpmn:sequenceFlow", BPMN_NS)
    )


def parse_bpmn(
    xml: bytes, process_id: str | None = None, *, filename: str = "<bpmn>", max_bytes: int = MAX_BPMN_BYTES
) -> ProcessBundle:
    """Parse `xml` safely and return the bundle for `process_id` (default: the one top-level executable process)."""
    return bundle_from_tree(load_xml(xml, max_bytes), process_id, filename=filename)


def bundle_from_tree(root: etree._Element, process_id: str | None = None, *, filename: str = "<bpmn>") -> ProcessBundle:
    """Build the bundle from an already safely loaded tree (see xmlsafe.load_xml)."""
    chosen = _choose_process(root, process_id)
    parser = BpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename)
        spec = parser.get_spec(chosen)
        subprocess_specs = parser.get_subprocess_specs(chosen)
    except Exception as exc:
        raise BpmnError([_problem_from(exc)]) from exc
    specs = [spec, *subprocess_specs.values()]
    elements = _elements(specs)
    return ProcessBundle(
        process_id=chosen,
        name=spec.description or chosen,
        spec=spec,
        subprocess_specs=MappingProxyType(dict(subprocess_specs)),
        elements=MappingProxyType(elements),
        lanes=frozenset(element.lane for element in elements.values() if element.lane),
        flows=_flows(root),
        names=MappingProxyType(names_from_tree(root)),
    )
