"""Checklist admin fixtures: a signed-in admin, a small template, an inspection that uses it, a form poster."""

from datetime import date

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import (
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    ContentArea,
    Finding,
    Inspection,
    Role,
    Severity,
)
from tests.helpers import csrf_token

BASE = "/admin/checklists"


@pytest.fixture
def post(client):
    """Post a form as the signed-in user, with the CSRF token of a page they can open."""

    def do(url: str, data: dict | None = None, page: str = f"{BASE}/", **kwargs):
        return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)

    return do


@pytest.fixture
def checklist(app):
    """A template with items in two areas: A1, A2 (civil service), B1 (procedures)."""
    template = ChecklistTemplate(code="one-stop", name="Bộ phận một cửa", description="Mô tả")
    for position, (code, area, text) in enumerate(
        [
            ("A1", ContentArea.CIVIL_SERVICE, "Cán bộ đeo thẻ công chức"),
            ("A2", ContentArea.CIVIL_SERVICE, "Biển tên trên bàn làm việc"),
            ("B1", ContentArea.PROCEDURES, "Niêm yết thủ tục hành chính"),
        ]
    ):
        template.items.append(
            ChecklistItem(code=code, area=area, text=text, guidance=f"Hướng dẫn {code}", position=position)
        )
    db.session.add(template)
    db.session.commit()
    return template


@pytest.fixture
def inspection_using(create_case, create_user):
    """An inspection decided with `template`; answers (and findings) on the given items."""

    def make(template: ChecklistTemplate, answered=(), found=(), picked=None) -> Inspection:
        inspector = create_user(None, Role.INSPECTOR)
        case = create_case()
        inspection = Inspection(
            case=case,
            decision_number="12/QĐ-SNV",
            decision_date=date(2026, 3, 2),
            scope=["civil_service"],
            planned_start=date(2026, 3, 9),
            planned_end=date(2026, 3, 10),
            checklist_template=template,
            item_ids=picked,
        )
        db.session.add(inspection)
        for item in answered:
            db.session.add(ChecklistAnswer(case_id=case.id, item=item, answered_by=inspector, answer=Answer.COMPLIANT))
        for item in found:
            db.session.add(
                Finding(
                    case_id=case.id,
                    raised_by=inspector,
                    checklist_item=item,
                    area=item.area,
                    title="Không đeo thẻ",
                    severity=Severity.MINOR,
                )
            )
        db.session.commit()
        return inspection

    return make


def item_by_code(template: ChecklistTemplate, code: str) -> ChecklistItem:
    db.session.expire_all()
    return next(item for item in template.items if item.code == code)


def codes_in_order(template: ChecklistTemplate) -> list[str]:
    db.session.expire_all()
    return [item.code for item in template.items]
