"""The inspector's on-site screen on a tablet in a real Chromium: answers, findings and photos, offline and back."""

import hashlib
import io
import os
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from inspect_app.core.extensions import db
from inspect_app.evidence.storage import stored_path
from inspect_app.history import case_events
from inspect_app.models import Answer, ChecklistAnswer, EvidenceFile, Finding
from tests.browser.conftest import ARTIFACTS, save_screenshot
from tests.browser.test_tablet_shell import OVERFLOW_JS, SMALL_TARGETS_JS
from tests.helpers import PASSWORD
from tests.inspections.conftest import act, checklist, decide, do_task, people
from tests.photos import noisy_camera_photo

pytestmark = [pytest.mark.browser, pytest.mark.long]
# The inspection world's fixtures, imported so that pytest offers them to the tests here too.
INSPECTION_FIXTURES = (act, checklist, decide, do_task, people)

TAKEN = datetime(2026, 11, 28, 2, 15, 30, tzinfo=UTC)  # 09:15:30 in Hai Duong
HAI_DUONG = {"latitude": 20.9373, "longitude": 106.3146}


@pytest.fixture
def onsite_case(decide, do_task, people):
    """An inspection whose on-site visit is open for the lead and the inspector (who reads Vietnamese); the lead
    gave the inspector the whole checklist."""
    case = decide(members=("inspector",))
    plan = {"schedule_note": "Sáng 1/12 làm việc tại bộ phận một cửa"}
    do_task(case, "plan", "lead", {**plan, "area_civil_service": "inspector", "area_procedures": "inspector"})
    people["inspector"].language = "vi"
    db.session.commit()
    return case


