"""Forms that help, in a real Chromium on a touch tablet (768x1024) and a phone (390x844), in Vietnamese: controls a
finger can hit, a unit found by typing, text limits counted and refused before sending, refused changes that can be
corrected, files that are not photos said so at once, and a phone header on one row."""

import pytest
from playwright.sync_api import expect

from inspect_app.core.extensions import db
from inspect_app.inspections.schemas import LONG_TEXT_MAX_LENGTH
from inspect_app.models import Answer, Case, ChecklistAnswer, EvidenceFile, Finding
from tests.browser.conftest import save_screenshot
from tests.browser.test_onsite import (
    add_draft_photo,
    expect_state,
    item_node,
    open_onsite,
    photo,
    sign_in,
    tap,
    wait_until_all_sent,
)
from tests.browser.test_tablet_shell import OVERFLOW_JS
from tests.inspections.conftest import act, checklist, decide, do_task, open_task, people
from tests.inspections.test_paths import plan, raise_finding, visit

pytestmark = pytest.mark.browser
# The inspection world's fixtures and the photo maker, imported so that pytest offers them to the tests here too.
FIXTURES = (act, checklist, decide, do_task, people, photo)

# Every control of the kinds a finger must hit, with the box it is hit by (a check box's or radio button's row), and
# how many of each kind the page has, so that a page without them cannot pass unseen.
TOUCH_TARGETS_JS = """
() => {
  const kinds = {date: 'input:is([type=date],[type=datetime-local],[type=time])', checkbox: '[type=checkbox]',
    radio: '[type=radio]', file: '[type=file]', button: 'button, .button, [type=submit]', select: 'select',
    combobox: '[role=combobox]'};
  const found = {}, small = [];
  for (const [kind, selector] of Object.entries(kinds)) {
    for (const el of document.querySelectorAll(selector)) {
      if (!el.getClientRects().length || el.closest('[hidden]')) continue;
      const target = ['checkbox', 'radio'].includes(kind) ? (el.closest('label, li, .check') || el) : el;
      const box = target.getBoundingClientRect();
      found[kind] = (found[kind] || 0) + 1;
      if (box.height < 44 || box.width < 44)
        small.push(`${kind} ${el.outerHTML.slice(0, 90)} is ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return {found, small};
}
"""
NOT_A_PHOTO = {"name": "bien-ban.docx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04 a word file"}


def open_as(open_page, who: str, path: str, width: int = 768, height: int = 1024):
    page = open_page(width, height, touch=True)
    page.goto(f"{page.base_url}/login")
    sign_in(page, who)
    page.goto(f"{page.base_url}{path}")
    return page


def assert_big_enough(page, *kinds: str) -> None:
    measured = page.evaluate(TOUCH_TARGETS_JS)
    assert measured["small"] == [], "\n".join(measured["small"])
    for kind in kinds:
        assert measured["found"].get(kind), f"the page has no {kind} to measure: {measured['found']}"


@pytest.fixture
def onsite_case(decide, do_task, people):
    """An inspection on site, for people who read Vietnamese."""
    for user in ("director", "lead", "inspector", "officer"):
        people[user].language = "vi"
    db.session.commit()
    case = decide(members=("inspector",))
    plan(do_task, case)
    return case


# --- touch targets -------------------------------------------------------------------------------------------------


def test_every_control_on_the_new_inspection_page_fits_a_finger(open_page, people, checklist):
    people["director"].language = "vi"
    db.session.commit()
    page = open_as(open_page, "director", "/inspections/new")
    assert page.evaluate("matchMedia('(pointer: coarse)').matches"), "a touch screen"
    assert_big_enough(page, "date", "checkbox", "button", "select", "combobox")
    save_screenshot(page, "new-inspection-touch-768")


