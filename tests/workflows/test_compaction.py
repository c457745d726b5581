"""Long-running loops keep a small state: finished tasks are pruned, the path taken is kept."""

import json

from workflows import WorkflowStatus, serialize_spec, stored_path
from workflows.engine import PATH_KEY


def loop_rounds(engine, workflow, rounds, do_task):
    do_task(workflow, "assign_inspector")
    for _ in range(rounds):
        do_task(workflow, "inspect_site", findings=2)
        do_task(workflow, "review_findings", decision="reinspect")


def test_state_stays_the_same_size_however_many_rounds(engine, bundle, do_task):
    sizes = []
    workflow = engine.start(bundle("inspection.bpmn"))
    loop_rounds(engine, workflow, 5, do_task)
    sizes.append(len(json.dumps(engine.dump(workflow))))
    for _ in range(200):
        do_task(workflow, "inspect_site", findings=2)
        do_task(workflow, "review_findings", decision="reinspect")
    sizes.append(len(json.dumps(engine.dump(workflow))))
    assert sizes[1] < sizes[0] * 1.2


def test_a_loop_deeper_than_spiffs_task_iterator_still_finds_its_tasks(engine, bundle, do_task):
    """Unpruned, 400 rounds nest tasks deeper than SpiffWorkflow's iterator looks (1000 levels)."""
    workflow = engine.start(bundle("inspection.bpmn"))
    loop_rounds(engine, workflow, 400, do_task)
    assert [task.bpmn_id for task in engine.ready_tasks(workflow)] == ["inspect_site"]
    do_task(workflow, "inspect_site", findings=0)
    assert engine.status(workflow) == WorkflowStatus.completed


def test_the_path_taken_survives_pruning_and_a_save_load_round_trip(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    loop_rounds(engine, workflow, 3, do_task)
    workflow = engine.load(engine.dump(workflow), serialize_spec(bundle("inspection.bpmn")))
    path = engine.completed_path(workflow)
    assert {"assign_inspector", "inspect_site", "review_findings"} <= set(path.elements)
    assert ("review_decision", "inspect_site") in path.flows


def test_the_stored_path_reads_as_the_rebuilt_workflow_draws_it(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    loop_rounds(engine, workflow, 3, do_task)
    state = engine.dump(workflow)
    rebuilt = engine.load(state, serialize_spec(bundle("inspection.bpmn")))
    assert stored_path(state) == engine.completed_path(rebuilt)
    assert ("review_decision", "inspect_site") in stored_path(state).flows


def test_the_stored_path_keeps_a_task_cut_off_by_a_timer(engine, clock, bundle):
    workflow = engine.start(bundle("report_deadline.bpmn"))
    clock.advance(days=30)
    engine.fire_due_timers(workflow)
    assert stored_path(engine.dump(workflow)).interrupted == ("submit_report",)


def test_a_state_saved_before_the_path_was_kept_has_no_stored_path(engine, bundle):
    state = engine.dump(engine.start(bundle("inspection.bpmn")))
    del state["data"][PATH_KEY]
    assert stored_path(state) is None
