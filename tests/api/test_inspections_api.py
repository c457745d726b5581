"""The field device's calls: open an inspection, raise findings, add photos, read the findings back.

Everything a device creates carries its client id: a replay answers 200 with the first and creates nothing."""

import hashlib
import io
import os
import threading
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.evidence.storage import stored_path
from inspect_app.history import case_events
from inspect_app.inspections import answers, services
from inspect_app.models import (
    Answer,
    Case,
    CaseEvent,
    ChecklistAnswer,
    ChecklistAssignment,
    ChecklistItem,
    ChecklistTemplate,
    ContentArea,
    EvidenceFile,
    Finding,
    FindingState,
    OrgLevel,
    Role,
)
from tests.api.conftest import by_the_document, documented, task_for
from tests.helpers import csrf_token, stored_files
from tests.pdf_files import REFUSED_PDFS, pdf

ROOT = Path(__file__).resolve().parents[2]
CASES = "/api/v1/cases"
FINDINGS = "/api/v1/cases/{reference}/findings"
PHOTOS = "/api/v1/findings/{finding_id}/photos"
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


def build_field(create_unit, create_user, deploy) -> dict:
    """The demo roles around one district (officer works there, officer2 elsewhere), a checklist, the process."""
    units = {
        "district": create_unit("Huyện Nam Sách", OrgLevel.DISTRICT, code="HD-NS"),
        "other": create_unit("Sở Giao thông vận tải", code="HD-SGTVT"),
    }
    users = {
        name: create_user(name, *roles, unit=units.get(unit), full_name=f"Người {name}", language="en")
        for name, (roles, unit) in PEOPLE.items()
    }
    deploy("public_service_inspection.bpmn", xml=(ROOT / "bpmn" / "public_service_inspection.bpmn").read_bytes())
    template = ChecklistTemplate(code="one-stop", name="Bộ phận một cửa")
    for position, (code, area) in enumerate(
        [("A1", ContentArea.CIVIL_SERVICE), ("A2", ContentArea.PROCEDURES), ("A3", ContentArea.PROCEDURES)]
    ):
        template.items.append(ChecklistItem(code=code, area=area, text=f"Mục {code}", position=position))
    db.session.add(template)
    db.session.commit()
    return {**users, **units}


def decision(**overrides) -> dict:
    """A valid inspection decision as the API takes it."""
    return {
        "type": "inspection",
        "decision_number": "123/QĐ-SNV",
        "decision_date": "2026-11-20",
        "unit": "HD-NS",
        "title": "Kiểm tra công vụ Huyện Nam Sách",
        "scope": ["civil_service", "procedures"],
        "planned_start": "2026-12-01",
        "planned_end": "2026-12-02",
        "is_announced": True,
        "lead": "lead",
        "members": ["inspector"],
        "checklist": "one-stop",
        **overrides,
    }


def finding_body(client_id: str = "f-1", **overrides) -> dict:
    return {
        "client_id": client_id,
        "title": "Chưa niêm yết thủ tục",
        "description": "Bảng niêm yết trống",
        "severity": "major",
        "area": "procedures",
        "remediation_required": "Niêm yết đầy đủ",
        **overrides,
    }


def case_by_reference(reference: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.reference == reference))


def open_on_site(api, field, **overrides) -> Case:
    """A decided inspection whose plan is done: its team (lead and members) is on site."""
    response = api(field["director"]).post(CASES, json=decision(**overrides))
    assert response.status_code == 201, response.get_json()
    case = case_by_reference(response.get_json()["reference"])
    plan = task_for(case, "plan")
    done = api(field["lead"]).post(f"/api/v1/tasks/{plan.id}/complete", json={"schedule_note": "Sáng 1/12"})
    assert done.status_code == 200, done.get_json()
    return case