def test_every_control_on_the_on_site_screen_and_the_task_forms_fits_a_finger(
    open_page, onsite_case, act, do_task, people
):
    finding = raise_finding(act, onsite_case, "inspector", "Chưa niêm yết thủ tục")
    page = open_as(open_page, "inspector", f"/inspections/{onsite_case.id}/onsite")
    page.wait_for_selector("#onsite[data-ready=true]")
    assert_big_enough(page, "checkbox", "file", "button", "select")

    page.goto(f"{page.base_url}/inspections/findings/{finding.id}")
    assert_big_enough(page, "file", "button", "select")

    task = open_task(onsite_case, "onsite", people["inspector"])
    page.goto(f"{page.base_url}/tasks/{task.id}")
    assert_big_enough(page, "checkbox", "button")
    save_screenshot(page, "onsite-task-touch-768")

    visit(act, do_task, people, onsite_case, "inspector")
    visit(act, do_task, people, onsite_case, "lead")
    lead = open_as(open_page, "lead", f"/tasks/{open_task(onsite_case, 'minutes').id}")
    assert_big_enough(lead, "date", "button")
    save_screenshot(lead, "minutes-task-touch-768")


# --- the inspected unit --------------------------------------------------------------------------------------------


def test_the_director_finds_the_unit_by_typing_without_diacritics(open_page, people, checklist):
    people["director"].language = "vi"
    db.session.commit()
    page = open_as(open_page, "director", "/inspections/new")
    unit = page.get_by_role("combobox", name="Đơn vị được kiểm tra")
    expect(unit).to_have_value("")
    assert page.locator("select#unit").input_value() == "", "nothing is chosen before the director chooses"

    unit.tap()
    choices = page.get_by_role("listbox", name="Đơn vị được kiểm tra").get_by_role("option")
    expect(choices).to_have_count(2)
    unit.fill("nam sach")
    expect(choices).to_have_count(1)
    page.get_by_role("option", name="Huyện Nam Sách").tap()
    expect(unit).to_have_value("Huyện Nam Sách")
    expect(page.get_by_role("listbox", name="Đơn vị được kiểm tra")).to_be_hidden()

    page.get_by_label("Số quyết định").fill("12/QĐ-SNV")
    page.get_by_label("Ngày quyết định").fill("2026-11-20")
    page.get_by_label("Tiêu đề").fill("Kiểm tra công vụ Huyện Nam Sách")
    page.get_by_label("Thủ tục hành chính").tap()
    page.get_by_label("Dự kiến bắt đầu").fill("2026-12-01")
    page.get_by_label("Dự kiến kết thúc").fill("2026-12-02")
    page.get_by_role("button", name="Ban hành quyết định").tap()
    page.wait_for_url("**/cases/*")
    db.session.expire_all()
    [case] = db.session.scalars(db.select(Case)).all()
    assert case.subject_unit == people["district"]


def test_a_decision_sent_without_a_unit_says_so_at_the_field(open_page, people, checklist):
    people["director"].language = "vi"
    db.session.commit()
    page = open_as(open_page, "director", "/inspections/new")
    page.get_by_role("button", name="Ban hành quyết định").tap()
    unit = page.get_by_role("combobox", name="Đơn vị được kiểm tra")
    expect(unit).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#unit-error")).to_contain_text("Đơn vị được kiểm tra")
    assert db.session.scalars(db.select(Case)).all() == []


# --- long text -----------------------------------------------------------------------------------------------------


def test_a_note_over_the_limit_is_counted_kept_and_not_sent_until_shortened(open_page, onsite_case):
    page = open_page(768, 1024, touch=True)
    open_onsite(page, onsite_case)
    first = onsite_case.inspection.checklist_items[0]
    note = item_node(page, first).locator("textarea")
    note.fill("x" * (LONG_TEXT_MAX_LENGTH + 1))  # a paste is kept whole, not cut at the limit
    expect(note).to_have_value("x" * (LONG_TEXT_MAX_LENGTH + 1))
    counter = page.locator(f"#note-{first.id}-count")
    expect(counter).to_have_text("4.001/4.000 ký tự")
    expect(counter).to_have_attribute("data-state", "over")
    expect(page.locator(f"#note-{first.id}-too-long")).to_have_text(
        "Thừa 1 ký tự: chỉ gửi được tối đa 4.000 ký tự. Hãy rút gọn để gửi."
    )
    tap(page, first, Answer.COMPLIANT)
    expect_state(page, first, "failed")
    expect(item_node(page, first).locator(".save-state")).to_have_text("Chưa gửi: ghi chú quá dài")
    expect(page.locator("#sync")).to_have_attribute("data-state", "refused")
    expect(note).to_be_focused()
    save_screenshot(page, "onsite-note-too-long-768")
    assert db.session.scalars(db.select(ChecklistAnswer)).all() == [], "nothing over the limit was sent"

    note.fill("x" * LONG_TEXT_MAX_LENGTH)
    expect(counter).to_have_attribute("data-state", "near")
    tap(page, first, Answer.COMPLIANT)
    expect_state(page, first, "saved")
    wait_until_all_sent(page)
    db.session.expire_all()
    assert len(db.session.scalars(db.select(ChecklistAnswer)).one().note) == LONG_TEXT_MAX_LENGTH


