"""Saving state without its spec, loading it back, and the recorded serializer version."""

import json

import pytest

from workflows import (
    SERIALIZER_VERSION,
    Engine,
    StateError,
    WorkflowError,
    WorkflowStatus,
    parse_bpmn,
    restore_spec,
    serialize_spec,
    state_version,
)


def round_trip(engine, workflow, spec):
    """Store as the app would (JSON text) and load into a fresh engine on the same clock."""
    state_json = json.dumps(engine.dump(workflow))
    spec_json = json.dumps(spec)
    return Engine(clock=engine.clock).load(json.loads(state_json), json.loads(spec_json))


def test_state_is_stored_without_the_spec_and_records_the_version(engine, bundle):
    workflow = engine.start(bundle("inspection.bpmn"))

    state = engine.dump(workflow)
    spec = serialize_spec(bundle("inspection.bpmn"))

    assert "spec" not in state
    assert "subprocess_specs" not in state
    assert state_version(state) == SERIALIZER_VERSION == "1.5"
    assert spec["serializer_version"] == SERIALIZER_VERSION
    assert spec["process_id"] == "inspection"
    assert len(json.dumps(state)) < len(json.dumps(spec))


def test_round_trip_mid_process_then_continue_to_completion(engine, bundle, do_task):
    parsed = bundle("inspection.bpmn")
    spec = serialize_spec(parsed)
    workflow = engine.start(parsed)
    do_task(workflow, "assign_inspector", inspector_id=7)

    restored = round_trip(engine, workflow, spec)

    assert [task.bpmn_id for task in engine.ready_tasks(restored)] == ["inspect_site"]
    do_task(restored, "inspect_site", findings=2)
    restored = round_trip(engine, restored, spec)
    do_task(restored, "review_findings", decision="reinspect")
    do_task(restored, "inspect_site", findings=0)
    assert engine.status(restored) == WorkflowStatus.completed
    assert restored.data["inspector_id"] == 7


def test_round_trip_inside_a_call_activity(engine, bundle, do_task):
    parsed = bundle("follow_up_call.bpmn")
    workflow = engine.start(parsed)
    do_task(workflow, "open_case")

    restored = round_trip(engine, workflow, serialize_spec(parsed))

    do_task(restored, "revisit_site")
    do_task(restored, "close_case")
    assert engine.status(restored) == WorkflowStatus.completed


def test_a_waiting_timer_survives_a_round_trip_and_fires_on_the_clock(engine, clock, bundle):
    parsed = bundle("report_deadline.bpmn")
    workflow = engine.start(parsed)
    due_at = engine.waiting_timers(workflow)[0].due_at

    restored = round_trip(engine, workflow, serialize_spec(parsed))

    assert engine.waiting_timers(restored)[0].due_at == due_at
    clock.advance(days=30)
    assert engine.fire_due_timers(restored) == ["report_overdue"]


def test_loaded_workflows_run_with_the_safe_script_engine(engine, make_bpmn, do_task):
    parsed = parse_bpmn(make_bpmn(condition="().__class__ is None"))
    restored = round_trip(engine, engine.start(parsed), serialize_spec(parsed))

    with pytest.raises(WorkflowError, match="approved_gateway: .*attribute access"):
        do_task(restored, "decide")


def test_state_from_an_unknown_serializer_version_is_refused(engine, bundle):
    parsed = bundle("inspection.bpmn")
    state = engine.dump(engine.start(parsed))
    state["serializer_version"] = "9.9"

    with pytest.raises(StateError, match="workflow state was written by serializer version '9.9'"):
        engine.load(state, serialize_spec(parsed))


def test_state_without_a_version_is_refused(engine, bundle):
    parsed = bundle("inspection.bpmn")
    state = engine.dump(engine.start(parsed))
    del state["serializer_version"]

    with pytest.raises(StateError, match="version None"):
        engine.load(state, serialize_spec(parsed))


def test_state_and_spec_from_different_versions_are_refused(engine, bundle):
    parsed = bundle("inspection.bpmn")
    state = engine.dump(engine.start(parsed))
    spec = serialize_spec(parsed)
    spec["serializer_version"] = "1.4"

    with pytest.raises(StateError, match="differ"):
        engine.load(state, spec)


def test_loading_does_not_change_the_stored_dicts(engine, bundle):
    parsed = bundle("report_deadline.bpmn")
    state = engine.dump(engine.start(parsed))
    spec = serialize_spec(parsed)
    before = json.dumps([state, spec], sort_keys=True)

    engine.load(state, spec)

    assert json.dumps([state, spec], sort_keys=True) == before


def test_a_spec_restored_once_serves_every_load_and_leaves_the_state_as_stored(engine, bundle, do_task):
    """restore_spec turns a version's stored spec into objects once; workflows loaded on it run as those loaded
    from the stored spec do, and neither loading nor running them changes the stored state (nor the spec)."""
    parsed = bundle("follow_up_call.bpmn")
    spec = json.loads(json.dumps(serialize_spec(parsed)))
    restored = restore_spec(spec)
    workflow = engine.start(parsed)
    do_task(workflow, "open_case")
    state = json.loads(json.dumps(engine.dump(workflow)))
    before = json.dumps([state, spec], sort_keys=True)

    on_restored, on_stored = engine.load(state, restored), engine.load(state, spec)
    for each in (on_restored, on_stored):
        for task in engine.ready_tasks(each):
            engine.complete(each, task.task_id, {"done": True})

    assert json.dumps(engine.dump(on_restored), sort_keys=True) != before
    assert [t.bpmn_id for t in engine.ready_tasks(on_restored)] == [t.bpmn_id for t in engine.ready_tasks(on_stored)]
    assert engine.status(on_restored) == engine.status(on_stored)
    assert json.dumps([state, spec], sort_keys=True) == before
    assert restored.has_timers is False
    assert restore_spec(serialize_spec(bundle("report_deadline.bpmn"))).has_timers is True


def test_the_state_written_is_the_converter_s_own_less_the_spec(engine, bundle, do_task):
    """dump_state skips converting the spec; what it writes is what Spiff's converter writes, spec keys left out."""
    from workflows.serializer import SPEC_KEYS, _serializer

    workflow = engine.start(bundle("follow_up_call.bpmn"))
    do_task(workflow, "open_case")
    full = _serializer.to_dict(workflow)
    for key in SPEC_KEYS:
        full.pop(key)

    assert json.dumps(engine.dump(workflow), sort_keys=True) == json.dumps(
        {**full, "serializer_version": SERIALIZER_VERSION}, sort_keys=True
    )
