"""Managing checklist templates through the admin pages: create, edit, items grouped by area, reorder, delete,
the refusal to delete or reword an item an inspection used, deactivation and duplication."""

import html
import re

from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import ChecklistItem, ChecklistTemplate, ContentArea
from tests.checklists.conftest import BASE, codes_in_order, item_by_code
from tests.helpers import error_flash


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def area_sections(page: str) -> list[tuple[str, list[str]]]:
    """(area id, item codes) for each content-area section of a checklist page, in page order."""
    sections = re.findall(r'id="area-(\w+)">(.*?)</section>', page, re.S)
    return [(area, re.findall(r"<strong>([^<]+)</strong> ·", body)) for area, body in sections]


def test_the_list_shows_name_code_item_count_status_and_use(client, admin, checklist, inspection_using):
    inspection_using(checklist)
    inspection_using(checklist)
    db.session.add(ChecklistTemplate(code="old", name="Danh mục cũ", is_active=False))
    db.session.commit()

    page = page_text(client.get(f"{BASE}/"))

    row = re.search(r"<tr>\s*<td><a[^>]*>Bộ phận một cửa</a>.*?</tr>", page, re.S).group(0)
    assert "one-stop" in row and "<td>3</td>" in row and "Active" in row and "2 inspections" in row
    old = re.search(r"<tr>\s*<td><a[^>]*>Danh mục cũ</a>.*?</tr>", page, re.S).group(0)
    assert "Inactive" in old and "0 inspections" in old
    assert f'href="{BASE}/"' in client.get("/").get_data(as_text=True), "admins have a nav link"


def test_creating_a_checklist(client, admin, post):
    response = post(f"{BASE}/new", {"code": "mot-cua-2026", "name": "Một cửa 2026", "description": "Năm 2026"})

    template = db.session.scalar(select(ChecklistTemplate))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/{template.id}"
    assert (template.code, template.name, template.description, template.is_active) == (
        "mot-cua-2026",
        "Một cửa 2026",
        "Năm 2026",
        True,
    )


def test_a_taken_or_malformed_code_is_refused_on_the_form(client, admin, checklist, post):
    taken = post(f"{BASE}/new", {"code": "one-stop", "name": "Khác"})
    assert taken.status_code == 422, "the service refuses a taken code, like every refused input"
    assert "A checklist with the code one-stop already exists" in page_text(taken)

    malformed = post(f"{BASE}/new", {"code": "có dấu cách", "name": "Khác"})
    assert malformed.status_code == 400
    assert "Use only letters, digits" in page_text(malformed)
    assert db.session.scalar(select(func.count(ChecklistTemplate.id))) == 1


def test_editing_name_description_and_deactivating(client, admin, checklist, post):
    response = post(f"{BASE}/{checklist.id}/edit", {"name": "Một cửa (sửa)", "description": ""})

    assert response.status_code == 302
    db.session.expire_all()
    assert (checklist.name, checklist.description, checklist.is_active) == ("Một cửa (sửa)", "", False)
    assert "Inactive" in page_text(client.get(f"{BASE}/{checklist.id}"))


def test_items_are_shown_grouped_by_content_area(client, admin, checklist, post):
    post(
        f"{BASE}/{checklist.id}/items/new",
        {"code": "A3", "area": "civil_service", "text": "Văn hoá công sở", "guidance": "Quan sát"},
    )
    post(f"{BASE}/{checklist.id}/items/new", {"code": "C1", "area": "e_government", "text": "Số hoá hồ sơ"})

    page = page_text(client.get(f"{BASE}/{checklist.id}"))

    assert area_sections(page) == [
        ("civil_service", ["A1", "A2", "A3"]),
        ("procedures", ["B1"]),
        ("e_government", ["C1"]),
    ]
    assert "Civil service" in page and "Administrative procedures" in page and "E-government" in page
    assert "Quan sát" in page, "guidance is shown under the item"
    # Positions follow the groups, so the on-site screen shows them grouped too.
    assert codes_in_order(checklist) == ["A1", "A2", "A3", "B1", "C1"]


def test_adding_an_item_with_a_taken_code_or_no_text_is_refused(client, admin, checklist, post):
    taken = post(f"{BASE}/{checklist.id}/items/new", {"code": "A1", "area": "procedures", "text": "Trùng mã"})
    assert taken.status_code == 422
    assert "already has an item with the code A1" in page_text(taken)

    no_text = post(f"{BASE}/{checklist.id}/items/new", {"code": "Z9", "area": "procedures", "text": " "})
    assert no_text.status_code == 400
    assert codes_in_order(checklist) == ["A1", "A2", "B1"]


def test_editing_an_item_and_moving_it_to_another_area(client, admin, checklist, post):
    a1 = item_by_code(checklist, "A1")
    url = f"{BASE}/{checklist.id}/items/{a1.id}/edit"
    assert 'selected value="civil_service"' in client.get(url).get_data(as_text=True)

    response = post(url, {"code": "B2", "area": "procedures", "text": "Niêm yết phí", "guidance": "Xem bảng"}, page=url)

    assert response.status_code == 302
    db.session.expire_all()
    assert (a1.code, a1.area, a1.text, a1.guidance) == ("B2", ContentArea.PROCEDURES, "Niêm yết phí", "Xem bảng")
    assert codes_in_order(checklist) == ["A2", "B1", "B2"], "it goes to the end of its new area"