def test_a_finding_edited_over_its_limit_is_not_sent(open_page, onsite_case, act):
    finding = raise_finding(act, onsite_case, "inspector", "Chưa niêm yết thủ tục")
    page = open_as(open_page, "inspector", f"/inspections/findings/{finding.id}")
    description = page.locator("#description")
    description.fill("Thấy tại chỗ. " + "x" * LONG_TEXT_MAX_LENGTH)
    page.get_by_role("button", name="Lưu", exact=True).tap()
    expect(description).to_be_focused()
    expect(page.locator("#description-too-long")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).description == "Thấy tại chỗ", "the page was not sent"


def make_stale(page, selector: str) -> None:
    """The page's limit is out of date (a larger one, say, from before an upgrade): only the server can refuse."""
    page.evaluate(
        "selector => { const field = document.querySelector(selector); field.dataset.maxlength = '100000';"
        " window.InspectTextLimit.check(field); }",
        selector,
    )


def test_a_finding_the_server_refuses_opens_again_in_the_form_with_the_reason(open_page, onsite_case, photo):
    page = open_page(768, 1024, touch=True)
    open_onsite(page, onsite_case)
    make_stale(page, "#description")
    form = page.locator("#finding-form")
    form.locator("[name=title]").fill("Sổ theo dõi không cập nhật")
    form.locator("[name=description]").fill("x" * (LONG_TEXT_MAX_LENGTH + 50))
    add_draft_photo(page, photo(), 1)
    form.locator("button[type=submit]").tap()

    problems = page.locator("#problem-list li")
    expect(problems).to_have_count(1)
    expect(problems.locator(".problem-message")).to_contain_text("Nội dung ghi nhận:")
    expect(page.locator("#sync")).to_have_attribute("data-state", "refused")  # never "saved"
    expect(page.locator("#finding-list .finding .save-state")).to_have_attribute("data-state", "failed")
    save_screenshot(page, "onsite-finding-refused-768")

    problems.get_by_role("button", name="Sửa").tap()
    expect(problems).to_have_count(0)
    expect(form.locator("[name=title]")).to_have_value("Sổ theo dõi không cập nhật")
    vietnamese_limit = f"{LONG_TEXT_MAX_LENGTH:,}".replace(",", ".")  # 4.000
    expect(page.locator("#description-refused")).to_contain_text(vietnamese_limit)
    expect(form.locator("#description")).to_be_focused()
    expect(page.locator("#finding-refusal")).to_be_visible()
    expect(page.locator("#draft-photos .thumb")).to_have_count(1)  # its photo came back with it
    save_screenshot(page, "onsite-finding-edited-768")

    form.locator("[name=description]").fill("Sổ ghi đến tháng 9")
    form.locator("button[type=submit]").tap()
    # Sent, not merely not yet queued: the sync bar is idle for a moment before the finding joins the queue.
    expect(page.locator("#finding-list .finding .save-state")).to_have_attribute("data-state", "saved")
    wait_until_all_sent(page)
    expect(page.locator("#finding-refusal")).to_have_count(0)
    db.session.expire_all()
    [finding] = db.session.scalars(db.select(Finding)).all()
    assert finding.description == "Sổ ghi đến tháng 9"
    assert len(db.session.scalars(db.select(EvidenceFile).where(EvidenceFile.finding_id == finding.id)).all()) == 1


