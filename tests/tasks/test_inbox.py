"""The inbox: searched without diacritics (by case, unit or task name), and paged soonest due first."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.models import HumanTask, TaskState


def listed(page: str) -> list[int]:
    """The ids of the tasks an inbox page lists, in its order."""
    return [int(task_id) for task_id in re.findall(r'<a class="case-link" href="/tasks/(\d+)"', page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_inbox_search_ignores_diacritics(client, sign_in, start_case, create_unit, people):
    district, health = create_unit("Huyện Nam Sách", code="HD-NS"), create_unit("Sở Y tế", code="HD-SYT")
    at_district = start_case(lead=people["lead"], members=[people["inspector"]], unit=district, title="Kiểm tra năm")
    at_health = start_case(lead=people["lead"], members=[people["inspector"]], unit=health, title="Kiểm tra Đông Hưng")
    sign_in("inspector")

    def found(asked: str) -> set[str]:
        page = client.get("/tasks/", query_string={"q": asked}).get_data(as_text=True)
        return {case.reference for case in (at_district, at_health) if case.reference in page}

    assert found("nam sach") == found("NAM SÁCH") == {at_district.reference}, "by the unit's name"
    assert found("dong hung") == {at_health.reference}, "by the case's title"
    assert found(at_health.reference.lower()) == {at_health.reference}, "by the reference"
    assert found("lam viec tai don vi") == {at_district.reference, at_health.reference}, "by the task's name"
    page = client.get("/tasks/", query_string={"q": "khong co"}).get_data(as_text=True)
    assert "No task matches these filters." in page


def test_the_inbox_is_paged_soonest_due_first(app, client, sign_in, start_case, people):
    size = app.config["PAGE_SIZE"]
    for number in range(size + 5):
        start_case(lead=people["lead"], members=[people["inspector"]], title=f"Hồ sơ {number}")
    visits = select(HumanTask).where(HumanTask.state == TaskState.READY, HumanTask.bpmn_id == "visit")
    tasks = db.session.scalars(visits.order_by(HumanTask.id)).all()
    # Some tasks have deadlines, not in the order they opened; the rest have none and come last, oldest first.
    now = clock.now()
    for hours, task in zip([5, 1, 3, 2, 4, 6], tasks[3:], strict=False):
        task.due_at = now + timedelta(hours=hours)
    db.session.commit()
    due = sorted((t for t in tasks if t.due_at), key=lambda t: t.due_at)
    expected = [t.id for t in due] + [t.id for t in tasks if t.due_at is None]
    sign_in("inspector")

    pages, url = [], "/tasks/"
    while url:
        page = client.get(url).get_data(as_text=True)
        assert f"{len(tasks)} tasks" in page
        pages.append(listed(page))
        url = link(page, "next")
    assert [task_id for page in pages for task_id in page] == expected
    assert [len(page) for page in pages] == [size, 5]
    back = client.get(link(page, "prev")).get_data(as_text=True)
    assert listed(back) == pages[0] and link(back, "prev") is None
