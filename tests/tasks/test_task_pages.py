"""What any task page says beyond its form: who can act on an open task, and what a completed one received, by the
labels of its step's fields and choices (never the stored keys)."""

import html
import re

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import Role, TaskState
from inspect_app.tasks import registry
from inspect_app.tasks.context import TaskContext
from inspect_app.tasks.forms import NoteForm
from inspect_app.tasks.steps import NoteInput, StepHandler
from tests.helpers import csrf_token


@pytest.fixture
def people(create_user):
    return {
        "director": create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng", language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, full_name="Trần Thị Lan", language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, full_name="Lê Minh Tuấn", language="en"),
        "director2": create_user("director2", Role.DIRECTOR, full_name="Đỗ Thu Trang", language="en"),
    }


@pytest.fixture
def case(start_case, people):
    return start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])


def open_task(case, bpmn_id):
    db.session.expire_all()
    [task] = [t for t in case.human_tasks if t.state == TaskState.READY and t.bpmn_id == bpmn_id]
    return task


def page_of(client, sign_in, who, task) -> str:
    sign_in(who)
    response = client.get(f"/tasks/{task.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def submit(client, task, **data):
    return client.post(f"/tasks/{task.id}", data={"csrf_token": csrf_token(client, f"/tasks/{task.id}"), **data})


def facts(page: str) -> dict[str, str]:
    block = re.search(r'<section class="card task-facts">.*?<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    return {dt: " ".join(re.sub(r"<[^>]+>", " ", dd).split()) for dt, dd in pairs}


def test_an_open_task_nobody_took_says_who_can_act_the_lane_and_its_people(client, sign_in, case):
    sign_in("inspector")
    submit(client, open_task(case, "visit"), note="Đã kiểm tra")
    sign_in("lead")
    submit(client, open_task(case, "report"), note="Báo cáo")
    review = open_task(case, "review")

    shown = facts(page_of(client, sign_in, "director", review))

    assert shown["Who can act"] == "Director · Nguyễn Văn Hùng, Đỗ Thu Trang"
    assert "Taken by" not in shown and "Nobody yet" not in str(shown)


def test_a_task_someone_took_says_who_took_it(client, sign_in, case):
    shown = facts(page_of(client, sign_in, "lead", open_task(case, "visit")))
    assert shown["Who can act"] == "Inspection team · Lê Minh Tuấn, Trần Thị Lan"
    assert shown["Taken by"] == "Lê Minh Tuấn"


def test_a_done_review_shows_its_decision_by_the_choices_label(client, sign_in, case):
    sign_in("inspector")
    submit(client, open_task(case, "visit"), note="Đã kiểm tra")
    sign_in("lead")
    submit(client, open_task(case, "report"), note="Báo cáo")
    review = open_task(case, "review")
    sign_in("director")
    submit(client, review, decision="return", comment="Bổ sung số liệu")

    page = page_of(client, sign_in, "lead", review)

    assert "<dt>Decision</dt><dd>Return for changes</dd>" in page
    assert "<dt>Comment</dt><dd>Bổ sung số liệu</dd>" in page
    assert "<dt>decision</dt>" not in page and ">return<" not in page


def test_a_page_context_for_no_step_is_refused(app):
    def context(task, reader):
        return TaskContext("tasks/_context_none.html")

    with pytest.raises(registry.RegistryError, match="no step is named: nowhere"):
        registry.install(
            app,
            steps=[{"note": StepHandler(NoteInput)}],
            forms=[{"note": NoteForm}],
            contexts=[{"nowhere": context}],
            timer_handlers=[],
        )
