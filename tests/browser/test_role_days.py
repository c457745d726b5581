"""A working day for each role, in a real Chromium on a touch tablet (768x1024) in Vietnamese, on the demo province.

Each person signs in (the only address typed) and reaches their work from the dashboard and the task list alone:
every later step is a tap on a link or button the app shows. One inspection goes from the director's decision through
planning, the visit, the minutes, the conclusion, the unit's remediation and its verification to closure, and the
auditor then finds it by its unit and reads its history. The officer of Nam Sách also self-assesses for PAR.

The taps are counted (typing into a field counts one tap, to focus it) and printed as a table at the end of the
module, to compare with the walk of issue 10; only a few counts are asserted, as guards against a regression."""

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from inspect_app.core.clock import today
from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEMO_PASSWORD
from inspect_app.models import Case, CaseStatus, FindingState, ParAssessment, ParStep
from tests.browser.conftest import save_screenshot
from tests.browser.test_onsite import wait_until_all_sent

pytestmark = [pytest.mark.browser, pytest.mark.long]

# Taps per role and step, in the order they were done; printed when the module ends.
TAP_COUNTS: dict[str, int] = {}
# What the walk of issue 10 counted for the same steps.
WALK = {
    "director: decides a new inspection": 9,
    "lead: plans and assigns the checklist": 2,
    "lead: answers their items on site": 19,
    "lead: verifies the remediation": 4,
}


class Taps:
    """What a person does on the page, counted: a tap on a link, button or choice is one, and so is typing into a
    field (the tap that focuses it)."""

    def __init__(self, page: Page, step: str):
        self.page, self.step, self.count = page, step, 0

    def tap(self, locator: Locator) -> None:
        locator.tap()
        self.count += 1

    def check(self, locator: Locator) -> None:
        locator.tap()
        expect(locator).to_be_checked()
        self.count += 1

    def choose(self, select: Locator, *values: str) -> None:
        """Pick one option of a select (several of a multiple one, one tap each)."""
        select.select_option(list(values) if len(values) > 1 else values[0])
        self.count += len(values)

    def type(self, field: Locator, text: str) -> None:
        field.fill(text)
        self.count += 1

    def files(self, field: Locator, *paths) -> None:
        """Choose files: one tap opens the picker, one picks the file (a camera shot is as many)."""
        field.set_input_files(list(paths))
        self.count += 2

    def __enter__(self) -> "Taps":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            TAP_COUNTS[self.step] = self.count


@pytest.fixture(scope="module", autouse=True)
def tap_table(tmp_path_factory):
    """At the end of the module, the counts as a table: printed (pytest -s) and kept in a file of the run."""
    yield
    if not TAP_COUNTS:
        return
    width = max(len(step) for step in TAP_COUNTS)
    lines = [f"{'step':<{width}}  taps  walk (issue 10)"]
    for step, count in TAP_COUNTS.items():
        walk = WALK.get(step)
        lines.append(f"{step:<{width}}  {count:>4}  {walk if walk is not None else ''}")
    table = "\n".join(lines)
    path = tmp_path_factory.mktemp("taps") / "role_day_taps.txt"
    path.write_text(table + "\n", encoding="utf-8")
    print(f"\nTaps per role and step ({path}):\n{table}")


def no_address_typed(*args, **kwargs):
    raise AssertionError("after signing in, every page is reached by a tap, never by typing its address")


