"""Process definitions that pass validation but would break at run time: each stops as a WorkflowError naming
the element (the app's 422), never as a raw exception, a hang or a memory blow-up."""

from datetime import timedelta

import pytest

from tests.helpers import chain_bpmn
from workflows import Engine, WorkflowError, WorkflowStatus, parse_bpmn, validate_bpmn
from workflows.engine import MAX_AUTOMATIC_STEPS, MAX_PROCESS_STEPS

ENDLESS_LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="loop_definitions"
                  targetNamespace="http://example.org/inspect">
  <bpmn:process id="loop" name="Counts for ever" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="count" name="Count"><bpmn:script>count = count + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" name="Again?" default="to_end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="to_count" sourceRef="start" targetRef="count"/>
    <bpmn:sequenceFlow id="to_again" sourceRef="count" targetRef="again"/>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="count">
      <bpmn:conditionExpression>count &lt; 1000000000</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_end" sourceRef="again" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_script_building_a_huge_string_stops_the_start_naming_the_script(engine, make_bpmn):
    with pytest.raises(WorkflowError) as stopped:
        engine.start(parse_bpmn(make_bpmn(script="summary = 'x' * 99999999999")))

    assert stopped.value.element_id == "prepare"
    assert "script refused: the repetition would hold at least 99,999,999,999 characters" in stopped.value.message


def test_a_computed_timer_beyond_the_limit_stops_naming_the_timer(engine, make_bpmn):
    bundle = parse_bpmn(make_bpmn(timer='"P%dY" % years'))

    with pytest.raises(WorkflowError) as stopped:
        engine.start(bundle, {"years": 99999})
    assert stopped.value.element_id == "decide_late"
    assert "timer: a duration of 99999 years is longer than 100 years" in stopped.value.message

    with pytest.raises(WorkflowError) as stopped:
        engine.start(bundle, {"years": 6})
    assert stopped.value.element_id == "decide_late"
    assert "more than P5Y ahead (the longest timer allowed)" in stopped.value.message


def test_a_computed_timer_within_the_limit_waits(engine, clock, make_bpmn):
    workflow = engine.start(parse_bpmn(make_bpmn(timer='"P%dY" % years')), {"years": 4})

    [timer] = engine.waiting_timers(workflow)
    assert clock() + timedelta(days=4 * 365) <= timer.due_at <= clock() + timedelta(days=4 * 366)


def test_the_engine_takes_its_timer_limit(clock, make_bpmn):
    bundle = parse_bpmn(make_bpmn(timer='"P30D"'))

    with pytest.raises(WorkflowError, match="more than P7D ahead"):
        Engine(clock, max_timer="P7D").start(bundle)
    allowing_a_month = Engine(clock, max_timer="P30D")
    assert allowing_a_month.waiting_timers(allowing_a_month.start(bundle))


def test_a_computed_date_that_is_not_a_date_stops_naming_the_timer(engine, make_bpmn):
    xml = make_bpmn(timer="due").replace(b"timeDuration", b"timeDate")

    with pytest.raises(WorkflowError) as stopped:
        engine.start(parse_bpmn(xml), {"due": "next Tuesday"})

    assert stopped.value.element_id == "decide_late"
    assert "timer: ValueError" in stopped.value.message


def test_an_endless_automatic_loop_stops_naming_an_element_of_the_loop(engine):
    with pytest.raises(WorkflowError) as stopped:
        engine.start(parse_bpmn(ENDLESS_LOOP), {"count": 0})

    assert stopped.value.element_id in {"count", "again"}
    assert f"more than {MAX_AUTOMATIC_STEPS} automatic steps without waiting" in stopped.value.message


def test_a_loop_that_ends_runs_to_its_end(engine):
    xml = ENDLESS_LOOP.replace(b"count &lt; 1000000000", b"count &lt; 300")

    workflow = engine.start(parse_bpmn(xml), {"count": 0})

    assert engine.status(workflow) == WorkflowStatus.completed
    assert workflow.data["count"] == 300


def test_a_chain_of_500_steps_validates_and_runs_to_its_end(engine, do_task, known_lanes, known_forms):
    xml = chain_bpmn(["script", "user"] * 250)
    assert validate_bpmn(xml, "chain.bpmn", known_lanes, known_forms) == []

    workflow = engine.start(parse_bpmn(xml), {"count": 0})
    for index in range(1, 500, 2):
        do_task(workflow, f"step_{index}")

    assert engine.status(workflow) == WorkflowStatus.completed
    assert workflow.data["count"] == 250
    assert len(engine.completed_path(workflow).elements) == 502


def test_a_chain_of_500_automatic_steps_runs_in_one_go(engine):
    workflow = engine.start(parse_bpmn(chain_bpmn(["script"] * 499 + ["user"])), {"count": 0})

    assert [task.bpmn_id for task in engine.ready_tasks(workflow)] == ["step_499"]
    assert workflow.last_task.data["count"] == 499


def test_a_chain_too_long_to_run_is_refused_by_validation_naming_the_process(known_lanes, known_forms):
    problems = validate_bpmn(chain_bpmn(["script"] * 700), "chain.bpmn", known_lanes, known_forms)

    assert problems == [
        f'chain.bpmn: chain ("A long chain"): the process is too long to run: 705 engine steps (its elements, '
        f"and a split and a join around each task with boundary events), at most {MAX_PROCESS_STEPS}; "
        "move part of it into a call activity"
    ]