def image(kind: str = "PNG", size: int = 16) -> bytes:
    """A new image (random pixels, so its bytes and hash are its own)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(buffer, kind)
    return buffer.getvalue()


def photo_form(data: bytes, filename: str = "photo.jpg", client_id: str = "p-1", **fields) -> dict:
    return {"file": (io.BytesIO(data), filename), "client_id": client_id, **fields}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def field(create_unit, create_user, deploy):
    return build_field(create_unit, create_user, deploy)


@pytest.fixture
def on_site(api, field):
    return open_on_site(api, field)


@pytest.fixture
def finding(api, field, on_site):
    """A draft finding the inspector raised on site."""
    response = api(field["inspector"]).post(FINDINGS.format(reference=on_site.reference), json=finding_body())
    assert response.status_code == 201, response.get_json()
    return db.session.get(Finding, response.get_json()["id"])


# --- opening an inspection -----------------------------------------------------------------------------------------


def test_a_director_opens_an_inspection_and_the_lead_has_the_first_task(api, field):
    response = api(field["director"]).post(CASES, json=decision(members=["inspector", "lead", "inspector"]))
    assert response.status_code == 201
    body = documented(response, CASES, "post")
    assert (body["reference"], body["status"], body["case_type"]) == ("KT-2026-0001", "open", "inspection")
    assert body["subject_unit"]["code"] == "HD-NS" and body["process"]["process_id"] == "public_service_inspection"
    assert [(t["bpmn_id"], t["lane"]) for t in body["tasks"]] == [("plan", "lead")]
    assert [(m["username"], m["role"]) for m in body["team"]] == [("lead", "lead"), ("inspector", "member")]
    case = case_by_reference(body["reference"])
    inspection = case.inspection
    assert (inspection.decision_number, inspection.decision_date) == ("123/QĐ-SNV", date(2026, 11, 20))
    assert inspection.scope == ["civil_service", "procedures"] and inspection.is_announced is True
    assert (inspection.planned_start, inspection.planned_end) == (date(2026, 12, 1), date(2026, 12, 2))
    assert inspection.checklist_template.code == "one-stop"
    decided = [e for e in case_events(case) if e.action == "inspection.decided"]
    assert len(decided) == 1 and "client_id" not in decided[0].details


def test_a_replayed_decision_answers_200_with_the_same_case_and_creates_nothing(api, field):
    caller = api(field["director"])
    first = caller.post(CASES, json=decision(client_id="dev-1/case-1"))
    again = caller.post(CASES, json=decision(client_id="dev-1/case-1", title="Sent again, edited"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert documented(again, CASES, "post")["reference"] == first.get_json()["reference"]
    assert documented(again, CASES, "post")["title"] == "Kiểm tra công vụ Huyện Nam Sách"
    assert count(Case) == 1
    [decided] = db.session.scalars(select(CaseEvent).where(CaseEvent.action == "inspection.decided")).all()
    assert decided.details["client_id"] == "dev-1/case-1"
    other = caller.post(CASES, json=decision(client_id="dev-1/case-2"))
    assert other.status_code == 201 and other.get_json()["reference"] == "KT-2026-0002"
    assert count(Case) == 2


def test_a_bad_decision_names_each_bad_field_and_creates_nothing(api, field):
    bad = decision(
        type="par_appraisal",
        unit="NO-SUCH-UNIT",
        lead="inspector",
        members=["ghost", "officer"],
        checklist="no-such-list",
        scope=["procedures", "astrology"],
        planned_end="2026-11-30",
        decision_date="20/11/2026",
        is_announced="yes",
        follow_up_of="KT-1999-0001",
        client_id="x" * 65,
        colour="blue",
    )
    response = api(field["director"]).post(CASES, json=bad)
    assert response.status_code == 422
    errors = documented(response, CASES, "post")["errors"]
    assert set(errors) == {
        "type",
        "unit",
        "lead",
        "members",
        "checklist",
        "scope",
        "planned_end",
        "decision_date",
        "is_announced",
        "follow_up_of",
        "client_id",
        "colour",
    }
    assert errors["lead"] == ["This user is not a team lead."]
    assert errors["members"] == ["No active user has the username ghost.", "officer is not an inspector."]
    assert errors["unit"] == ["No unit has this code."]
    assert errors["planned_end"] == ["The end cannot come before the start."]
    assert count(Case) == 0 and count(CaseEvent) == 0


def test_missing_decision_fields_are_each_named(api, field):
    response = api(field["director"]).post(CASES, json={"members": [], "title": "  "})
    assert response.status_code == 422
    errors = documented(response, CASES, "post")["errors"]
    assert set(errors) == {
        "type",
        "decision_number",
        "decision_date",
        "unit",
        "title",
        "scope",
        "planned_start",
        "planned_end",
        "is_announced",
        "lead",
        "checklist",
    }
    assert all(messages == ["required"] for messages in errors.values())
    assert count(Case) == 0


def test_a_follow_up_must_name_a_closed_inspection(api, field, on_site):
    response = api(field["director"]).post(CASES, json=decision(follow_up_of=on_site.reference))
    assert response.status_code == 422
    assert documented(response, CASES, "post")["errors"] == {
        "follow_up_of": ["No closed inspection has this reference."]
    }
    assert count(Case) == 1


def test_a_decision_that_is_not_json_is_415_and_malformed_json_400(api, field):
    caller = api(field["director"])
    assert caller.post(CASES, data={"title": "x"}).status_code == 415
    assert caller.post(CASES, data="{", content_type="application/json").status_code == 400
    assert caller.post(CASES, json=["inspection"]).status_code == 400
    assert count(Case) == 0


def test_the_decision_service_itself_refuses_a_lead_without_the_lead_role_and_members_who_are_not_inspectors(field):
    template = db.session.scalar(select(ChecklistTemplate))
    with pytest.raises(InvalidInput) as refused:
        services.open_inspection(
            actor=field["director"],
            unit=field["district"],
            title="Kiểm tra",
            decision_number="1/QĐ",
            decision_date=date(2026, 11, 20),
            scope=[ContentArea.PROCEDURES],
            planned_start=date(2026, 12, 1),
            planned_end=date(2026, 12, 2),
            is_announced=True,
            template=template,
            lead=field["inspector"],
            members=[field["officer"], field["inspector2"]],
        )
    errors = refused.value.errors  # in the default language: no one is signed in here
    assert set(errors) == {"lead", "members"} and len(errors["members"]) == 1 and "officer" in errors["members"][0]
    db.session.rollback()
    assert count(Case) == 0


# --- checklist answers on site -------------------------------------------------------------------------------------

ANSWER = "/api/v1/cases/{reference}/answers/{item}"


def test_an_answer_is_saved_once_however_often_it_is_sent_and_a_change_is_recorded(api, field, on_site):
    url = ANSWER.format(reference=on_site.reference, item="A2")
    caller = api(field["inspector"])
    body = {"answer": "not_compliant", "note": "Thiếu 3 thủ tục", "captured_at": "2026-12-01T09:30:00+07:00"}
    first = caller.put(url, json={**body, "client_id": "dev-1/a-1"})
    assert first.status_code == 200, first.get_json()
    saved = documented(first, ANSWER, "put")
    assert (saved["item"], saved["answer"], saved["note"]) == ("A2", "not_compliant", "Thiếu 3 thủ tục")
    assert saved["captured_at"] == "2026-12-01T02:30:00+00:00" and saved["saved_at"].endswith("+00:00")
    assert documented(caller.put(url, json={**body, "client_id": "dev-1/a-1"}), ANSWER, "put") == saved
    changed = documented(caller.put(url, json={"answer": "compliant", "client_id": "dev-1/a-2"}), ANSWER, "put")
    assert (changed["answer"], changed["note"], changed["captured_at"]) == ("compliant", "", None)
    answered = [e for e in case_events(on_site) if e.action == "checklist.answered"]
    assert [(e.details["answer"], e.details["client_id"]) for e in answered] == [
        ([None, "not_compliant"], "dev-1/a-1"),
        (["not_compliant", "compliant"], "dev-1/a-2"),
    ]
    assert answered[0].captured_at.isoformat() == "2026-12-01T02:30:00+00:00"
    [row] = db.session.scalars(select(ChecklistAnswer)).all()
    assert (row.item.code, row.answer, row.answered_by.username) == ("A2", Answer.COMPLIANT, "inspector")
    assert (saved["version"], changed["version"], changed["answered_by"]) == (1, 2, "inspector")


def test_two_members_answering_one_item_meet_a_conflict_never_an_overwrite(api, field, on_site):
    """The inspector answered A2; the lead's tablet, which showed no answer, sends its own: refused, naming the
    inspector, with their answer. The lead keeps theirs by sending it again on that answer's version."""
    url = ANSWER.format(reference=on_site.reference, item="A2")
    field["lead"].language = "vi"
    db.session.commit()
    first = documented(api(field["inspector"]).put(url, json={"answer": "compliant", "note": "Đủ"}), ANSWER, "put")
    assert (first["answered_by"], first["answered_by_name"], first["version"]) == ("inspector", "Người inspector", 1)

    refused = api(field["lead"]).put(url, json={"answer": "not_compliant", "note": "Thiếu 2 thủ tục"})
    assert refused.status_code == 409
    body = documented(refused, ANSWER, "put")
    assert body["message"].startswith("Người inspector đã trả lời A2 lúc"), body["message"]
    assert body["existing"] == first, "the answer that stands, to show beside the lead's"
    stale = api(field["lead"]).put(url, json={"answer": "not_compliant", "based_on": 7})
    assert stale.status_code == 409

    kept = api(field["lead"]).put(url, json={"answer": "not_compliant", "note": "Thiếu 2 thủ tục", "based_on": 1})
    replaced = documented(kept, ANSWER, "put")
    assert (replaced["answered_by"], replaced["answer"], replaced["version"]) == ("lead", "not_compliant", 2)
    late = api(field["inspector"]).put(url, json={"answer": "not_applicable", "based_on": 1})
    assert late.status_code == 409 and documented(late, ANSWER, "put")["existing"] == replaced

    [row] = db.session.scalars(select(ChecklistAnswer)).all()
    assert (row.answer, row.answered_by.username, row.lock_version) == (Answer.NOT_COMPLIANT, "lead", 2)
    answered = [e for e in case_events(on_site) if e.action == "checklist.answered"]
    assert [(e.actor.username, e.details["answer"], e.details.get("replaced")) for e in answered] == [
        ("inspector", [None, "compliant"], None),
        ("lead", ["compliant", "not_compliant"], "inspector"),
    ]


