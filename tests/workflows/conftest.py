"""Fixtures for engine tests: a movable clock, an engine on it, and BPMN loaders/builders."""

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.helpers import MovableClock
from workflows import Engine, parse_bpmn

BPMN_DIR = Path(__file__).resolve().parents[1] / "data" / "bpmn"

_KNOWN_LANES = {"director", "lead", "inspector", "unit"}
_KNOWN_FORMS = {
    "assign_inspector", "inspection_report", "review", "fire_check", "electrical_check", "sign_off", "report",
    "escalation", "notice", "follow_up", "visit", "reply", "choose_units", "self_check", "open_case",
    "close_case", "revisit", "decide",
}  # fmt: skip


@pytest.fixture
def clock():
    """A Monday morning in 2030, movable with clock.advance(days=...)."""
    return MovableClock(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))


@pytest.fixture
def known_lanes():
    """The lane names the app knows."""
    return set(_KNOWN_LANES)


@pytest.fixture
def known_forms():
    """The form names the app knows."""
    return set(_KNOWN_FORMS)


@pytest.fixture
def engine(clock):
    """An engine on the fake clock."""
    return Engine(clock=clock)


@pytest.fixture
def bpmn_bytes():
    """Return the bytes of a file in tests/data/bpmn."""
    return lambda name: (BPMN_DIR / name).read_bytes()


@pytest.fixture
def bundle(bpmn_bytes):
    """Return the parsed bundle of a file in tests/data/bpmn."""
    return lambda name, process_id=None: parse_bpmn(bpmn_bytes(name), process_id, filename=name)


@pytest.fixture
def do_task(engine):
    """Complete the single ready task with `bpmn_id`, failing the test if it is not ready."""

    def do(workflow, bpmn_id, **data):
        """Complete the ready task `bpmn_id` with `data`."""
        matching = [task for task in engine.ready_tasks(workflow) if task.bpmn_id == bpmn_id]
        ready = [task.bpmn_id for task in engine.ready_tasks(workflow)]
        assert len(matching) == 1, f"{bpmn_id} is not ready; ready: {ready}"
        engine.complete(workflow, matching[0].task_id, data)

    return do


_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="built_definitions" targetNamespace="http://example.org/inspect">
  <bpmn:process id="built" name="Built for a test" isExecutable="{executable}">
    <bpmn:laneSet id="built_lanes">
      <bpmn:lane id="decide_lane" name="{lane}">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide_late</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>approved_gateway</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>approved_end</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>rejected_end</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>late_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>flow_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="prepare"/>
    <bpmn:scriptTask id="prepare" name="Prepare">
      <bpmn:incoming>flow_start</bpmn:incoming>
      <bpmn:outgoing>flow_prepared</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="flow_prepared" sourceRef="prepare" targetRef="decide"/>
    <bpmn:userTask id="decide" name="Quyết định">
      {form}
      <bpmn:incoming>flow_prepared</bpmn:incoming>
      <bpmn:outgoing>flow_decided</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="decide_late" attachedToRef="decide" cancelActivity="true">
      <bpmn:outgoing>flow_late</bpmn:outgoing>
      <bpmn:timerEventDefinition id="decide_late_timer">
        <bpmn:timeDuration>{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="flow_late" sourceRef="decide_late" targetRef="late_end"/>
    <bpmn:endEvent id="late_end"><bpmn:incoming>flow_late</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_decided" sourceRef="decide" targetRef="approved_gateway"/>
    <bpmn:exclusiveGateway id="approved_gateway" default="flow_rejected">
      <bpmn:incoming>flow_decided</bpmn:incoming>
      <bpmn:outgoing>flow_approved</bpmn:outgoing>
      <bpmn:outgoing>flow_rejected</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="flow_approved" sourceRef="approved_gateway" targetRef="approved_end">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_rejected" sourceRef="approved_gateway" targetRef="rejected_end"/>
    <bpmn:endEvent id="approved_end"><bpmn:incoming>flow_approved</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="rejected_end"><bpmn:incoming>flow_rejected</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

_FORM = """<bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="{}"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>"""


@pytest.fixture
def make_bpmn():
    """Build a small valid process (script, user task with boundary timer, gateway), overriding one part."""

    def make(
        lane="lead",
        form="decide",
        condition="approved == True",
        script="deadline = add_days(today(), 30)",
        timer='"P30D"',
        executable=True,
    ) -> bytes:
        """Return the process XML with the given parts."""
        return _TEMPLATE.format(
            executable="true" if executable else "false",
            lane=escape(lane, {'"': "&quot;"}),
            form=_FORM.format(escape(form, {'"': "&quot;"})) if form is not None else "",
            condition=escape(condition),
            script=escape(script),
            timer=escape(timer),
        ).encode()

    return make
