"""The shell on a tablet: sign in, dashboard, case list and case page, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from inspect_app.models import OrgLevel, Role
from tests.browser.conftest import save_screenshot
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

TABLETS = [(768, 1024), (1280, 800)]
# Every control a finger must hit: links, buttons and form fields on screen (a check box's target is its label).
SMALL_TARGETS_JS = """
() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea')]
  .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
  .map(el => [el, (el.matches('[type=checkbox], [type=radio]') && el.closest('label')) || el])
  .map(([el, target]) => ({el: el.outerHTML.slice(0, 80), box: target.getBoundingClientRect()}))
  .filter(({box}) => box.height < 44 || box.width < 44)
  .map(({el, box}) => `${el} is ${Math.round(box.width)}x${Math.round(box.height)}`)
"""
OVERFLOW_JS = "() => document.scrollingElement.scrollWidth - window.innerWidth"


@pytest.fixture
def inspection(create_unit, create_user, create_case):
    district = create_unit("Huyện Nam Sách", OrgLevel.DISTRICT, code="HD-NS")
    director = create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng")
    lead = create_user("lead", Role.LEAD, Role.INSPECTOR, full_name="Trần Thị Lan")
    member = create_user("inspector", Role.INSPECTOR, full_name="Lê Minh Tuấn")
    return create_case(
        "Kiểm tra công vụ tại Bộ phận một cửa Huyện Nam Sách",
        unit=district,
        lead=lead,
        members=[member],
        actor=director,
    )


def sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{page.base_url}/")


def assert_fits_a_finger_and_the_screen(page) -> None:
    assert page.evaluate(SMALL_TARGETS_JS) == []
    assert page.evaluate(OVERFLOW_JS) <= 0, "the page scrolls sideways"


@pytest.mark.parametrize(("width", "height"), TABLETS)
def test_an_inspector_signs_in_and_opens_a_case_on_a_tablet(open_page, inspection, width, height):
    page = open_page(width, height)
    page.goto(f"{page.base_url}/login")
    assert_fits_a_finger_and_the_screen(page)
    sign_in(page, "inspector")
    expect(page.get_by_role("heading", name="Xin chào, Lê Minh Tuấn")).to_be_visible()
    assert_fits_a_finger_and_the_screen(page)
    save_screenshot(page, f"dashboard-{width}")

    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    page.get_by_text(inspection.reference).click()
    page.wait_for_url(f"{page.base_url}/cases/{inspection.id}")
    expect(page.get_by_text("Trần Thị Lan", exact=True)).to_be_visible()
    assert_fits_a_finger_and_the_screen(page)
    save_screenshot(page, f"case-{width}")
    assert page.external_requests == [], "everything must load from this server: field sites are often offline"


def test_a_wrong_password_shows_a_message_and_keeps_the_form(open_page, inspection):
    page = open_page()
    page.goto(f"{page.base_url}/login")
    page.get_by_label("Tên đăng nhập").fill("inspector")
    page.get_by_label("Mật khẩu").fill("sai mật khẩu")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Tên đăng nhập").input_value() == "inspector"


def test_the_shell_still_works_on_a_phone(open_page, inspection):
    page = open_page(390, 844)
    sign_in(page, "lead")
    assert page.evaluate(OVERFLOW_JS) <= 0
    page.goto(f"{page.base_url}/cases/{inspection.id}")
    assert page.evaluate(OVERFLOW_JS) <= 0
    save_screenshot(page, "case-phone")


def test_switching_language_in_the_footer(open_page, inspection):
    page = open_page()
    page.goto(f"{page.base_url}/login")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