def start_day(open_page, who: str) -> Page:
    """A fresh tablet, signed in as `who` on the sign-in page (the one address typed); the dashboard is open."""
    page = open_page(768, 1024, touch=True)
    page.goto(f"{page.base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(who)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.wait_for_url(f"{page.base_url}/")
    page.goto = no_address_typed
    return page


def heading(page: Page, text: str) -> Locator:
    return page.get_by_role("heading", name=text, exact=True)


def task_link(page: Page, case: Case, title: str) -> Locator:
    """The row of a task list (dashboard, my tasks, a case's open tasks) that opens this case's task."""
    return page.locator("a.case-link").filter(has_text=case.reference).filter(has_text=title)


def new_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


def test_an_inspection_from_the_decision_to_its_closure_as_each_role_does_their_day(open_page, demo, tmp_path):
    day = today()

    # --- the director decides a new inspection of Huyện Nam Sách ------------------------------------------------------
    page = start_day(open_page, "director")
    with Taps(page, "director: decides a new inspection") as taps:
        taps.tap(page.get_by_role("link", name="Cuộc kiểm tra mới"))
        expect(heading(page, "Cuộc kiểm tra mới")).to_be_visible()
        taps.type(page.get_by_label("Số quyết định"), "215/QĐ-SNV")
        expect(page.get_by_label("Ngày quyết định")).to_have_value(day.isoformat())  # signed today, as it says
        taps.type(page.get_by_label("Tiêu đề"), "Kiểm tra công vụ tại Huyện Nam Sách")
        taps.type(page.get_by_role("combobox", name="Đơn vị được kiểm tra"), "nam sach")
        taps.tap(page.get_by_role("option", name="Huyện Nam Sách", exact=True))
        taps.check(page.get_by_label("Chế độ công vụ"))
        taps.check(page.get_by_label("Thủ tục hành chính"))
        taps.type(page.get_by_label("Dự kiến bắt đầu"), day.isoformat())
        taps.type(page.get_by_label("Dự kiến kết thúc"), (day + timedelta(days=1)).isoformat())
        taps.choose(page.get_by_label("Thành viên đoàn"), "Lê Minh Tuấn")
        save_screenshot(page, "role-day-director-decision")
        taps.tap(page.get_by_role("button", name="Ban hành quyết định và mở hồ sơ"))
        expect(page.locator(".flash-success")).to_be_visible()
    case = new_case()
    assert case.subject_unit.code == "HD-NS" and case.inspection.planned_start == day
    save_screenshot(page, "role-day-director-case")

    # --- the lead plans the visit and gives out the checklist -------------------------------------------------------
    lead = start_day(open_page, "lead")
    with Taps(lead, "lead: plans and assigns the checklist") as taps:
        taps.tap(task_link(lead, case, "Lập kế hoạch kiểm tra"))
        taps.type(lead.get_by_label("Lịch làm việc"), "Sáng thứ Hai làm việc tại Bộ phận một cửa từ 7 giờ 30")
        # The proposal spreads whole areas over the team; the lead gives the inspector one more.
        taps.choose(lead.locator("#area_organisation"), "inspector")
        taps.tap(lead.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(lead.locator(".flash-success")).to_be_visible()

    # --- the inspector answers their items and raises a finding ----------------------------------------------------
    inspector = start_day(open_page, "inspector")
    with Taps(inspector, "inspector: answers their items on site") as taps:
        visit(inspector, taps, case, not_compliant=1)
    save_screenshot(inspector, "role-day-inspector-on-site")
    with Taps(inspector, "inspector: finishes their visit") as taps:
        finish_visit(inspector, taps)
    db.session.expire_all()
    (finding,) = case.findings
    finding_title = finding.title

    # --- the lead answers theirs and writes the minutes ------------------------------------------------------------
    with Taps(lead, "lead: answers their items on site") as taps:
        taps.tap(lead.get_by_role("link", name="Bảng điều khiển", exact=True))
        visit(lead, taps, case)
    with Taps(lead, "lead: finishes their visit") as taps:
        finish_visit(lead, taps)
    with Taps(lead, "lead: consolidates the findings in the minutes") as taps:
        taps.tap(lead.get_by_role("link", name="Bảng điều khiển", exact=True))
        taps.tap(task_link(lead, case, "Tổng hợp phát hiện"))
        taps.tap(lead.get_by_role("button", name="Giữ trong biên bản"))
        expect(lead.locator(".task-done")).to_be_visible()
        taps.type(lead.get_by_label("Thủ trưởng đơn vị ký biên bản"), "Nguyễn Văn Bình")
        taps.type(lead.get_by_label("Ký lúc"), f"{day.isoformat()}T16:30")
        taps.tap(lead.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(lead.locator(".flash-success")).to_be_visible()

    # --- the director approves the conclusion ---------------------------------------------------------------------
    with Taps(page, "director: approves the conclusion") as taps:
        taps.tap(page.get_by_role("link", name="Bảng điều khiển", exact=True))
        taps.tap(task_link(page, case, "Phê duyệt kết luận"))
        expect(page.locator(".task-context .finding")).to_have_count(1)
        decision = page.get_by_label("Quyết định", exact=True)
        expect(decision).to_have_value("")  # nothing is decided for the director
        taps.choose(decision, "approve")
        taps.type(
            page.get_by_label("Kết luận", exact=True), "Đơn vị cơ bản chấp hành tốt; cần chấn chỉnh giờ giấc làm việc."
        )
        taps.tap(page.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(page.locator(".flash-success")).to_be_visible()

    # --- the unit's officer reports the remediation, with a photo -------------------------------------------------
    officer = start_day(open_page, "officer")
    with Taps(officer, "officer: reports the remediation with evidence") as taps:
        taps.tap(task_link(officer, case, "Báo cáo kết quả khắc phục"))
        taps.type(
            officer.get_by_label("Những việc đã làm"),
            "Đã kiểm điểm 2 công chức; chấm công bằng vân tay từ 01/12 (ảnh kèm theo).",
        )
        taps.files(officer.get_by_label("Tài liệu kiểm chứng (ảnh hoặc PDF)"), photo(tmp_path))
        taps.tap(officer.get_by_role("button", name="Gửi báo cáo"))
        expect(officer.locator(".flash-success")).to_be_visible()
        taps.check(officer.get_by_label("Chúng tôi đã báo cáo khắc phục mọi tồn tại"))
        taps.tap(officer.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(officer.locator(".flash-success")).to_be_visible()

    # --- the lead verifies it, the unit's photo in view -------------------------------------------------------------
    with Taps(lead, "lead: verifies the remediation") as taps:
        taps.tap(lead.get_by_role("link", name="Bảng điều khiển", exact=True))
        taps.tap(task_link(lead, case, "Thẩm tra kết quả khắc phục"))
        evidence = lead.locator(".report-side .thumb img")
        expect(evidence).to_be_visible()
        # A lazy image loads a moment after it is laid out: wait for it to load or fail, then ask if it decoded.
        loaded = evidence.evaluate(
            """img => img.complete ? img.naturalWidth > 0 : new Promise(done => {
                img.addEventListener("load", () => done(img.naturalWidth > 0));
                img.addEventListener("error", () => done(false));
            })"""
        )
        assert loaded, "the photo shows"
        expect(lead.locator(".report-side .unit-report")).to_contain_text("Đã kiểm điểm 2 công chức")
        verdicts = lead.locator(".verdict input[type=radio]")
        expect(verdicts).to_have_count(2)
        for index in range(2):
            expect(verdicts.nth(index)).not_to_be_checked()  # the lead chooses, after seeing the report
        taps.check(lead.get_by_role("radio", name="Chấp nhận", exact=True))
        taps.tap(lead.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(lead.locator(".flash-success")).to_be_visible()

    # --- the director closes the case -------------------------------------------------------------------------------
    with Taps(page, "director: closes the case") as taps:
        taps.tap(page.get_by_role("link", name="Bảng điều khiển", exact=True))
        taps.tap(task_link(page, case, "Kết thúc cuộc kiểm tra"))
        taps.tap(page.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(page.locator(".flash-success")).to_be_visible()
    # Guards, not measures: the lead answers only their own items now (the walk's lead answered all 16 again), and
    # verifying one finding takes no more taps than the walk's, with no verdict chosen for the lead.
    assert TAP_COUNTS["lead: answers their items on site"] < WALK["lead: answers their items on site"]
    assert TAP_COUNTS["lead: verifies the remediation"] <= WALK["lead: verifies the remediation"]
    db.session.expire_all()
    assert case.status == CaseStatus.CLOSED
    assert [finding.state for finding in case.findings] == [FindingState.ACCEPTED]

    # --- the auditor finds the case by its unit and reads its history -----------------------------------------------
    auditor = start_day(open_page, "auditor")
    with Taps(auditor, "auditor: finds the case by its unit and reads its history") as taps:
        taps.tap(auditor.locator("#section-auditor").get_by_role("link", name="Tra cứu lịch sử"))
        taps.choose(auditor.get_by_label("Đơn vị (và các đơn vị trực thuộc)"), str(case.subject_unit_id))
        taps.tap(auditor.get_by_role("button", name="Tìm kiếm"))
        taps.tap(auditor.locator(".event-case a").filter(has_text=case.reference).first)
        history = auditor.locator(".history-events")
        expect(history.locator("> li").first).to_contain_text("Đóng hồ sơ")
        expect(history).to_contain_text("Hoàn thành nhiệm vụ: Kết thúc cuộc kiểm tra")
        expect(history).to_contain_text(f"Thẩm tra kết quả khắc phục: {finding_title}")
        expect(history).to_contain_text("Được chấp nhận")
        expect(history).to_contain_text(f"Đã báo cáo khắc phục: {finding_title}")
        expect(history).to_contain_text("Bổ sung tài liệu kiểm chứng: niem-yet.jpg")
        save_screenshot(auditor, "role-day-auditor-history")
        taps.tap(auditor.get_by_role("link", name="Cũ hơn"))
        expect(history).to_contain_text(f"Ghi nhận phát hiện: {finding_title}")
        expect(history).to_contain_text("Phân công danh mục cho đoàn")
        expect(history).to_contain_text("Quyết định kiểm tra: 215/QĐ-SNV")
        expect(history.locator("> li").last).to_contain_text("Mở hồ sơ: Kiểm tra công vụ tại Huyện Nam Sách")


def visit(page: Page, taps: Taps, case: Case, not_compliant: int = 0) -> None:
    """From the dashboard onto the on-site screen; answer one's own items, the first `not_compliant` of them not
    compliant with a finding raised for each."""
    today_row = page.locator("#section-inspector li").filter(has_text=case.reference)
    taps.tap(today_row.get_by_role("link", name="Mở danh mục kiểm tra"))
    page.wait_for_selector("#onsite[data-ready=true]")
    mine = page.locator("section.checklist-group").first.locator("article.check-item")
    for index in range(mine.count()):
        item = mine.nth(index)
        if index < not_compliant:
            taps.type(item.locator("textarea"), "2 công chức vắng không có lý do")
            taps.tap(item.locator("button.answer[value=not_compliant]"))
            taps.tap(item.locator(".raise-for-item"))
            form = page.locator("#finding-form")
            taps.choose(form.get_by_label("Mức độ"), "major")
            taps.type(form.get_by_label("Yêu cầu khắc phục"), "Kiểm điểm, chấn chỉnh kỷ luật giờ giấc; báo cáo kết quả")
            taps.tap(form.get_by_role("button", name="Ghi nhận phát hiện"))
        else:
            taps.tap(item.locator("button.answer[value=compliant]"))
        expect(item.locator(".save-state")).to_have_attribute("data-state", "saved")
    wait_until_all_sent(page)


def finish_visit(page: Page, taps: Taps) -> None:
    taps.tap(page.get_by_role("link", name="Hoàn thành phần kiểm tra của tôi"))
    taps.check(page.get_by_label("Tôi đã hoàn thành danh mục kiểm tra và các phát hiện"))
    taps.tap(page.get_by_role("button", name="Hoàn thành nhiệm vụ"))
    expect(page.locator(".flash-success")).to_be_visible()


def photo(tmp_path) -> str:
    """A photo of the notice board, as a tablet's camera would give it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (235, 235, 225))
    draw = ImageDraw.Draw(image)
    for row in range(5):
        draw.rectangle([100, 100 + row * 150, 1100, 200 + row * 150], fill=(40, 90, 160))
    path = tmp_path / "niem-yet.jpg"
    image.save(path, "JPEG", quality=85)
    return str(path)


def test_the_officer_of_nam_sach_finishes_the_self_assessment_for_par(open_page, demo):
    """Half the sheet was scored on an earlier day: the task lists what is still needed, each item one tap from its
    place on the sheet; the officer scores each, notes how where no evidence is attached, and submits."""
    par = nam_sach_self_assessment()
    needed = [score for score in sorted(par.scores, key=lambda s: s.criterion.position) if still_needed(score)]
    assert needed, "the demo leaves part of the sheet to the officer"

    officer = start_day(open_page, "officer")
    with Taps(officer, "officer: self-assesses for PAR") as taps:
        taps.tap(task_link(officer, par.case, "Tự đánh giá"))
        todo = officer.locator(".task-context .score-list:not(.flagged) a")
        expect(todo).to_have_count(len(needed))
        taps.tap(todo.first)
        for score in needed:
            item = officer.locator(f"#c-{score.criterion_id}")
            taps.type(item.get_by_label("Điểm tự chấm"), decimal_comma(score.criterion.max_points))
            if score.criterion.evidence_required and not score.files:
                taps.type(item.get_by_label("Cách chấm điểm"), "Đã đối chiếu hồ sơ lưu tại Văn phòng HĐND-UBND huyện")
            taps.tap(item.get_by_role("button", name="Lưu"))
            expect(officer.locator(".flash-success")).to_have_text(f"Đã lưu: {score.criterion.code}.")
        taps.tap(officer.locator(".your-task a"))
        expect(officer.locator(".task-context .task-done")).to_be_visible()
        taps.check(officer.get_by_label("Đơn vị đã hoàn thành tự đánh giá"))
        taps.tap(officer.get_by_role("button", name="Hoàn thành nhiệm vụ"))
        expect(officer.locator(".flash-success")).to_be_visible()
    db.session.expire_all()
    assert par.submitted_at is not None
    assert not par.case.has_open_step(ParStep.SELF_ASSESSMENT)


def nam_sach_self_assessment() -> ParAssessment:
    assessments = db.session.scalars(select(ParAssessment).where(ParAssessment.case_id.isnot(None)))
    return next(
        par for par in assessments if par.unit.code == "HD-NS" and par.case.has_open_step(ParStep.SELF_ASSESSMENT)
    )


def still_needed(score) -> bool:
    missing_evidence = score.criterion.evidence_required and not score.files and not score.self_note.strip()
    return score.self_score is None or missing_evidence


def decimal_comma(points) -> str:
    """Points as a Vietnamese user types them: 1,5 (and 2, not 2,00)."""
    return format(points.normalize(), "f").replace(".", ",")
