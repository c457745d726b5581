"""Reading a process's drawing (BPMNDI) for the case page."""

import pytest

from workflows import BpmnError
from workflows.diagram import read_diagram
from workflows.xmlsafe import load_xml

ENTITY_EXPANSION = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;</bpmn:definitions>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&secret;</bpmn:definitions>"""
_TWO_PROCESSES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  id="two" targetNamespace="http://example.org/inspect">
  <bpmn:process id="first" isExecutable="true"><bpmn:startEvent id="first_start" name="First"/></bpmn:process>
  <bpmn:process id="second" isExecutable="true">
    <bpmn:startEvent id="second_start" name="Second"/>
    <bpmn:endEvent id="broken"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="first_diagram">
    <bpmndi:BPMNPlane id="first_plane" bpmnElement="first">
      <bpmndi:BPMNShape id="first_start_di" bpmnElement="first_start"><dc:Bounds x="0" y="0" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
  <bpmndi:BPMNDiagram id="second_diagram">
    <bpmndi:BPMNPlane id="second_plane" bpmnElement="second">
      <bpmndi:BPMNShape id="second_start_di" bpmnElement="second_start">
        <dc:Bounds x="500" y="300" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="broken_di" bpmnElement="broken"><dc:Bounds x="nan" y="0" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@pytest.fixture
def sample(bpmn_bytes):
    return read_diagram(bpmn_bytes("diagram_sample.bpmn"))


def shape(diagram, element_id):
    [found] = [shape for shape in diagram.shapes if shape.element_id == element_id]
    return found


def edge(diagram, element_id):
    [found] = [edge for edge in diagram.edges if edge.element_id == element_id]
    return found


def test_every_element_is_read_with_its_kind_name_and_box(sample):
    draft = shape(sample, "draft_report")
    assert (draft.kind, draft.name) == ("task", "Dự thảo báo cáo kiểm tra")
    assert (draft.x, draft.y, draft.width, draft.height) == (280, 120, 100, 80)

    kinds = {shape.element_id: shape.kind for shape in sample.shapes}
    assert kinds == {
        "diagram_sample_participant": "participant",
        "lane_lead": "lane",
        "lane_director": "lane",
        "start": "start",
        "draft_report": "task",
        "review_report": "task",
        "is_approved": "exclusive",
        "approved_end": "end",
        "overdue_end": "end",
        "review_overdue": "boundary",
        "loop_note": "annotation",
    }
    assert [s.element_id for s in sample.shapes if s.is_timer] == ["review_overdue"]
    assert shape(sample, "loop_note").name == "Sent back until the director approves"


def test_lanes_are_bands_named_as_in_the_process(sample):
    lanes = [(s.name, s.x, s.y, s.width, s.height) for s in sample.containers if s.kind == "lane"]

    assert lanes == [("lead", 150, 60, 810, 200), ("director", 150, 260, 810, 240)]
    # Bands are drawn first, so tasks sit on top of them; boundary events come after the task they sit on.
    order = [s.element_id for s in sample.shapes]
    assert order[:3] == ["diagram_sample_participant", "lane_lead", "lane_director"]
    assert order.index("review_overdue") > order.index("review_report")


def test_flows_keep_their_waypoints_ends_and_names(sample):
    drafted = edge(sample, "flow_drafted")
    assert (drafted.source, drafted.target, drafted.kind) == ("draft_report", "review_report", "sequence")
    assert drafted.waypoints == ((380, 160), (490, 160), (490, 320))

    loop_back = edge(sample, "flow_rejected")
    assert (loop_back.name, loop_back.target) == ("No", "draft_report")
    assert loop_back.label_point == (645.5, 297)
    assert edge(sample, "flow_start").label_point == (254, 160)
    assert edge(sample, "loop_note_association").kind == "association"


def test_the_frame_holds_every_shape_label_and_line(sample):
    right, bottom = sample.min_x + sample.width, sample.min_y + sample.height
    for s in sample.shapes:
        assert sample.min_x <= s.x and s.x + s.width <= right
        assert sample.min_y <= s.y and s.y + s.height <= bottom
    for e in sample.edges:
        assert all(sample.min_x <= x <= right and sample.min_y <= y <= bottom for x, y in e.waypoints)
    assert sample.view_box == "110 50 860 460"


def test_a_file_without_a_drawing_gives_no_shapes(bpmn_bytes):
    diagram = read_diagram(bpmn_bytes("inspection.bpmn"))

    assert diagram.is_empty
    assert diagram.shapes == () and diagram.edges == ()


def test_the_drawing_of_the_named_process_is_chosen():
    assert [s.name for s in read_diagram(_TWO_PROCESSES, "first").shapes] == ["First"]
    second = read_diagram(_TWO_PROCESSES, "second")
    # A shape whose bounds are not numbers is left out instead of breaking the whole drawing.
    assert [s.name for s in second.shapes] == ["Second"]
    assert second.min_y == 290


def test_an_unknown_process_is_refused():
    with pytest.raises(BpmnError, match="no process with id 'nope'"):
        read_diagram(_TWO_PROCESSES, "nope")


@pytest.mark.parametrize(
    "hostile",
    [ENTITY_EXPANSION, EXTERNAL_ENTITY, b"<bpmn:definitions", b"x" * 500],
    ids=["entity-expansion", "external-entity", "malformed", "oversize"],
)
def test_hostile_xml_is_refused_as_the_safe_loader_refuses_it(hostile):
    with pytest.raises(BpmnError) as expected:
        load_xml(hostile, max_bytes=400)
    with pytest.raises(BpmnError) as refused:
        read_diagram(hostile, max_bytes=400)

    assert refused.value.problems == expected.value.problems
