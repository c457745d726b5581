"""Read the drawing of a process (BPMNDI shapes and edges) so the app can render it as SVG.

Only coordinates, kinds and names are read here; names are untrusted text that the template escapes.
"""

import math
from dataclasses import dataclass

from lxml import etree

from .errors import BpmnError, Problem
from .xmlsafe import MAX_BPMN_BYTES, load_xml

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": MODEL_NS,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}

SHAPE_KINDS = {
    "lane": "lane",
    "participant": "participant",
    "task": "task",
    "userTask": "task",
    "manualTask": "task",
    "sendTask": "task",
    "receiveTask": "task",
    "serviceTask": "service",
    "scriptTask": "service",
    "businessRuleTask": "service",
    "callActivity": "subprocess",
    "subProcess": "subprocess",
    "transaction": "subprocess",
    "adHocSubProcess": "subprocess",
    "startEvent": "start",
    "endEvent": "end",
    "intermediateCatchEvent": "intermediate",
    "intermediateThrowEvent": "intermediate",
    "boundaryEvent": "boundary",
    "exclusiveGateway": "exclusive",
    "parallelGateway": "parallel",
    "inclusiveGateway": "inclusive",
    "eventBasedGateway": "event_gateway",
    "textAnnotation": "annotation",
}
EDGE_KINDS = {"sequenceFlow": "sequence", "messageFlow": "message", "association": "association"}
EVENT_KINDS = frozenset({"start", "end", "intermediate", "boundary"})
GATEWAY_KINDS = frozenset({"exclusive", "parallel", "inclusive", "event_gateway"})
CONTAINER_KINDS = frozenset({"participant", "lane"})

# Drawing order: pools and lanes at the back, expanded subprocesses before what they hold, boundary events on top.
_LAYERS = {"participant": 0, "lane": 1, "boundary": 4}
# Room left around the drawing, and under events and gateways whose labels have no DI bounds.
_MARGIN = 10.0
_LABEL_ROOM = 40.0


@dataclass(frozen=True)
class Bounds:
    """A rectangle in diagram coordinates."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Shape:
    """One drawn element: its BPMN id, our kind (see SHAPE_KINDS), its name and its box."""

    element_id: str
    kind: str
    name: str
    x: float
    y: float
    width: float
    height: float
    is_timer: bool = False
    is_expanded: bool = False
    label: Bounds | None = None

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        """Vertical centre."""
        return self.y + self.height / 2

    @property
    def is_event(self) -> bool:
        """Drawn as a circle."""
        return self.kind in EVENT_KINDS

    @property
    def is_gateway(self) -> bool:
        """Drawn as a diamond."""
        return self.kind in GATEWAY_KINDS


@dataclass(frozen=True)
class Edge:
    """One drawn connection (sequence flow, message flow or association) with its waypoints."""

    element_id: str
    source: str | None
    target: str | None
    name: str
    waypoints: tuple[tuple[float, float], ...]
    kind: str = "sequence"
    label: Bounds | None = None

    @property
    def label_point(self) -> tuple[float, float]:
        """Where the name goes: the centre of its DI label, else halfway along the line."""
        if self.label is not None:
            return (self.label.x + self.label.width / 2, self.label.y + self.label.height / 2)
        return _halfway(self.waypoints)


@dataclass(frozen=True)
class Diagram:
    """The drawing of one process or collaboration; no shapes when the file carries no diagram."""

    width: float
    height: float
    min_x: float
    min_y: float
    shapes: tuple[Shape, ...] = ()
    edges: tuple[Edge, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.shapes

    @property
    def containers(self) -> tuple[Shape, ...]:
        """Pools and lanes, drawn first as bands."""
        return tuple(shape for shape in self.shapes if shape.kind in CONTAINER_KINDS)

    @property
    def nodes(self) -> tuple[Shape, ...]:
        """Everything else, in drawing order."""
        return tuple(shape for shape in self.shapes if shape.kind not in CONTAINER_KINDS)

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute value."""
        return " ".join(_number(value) for value in (self.min_x, self.min_y, self.width, self.height))


EMPTY = Diagram(width=0.0, height=0.0, min_x=0.0, min_y=0.0)


def read_diagram(xml: bytes, process_id: str | None = None, *, max_bytes: int = MAX_BPMN_BYTES) -> Diagram:
    """Return the drawing of `process_id` (default: the first diagram of a process) from a BPMN file's BPMNDI."""
    root = load_xml(xml, max_bytes)
    plane = _plane_for(root, process_id)
    if plane is None:
        return EMPTY
    elements = {
        node.get("id"): node
        for node in root.iter(etree.Element)
        if node.get("id") and etree.QName(node).namespace == MODEL_NS
    }
    shapes = []
    for shape_di in plane.iterfind("bpmndi:BPMNShape", NS):
        shape = _shape(shape_di, elements.get(shape_di.get("bpmnElement")))
        if shape is not None:
            shapes.append(shape)
    edges = []
    for edge_di in plane.iterfind("bpmndi:BPMNEdge", NS):
        edge = _edge(edge_di, elements.get(edge_di.get("bpmnElement")))
        if edge is not None:
            edges.append(edge)
    shapes.sort(key=_layer)
    return _framed(tuple(shapes), tuple(edges))