def test_moving_items_up_and_down_within_their_area(client, admin, checklist, post):
    a2 = item_by_code(checklist, "A2")

    assert post(f"{BASE}/{checklist.id}/items/{a2.id}/move/up").status_code == 302
    assert codes_in_order(checklist) == ["A2", "A1", "B1"]

    post(f"{BASE}/{checklist.id}/items/{a2.id}/move/up")
    assert codes_in_order(checklist) == ["A2", "A1", "B1"], "the first of its area stays first"

    post(f"{BASE}/{checklist.id}/items/{a2.id}/move/down")
    post(f"{BASE}/{checklist.id}/items/{a2.id}/move/down")
    assert codes_in_order(checklist) == ["A1", "A2", "B1"], "it never leaves its area"

    page = page_text(client.get(f"{BASE}/{checklist.id}"))
    assert "Move B1 up" not in page and "Move B1 down" not in page, "an area's only item has nowhere to move"


def test_deleting_an_unused_item_asks_first(client, admin, checklist, post):
    b1 = item_by_code(checklist, "B1")
    url = f"{BASE}/{checklist.id}/items/{b1.id}/delete"

    confirm = page_text(client.get(url))
    assert "Delete item B1?" in confirm and "Delete the item" in confirm
    assert codes_in_order(checklist) == ["A1", "A2", "B1"], "opening the confirmation deletes nothing"

    response = post(url, page=url)

    assert response.status_code == 302
    assert codes_in_order(checklist) == ["A1", "A2"]
    assert db.session.get(ChecklistItem, b1.id) is None


def test_an_answered_item_cannot_be_deleted_deactivate_instead(client, admin, checklist, post, inspection_using):
    a1 = item_by_code(checklist, "A1")
    inspection_using(checklist, answered=[a1])
    url = f"{BASE}/{checklist.id}/items/{a1.id}/delete"

    confirm = page_text(client.get(url))
    assert "Item A1 cannot be deleted" in confirm and "Delete the item" not in confirm
    assert "Deactivate this checklist" in confirm

    response = post(url, page=url)
    assert response.status_code == 303
    shown = html.unescape(error_flash(client.get(response.headers["Location"])))
    assert "Item A1 cannot be deleted: an inspection has already answered it" in shown
    assert codes_in_order(checklist) == ["A1", "A2", "B1"]

    post(f"{BASE}/{checklist.id}/deactivate", page=url)
    db.session.expire_all()
    assert checklist.is_active is False


def test_an_item_with_a_finding_or_picked_for_a_follow_up_cannot_be_deleted(
    client, admin, checklist, post, inspection_using
):
    a2, b1 = item_by_code(checklist, "A2"), item_by_code(checklist, "B1")
    inspection_using(checklist, found=[a2])
    inspection_using(checklist, picked=[b1.id])

    for item in (a2, b1):
        post(f"{BASE}/{checklist.id}/items/{item.id}/delete")

    assert codes_in_order(checklist) == ["A1", "A2", "B1"]


def test_a_used_item_keeps_its_wording_but_its_guidance_may_change(client, admin, checklist, post, inspection_using):
    a1 = item_by_code(checklist, "A1")
    inspection_using(checklist, answered=[a1])
    url = f"{BASE}/{checklist.id}/items/{a1.id}/edit"
    assert "only its guidance may change" in page_text(client.get(url))

    reworded = post(url, {"code": "A1", "area": "civil_service", "text": "Nội dung khác", "guidance": ""}, page=url)
    assert reworded.status_code == 422
    assert "Item A1 is already used by an inspection" in page_text(reworded)

    guided = post(url, {"code": "A1", "area": "civil_service", "text": a1.text, "guidance": "Mới"}, page=url)
    assert guided.status_code == 302
    db.session.expire_all()
    assert (a1.text, a1.guidance) == ("Cán bộ đeo thẻ công chức", "Mới")


def test_duplicating_makes_an_independent_copy(client, admin, checklist, post, inspection_using):
    inspection = inspection_using(checklist, answered=[item_by_code(checklist, "A1")])
    form = page_text(client.get(f"{BASE}/{checklist.id}/duplicate"))
    assert 'value="one-stop-2"' in form and "Bộ phận một cửa (copy)" in form

    response = post(f"{BASE}/{checklist.id}/duplicate", {"code": "one-stop-2027", "name": "Một cửa 2027"})

    copy = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "one-stop-2027"))
    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/{copy.id}"
    assert [(i.code, i.area, i.text, i.guidance) for i in copy.items] == [
        (i.code, i.area, i.text, i.guidance) for i in checklist.items
    ]
    assert {i.id for i in copy.items}.isdisjoint({i.id for i in checklist.items})
    # The copy can be changed freely; the original and its inspection are untouched.
    a1_copy = item_by_code(copy, "A1")
    post(f"{BASE}/{copy.id}/items/{a1_copy.id}/delete")
    assert codes_in_order(copy) == ["A2", "B1"]
    assert codes_in_order(checklist) == ["A1", "A2", "B1"]
    assert inspection.checklist_template_id == checklist.id


def test_duplicating_to_a_taken_code_is_refused(client, admin, checklist, post):
    response = post(f"{BASE}/{checklist.id}/duplicate", {"code": "one-stop", "name": "Trùng"})

    assert response.status_code == 422
    assert "already exists" in page_text(response)
    assert db.session.scalar(select(func.count(ChecklistTemplate.id))) == 1


def test_an_item_of_another_checklist_is_not_found(client, admin, checklist, post):
    other = ChecklistTemplate(code="other", name="Khác")
    db.session.add(other)
    db.session.commit()
    a1 = item_by_code(checklist, "A1")

    assert client.get(f"{BASE}/{other.id}/items/{a1.id}/edit").status_code == 404
    assert post(f"{BASE}/{other.id}/items/{a1.id}/delete").status_code == 404
    assert client.get(f"{BASE}/999999").status_code == 404
