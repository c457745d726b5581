"""Driving workflows through the engine: each BPMN construct we rely on."""

from datetime import UTC, datetime, timedelta

import pytest

from workflows import WorkflowError, WorkflowStatus, parse_bpmn


def ready_ids(engine, workflow):
    return sorted(task.bpmn_id for task in engine.ready_tasks(workflow))


def test_user_tasks_carry_title_lane_form_and_properties(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    [assign] = engine.ready_tasks(workflow)

    assert (assign.bpmn_id, assign.title, assign.lane, assign.form) == (
        "assign_inspector",
        "Phân công công chức kiểm tra",
        "lead",
        "assign_inspector",
    )
    do_task(workflow, "assign_inspector", inspector_id=7)
    [inspect] = engine.ready_tasks(workflow)
    assert inspect.lane == "inspector"
    assert inspect.properties == {"form": "inspection_report", "due": "P10D"}
    assert engine.status(workflow) == WorkflowStatus.running


def test_start_data_reaches_the_gateways(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"), data={"findings": 0})
    do_task(workflow, "assign_inspector")
    [inspect] = engine.ready_tasks(workflow)
    engine.complete(workflow, inspect.task_id)
    assert engine.status(workflow) == WorkflowStatus.completed, "findings=0 from the start data closed the case"


def test_start_data_must_be_plain_json(engine, bundle):
    with pytest.raises(WorkflowError, match="plain JSON"):
        engine.start(bundle("inspection.bpmn"), data={"when": datetime(2030, 1, 1, tzinfo=UTC)})


def test_exclusive_gateway_follows_the_true_condition(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    do_task(workflow, "assign_inspector")
    do_task(workflow, "inspect_site", findings=0)

    assert engine.status(workflow) == WorkflowStatus.completed
    assert "closed" in engine.completed_path(workflow).elements
    assert "review_findings" not in engine.completed_path(workflow).elements


def test_loop_back_through_a_gateway_repeats_the_task(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    do_task(workflow, "assign_inspector")
    do_task(workflow, "inspect_site", findings=2)
    do_task(workflow, "review_findings", decision="reinspect")

    assert ready_ids(engine, workflow) == ["inspect_site"]
    do_task(workflow, "inspect_site", findings=0)
    assert engine.status(workflow) == WorkflowStatus.completed
    path = engine.completed_path(workflow)
    assert ("review_decision", "inspect_site") in path.flows
    assert ("is_compliant", "closed") in path.flows


def test_default_flow_is_taken_when_no_condition_holds(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    do_task(workflow, "assign_inspector")
    do_task(workflow, "inspect_site", findings=1)
    do_task(workflow, "review_findings", decision="enforce")

    assert engine.completed_path(workflow).elements[-1] == "enforced"


def test_parallel_gateway_waits_for_both_branches(engine, bundle, do_task):
    workflow = engine.start(bundle("parallel.bpmn"))

    assert ready_ids(engine, workflow) == ["check_electrical", "check_fire"]
    do_task(workflow, "check_fire", fire_ok=True)
    assert ready_ids(engine, workflow) == ["check_electrical"]
    do_task(workflow, "check_electrical", electrical_ok=False)
    assert ready_ids(engine, workflow) == ["sign_off"]
    path = engine.completed_path(workflow)
    assert {("check_fire", "join"), ("check_electrical", "join")} <= set(path.flows)


def test_boundary_timer_does_not_fire_early(engine, clock, bundle):
    workflow = engine.start(bundle("report_deadline.bpmn"))
    [timer] = engine.waiting_timers(workflow)

    assert timer.bpmn_id == "report_overdue"
    assert timer.due_at == clock.now + timedelta(days=30)
    clock.advance(days=29, hours=23)
    assert engine.fire_due_timers(workflow) == []
    assert ready_ids(engine, workflow) == ["submit_report"]


def test_a_task_with_a_boundary_timer_is_due_when_the_timer_fires(engine, clock, bundle, do_task):
    workflow = engine.start(bundle("report_deadline.bpmn"))
    [report] = engine.ready_tasks(workflow)
    assert report.due_at == clock.now + timedelta(days=30)
    clock.advance(days=30)
    engine.fire_due_timers(workflow)
    [escalate] = engine.ready_tasks(workflow)
    assert escalate.due_at is None


def test_interrupting_boundary_timer_takes_the_escalation_path(engine, clock, bundle, do_task):
    workflow = engine.start(bundle("report_deadline.bpmn"))
    clock.advance(days=30)

    assert engine.fire_due_timers(workflow) == ["report_overdue"]
    assert ready_ids(engine, workflow) == ["escalate"]
    assert engine.waiting_timers(workflow) == []
    path = engine.completed_path(workflow)
    assert path.interrupted == ("submit_report",)
    do_task(workflow, "escalate")
    assert engine.status(workflow) == WorkflowStatus.completed
    assert engine.completed_path(workflow).elements[-1] == "escalated"


def test_finishing_before_the_deadline_cancels_the_timer(engine, clock, bundle, do_task):
    workflow = engine.start(bundle("report_deadline.bpmn"))
    do_task(workflow, "submit_report")
    clock.advance(days=60)

    assert engine.fire_due_timers(workflow) == []
    assert engine.completed_path(workflow).elements[-1] == "submitted"


def test_fire_due_timers_accepts_an_explicit_time(engine, clock, bundle):
    workflow = engine.start(bundle("report_deadline.bpmn"))

    assert engine.fire_due_timers(workflow, now=clock.now + timedelta(days=31)) == ["report_overdue"]
    assert ready_ids(engine, workflow) == ["escalate"]


def test_a_fired_timer_is_reported_even_when_compaction_prunes_its_task(engine, clock, bundle):
    # The timer sits on the first task, so the finished path that compaction cuts off includes the timer's own task.
    workflow = engine.start(bundle("app/late_routing.bpmn"), data={"severity": "low"})
    clock.advance(days=10)

    assert engine.fire_due_timers(workflow) == ["report_late"]
    assert ready_ids(engine, workflow) == ["follow_up"]


def test_intermediate_timer_waits_then_continues(engine, clock, bundle, do_task):
    workflow = engine.start(bundle("cooling_off.bpmn"))
    do_task(workflow, "send_notice")

    assert engine.ready_tasks(workflow) == []
    assert engine.status(workflow) == WorkflowStatus.waiting
    [timer] = engine.waiting_timers(workflow)
    assert timer.due_at == clock.now + timedelta(days=2)
    clock.advance(days=2)
    assert engine.fire_due_timers(workflow) == ["wait_two_days"]
    assert ready_ids(engine, workflow) == ["follow_up"]


def test_timer_deadline_computed_from_task_data(engine, clock, bundle, do_task):
    workflow = engine.start(bundle("computed_deadline.bpmn"))
    do_task(workflow, "record_visit", visit_date="2030-01-10")

    [timer] = engine.waiting_timers(workflow)
    assert timer.due_at == datetime(2030, 1, 17, tzinfo=UTC)
    clock.now = datetime(2030, 1, 16, 23, 59, tzinfo=UTC)
    assert engine.fire_due_timers(workflow) == []
    clock.now = datetime(2030, 1, 17, 0, 0, tzinfo=UTC)
    assert engine.fire_due_timers(workflow) == ["reply_overdue"]
    assert engine.completed_path(workflow).elements[-1] == "lapsed"


def test_multi_instance_task_gives_one_ready_task_per_item(engine, bundle, do_task):
    workflow = engine.start(bundle("unit_checks.bpmn"))
    do_task(workflow, "choose_units", units=["north", "south", "east"])

    instances = engine.ready_tasks(workflow)
    assert [(task.bpmn_id, task.lane, task.item) for task in instances] == [
        ("self_check", "unit", "north"),
        ("self_check", "unit", "south"),
        ("self_check", "unit", "east"),
    ]
    for number, task in enumerate(instances):
        engine.complete(workflow, task.task_id, {"result": number})
    assert engine.status(workflow) == WorkflowStatus.completed
    assert workflow.data["results"] == [0, 1, 2]


def test_call_activity_tasks_are_ready_tasks_too(engine, bundle, do_task):
    workflow = engine.start(bundle("follow_up_call.bpmn"))
    do_task(workflow, "open_case")

    [revisit] = engine.ready_tasks(workflow)
    assert (revisit.bpmn_id, revisit.lane, revisit.process_id) == ("revisit_site", "inspector", "follow_up_visit")
    do_task(workflow, "revisit_site", ok=True)
    do_task(workflow, "close_case")
    assert engine.status(workflow) == WorkflowStatus.completed
    assert {"revisit_site", "close_case"} <= set(engine.completed_path(workflow).elements)


def test_completing_an_unknown_task_is_a_clear_error(engine, bundle):
    workflow = engine.start(bundle("inspection.bpmn"))

    with pytest.raises(WorkflowError, match="no task 'not-a-task'"):
        engine.complete(workflow, "not-a-task", {})
    with pytest.raises(WorkflowError, match="no task"):
        engine.complete(workflow, "00000000-0000-0000-0000-000000000000", {})


def test_completing_a_task_that_is_not_ready_is_refused(engine, bundle, do_task):
    workflow = engine.start(bundle("inspection.bpmn"))
    [assign] = engine.ready_tasks(workflow)
    do_task(workflow, "assign_inspector")

    with pytest.raises(WorkflowError, match="assign_inspector: task .* is not a ready human task"):
        engine.complete(workflow, assign.task_id, {})


def test_task_data_must_be_plain_json(engine, bundle):
    workflow = engine.start(bundle("inspection.bpmn"))
    [assign] = engine.ready_tasks(workflow)

    with pytest.raises(WorkflowError, match="plain JSON"):
        engine.complete(workflow, assign.task_id, {"when": datetime(2030, 1, 1)})
    assert ready_ids(engine, workflow) == ["assign_inspector"]


def test_unsafe_condition_is_refused_at_run_time_naming_the_element(engine, make_bpmn, do_task):
    workflow = engine.start(parse_bpmn(make_bpmn(condition="__import__('os').system('true') == 0")))

    with pytest.raises(WorkflowError) as caught:
        do_task(workflow, "decide", approved=True)

    assert caught.value.element_id == "approved_gateway"
    assert str(caught.value).startswith("approved_gateway: ")
    assert "__import__" in str(caught.value)
    assert engine.status(workflow) == WorkflowStatus.error


def test_failing_script_names_the_element(engine, make_bpmn):
    with pytest.raises(WorkflowError, match=r"^prepare: script failed with NameError"):
        engine.start(parse_bpmn(make_bpmn(script="score = missing + 1")))


def test_timers_follow_the_injected_clock_even_when_it_is_behind_real_time(engine, clock, bundle, do_task):
    clock.now = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
    workflow = engine.start(bundle("computed_deadline.bpmn"))
    do_task(workflow, "record_visit", visit_date="2020-01-09")

    assert engine.fire_due_timers(workflow) == []
    assert ready_ids(engine, workflow) == ["send_reply"]


def test_repeating_non_interrupting_timer_reminds_on_each_cycle(engine, clock, bpmn_bytes):
    xml = (
        bpmn_bytes("report_deadline.bpmn")
        .replace(b'cancelActivity="true"', b'cancelActivity="false"')
        .replace(b'<bpmn:timeDuration>"P30D"</bpmn:timeDuration>', b'<bpmn:timeCycle>"R2/P1D"</bpmn:timeCycle>')
    )
    workflow = engine.start(parse_bpmn(xml))

    clock.advance(days=1)
    assert engine.fire_due_timers(workflow) == ["report_overdue"]
    clock.advance(days=1)
    assert engine.fire_due_timers(workflow) == ["report_overdue"]
    clock.advance(days=1)
    assert engine.fire_due_timers(workflow) == []
    assert ready_ids(engine, workflow) == ["escalate", "escalate", "submit_report"]
