"""The PAR scoring sheet in a real Chromium at tablet size, in Vietnamese, on the demo: the officer of Nam Sách reaches
the self-assessment from the dashboard (no address typed), enters a bad score far down the sheet, and finds the
message at that item, the value as typed, and the page where they were; then a score with a decimal comma saves."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEMO_PASSWORD
from inspect_app.models import ItemScore, ParAssessment, ParStep
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser


def nam_sach_self_assessment() -> ParAssessment:
    assessments = db.session.scalars(select(ParAssessment).where(ParAssessment.case_id.isnot(None)))
    return next(
        par for par in assessments if par.unit.code == "HD-NS" and par.case.has_open_step(ParStep.SELF_ASSESSMENT)
    )


def test_a_bad_score_stays_at_its_item_and_a_decimal_comma_saves(open_page, demo):
    par = nam_sach_self_assessment()
    last = max(par.scores, key=lambda score: score.criterion.position)
    code, item_id, anchor = last.criterion.code, last.id, f"c-{last.criterion_id}"

    page = open_page(768, 1024)
    page.goto(f"{page.base_url}/login")
    page.get_by_label("Tên đăng nhập").fill("officer")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{page.base_url}/")
    page.locator("#section-par .par-appraisals a.case-link").filter(has_text=par.round.name).click()
    expect(page.get_by_role("heading", name="Huyện Nam Sách", exact=True)).to_be_visible()

    field = page.locator(f"#self-{item_id}")
    field.scroll_into_view_if_needed()
    field.fill("-1")
    page.locator(f"#{anchor} button", has_text="Lưu").first.click()

    page.wait_for_url(f"**#{anchor}")
    error = page.locator(f"#self-{item_id}-error")
    expect(error).to_have_text(f"Điểm tự chấm: Tiêu chí {code}: điểm không được là số âm.")
    expect(error).to_be_in_viewport()
    expect(field).to_have_value("-1")
    assert page.evaluate("window.scrollY") > 1000, "the page stays down at the item, not at the top"
    save_screenshot(page, "par-scoring-negative-score")
    db.session.expire_all()
    assert db.session.get(ItemScore, item_id).self_score == last.self_score, "nothing stored"

    field.fill("0,5")
    page.locator(f"#{anchor} button", has_text="Lưu").first.click()
    page.wait_for_url(f"**/par/assessments/{par.case_id}#{anchor}")
    expect(page.locator(f"#self-{item_id}")).to_be_in_viewport()
    db.session.expire_all()
    assert db.session.get(ItemScore, item_id).self_score == Decimal("0.5")
