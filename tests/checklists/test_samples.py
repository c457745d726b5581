"""The shipped sample checklist: valid, idempotent, and covering the on-site practice described in DOMAIN.md."""

import json

from sqlalchemy import event, func, select

from inspect_app.checklists.samples import DATA_DIR, load_sample_checklists
from inspect_app.checklists.services import parse_checklist
from inspect_app.core.extensions import db
from inspect_app.models import ChecklistItem, ChecklistTemplate, ContentArea

SAMPLE = DATA_DIR / "sample_public_service.json"
# Each practice seen on site (DOMAIN.md, "How an inspection runs", step 3) and words its item must contain.
PRACTICE = {
    "headcount at the start of working hours": ["Quân số đầu giờ", "vắng có lý do", "vắng không có lý do"],
    "badges": ["đeo thẻ"],
    "desk name plates": ["Biển tên", "trên bàn làm việc"],
    "citizen-reception schedule posted and current": ["Lịch tiếp công dân", "niêm yết", "còn hiệu lực"],
    "one-stop office staffed every working day": ["Bộ phận một cửa", "tất cả các ngày làm việc"],
    "every procedure announced by the province posted": ["Toàn bộ thủ tục hành chính", "UBND tỉnh công bố"],
    "late dossiers with an apology slip and a new appointment": ["hồ sơ trễ hạn", "phiếu xin lỗi", "hẹn lại"],
    "facilities of the one-stop office": ["Cơ sở vật chất", "bộ phận một cửa"],
    "handling of citizen feedback": ["phản ánh, kiến nghị"],
    "workplace culture": ["Văn hoá công sở"],
}


def rows() -> list[tuple]:
    db.session.expire_all()
    templates = db.session.execute(select(ChecklistTemplate.id, ChecklistTemplate.code, ChecklistTemplate.name))
    items = db.session.execute(
        select(ChecklistItem.id, ChecklistItem.code, ChecklistItem.position, ChecklistItem.text).order_by(
            ChecklistItem.id
        )
    )
    return [*templates.all(), *items.all()]


def test_the_sample_loads_with_its_items(app):
    [template] = load_sample_checklists()
    db.session.commit()

    assert template.name == "Kiểm tra công vụ tại bộ phận một cửa"
    assert template.is_active
    assert "MẪU" in template.description and "không phải văn bản chính thức" in template.description
    assert len(template.items) >= 9
    assert {ContentArea.CIVIL_SERVICE, ContentArea.PROCEDURES, ContentArea.E_GOVERNMENT, ContentArea.ORGANISATION} <= {
        item.area for item in template.items
    }
    assert [item.position for item in template.items] == list(range(len(template.items)))
    assert template.items[0].code == "CV-01", "the headcount comes first: it is taken at the start of the day"


def test_every_item_has_practical_guidance(app):
    [template] = load_sample_checklists()

    for item in template.items:
        assert len(item.guidance) > 100, item.code
        assert "Đạt" in item.guidance, f"{item.code}: the guidance says what counts as compliant"


def test_the_sample_covers_the_practice_seen_on_site(app):
    [template] = load_sample_checklists()
    texts = [item.text.lower() for item in template.items]

    for practice, words in PRACTICE.items():
        assert any(all(word.lower() in text for word in words) for text in texts), practice


def test_loading_twice_changes_nothing(app):
    load_sample_checklists()
    db.session.commit()
    first = rows()

    writes = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        load_sample_checklists()
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert writes == []

    assert rows() == first
    assert db.session.scalar(select(func.count(ChecklistTemplate.id))) == 1


def test_loading_again_restores_the_sample_but_keeps_the_admins_choices(app):
    [template] = load_sample_checklists()
    template.is_active = False
    template.items[0].text = "Đã sửa"
    template.items.append(ChecklistItem(code="X-01", area=ContentArea.CIVIL_SERVICE, text="Thêm", position=-1))
    db.session.commit()

    [again] = load_sample_checklists()
    db.session.commit()

    assert again.id == template.id and again.is_active is False
    assert again.items[0].text.startswith("Quân số đầu giờ")
    civil_service = [item.code for item in again.items if item.area == ContentArea.CIVIL_SERVICE]
    assert civil_service[-1] == "X-01", "an admin's own item stays, after the sample's items of its area"


def test_the_sample_file_is_a_valid_import(app):
    parsed = parse_checklist(SAMPLE.read_bytes())
    assert parsed.code == json.loads(SAMPLE.read_text(encoding="utf-8"))["code"]