@pytest.fixture
def photo(tmp_path):
    """A camera-sized JPEG made with Pillow, its file time set to when it was 'taken'."""

    def make(name: str = "camera.jpg", size=(3000, 2000), taken: datetime = TAKEN):
        image = Image.new("RGB", size, (40, 90, 160))
        draw = ImageDraw.Draw(image)
        for x in range(0, size[0], 150):
            draw.rectangle([x, 0, x + 70, size[1]], fill=(230, 200, 40))
        draw.ellipse([size[0] // 3, size[1] // 4, size[0] // 2, size[1] // 2], fill=(200, 30, 30))
        path = tmp_path / name
        image.save(path, "JPEG", quality=92)
        os.utime(path, (taken.timestamp(), taken.timestamp()))
        return str(path)

    return make


def sign_in(page, who: str) -> None:
    page.locator("input[name=username]").fill(who)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def open_onsite(page, case, who: str = "inspector") -> None:
    page.goto(f"{page.base_url}/login")
    sign_in(page, who)
    page.goto(f"{page.base_url}/inspections/{case.id}/onsite")
    page.wait_for_selector("#onsite[data-ready=true]")


def screenshot(page, name: str) -> None:
    """A full-page picture, scrolled to the top so the sticky bar sits in its place."""
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, name)


def item_node(page, item):
    return page.locator(f"#item-{item.id}")


def tap(page, item, answer: Answer) -> None:
    item_node(page, item).locator(f"button.answer[value={answer.value}]").click()


def expect_state(page, item, state: str) -> None:
    expect(item_node(page, item).locator(".save-state")).to_have_attribute("data-state", state)


def wait_until_all_sent(page, timeout: int = 20_000) -> None:
    expect(page.locator("#sync")).to_have_attribute("data-pending", "0", timeout=timeout)
    expect(page.locator("#sync")).to_have_attribute("data-state", "idle", timeout=timeout)


def assert_fits_a_finger_and_the_screen(page) -> None:
    assert page.evaluate(SMALL_TARGETS_JS) == []
    assert page.evaluate(OVERFLOW_JS) <= 0, "the page scrolls sideways"


def fill_finding(page, title: str, severity: str = "major") -> None:
    form = page.locator("#finding-form")
    form.locator("[name=title]").fill(title)
    form.locator("[name=description]").fill("Không thấy niêm yết tại quầy số 2")
    form.locator("[name=severity]").select_option(severity)
    form.locator("[name=remediation_required]").fill("Niêm yết đầy đủ trong 5 ngày")


def add_draft_photo(page, path: str, count: int) -> None:
    page.locator("#photos").set_input_files(path)
    expect(page.locator("#draft-photos .thumb")).to_have_count(count)


def events(case, action: str) -> list:
    db.session.expire_all()
    return [event for event in case_events(case) if event.action == action]


def test_an_inspector_answers_every_item_and_raises_a_finding_with_a_photo(open_page, onsite_case, people, photo):
    page = open_page(768, 1024)
    open_onsite(page, onsite_case)
    items = onsite_case.inspection.checklist_items
    assert page.locator("html").get_attribute("lang") == "vi"
    assert_fits_a_finger_and_the_screen(page)
    expect(page.locator("#progress")).to_have_attribute("value", "0")

    answers = [Answer.COMPLIANT, Answer.NOT_COMPLIANT, Answer.NOT_APPLICABLE]
    for item, answer in zip(items, answers, strict=True):
        tap(page, item, answer)
        expect(item_node(page, item).locator(f"button[value={answer.value}]")).to_have_attribute("aria-pressed", "true")
    for item in items:
        expect_state(page, item, "saved")
    wait_until_all_sent(page)
    saved_text = page.evaluate("JSON.parse(document.getElementById('onsite-texts').textContent).saved")
    expect(item_node(page, items[0]).locator(".save-state")).to_have_text(saved_text)
    expect(page.locator("#progress")).to_have_attribute("value", "3")
    db.session.expire_all()
    rows = db.session.scalars(db.select(ChecklistAnswer).where(ChecklistAnswer.case_id == onsite_case.id)).all()
    assert {(row.item_id, row.answer) for row in rows} == {(i.id, a) for i, a in zip(items, answers, strict=True)}
    assert all(row.captured_at is not None and row.answered_by_id == people["inspector"].id for row in rows)

    # Only the item answered "not compliant" offers a finding, and it comes pre-filled.
    expect(item_node(page, items[0]).locator(".raise-for-item")).to_be_hidden()
    item_node(page, items[1]).locator("textarea").fill("Thiếu 3 thủ tục")
    item_node(page, items[1]).locator(".raise-for-item").click()
    form = page.locator("#finding-form")
    expect(form.locator("[name=title]")).to_have_value(items[1].text)
    expect(form.locator("[name=title]")).to_be_focused()
    expect(form.locator("[name=item]")).to_have_value(str(items[1].id))
    expect(form.locator("[name=description]")).to_have_value("Thiếu 3 thủ tục")
    fill_finding(page, "Chưa niêm yết đủ thủ tục hành chính")
    add_draft_photo(page, photo(), 1)
    assert_fits_a_finger_and_the_screen(page)
    screenshot(page, "onsite-finding-draft-768")

    form.locator("button[type=submit]").click()
    wait_until_all_sent(page)
    listed = page.locator("#finding-list .finding[data-finding-id]")
    expect(listed).to_have_count(1)
    expect(listed.locator(".thumb")).to_have_attribute("data-state", "saved")
    browser_sha256 = listed.locator(".thumb").get_attribute("data-sha256")
    screenshot(page, "onsite-768")
    assert_fits_a_finger_and_the_screen(page)

    db.session.expire_all()
    [finding] = db.session.scalars(db.select(Finding).where(Finding.case_id == onsite_case.id)).all()
    assert finding.title == "Chưa niêm yết đủ thủ tục hành chính" and finding.checklist_item_id == items[1].id
    assert finding.client_id and finding.captured_at is not None
    [file] = finding.files
    data = stored_path(file.sha256).read_bytes()
    assert file.sha256 == hashlib.sha256(data).hexdigest() == browser_sha256
    assert file.captured_at == TAKEN
    assert file.received_at is not None and file.received_at != file.captured_at
    assert file.latitude is None and file.longitude is None, "no location unless the inspector allows it"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600 and image.size == (1600, 1067)
    assert file.content_type == "image/jpeg" and file.client_id
    assert page.external_requests == [], "everything must load from this server: field sites are often offline"


def test_changes_made_offline_survive_a_reload_and_reach_the_server_once(open_page, onsite_case, photo, server_url):
    page = open_page(768, 1024)
    context = page.context
    open_onsite(page, onsite_case)
    first, second, third = onsite_case.inspection.checklist_items
    tap(page, first, Answer.COMPLIANT)
    expect_state(page, first, "saved")
    wait_until_all_sent(page)

    context.set_offline(True)
    tap(page, first, Answer.NOT_COMPLIANT)
    item_node(page, first).locator("textarea").fill("Hai cán bộ không đeo thẻ")
    tap(page, third, Answer.COMPLIANT)
    item_node(page, second).locator("textarea").fill("Ghi chú trước khi trả lời")
    expect_state(page, first, "waiting")
    expect_state(page, second, "note")
    expect(page.locator("#sync")).to_have_attribute("data-state", "offline")
    fill_finding(page, "Cán bộ không đeo thẻ")
    add_draft_photo(page, photo(), 1)
    page.locator("#finding-form button[type=submit]").click()
    pending = page.locator("#finding-list .finding[data-client-id]")
    expect(pending).to_have_count(1)
    expect(pending.locator(".save-state")).to_have_attribute("data-state", "waiting")
    expect(pending.locator(".thumb")).to_have_attribute("data-state", "waiting")
    page.locator("#finding-form [name=title]").fill("Bản nháp chưa gửi")
    expect(page.locator("#sync")).to_have_attribute("data-pending", "4")  # two answers, a finding, a photo
    screenshot(page, "onsite-offline-768")

    # The tab is reloaded while the server still cannot be reached: nothing is lost, everything still waits.
    def unreachable(route):
        route.abort("internetdisconnected") if route.request.method != "GET" else route.continue_()

    page.route("**/api/v1/**", unreachable)
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("#onsite[data-ready=true]")
    expect(item_node(page, first).locator("button[value=not_compliant]")).to_have_attribute("aria-pressed", "true")
    expect(item_node(page, first).locator("textarea")).to_have_value("Hai cán bộ không đeo thẻ")
    expect(item_node(page, second).locator("textarea")).to_have_value("Ghi chú trước khi trả lời")
    expect_state(page, first, "waiting")
    expect_state(page, second, "note")
    expect(pending.locator(".save-state")).to_have_attribute("data-state", "waiting")
    expect(pending.locator(".thumb img")).to_be_visible()
    expect(page.locator("#finding-form [name=title]")).to_have_value("Bản nháp chưa gửi")
    expect(page.locator("#sync")).to_have_attribute("data-state", "retry")
    db.session.expire_all()
    assert not db.session.scalars(db.select(Finding)).all()

    # The connection returns, but the first answers to the finding and to the photo are lost on the way back:
    # the server did the work, the tablet sends them again, and the server must not do it twice.
    page.unroute("**/api/v1/**")
    seen = {"findings": 0, "photos": 0}

    def lose_first_answer(route):
        kind = next((k for k in seen if route.request.method == "POST" and route.request.url.endswith(k)), None)
        if kind is None:
            route.continue_()
            return
        seen[kind] += 1
        if seen[kind] == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/**", lose_first_answer)
    context.set_offline(True)
    context.set_offline(False)
    wait_until_all_sent(page, timeout=30_000)
    assert seen == {"findings": 2, "photos": 2}, "each was sent again after its answer was lost"

    db.session.expire_all()
    [finding] = db.session.scalars(db.select(Finding).where(Finding.case_id == onsite_case.id)).all()
    assert finding.title == "Cán bộ không đeo thẻ"
    assert len(finding.files) == 1 and finding.files[0].sha256 == pending.locator(".thumb").get_attribute("data-sha256")
    assert len(events(onsite_case, "finding.raised")) == 1
    assert len(events(onsite_case, "evidence.added")) == 1
    answers = {row.item_id: row for row in db.session.scalars(db.select(ChecklistAnswer))}
    assert answers[first.id].answer == Answer.NOT_COMPLIANT and answers[first.id].note == "Hai cán bộ không đeo thẻ"
    assert answers[third.id].answer == Answer.COMPLIANT and second.id not in answers
    answered = [event.details["item"] for event in events(onsite_case, "checklist.answered")]
    assert sorted(answered) == sorted([first.code, first.code, third.code]), "each change recorded once"
    expect(pending.locator(".save-state")).to_have_attribute("data-state", "saved")
    expect(pending).to_have_attribute("data-finding-id", str(finding.id))

    # Replaying the finding and the photo by hand (another tab, an old outbox) still creates nothing.
    replay = page.evaluate(
        """async ([clientId, fileClientId, fileId]) => {
            const config = JSON.parse(document.getElementById('onsite-config').textContent);
            const headers = {Accept: 'application/json', 'X-CSRFToken': config.csrfToken};
            const answer = async (response) => [response.status, await response.json()];
            const finding = await fetch(config.findingsUrl, {method: 'POST',
              headers: {...headers, 'Content-Type': 'application/json'},
              body: JSON.stringify({client_id: clientId, title: 'Again', severity: 'minor', area: 'procedures'})});
            const body = new FormData();
            body.append('client_id', fileClientId);
            body.append('file', new Blob(['not even an image']), 'again.jpg');
            const file = await fetch(config.photosUrl.replace('{id}', fileId), {method: 'POST', headers, body});
            return [await answer(finding), await answer(file)];
        }""",
        [finding.client_id, finding.files[0].client_id, finding.id],
    )
    assert replay[0][0] == 200 and replay[0][1]["id"] == finding.id and replay[0][1]["title"] == finding.title
    assert replay[1][0] == 200 and replay[1][1]["id"] == finding.files[0].id
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 1
    assert db.session.scalar(db.select(db.func.count(EvidenceFile.id))) == 1

    # Closing the tab and coming back: nothing left to send, the unfinished finding is still there.
    page.close()
    again = context.new_page()
    again.goto(f"{server_url}/inspections/{onsite_case.id}/onsite")
    again.wait_for_selector("#onsite[data-ready=true]")
    wait_until_all_sent(again)
    expect(again.locator("#finding-form [name=title]")).to_have_value("Bản nháp chưa gửi")


def test_a_photo_carries_the_location_only_when_the_inspector_allows_it(open_page, onsite_case, photo, server_url):
    page = open_page(768, 1024)
    context = page.context
    context.grant_permissions(["geolocation"], origin=server_url)
    context.set_geolocation(HAI_DUONG)
    open_onsite(page, onsite_case)
    expect(page.locator("#add-location")).not_to_be_checked()

    fill_finding(page, "Không có lịch tiếp công dân")
    add_draft_photo(page, photo("without.jpg"), 1)
    page.locator("#finding-form button[type=submit]").click()
    wait_until_all_sent(page)

    page.locator("#add-location").check()
    listed = page.locator("#finding-list .finding[data-finding-id]")
    expect(listed).to_have_count(1)
    listed.locator("input[type=file]").set_input_files(photo("with.jpg", size=(1200, 900)))
    expect(listed.locator(".thumb")).to_have_count(2)
    wait_until_all_sent(page)

    db.session.expire_all()
    [without, with_location] = db.session.scalars(db.select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert without.latitude is None and without.longitude is None
    assert with_location.latitude == pytest.approx(HAI_DUONG["latitude"])
    assert with_location.longitude == pytest.approx(HAI_DUONG["longitude"])
    with Image.open(stored_path(with_location.sha256)) as image:
        assert image.size == (1200, 900), "a photo already small enough keeps its size"

    page.reload()
    page.wait_for_selector("#onsite[data-ready=true]")
    expect(page.locator("#add-location")).to_be_checked()
    assert page.external_requests == []


def test_a_noisy_camera_photo_leaves_the_tablet_at_most_400_kb(open_page, onsite_case, tmp_path):
    page = open_page(768, 1024)
    open_onsite(page, onsite_case)
    dim_light = noisy_camera_photo(tmp_path / "dim-light.jpg", grain=40)
    static = noisy_camera_photo(tmp_path / "static.jpg", grain=None)
    assert dim_light.stat().st_size > 8_000_000 and static.stat().st_size > 11_000_000

    fill_finding(page, "Bảng niêm yết bị mờ, không đọc được")
    add_draft_photo(page, str(dim_light), 1)
    add_draft_photo(page, str(static), 2)
    page.locator("#finding-form button[type=submit]").click()
    listed = page.locator("#finding-list .finding[data-finding-id]")
    expect(listed.locator(".thumb[data-state=saved]")).to_have_count(2)

    db.session.expire_all()
    images = []
    for file in db.session.scalars(db.select(EvidenceFile).order_by(EvidenceFile.id)):
        path = stored_path(file.sha256)
        size = path.stat().st_size
        assert size <= 400_000, f"photo {len(images) + 1} is {size:,} bytes"
        with Image.open(path) as image:
            images.append((image.format, image.size))
    [(dim_format, dim_size), (static_format, static_size)] = images
    assert dim_format == static_format == "JPEG"
    assert dim_size == (1600, 1200), "a grainy photo keeps its pixels, at a lower quality"
    assert max(static_size) < 1600, "random pixels fit only with fewer of them"
    assert static_size[0] / static_size[1] == pytest.approx(4 / 3, abs=0.01), "the same shape"


def test_a_second_visit_loads_no_script_style_or_icon_from_the_server(open_page, onsite_case, app, monkeypatch):
    requested = []
    serve = app.wsgi_app

    def record(environ, start_response):
        requested.append(environ["PATH_INFO"])
        return serve(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", record)
    page = open_page(768, 1024)
    open_onsite(page, onsite_case)
    first_visit = {path for path in requested if path.startswith("/static/")}
    assert {"/static/js/onsite.js", "/static/css/app.css"} <= first_visit

    page.goto(f"{page.base_url}/")
    requested.clear()
    page.goto(f"{page.base_url}/inspections/{onsite_case.id}/onsite")
    page.wait_for_selector("#onsite[data-ready=true]")
    assert f"/inspections/{onsite_case.id}/onsite" in requested, "the page itself is never kept (a shared tablet)"
    assert [path for path in requested if path.startswith("/static/")] == []


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (1280, 800), (390, 844)])
def test_one_item_at_a_time_with_the_keyboard_on_a_tablet_and_a_phone(open_page, onsite_case, width, height):
    page = open_page(width, height)
    open_onsite(page, onsite_case)
    first, second, third = onsite_case.inspection.checklist_items
    assert_fits_a_finger_and_the_screen(page)
    screenshot(page, f"onsite-list-{width}")

    page.locator(".view-switch button[data-view=single]").click()
    expect(item_node(page, first)).to_be_visible()
    expect(item_node(page, second)).to_be_hidden()
    assert_fits_a_finger_and_the_screen(page)

    item_node(page, first).locator("button[value=compliant]").focus()
    page.keyboard.press("Enter")
    expect_state(page, first, "saved")
    page.locator("#next-item").click()
    expect(item_node(page, second)).to_be_visible()
    expect(item_node(page, first)).to_be_hidden()
    expect(item_node(page, second).locator("button[value=compliant]")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(item_node(page, second).locator("button[value=not_compliant]")).to_have_attribute("aria-pressed", "true")
    expect_state(page, second, "saved")
    expect(item_node(page, second).locator(".raise-for-item")).to_be_visible()
    screenshot(page, f"onsite-single-{width}")
    page.screenshot(path=str(ARTIFACTS / f"onsite-single-{width}-screen.png"))  # what the inspector sees at once
    assert_fits_a_finger_and_the_screen(page)

    page.reload()
    page.wait_for_selector("#onsite[data-ready=true]")
    expect(item_node(page, second)).to_be_visible()
    expect(item_node(page, third)).to_be_hidden()
    expect(page.locator("#progress")).to_have_attribute("value", "2")


def test_a_tablet_signed_out_keeps_its_changes_until_the_inspector_signs_in_again(open_page, onsite_case):
    page = open_page(768, 1024)
    open_onsite(page, onsite_case)
    first = onsite_case.inspection.checklist_items[0]
    page.context.clear_cookies()  # the session ended: it expired, or the inspector signed out elsewhere
    tap(page, first, Answer.COMPLIANT)
    expect(page.locator("#sync")).to_have_attribute("data-state", "auth")
    expect_state(page, first, "waiting")
    db.session.expire_all()
    assert not db.session.scalars(db.select(ChecklistAnswer)).all()

    page.locator("#sync a").click()
    sign_in(page, "inspector")
    page.wait_for_url(f"**/inspections/{onsite_case.id}/onsite")
    page.wait_for_selector("#onsite[data-ready=true]")
    wait_until_all_sent(page)
    expect_state(page, first, "saved")
    db.session.expire_all()
    [row] = db.session.scalars(db.select(ChecklistAnswer)).all()
    assert row.item_id == first.id and row.answer == Answer.COMPLIANT


def test_without_javascript_the_answers_and_the_finding_still_post_as_forms(browser, server_url, onsite_case):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/login")
        sign_in(page, "inspector")
        page.goto(f"{server_url}/inspections/{onsite_case.id}/onsite")
        first = onsite_case.inspection.checklist_items[0]
        item_node(page, first).locator("textarea").fill("Đủ thẻ")
        tap(page, first, Answer.COMPLIANT)
        page.wait_for_url(f"**/inspections/{onsite_case.id}/onsite#item-{first.id}")
        expect(item_node(page, first).locator("button[value=compliant]")).to_have_attribute("aria-pressed", "true")
        expect(page.locator(".view-switch")).to_be_hidden()
        fill_finding(page, "Ghi không cần JavaScript")
        page.locator("#finding-form button[type=submit]").click()
        page.wait_for_url(f"**/inspections/{onsite_case.id}/onsite")
        expect(page.locator("#finding-list .finding")).to_have_count(1)
    finally:
        context.close()
    db.session.expire_all()
    [row] = db.session.scalars(db.select(ChecklistAnswer)).all()
    assert row.answer == Answer.COMPLIANT and row.note == "Đủ thẻ"
    assert [f.title for f in db.session.scalars(db.select(Finding))] == ["Ghi không cần JavaScript"]


def test_a_change_the_server_refuses_stays_on_the_tablet_with_the_reason(open_page, onsite_case, do_task, people):
    """The inspector finished the visit from the office while the tablet, offline, still held a change."""
    page = open_page(768, 1024)
    context = page.context
    open_onsite(page, onsite_case)
    items = onsite_case.inspection.checklist_items
    for item in items:
        tap(page, item, Answer.COMPLIANT)
    wait_until_all_sent(page)
    context.set_offline(True)
    tap(page, items[0], Answer.NOT_COMPLIANT)
    expect_state(page, items[0], "waiting")

    do_task(onsite_case, "onsite", "inspector", {"confirmed": "y"}, user=people["inspector"])
    context.set_offline(False)

    problems = page.locator("#problem-list li")
    expect(problems).to_have_count(1)
    expect(problems.locator(".problem-message")).to_contain_text(
        "Chỉ thành viên đoàn đang kiểm tra tại hiện trường được trả lời danh mục."
    )
    expect_state(page, items[0], "failed")
    expect(page.locator("#sync")).to_have_attribute("data-state", "refused")
    expect(page.locator("#sync")).to_contain_text("Máy chủ không nhận 1 thay đổi")
    pressed = item_node(page, items[0]).locator("button[value=not_compliant]")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    screenshot(page, "onsite-refused-change-768")
    db.session.expire_all()
    stored = db.session.scalars(db.select(ChecklistAnswer).where(ChecklistAnswer.item_id == items[0].id)).one()
    assert stored.answer == Answer.COMPLIANT, "the refused change did not reach the server"

    # Kept until the inspector discards it, after a confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    problems.get_by_role("button", name="Hủy bỏ").click()
    expect(problems).to_have_count(0)
    expect(page.locator("#sync")).to_have_attribute("data-state", "idle")
    expect(item_node(page, items[0]).locator("button[value=compliant]")).to_have_attribute("aria-pressed", "true")


def test_two_members_answering_one_item_see_both_answers_and_choose(open_page, onsite_case, people):
    """The lead's page showed no answer to the first item when the inspector answered it: the lead's answer is
    refused, both are shown, and the lead keeps theirs. The inspector, whose page showed their own answer, is then
    refused in turn and takes the lead's. Nothing is replaced unseen."""
    lead, inspector = open_page(768, 1024), open_page(768, 1024)
    open_onsite(lead, onsite_case, "lead")
    open_onsite(inspector, onsite_case)
    first = onsite_case.inspection.checklist_items[0]
    tap(inspector, first, Answer.COMPLIANT)
    expect_state(inspector, first, "saved")

    tap(lead, first, Answer.NOT_COMPLIANT)
    conflict = item_node(lead, first).locator(".answer-conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".conflict-theirs")).to_contain_text("Người inspector")
    expect(conflict.locator(".conflict-theirs")).to_contain_text("Compliant")
    expect(conflict.locator(".conflict-mine")).to_contain_text("Not compliant")
    expect_state(lead, first, "failed")
    screenshot(lead, "onsite-conflict-768")
    conflict.locator("button").first.click()  # keep mine
    expect(conflict).to_be_hidden()
    expect_state(lead, first, "saved")
    expect(item_node(lead, first).locator(".answered-by")).to_contain_text("Người lead")
    member = lead.locator(f"#team-progress [data-member='{people['inspector'].id}'] .member-count")
    expect(member).to_have_text("1 of 3")
    wait_until_all_sent(lead)

    tap(inspector, first, Answer.NOT_APPLICABLE)
    theirs = item_node(inspector, first).locator(".answer-conflict")
    expect(theirs).to_be_visible()
    expect(theirs.locator(".conflict-theirs")).to_contain_text("Người lead")
    theirs.locator("button").last.click()  # take theirs
    expect(theirs).to_be_hidden()
    expect(item_node(inspector, first).locator("button[value=not_compliant]")).to_have_attribute("aria-pressed", "true")
    wait_until_all_sent(inspector)

    db.session.expire_all()
    [row] = db.session.scalars(db.select(ChecklistAnswer)).all()
    assert (row.answer, row.answered_by_id, row.lock_version) == (Answer.NOT_COMPLIANT, people["lead"].id, 2)
    assert [event.details["answer"] for event in events(onsite_case, "checklist.answered")] == [
        [None, "compliant"],
        ["compliant", "not_compliant"],
    ]