def test_an_answer_the_server_refuses_can_be_corrected_not_only_discarded(open_page, onsite_case):
    page = open_page(768, 1024, touch=True)
    open_onsite(page, onsite_case)
    first = onsite_case.inspection.checklist_items[0]
    make_stale(page, f"#note-{first.id}")
    item_node(page, first).locator("textarea").fill("y" * (LONG_TEXT_MAX_LENGTH + 10))
    tap(page, first, Answer.NOT_COMPLIANT)
    problems = page.locator("#problem-list li")
    expect(problems).to_have_count(1)
    expect(problems.locator(".problem-message")).to_contain_text("Ghi chú:")
    expect_state(page, first, "failed")
    expect(page.locator("#sync")).to_have_attribute("data-state", "refused")

    problems.get_by_role("button", name="Sửa").tap()
    note = item_node(page, first).locator("textarea")
    expect(note).to_be_focused()
    note.fill("Thiếu thẻ công chức")
    wait_until_all_sent(page)
    expect(problems).to_have_count(0)
    expect_state(page, first, "saved")
    db.session.expire_all()
    row = db.session.scalars(db.select(ChecklistAnswer)).one()
    assert (row.answer, row.note) == (Answer.NOT_COMPLIANT, "Thiếu thẻ công chức")


# --- files that are not photos -------------------------------------------------------------------------------------


def test_a_file_that_is_no_photo_is_said_so_on_site_until_the_inspector_acts(open_page, onsite_case):
    page = open_page(768, 1024, touch=True)
    open_onsite(page, onsite_case)
    page.locator("#photos").set_input_files(NOT_A_PHOTO)
    problem = page.locator("#photos-problem")
    expect(problem).to_contain_text("“bien-ban.docx”")
    expect(problem).to_have_attribute("role", "alert")
    save_screenshot(page, "onsite-not-a-photo-768")
    page.locator("#finding-form [name=title]").fill("Biên bản")  # the draft's status line changes; the message stays
    page.wait_for_timeout(1500)
    expect(problem).to_be_visible()
    expect(page.locator("#draft-photos .thumb")).to_have_count(0)
    problem.get_by_role("button", name="Đóng").tap()
    expect(problem).to_have_count(0)


def test_a_file_that_is_no_photo_or_pdf_is_taken_out_of_the_finding_form_with_a_message(open_page, onsite_case, act):
    finding = raise_finding(act, onsite_case, "inspector", "Chưa niêm yết thủ tục")
    page = open_as(open_page, "inspector", f"/inspections/findings/{finding.id}")
    page.locator("#file").set_input_files(NOT_A_PHOTO)
    problem = page.locator("#file-file-problem")
    expect(problem).to_contain_text("“bien-ban.docx”")
    assert page.locator("#file").evaluate("input => input.files.length") == 0, "it will not be sent"
    page.wait_for_timeout(1500)
    expect(problem).to_be_visible()
    save_screenshot(page, "finding-not-a-photo-768")


# --- the header on a phone -----------------------------------------------------------------------------------------


def test_the_phone_header_keeps_to_one_row_with_a_menu(open_page, onsite_case):
    page = open_as(open_page, "lead", "/", width=390, height=844)
    header = page.locator("header.topbar")
    toggle = page.get_by_role("button", name="Trình đơn")
    brand = page.get_by_role("link", name="Inspect")
    assert header.bounding_box()["height"] < 2 * 44, "one row"
    assert abs(brand.bounding_box()["y"] - toggle.bounding_box()["y"]) < 20, "the name and the menu side by side"
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(OVERFLOW_JS) <= 0
    save_screenshot(page, "phone-header-390")

    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    save_screenshot(page, "phone-menu-open-390")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()

    toggle.tap()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Hồ sơ").tap()
    page.wait_for_url("**/cases/")
    assert page.locator("header.topbar").bounding_box()["height"] < 2 * 44


def test_a_tablet_shows_the_links_without_a_menu(open_page, onsite_case):
    page = open_as(open_page, "lead", "/")
    expect(page.get_by_role("button", name="Trình đơn")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()
