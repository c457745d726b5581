"""Forms that help, through the test client: no unit chosen for the director, text limits the page and the server
agree on (and refuse, never cut short), and a refused remediation report that keeps what was typed."""

import io
import re
from datetime import UTC, datetime

import pytest

from inspect_app.core.extensions import db
from inspect_app.inspections.schemas import LONG_TEXT_MAX_LENGTH
from inspect_app.models import Case, ChecklistAnswer, Finding, RemediationReport
from tests.inspections.test_paths import keep_all, minutes, plan, visit

DECISION = {
    "title": "Kiểm tra công vụ",
    "decision_number": "9/QĐ",
    "decision_date": "2026-11-20",
    "scope": ["procedures"],
    "planned_start": "2026-12-01",
    "planned_end": "2026-12-02",
    "is_announced": "y",
}


def options(html: str, select: str) -> list[tuple[str, bool]]:
    """A <select>'s options as (value, selected)."""
    body = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(value, "selected" in attrs) for attrs, value in re.findall(r'<option([^>]*)value="([^"]*)"', body)]


def textarea(html: str, name: str) -> str:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html).group(0)


# --- the new inspection ----------------------------------------------------------------------------------------------


def test_no_unit_is_chosen_before_the_director_chooses_one(client, sign_in, people, checklist):
    sign_in("director")
    html = client.get("/inspections/new").get_data(as_text=True)
    units = options(html, "unit")
    assert units[0] == ("", True), "an empty choice comes first, and is the one chosen"
    assert not any(selected for _value, selected in units[1:]), "no unit is pre-selected"
    assert str(people["district"].id) in [value for value, _selected in units]
    assert re.search(r'<select[^>]*data-searchable[^>]*name="unit"', html), "the list can be searched"


def test_the_decision_date_is_today_until_the_director_changes_it(client, sign_in, people, checklist, clock):
    clock.now = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)  # 01:30 on 21 November in Hai Duong
    sign_in("director")
    html = client.get("/inspections/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="decision_date"[^>]*value="2026-11-21"', html)


def test_a_decision_without_a_unit_is_refused_naming_the_field(act, people, checklist):
    data = {**DECISION, "unit": "", "lead": people["lead"].id, "template": checklist.id}
    response = act("director", "/inspections/new", data, page="/inspections/new")
    assert response.status_code == 400
    assert "Inspected unit: This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_a_unit_that_is_not_on_the_list_is_refused(act, people, checklist):
    data = {**DECISION, "unit": "999999", "lead": people["lead"].id, "template": checklist.id}
    response = act("director", "/inspections/new", data, page="/inspections/new")
    assert response.status_code == 400
    assert "Inspected unit: Not a valid choice." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_a_decision_that_is_refused_keeps_the_unit_chosen(act, people, checklist):
    data = {**DECISION, "title": "", "unit": people["district"].id, "lead": people["lead"].id, "template": checklist.id}
    response = act("director", "/inspections/new", data, page="/inspections/new")
    assert response.status_code == 400
    assert (str(people["district"].id), True) in options(response.get_data(as_text=True), "unit")


# --- long text -------------------------------------------------------------------------------------------------------


@pytest.fixture
def onsite_case(decide, do_task):
    case = decide(members=("inspector",))
    plan(do_task, case)
    return case


def test_the_pages_state_the_limits_the_server_applies(client, sign_in, onsite_case):
    sign_in("inspector")
    html = client.get(f"/inspections/{onsite_case.id}/onsite").get_data(as_text=True)
    limit = f'maxlength="{LONG_TEXT_MAX_LENGTH}"'
    assert limit in textarea(html, "note")
    assert limit in textarea(html, "description") and limit in textarea(html, "remediation_required")


def test_a_finding_at_the_limit_with_line_breaks_is_kept_as_typed(act, onsite_case):
    description = ("x" * 99 + "\r\n") * (LONG_TEXT_MAX_LENGTH // 100)  # 4000 characters as typed, 4040 as sent
    data = {"title": "Sổ theo dõi", "description": description, "severity": "minor", "area": "procedures"}
    response = act(
        "inspector", f"/inspections/{onsite_case.id}/findings", data, page=f"/inspections/{onsite_case.id}/onsite"
    )
    assert response.status_code == 302
    finding = db.session.scalars(db.select(Finding)).one()
    assert finding.description == description.replace("\r\n", "\n")
    assert len(finding.description) == LONG_TEXT_MAX_LENGTH


def test_a_finding_over_the_limit_is_refused_naming_the_field(act, onsite_case):
    data = {
        "title": "Sổ theo dõi",
        "description": "x" * (LONG_TEXT_MAX_LENGTH + 1),
        "severity": "minor",
        "area": "procedures",
    }
    response = act(
        "inspector", f"/inspections/{onsite_case.id}/findings", data, page=f"/inspections/{onsite_case.id}/onsite"
    )
    assert response.status_code == 422
    assert "What was seen: Field cannot be longer than 4000 characters." in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Finding)).all() == []


