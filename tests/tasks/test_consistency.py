"""`inspect check-consistency`: every case's task list and timers equal its workflow, and its history records each
completed step and fired timer once; a projection changed behind the app's back is reported by case and task."""

from sqlalchemy import delete, select, update

from inspect_app.core.extensions import db
from inspect_app.history import record_event
from inspect_app.models import Case, HumanTask, TaskState, TimerState, WorkflowTimer


def check(app, *args: str):
    return app.test_cli_runner().invoke(args=["inspect", "check-consistency", *args])


def a_task(state: TaskState) -> HumanTask:
    return db.session.scalars(select(HumanTask).where(HumanTask.state == state).order_by(HumanTask.id)).first()


def test_the_demo_province_is_consistent(app, demo):
    cases = len(db.session.scalars(select(Case.id)).all())

    result = check(app)

    assert result.exit_code == 0, result.output
    assert f"OK: {cases} case(s) checked, 0 mismatch(es)." in result.output


def test_an_open_task_missing_from_the_task_list_is_reported(app, demo):
    task = a_task(TaskState.READY)
    reference, bpmn_id = task.case.reference, task.bpmn_id
    db.session.execute(delete(HumanTask).where(HumanTask.id == task.id))
    db.session.commit()

    result = check(app)

    assert result.exit_code == 1
    assert f"MISMATCH {reference} task {bpmn_id} (engine {task.task_id}): ready in the workflow, but missing" in (
        result.output
    )
    assert "1 mismatch(es) in 1 case(s)." in result.output


def test_a_completed_step_shown_open_again_is_reported_as_open_and_as_not_recorded(app, demo):
    task = a_task(TaskState.COMPLETED)
    reference, bpmn_id = task.case.reference, task.bpmn_id
    task.state = TaskState.READY
    db.session.commit()

    result = check(app)

    assert result.exit_code == 1
    assert f"MISMATCH {reference} task {bpmn_id} (#{task.id}): open in the task list, but not ready" in result.output
    # The history still records the step as done: one completion more there than in the task list.
    assert f"MISMATCH {reference} task {bpmn_id}: completed " in result.output


def test_a_timer_fired_twice_is_reported(app, demo):
    fired = db.session.scalars(select(WorkflowTimer).where(WorkflowTimer.state == TimerState.FIRED)).first()
    record_event(fired.case, "timer.fired", actor=None, details={"fired": [fired.bpmn_id]})
    db.session.commit()

    result = check(app)

    assert result.exit_code == 1
    assert (
        f"MISMATCH {fired.case.reference} timer {fired.bpmn_id}: fired 1 time(s) in the timer table, "
        "2 time(s) in the history"
    ) in result.output


def test_a_timer_row_marked_fired_while_the_workflow_still_waits_is_reported(app, demo):
    waiting = db.session.scalars(select(WorkflowTimer).where(WorkflowTimer.state == TimerState.WAITING)).first()
    db.session.execute(update(WorkflowTimer).where(WorkflowTimer.id == waiting.id).values(state=TimerState.FIRED))
    db.session.commit()

    result = check(app)

    assert result.exit_code == 1
    assert f"timer {waiting.bpmn_id} (#{waiting.id}): waits in the workflow, but its row is fired" in result.output


def test_one_case_may_be_checked_alone(app, demo):
    task = a_task(TaskState.READY)
    broken, other = task.case.reference, db.session.scalars(select(Case).where(Case.id != task.case_id)).first()
    task.state = TaskState.CANCELLED
    db.session.commit()

    assert check(app, "--case", other.reference).output.endswith("OK: 1 case(s) checked, 0 mismatch(es).\n")
    result = check(app, "--case", broken)
    assert result.exit_code == 1
    assert f"MISMATCH {broken} task " in result.output
    unknown = check(app, "--case", "KT-1999-9999")
    assert unknown.exit_code != 0
    assert "no case 'KT-1999-9999'" in unknown.output
