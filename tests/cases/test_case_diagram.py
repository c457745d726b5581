"""The case page's diagram draws the path the case really took, loops included."""

import xml.etree.ElementTree as ET

from inspect_app.core.extensions import db
from inspect_app.models import TaskState
from inspect_app.tasks.services import complete_task
from inspect_app.tasks.steps import validate_input
from workflows import Engine, parse_bpmn

SVG = "{http://www.w3.org/2000/svg}"


def do(case, bpmn_id, user, **answers):
    [task] = [t for t in case.human_tasks if t.state == TaskState.READY and t.bpmn_id == bpmn_id]
    complete_task(task, actor=user, data=validate_input(task, answers))
    db.session.commit()


def drawn(client, case) -> dict[str, set[str]]:
    """Element ids on the case page's diagram by how they are drawn: completed, interrupted, current, taken."""
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])
    found = {"completed": set(), "interrupted": set(), "current": set(), "taken": set()}
    for group in svg.iter(f"{SVG}g"):
        classes = set(group.get("class", "").split())
        for look in found:
            if f"bpmn-{look}" in classes:
                found[look].add(group.get("data-element-id"))
    return found


def test_a_case_that_looped_shows_the_path_its_rebuilt_workflow_gives(client, sign_in, start_case, people):
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    do(case, "visit", people["inspector"], note="Đã kiểm tra")
    for round_number in range(3):
        do(case, "report", people["lead"], note=f"Báo cáo lần {round_number + 1}")
        do(case, "review", people["director"], decision="return", comment="Bổ sung số liệu")
    engine = Engine()
    path = engine.completed_path(engine.load(case.workflow_state, case.definition.spec))
    flow_ids = {
        (flow.source, flow.target): flow.flow_id for flow in parse_bpmn(case.definition.bpmn_xml.encode()).flows
    }

    sign_in("director")
    shown = drawn(client, case)

    assert shown["current"] == {"report"}
    assert shown["completed"] == set(path.elements) - {"report"}, "a task open again is drawn as current"
    assert {"start", "visit", "review", "is_approved"} <= shown["completed"]
    assert shown["interrupted"] == set(path.interrupted)
    assert shown["taken"] == {flow_ids[pair] for pair in path.flows}
    assert {"flow_start", "flow_reported", "flow_reviewed"} <= shown["taken"]
    assert "flow_approved" not in shown["taken"] and "approved" not in shown["completed"]


def test_a_case_saved_before_the_path_was_kept_shows_the_same_path(client, sign_in, start_case, people):
    """States saved before the engine kept the path (nor pruned finished tasks) hold every task they ran."""
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    sign_in("director")
    with_kept_path = drawn(client, case)
    state = dict(case.workflow_state)
    state["data"] = {key: value for key, value in state["data"].items() if key != "inspect_path"}
    case.workflow_state = state
    db.session.commit()

    shown = drawn(client, case)

    assert shown == with_kept_path
    assert (shown["completed"], shown["current"]) == ({"start"}, {"visit"})
