"""Checklists as JSON files: export, import (validated; a refused file stores nothing), and the round trip."""

import html
import io
import json

import pytest
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import ChecklistItem, ChecklistTemplate
from tests.checklists.conftest import BASE
from tests.helpers import csrf_token, error_flash

IMPORT = f"{BASE}/import"


def upload(client, content: bytes | str, filename: str = "checklist.json", code: str = ""):
    """Post a file through the import form, as the browser does."""
    raw = content.encode() if isinstance(content, str) else content
    data = {"csrf_token": csrf_token(client, IMPORT), "checklist_file": (io.BytesIO(raw), filename), "code": code}
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def stored() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(ChecklistTemplate.id))),
        db.session.scalar(select(func.count(ChecklistItem.id))),
    )


def problems(response) -> list[str]:
    page = html.unescape(response.get_data(as_text=True))
    block = page.split('<div class="problems" role="alert">', 1)[1].split("</div>", 1)[0]
    return [line.split("</li>")[0].strip() for line in block.split("<li>")[1:]]


def test_export_gives_a_json_file_with_every_item_in_order(client, admin, checklist):
    response = client.get(f"{BASE}/{checklist.id}/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert 'filename="one-stop.json"' in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["code"] == "one-stop" and data["name"] == "Bộ phận một cửa" and data["description"] == "Mô tả"
    assert data["items"][0] == {
        "code": "A1",
        "area": "civil_service",
        "text": "Cán bộ đeo thẻ công chức",
        "guidance": "Hướng dẫn A1",
    }
    assert [item["code"] for item in data["items"]] == ["A1", "A2", "B1"]
    assert "Cán bộ đeo thẻ" in response.get_data(as_text=True), "Vietnamese stays readable, not \\u-escaped"


def test_export_then_import_round_trip(client, admin, checklist):
    exported = client.get(f"{BASE}/{checklist.id}/export.json").get_data()

    response = upload(client, exported, "one-stop.json", code="one-stop-copy")

    copy = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "one-stop-copy"))
    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/{copy.id}"
    again = json.loads(client.get(f"{BASE}/{copy.id}/export.json").get_data())
    assert again == {**json.loads(exported), "code": "one-stop-copy"}
    assert copy.is_active


def test_import_into_a_fresh_install_keeps_the_files_code(client, admin, checklist):
    exported = client.get(f"{BASE}/{checklist.id}/export.json").get_data()
    db.session.delete(checklist)
    db.session.commit()

    assert upload(client, exported).status_code == 302
    [template] = db.session.scalars(select(ChecklistTemplate)).all()
    assert template.code == "one-stop" and [i.code for i in template.items] == ["A1", "A2", "B1"]


def test_importing_a_code_that_exists_is_refused(client, admin, checklist):
    exported = client.get(f"{BASE}/{checklist.id}/export.json").get_data()
    before = stored()

    response = upload(client, exported)

    assert response.status_code == 422
    assert problems(response) == [
        "Checklist, code: a checklist with the code one-stop already exists; give the import a new code"
    ]
    assert stored() == before


def test_bad_json_is_refused_with_its_position(client, admin):
    response = upload(client, '{"code": "x",\n  "name": }')

    assert response.status_code == 422
    assert "nothing was stored" in html.unescape(error_flash(response))
    [problem] = problems(response)
    assert problem.startswith("The file is not valid JSON: line 2, column 11")
    assert stored() == (0, 0)


GOOD_ITEM = {"code": "A1", "area": "civil_service", "text": "Đeo thẻ", "guidance": ""}


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [GOOD_ITEM, {"code": "A2", "area": "facilities", "text": "Cơ sở vật chất"}],
            "Item 2 (A2), area: unknown content area “facilities”; use one of: direction, institutions, procedures, "
            "organisation, civil_service, public_finance, e_government",
        ),
        (
            [GOOD_ITEM, {"code": "A1", "area": "procedures", "text": "Trùng mã"}],
            "Item 2 (A1), code: same code as item 1",
        ),
        ([GOOD_ITEM, {"code": "A3", "area": "procedures"}], "Item 2 (A3), text: required"),
        ([GOOD_ITEM, {"area": "procedures", "text": "Không mã"}], "Item 2, code: required"),
        ([GOOD_ITEM, {"code": "A4", "area": "procedures", "text": 5}], "Item 2 (A4), text: must be text"),
        (
            [GOOD_ITEM, {"code": "A5", "area": "procedures", "text": "x", "guidence": "y"}],
            "Item 2 (A5), guidence: unknown field",
        ),
        ([GOOD_ITEM, "A6"], "Item 2: must be a JSON object"),
        ("A1", "Checklist, items: must be a list"),
    ],
)
def test_a_malformed_item_is_named_with_its_field_and_nothing_is_stored(client, admin, items, expected):
    content = json.dumps({"code": "mau", "name": "Mẫu", "items": items}, ensure_ascii=False)

    response = upload(client, content)

    assert response.status_code == 422
    assert problems(response) == [expected]
    assert stored() == (0, 0)


def test_every_problem_of_a_file_is_listed_at_once(client, admin, checklist):
    before = stored()
    content = {
        "code": "mau",
        "items": [
            GOOD_ITEM,
            {"code": "A2", "area": "facilities", "text": "Cơ sở vật chất"},
            {"code": "A1", "area": "procedures", "text": "Trùng"},
            {"code": "A3", "area": "procedures", "text": ""},
        ],
    }

    response = upload(client, json.dumps(content, ensure_ascii=False))

    lines = problems(response)
    assert lines[0] == "Checklist, name: required"
    assert lines[1].startswith("Item 2 (A2), area: unknown content area “facilities”")
    assert lines[2:] == ["Item 3 (A1), code: same code as item 1", "Item 4 (A3), text: required"]
    assert stored() == before


def test_a_file_that_is_not_a_checklist_is_refused(client, admin):
    for content, expected in [
        ("[1, 2]", "The file must hold one JSON object (a checklist)."),
        (b"\xff\xfe{}", "The file is not UTF-8 text."),
        ('{"format": "other/2", "code": "x", "name": "X"}', "Checklist, format: expected “inspect-checklist/1”"),
    ]:
        response = upload(client, content)
        assert response.status_code == 422
        assert problems(response) == [expected]
    assert stored() == (0, 0)


def test_the_upload_form_itself_is_checked(client, admin):
    no_file = client.post(IMPORT, data={"csrf_token": csrf_token(client, IMPORT)})
    assert no_file.status_code == 400 and "Choose a .json file." in no_file.get_data(as_text=True)

    wrong_type = upload(client, "{}", filename="checklist.xlsx")
    assert wrong_type.status_code == 400 and "Only .json files." in wrong_type.get_data(as_text=True)

    bad_code = upload(client, "{}", code="có dấu")
    assert bad_code.status_code == 400
    assert stored() == (0, 0)
