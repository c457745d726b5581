"""An inspection world: the demo roles around one district, a small checklist, and helpers to act as each user."""

from pathlib import Path

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import ChecklistItem, ChecklistTemplate, ContentArea, OrgLevel, Role
from tests.helpers import csrf_token
from tests.snapshots import world

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = {
    "admin": ([Role.ADMIN], None),
    "director": ([Role.DIRECTOR], None),
    "lead": ([Role.LEAD, Role.INSPECTOR], None),
    "inspector": ([Role.INSPECTOR], None),
    "inspector2": ([Role.INSPECTOR], None),
    "officer": ([Role.UNIT_OFFICER], "district"),
    "officer2": ([Role.UNIT_OFFICER], "other"),
    "auditor": ([Role.AUDITOR], None),
}


@pytest.fixture
@world
def people(create_unit, create_user, deploy):
    """The demo roles: officer works at the inspected district, officer2 at another unit."""
    units = {
        "district": create_unit("Huyện Nam Sách", OrgLevel.DISTRICT, code="HD-NS"),
        "other": create_unit("Sở Giao thông vận tải", code="HD-SGTVT"),
    }
    users = {
        name: create_user(name, *roles, unit=units.get(unit), full_name=f"Người {name}", language="en")
        for name, (roles, unit) in PEOPLE.items()
    }
    deploy("public_service_inspection.bpmn", xml=(ROOT / "bpmn" / "public_service_inspection.bpmn").read_bytes())
    return {**users, **units}


@pytest.fixture
@world
def checklist(app):
    template = ChecklistTemplate(code="one-stop", name="Bộ phận một cửa")
    for position, (code, area, text) in enumerate(
        [
            ("A1", ContentArea.CIVIL_SERVICE, "Cán bộ đeo thẻ công chức"),
            ("A2", ContentArea.PROCEDURES, "Niêm yết thủ tục hành chính"),
            ("A3", ContentArea.PROCEDURES, "Phiếu xin lỗi cho hồ sơ trễ hạn"),
        ]
    ):
        template.items.append(ChecklistItem(code=code, area=area, text=text, position=position))
    db.session.add(template)
    db.session.commit()
    return template


@pytest.fixture
def act(client, sign_in):
    """Act as a user: post a form with the CSRF token of a page they can open."""

    def post(who: str, url: str, data: dict | None = None, page: str = "/", **kwargs):
        sign_in(who)
        return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)

    return post


@pytest.fixture
def decide(act, people, checklist):
    """The director's decision through the web form; returns the new case."""

    def do(members=("inspector",), announced=True, **overrides):
        from inspect_app.models import Case

        data = {
            "title": "Kiểm tra công vụ Huyện Nam Sách",
            "decision_number": "123/QĐ-SNV",
            "decision_date": "2026-11-20",
            "unit": people["district"].id,
            "scope": ["civil_service", "procedures"],
            "planned_start": "2026-12-01",
            "planned_end": "2026-12-02",
            "lead": people["lead"].id,
            "members": [people[name].id for name in members],
            "template": checklist.id,
            **({"is_announced": "y"} if announced else {}),
            **overrides,
        }
        response = act("director", "/inspections/new", data, page="/inspections/new")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return db.session.scalars(db.select(Case).order_by(Case.id.desc())).first()

    return do


def open_task(case, bpmn_id, user=None):
    """The ready task of this step (for `user` when several are open)."""
    db.session.expire_all()
    tasks = [t for t in case.open_tasks if t.bpmn_id == bpmn_id and (user is None or t.claimed_by_id == user.id)]
    assert len(tasks) == 1, f"{bpmn_id}: {[(t.bpmn_id, t.claimed_by_id) for t in case.open_tasks]}"
    return tasks[0]


@pytest.fixture
def do_task(act):
    """Complete a case's open task of this step as `who`, through its page."""

    def do(case, bpmn_id, who, data=None, expect=302, user=None):
        task = open_task(case, bpmn_id, user)
        response = act(who, f"/tasks/{task.id}", data or {}, page=f"/tasks/{task.id}")
        assert response.status_code == expect, response.get_data(as_text=True)[-3000:]
        return response

    return do
