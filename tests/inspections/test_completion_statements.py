"""SQL statements per completion of an inspection's first step through the API (the lead's plan), the whole request
counted: the plan's own writes (the schedule, each checklist item's member) come on top of the step's."""

from inspect_app.core.extensions import db
from inspect_app.models import TaskState
from tests.tasks.test_completion_statements import Api, counted_statements


def test_the_plan_of_an_inspection_takes_a_bounded_number_of_statements(client, clock, people, decide):
    case = decide(members=("inspector", "inspector2"))
    api = Api(client)
    api.sign_in(people["lead"])
    db.session.expire_all()
    [plan] = [task.id for task in case.human_tasks if task.state == TaskState.READY and task.bpmn_id == "plan"]

    with counted_statements() as statements:
        answer = api.complete(people["lead"], plan, {"schedule_note": "Sáng 01/12: làm việc tại bộ phận một cửa"})

    visits = [task for task in answer["next_tasks"] if task["bpmn_id"] == "onsite"]
    assert len(visits) == 3, "one visit for each member, the lead too"
    # Measured: 30 on SQLite, which inserts rows one by one where PostgreSQL sends each table's in one batch. The
    # step itself takes nine, as any (tests/tasks/test_completion_statements.py); the plan adds its own reads (the
    # inspection, the checklist, who answers what), its writes (the schedule, each item's member: three here) and
    # two events of its own, and the three visits it opens are three rows.
    assert len(statements) <= 30, "\n".join(statements)