def test_a_note_over_the_limit_is_refused_not_cut_short(act, onsite_case):
    item = onsite_case.inspection.checklist_items[0]
    url = f"/inspections/{onsite_case.id}/answers/{item.id}"
    page = f"/inspections/{onsite_case.id}/onsite"
    too_long = {"answer": "compliant", "note": "x" * (LONG_TEXT_MAX_LENGTH + 1)}
    response = act("inspector", url, too_long, page=page, follow_redirects=True)
    assert "The note has 4,001 characters; at most 4,000 can be saved. Nothing was saved." in response.get_data(
        as_text=True
    )
    assert db.session.scalars(db.select(ChecklistAnswer)).all() == []

    at_limit = {"answer": "compliant", "note": "x" * LONG_TEXT_MAX_LENGTH}
    assert act("inspector", url, at_limit, page=page).status_code == 302
    assert len(db.session.scalars(db.select(ChecklistAnswer)).one().note) == LONG_TEXT_MAX_LENGTH


# --- the remediation report ------------------------------------------------------------------------------------------


@pytest.fixture
def open_finding(act, do_task, decide, people):
    """A finding the officer's unit must remediate."""
    case = decide()
    plan(do_task, case)
    visit(act, do_task, people, case, "lead")
    [finding] = visit(act, do_task, people, case, "inspector", ["Chưa niêm yết thủ tục"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    return finding


def report(act, finding, data, **kwargs):
    page = f"/inspections/findings/{finding.id}"
    return act("officer", f"/inspections/findings/{finding.id}/report", data, page=page, **kwargs)


def test_a_report_too_long_is_shown_again_as_typed_with_the_reason_at_the_field(act, open_finding):
    text = "Đã niêm yết. " + "x" * 8000
    response = report(act, open_finding, {"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "What was done: Field cannot be longer than 8000 characters." in html
    assert 'maxlength="8000"' in textarea(html, "text") and text in html, "what was typed is kept"
    assert db.session.scalars(db.select(RemediationReport)).all() == []


def test_a_report_with_a_file_that_is_no_photo_keeps_the_text_and_says_why_at_the_field(act, open_finding):
    data = {"text": "Đã niêm yết đầy đủ", "files": (io.BytesIO(b"PK\x03\x04 a word file"), "bien-ban.docx")}
    response = report(act, open_finding, data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="field-error" id="files-error">Only JPEG or PNG photos and PDF documents', html)
    assert "Đã niêm yết đầy đủ</textarea>" in html
    assert db.session.scalars(db.select(RemediationReport)).all() == []


def test_an_empty_report_names_the_field(act, open_finding):
    response = report(act, open_finding, {"text": ""})
    assert response.status_code == 422
    assert "What was done: This field is required." in response.get_data(as_text=True)


def test_a_report_within_the_limits_is_saved(act, open_finding):
    assert report(act, open_finding, {"text": "Đã niêm yết\r\nđầy đủ"}).status_code == 302
    assert db.session.scalars(db.select(RemediationReport)).one().text == "Đã niêm yết\nđầy đủ"