def test_the_lead_assigns_the_checklist_through_the_api_and_a_bad_assignment_names_its_fields(api, field):
    response = api(field["director"]).post(CASES, json=decision(members=["inspector", "inspector2"]))
    case = case_by_reference(response.get_json()["reference"])
    plan = task_for(case, "plan")
    [listed] = documented(api(field["lead"]).get("/api/v1/tasks"), "/api/v1/tasks")["tasks"]
    described = {f["name"]: f for f in listed["fields"]}
    assert [c["value"] for c in described["area_procedures"]["choices"]] == ["inspector", "inspector2", "lead"]
    assert described["area_procedures"]["required"] is False, "left out, the proposal stands"

    complete = f"/api/v1/tasks/{plan.id}/complete"
    bad = {"schedule_note": "Sáng 1/12", "area_procedures": "outsider", "items": {"Z9": "lead", "A1": "nobody"}}
    refused = api(field["lead"]).post(complete, json=bad)
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"area_procedures", "items"}
    assert not db.session.scalars(select(ChecklistAssignment)).all()

    plan_input = {"schedule_note": "Sáng 1/12", "area_procedures": "inspector2", "items": {"A3": "inspector"}}
    assert api(field["lead"]).post(complete, json=plan_input).status_code == 200
    given = {row.item.code: row.assignee.username for row in db.session.scalars(select(ChecklistAssignment))}
    # civil_service is left out: as proposed, it goes to inspector2 (procedures, the larger area, to the inspector).
    assert given == {"A1": "inspector2", "A2": "inspector2", "A3": "inspector"}
    [event] = [e for e in case_events(case) if e.action == "checklist.assigned"]
    assert event.details["assignment"] == {"inspector2": ["A1", "A2"], "inspector": ["A3"]}