def _plane_for(root: etree._Element, process_id: str | None) -> etree._Element | None:
    processes = [node.get("id") for node in root.iterfind("bpmn:process", NS)]
    if process_id is not None and process_id not in processes:
        raise BpmnError([Problem(None, f"no process with id {process_id!r} in this file")])
    wanted = set(processes) if process_id is None else {process_id}
    for collaboration in root.iterfind("bpmn:collaboration", NS):
        if any(p.get("processRef") in wanted for p in collaboration.iterfind("bpmn:participant", NS)):
            wanted.add(collaboration.get("id"))
    for plane in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS):
        if plane.get("bpmnElement") in wanted:
            return plane
    return None


def _bounds(node: etree._Element | None) -> Bounds | None:
    if node is None:
        return None
    try:
        values = [float(node.get(name, "")) for name in ("x", "y", "width", "height")]
    except ValueError:
        return None
    if not all(math.isfinite(value) for value in values) or values[2] < 0 or values[3] < 0:
        return None
    return Bounds(*values)


def _label_bounds(di_node: etree._Element) -> Bounds | None:
    return _bounds(di_node.find("bpmndi:BPMNLabel/dc:Bounds", NS))


def _shape(shape_di: etree._Element, element: etree._Element | None) -> Shape | None:
    box = _bounds(shape_di.find("dc:Bounds", NS))
    if element is None or box is None:
        return None
    tag = etree.QName(element).localname
    if tag == "textAnnotation":
        name = (element.findtext("bpmn:text", "", NS) or "").strip()
    else:
        name = element.get("name") or ""
    return Shape(
        element_id=element.get("id"),
        kind=SHAPE_KINDS.get(tag, "other"),
        name=name,
        x=box.x,
        y=box.y,
        width=box.width,
        height=box.height,
        is_timer=element.find("bpmn:timerEventDefinition", NS) is not None,
        is_expanded=shape_di.get("isExpanded") == "true",
        label=_label_bounds(shape_di),
    )


def _edge(edge_di: etree._Element, element: etree._Element | None) -> Edge | None:
    if element is None:
        return None
    waypoints = []
    for point in edge_di.iterfind("di:waypoint", NS):
        try:
            x, y = float(point.get("x", "")), float(point.get("y", ""))
        except ValueError:
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        waypoints.append((x, y))
    if len(waypoints) < 2:
        return None
    return Edge(
        element_id=element.get("id"),
        source=element.get("sourceRef"),
        target=element.get("targetRef"),
        name=element.get("name") or "",
        waypoints=tuple(waypoints),
        kind=EDGE_KINDS.get(etree.QName(element).localname, "other"),
        label=_label_bounds(edge_di),
    )


def _layer(shape: Shape) -> int:
    if shape.kind == "subprocess" and shape.is_expanded:
        return 2
    return _LAYERS.get(shape.kind, 3)


def _framed(shapes: tuple[Shape, ...], edges: tuple[Edge, ...]) -> Diagram:
    if not shapes and not edges:
        return EMPTY
    boxes = [Bounds(shape.x, shape.y, shape.width, shape.height) for shape in shapes]
    boxes += [shape.label for shape in shapes if shape.label is not None]
    boxes += [edge.label for edge in edges if edge.label is not None]
    # Events and gateways without label bounds get their name drawn underneath.
    boxes += [
        Bounds(shape.x - 20, shape.y + shape.height, shape.width + 40, _LABEL_ROOM)
        for shape in shapes
        if (shape.is_event or shape.is_gateway) and shape.name and shape.label is None
    ]
    xs = [box.x for box in boxes] + [box.x + box.width for box in boxes]
    ys = [box.y for box in boxes] + [box.y + box.height for box in boxes]
    for edge in edges:
        xs += [x for x, _ in edge.waypoints]
        ys += [y for _, y in edge.waypoints]
    min_x, min_y = min(xs) - _MARGIN, min(ys) - _MARGIN
    return Diagram(
        width=max(xs) + _MARGIN - min_x,
        height=max(ys) + _MARGIN - min_y,
        min_x=min_x,
        min_y=min_y,
        shapes=shapes,
        edges=edges,
    )


def _halfway(points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:], strict=False)]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(zip(points, points[1:], strict=False), lengths, strict=True):
        if length and remaining <= length:
            share = remaining / length
            return (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)
        remaining -= length
    return points[0]


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