def test_a_bad_answer_names_each_bad_field_and_saves_nothing(api, field, on_site):
    url = ANSWER.format(reference=on_site.reference, item="A1")
    caller = api(field["inspector"])
    bad = {"answer": "maybe", "note": "x" * 4001, "captured_at": "2026-12-01T09:30", "client_id": "", "colour": 1}
    response = caller.put(url, json=bad)
    assert response.status_code == 422
    errors = documented(response, ANSWER, "put")["errors"]
    assert set(errors) == {"answer", "note", "captured_at", "client_id", "colour"}
    assert "UTC offset" in errors["captured_at"][0] and errors["colour"] == ["unknown field"]
    missing = caller.put(url, json={})
    assert documented(missing, ANSWER, "put")["errors"] == {"answer": ["required"]}
    assert caller.put(url, data={"answer": "compliant"}).status_code == 415
    unknown = caller.put(ANSWER.format(reference=on_site.reference, item="Z9"), json={"answer": "compliant"})
    assert unknown.status_code == 404
    documented(unknown, ANSWER, "put")
    assert not db.session.scalars(select(ChecklistAnswer)).all()


# --- findings ------------------------------------------------------------------------------------------------------


def test_a_finding_raised_on_site_is_read_back_with_its_item_and_capture_time(api, field, on_site):
    url = FINDINGS.format(reference=on_site.reference)
    body = finding_body(item="A2", area="civil_service", captured_at="2026-12-01T09:30:00+07:00")
    response = api(field["inspector"]).post(url, json=body)
    assert response.status_code == 201
    created = documented(response, url.replace(on_site.reference, "{reference}"), "post")
    assert (created["item"], created["area"], created["state"]) == ("A2", "procedures", "draft")
    assert (created["captured_at"], created["raised_by"], created["client_id"]) == (
        "2026-12-01T02:30:00+00:00",
        "inspector",
        "f-1",
    )
    assert created["photos"] == [] and created["latest_report"] is None
    event = case_events(on_site)[-1]
    assert event.action == "finding.raised" and event.captured_at.isoformat() == "2026-12-01T02:30:00+00:00"

    listed = documented(api(field["officer"]).get(url), FINDINGS)
    assert listed["case"] == on_site.reference and listed["findings"] == [created]


def test_a_replayed_finding_is_one_row_and_its_id_elsewhere_is_409(api, field, on_site):
    url = FINDINGS.format(reference=on_site.reference)
    caller = api(field["inspector"])
    first = caller.post(url, json=finding_body("dev-1/f-1"))
    again = caller.post(url, json=finding_body("dev-1/f-1", title="Sent again"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert documented(again, FINDINGS, "post")["id"] == first.get_json()["id"]
    assert count(Finding) == 1
    assert [e.action for e in case_events(on_site)].count("finding.raised") == 1

    other = open_on_site(api, field)
    clash = caller.post(FINDINGS.format(reference=other.reference), json=finding_body("dev-1/f-1"))
    assert clash.status_code == 409
    assert documented(clash, FINDINGS, "post")["message"] == "This finding id is already used on another case."
    assert count(Finding) == 1


def test_a_bad_finding_names_each_bad_field_and_creates_nothing(api, field, on_site):
    url = FINDINGS.format(reference=on_site.reference)
    caller = api(field["inspector"])
    missing = caller.post(url, json={"description": "x"})
    assert missing.status_code == 422
    assert documented(missing, FINDINGS, "post")["errors"] == {
        name: ["required"] for name in ("client_id", "title", "severity", "area")
    }
    bad = finding_body(
        "c" * 65, title=7, severity="terrible", item="Z9", captured_at="2026-12-01T09:30", area=None, extra=1
    )
    response = caller.post(url, json=bad)
    errors = documented(response, FINDINGS, "post")["errors"]
    assert set(errors) == {"client_id", "title", "severity", "item", "captured_at", "area", "extra"}
    assert errors["title"] == ["must be text"] and errors["item"] == ["This item is not on the case's checklist."]
    assert "UTC offset" in errors["captured_at"][0]
    assert caller.post(url, data={"title": "x"}).status_code == 415
    assert count(Finding) == 0


def test_blank_text_is_required_text_left_empty_and_the_document_says_so(api, field, on_site):
    blank = finding_body("   ", title=" \t ")
    response = api(field["inspector"]).post(FINDINGS.format(reference=on_site.reference), json=blank)
    assert response.status_code == 422
    assert documented(response, FINDINGS, "post")["errors"] == {"client_id": ["required"], "title": ["required"]}
    assert count(Finding) == 0
    new_finding = by_the_document({"$ref": "#/components/schemas/NewFinding"})
    assert not new_finding.is_valid(blank) and new_finding.is_valid(finding_body(" f-1 ", title=" Tiêu đề "))


# --- photos --------------------------------------------------------------------------------------------------------


def test_a_png_named_pdf_is_stored_as_a_png_with_its_hash_place_and_times(app, api, field, finding, client, sign_in):
    data = image("PNG")
    form = photo_form(
        data, "evidence.pdf", captured_at="2026-12-01T09:31:00+07:00", latitude="20.97", longitude="106.3"
    )
    response = api(field["inspector"]).post(PHOTOS.format(finding_id=finding.id), data=form)
    assert response.status_code == 201, response.get_json()
    photo = documented(response, PHOTOS, "post")
    assert (photo["content_type"], photo["sha256"], photo["size"]) == (
        "image/png",
        hashlib.sha256(data).hexdigest(),
        len(data),
    )
    assert (photo["latitude"], photo["longitude"], photo["captured_at"]) == (
        20.97,
        106.3,
        "2026-12-01T02:31:00+00:00",
    )
    assert photo["received_at"].endswith("+00:00") and stored_path(photo["sha256"]).read_bytes() == data

    listed = documented(api(field["auditor"]).get(FINDINGS.format(reference=finding.case.reference)), FINDINGS)
    assert listed["findings"][0]["photos"] == [photo]
    sign_in("officer")
    served = client.get(photo["url"])
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", data)


def test_a_replayed_photo_is_one_file_and_one_blob(app, api, field, finding):
    data, before = image("JPEG", 32), stored_files(app)
    url = PHOTOS.format(finding_id=finding.id)
    caller = api(field["inspector"])
    sha = hashlib.sha256(data).hexdigest().upper()
    first = caller.post(url, data=photo_form(data, client_id="dev-1/p-1", sha256=sha))
    again = caller.post(url, data=photo_form(data, client_id="dev-1/p-1", sha256=sha))
    assert (first.status_code, again.status_code) == (201, 200)
    assert documented(again, PHOTOS, "post") == first.get_json()
    assert first.get_json()["content_type"] == "image/jpeg"
    assert count(EvidenceFile) == 1
    assert stored_files(app) - before == {stored_path(hashlib.sha256(data).hexdigest())}
    assert [e.action for e in case_events(finding.case)].count("evidence.added") == 1


USED_CLIENT_ID = "This client_id was already used for another file; this one was not stored."


def test_a_photo_id_reused_on_another_finding_is_409_with_the_photo_it_made(app, api, field, finding):
    caller = api(field["inspector"])
    other = caller.post(FINDINGS.format(reference=finding.case.reference), json=finding_body("f-2")).get_json()
    first = caller.post(PHOTOS.format(finding_id=finding.id), data=photo_form(image(), client_id="dev-1/p-1"))
    assert first.status_code == 201
    before = stored_files(app)
    reused = caller.post(PHOTOS.format(finding_id=other["id"]), data=photo_form(image(), client_id="dev-1/p-1"))
    assert reused.status_code == 409
    body = documented(reused, PHOTOS, "post")
    assert (body["message"], body["existing"]) == (USED_CLIENT_ID, first.get_json())
    assert stored_files(app) == before and count(EvidenceFile) == 1
    listed = caller.get(FINDINGS.format(reference=finding.case.reference)).get_json()["findings"]
    assert {f["id"]: len(f["photos"]) for f in listed} == {finding.id: 1, other["id"]: 0}


def test_a_photo_id_used_on_another_case_is_409_and_tells_nothing_of_that_case(app, api, field, finding):
    caller = api(field["inspector"])
    elsewhere = open_on_site(api, field, decision_number="124/QĐ-SNV")
    raised = caller.post(FINDINGS.format(reference=elsewhere.reference), json=finding_body("f-9")).get_json()
    first = caller.post(PHOTOS.format(finding_id=raised["id"]), data=photo_form(image(), client_id="dev-1/p-1"))
    assert first.status_code == 201
    reused = caller.post(PHOTOS.format(finding_id=finding.id), data=photo_form(image(), client_id="dev-1/p-1"))
    assert reused.status_code == 409
    assert documented(reused, PHOTOS, "post") == {"error": "Conflict", "message": USED_CLIENT_ID, "errors": {}}
    assert count(EvidenceFile) == 1


def truncated_jpeg() -> bytes:
    data = image("JPEG", 64)
    return data[: len(data) // 2]


REFUSED_UPLOADS = {
    "text named .jpg": (lambda: photo_form(b"just some text, not a photo\n" * 10, "photo.jpg"), "file"),
    "truncated JPEG": (lambda: photo_form(truncated_jpeg()), "file"),
    "too large": (lambda: photo_form(image("PNG", 64)), "file"),
    "empty file": (lambda: photo_form(b""), "file"),
    "no file": (lambda: {"client_id": "p-1"}, "file"),
    "two files": (lambda: {**photo_form(image()), "file": [(io.BytesIO(image()), f"{n}.png") for n in (1, 2)]}, "file"),
    "wrong sha256": (lambda: photo_form(image(), sha256=hashlib.sha256(b"other").hexdigest()), "sha256"),
    "sha256 not hex": (lambda: photo_form(image(), sha256="xyz"), "sha256"),
    "no client id": (lambda: photo_form(image(), client_id=""), "client_id"),
    "latitude out of range": (lambda: photo_form(image(), latitude="91"), "latitude"),
    "longitude not a number": (lambda: photo_form(image(), longitude="nan"), "longitude"),
    "naive capture time": (lambda: photo_form(image(), captured_at="2026-12-01 09:00"), "captured_at"),
    "unknown field": (lambda: photo_form(image(), note="x"), "note"),
    **{
        f"PDF: {name}": (lambda make=make: photo_form(make(), "report.pdf"), "file")
        for name, (make, _message) in REFUSED_PDFS.items()
    },
}


@pytest.mark.parametrize("case", REFUSED_UPLOADS)
def test_a_refused_upload_names_the_field_and_stores_nothing(app, api, field, finding, monkeypatch, case):
    make_form, bad_field = REFUSED_UPLOADS[case]
    form = make_form()
    if case == "too large":
        monkeypatch.setitem(app.config, "MAX_FILE_BYTES", 1024)
    before = stored_files(app)
    url = PHOTOS.format(finding_id=finding.id)
    response = api(field["inspector"]).post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert bad_field in documented(response, PHOTOS, "post")["errors"]
    assert count(EvidenceFile) == 0 and stored_files(app) == before


def test_a_pdf_is_stored_as_a_pdf_and_one_that_is_not_inert_says_why(app, api, field, finding):
    caller, url = api(field["inspector"]), PHOTOS.format(finding_id=finding.id)
    data = pdf()
    stored = documented(caller.post(url, data=photo_form(data, "bien-ban.pdf", client_id="d-1")), PHOTOS, "post")
    assert (stored["content_type"], stored["sha256"]) == ("application/pdf", hashlib.sha256(data).hexdigest())
    make, message = REFUSED_PDFS["script run on opening"]
    refused = caller.post(url, data=photo_form(make(), "bien-ban.pdf", client_id="d-2"))
    assert (refused.status_code, refused.get_json()["errors"]) == (422, {"file": [message]})
    assert count(EvidenceFile) == 1


def test_a_request_larger_than_the_server_takes_is_413_and_stores_nothing(app, api, field, finding, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    before = stored_files(app)
    response = api(field["inspector"]).post(PHOTOS.format(finding_id=finding.id), data=photo_form(image("PNG", 64)))
    assert response.status_code == 413
    documented(response, PHOTOS, "post")
    assert count(EvidenceFile) == 0 and stored_files(app) == before


def test_photos_come_as_multipart_and_a_browser_session_sends_its_csrf_token(api, field, finding, client, sign_in):
    url = PHOTOS.format(finding_id=finding.id)
    as_json = api(field["inspector"]).post(url, json={"client_id": "p-1"})
    assert as_json.status_code == 415 and "multipart/form-data" in documented(as_json, PHOTOS, "post")["message"]
    sign_in("inspector")
    forged = client.post(url, data=photo_form(image()))
    assert forged.status_code == 400 and count(EvidenceFile) == 0
    documented(forged, PHOTOS, "post")
    token = csrf_token(client, "/")
    assert client.post(url, data=photo_form(image()), headers={"X-CSRFToken": token}).status_code == 201


def test_unknown_findings_and_findings_of_hidden_cases_are_404(api, field, finding):
    for who, finding_id in (("inspector", finding.id + 1000), ("inspector2", finding.id)):
        response = api(field[who]).post(PHOTOS.format(finding_id=finding_id), data=photo_form(image()))
        assert response.status_code == 404
        documented(response, PHOTOS, "post")
    for reference in ("KT-1999-0001", finding.case.reference):
        response = api(field["officer2"]).get(FINDINGS.format(reference=reference))
        assert response.status_code == 404
    assert count(EvidenceFile) == 0


# --- after the minutes: deadline, owner, the unit's report and the lead's verdict ----------------------------------


def complete(api, user, case, bpmn_id, **answers):
    task = task_for(case, bpmn_id) if bpmn_id != "onsite" else task_for(case, bpmn_id, user.username)
    response = api(user).post(f"/api/v1/tasks/{task.id}/complete", json=answers)
    assert response.status_code == 200, response.get_json()


def test_the_findings_show_deadline_owner_latest_report_and_verdict(api, field):
    case = open_on_site(api, field, members=[])
    lead, officer = field["lead"], field["officer"]
    url = FINDINGS.format(reference=case.reference)
    raised = api(lead).post(url, json=finding_body(item="A1")).get_json()
    for item in case.inspection.checklist_items:
        answers.save_answer(case, item, actor=lead, answer=Answer.COMPLIANT)
    db.session.commit()
    complete(api, lead, case, "onsite", confirmed=True)
    finding = db.session.get(Finding, raised["id"])
    services.keep_finding(finding, actor=lead)
    services.edit_finding(finding, actor=lead, owner="Chánh Văn phòng", deadline=date(2027, 1, 31))
    db.session.commit()
    complete(api, lead, case, "minutes", unit_head_name="Ông Trưởng", acknowledged_at="2026-12-02T16:30")
    complete(api, field["director"], case, "conclusion", decision="approve", summary="Cần khắc phục")
    services.submit_report(db.session.get(Finding, finding.id), actor=officer, text="Đã niêm yết")
    db.session.commit()
    scan = image("PNG")
    sent = api(officer).post(PHOTOS.format(finding_id=finding.id), data=photo_form(scan, "scan.png", "o-1"))
    assert sent.status_code == 201
    complete(api, officer, case, "remediation", confirmed=True)
    complete(api, lead, case, "verification", **{f"verdict_{finding.id}": "rejected", f"reason_{finding.id}": "Thiếu"})

    [shown] = documented(api(field["auditor"]).get(url), FINDINGS)["findings"]
    assert (shown["state"], shown["severity"], shown["area"], shown["item"]) == (
        FindingState.OPEN.value,
        "major",
        "civil_service",
        "A1",
    )
    assert (shown["owner"], shown["deadline"]) == ("Chánh Văn phòng", "2027-01-31")
    report = shown["latest_report"]
    assert (report["text"], report["submitted_by"], report["verdict"], report["verdict_reason"]) == (
        "Đã niêm yết",
        "officer",
        "rejected",
        "Thiếu",
    )
    assert report["verdict_by"] == "lead" and report["verdict_at"].endswith("+00:00")
    assert [p["id"] for p in report["photos"]] == [sent.get_json()["id"]] and shown["photos"] == []


def test_the_verification_step_asks_for_a_verdict_reason_and_deadline_per_reported_finding(api, field):
    case = open_on_site(api, field, members=[])
    lead, officer = field["lead"], field["officer"]
    raised = api(lead).post(FINDINGS.format(reference=case.reference), json=finding_body(item="A1")).get_json()
    for item in case.inspection.checklist_items:
        answers.save_answer(case, item, actor=lead, answer=Answer.COMPLIANT)
    db.session.commit()
    complete(api, lead, case, "onsite", confirmed=True)
    finding = db.session.get(Finding, raised["id"])
    services.keep_finding(finding, actor=lead)
    db.session.commit()
    complete(api, lead, case, "minutes", unit_head_name="Ông Trưởng", acknowledged_at="2026-12-02T16:30")
    complete(api, field["director"], case, "conclusion", decision="approve", summary="Cần khắc phục")
    services.submit_report(db.session.get(Finding, finding.id), actor=officer, text="Đã niêm yết")
    db.session.commit()
    complete(api, officer, case, "remediation", confirmed=True)

    [task] = documented(api(lead).get("/api/v1/tasks"), "/api/v1/tasks")["tasks"]
    verdict, reason, deadline = (f"{name}_{finding.id}" for name in ("verdict", "reason", "deadline"))
    assert (task["form"], task["fields"]) == (
        "verification",
        [
            {
                "name": verdict,
                "type": "choice",
                "label": "Chưa niêm yết thủ tục",
                "required": True,
                "choices": [{"value": "accepted", "label": "Accept"}, {"value": "rejected", "label": "Reject"}],
            },
            {"name": reason, "type": "text", "label": "Reason", "required": False},
            {"name": deadline, "type": "date", "label": "New deadline", "required": False},
        ],
    )
    refused = api(lead).post(f"/api/v1/tasks/{task['id']}/complete", json={verdict: "rejected", deadline: "soon"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {deadline: ["must be a date, such as 2026-12-31"]}
    refused = api(lead).post(f"/api/v1/tasks/{task['id']}/complete", json={verdict: "rejected"})
    assert refused.get_json()["errors"] == {reason: ["Say why the report is rejected."]}
    [minutes] = [t for t in case.human_tasks if t.bpmn_id == "minutes"]
    assert minutes.submission["acknowledged_at"] == "2026-12-02T09:30:00Z", "16:30 in Vietnam, kept in UTC"


# --- a retry racing the first request (PostgreSQL: real concurrency) ------------------------------------------------


def race(app, token: str, url: str, make_kwargs) -> list[int]:
    """Send the same request from two clients at the same moment; the statuses, sorted."""
    barrier, statuses, errors = threading.Barrier(2), [], []

    def send():
        try:
            client = app.test_client()
            barrier.wait(timeout=60)
            statuses.append(client.post(url, headers={"Authorization": f"Bearer {token}"}, **make_kwargs()).status_code)
        except Exception as exc:  # reported below, so that a failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=send, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return sorted(statuses)


@pytest.mark.postgres
def test_a_retry_racing_the_first_request_creates_nothing_twice(app, api, field, on_site, token_for):
    director, inspector = token_for(field["director"]), token_for(field["inspector"])
    for n in range(5):
        assert race(app, director, CASES, lambda n=n: {"json": decision(client_id=f"c-{n}")}) == [200, 201]
        assert race(
            app, inspector, FINDINGS.format(reference=on_site.reference), lambda n=n: {"json": finding_body(f"f-{n}")}
        ) == [200, 201]
    db.session.expire_all()
    assert count(Case) == 1 + 5 and count(Finding) == 5
    finding_id = db.session.scalars(select(Finding.id)).first()
    data = image()
    for n in range(5):
        statuses = race(
            app,
            inspector,
            PHOTOS.format(finding_id=finding_id),
            lambda n=n: {"data": photo_form(data, client_id=f"p-{n}")},
        )
        assert statuses == [200, 201]
    assert count(EvidenceFile) == 5
    assert app.test_cli_runner().invoke(args=["inspect", "verify-history"]).exit_code == 0
