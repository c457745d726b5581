"""Demo inspection cases at different stages, so that a new user sees a living system.

Each case is driven through the real services as its real users, on a clock set back in time, so its history,
tasks, deadlines and timers are exactly what using the app would have produced."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from inspect_app.checklists.samples import load_sample_checklists
from inspect_app.core.clock import EXTENSION_KEY
from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.inspections import answers
from inspect_app.inspections import services as inspections
from inspect_app.inspections.steps import (
    ClosureInput,
    ConclusionInput,
    MinutesInput,
    OnsiteInput,
    PlanInput,
    RemediationInput,
    VerificationInput,
)
from inspect_app.models import Answer, Case, CaseType, ContentArea, HumanTask, OrgUnit, Severity, User
from inspect_app.processes.services import deploy_bpmn
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.services import complete_task

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


class DemoClock:
    """The time the demo story is at; it only moves forward when the story says so."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> None:
        self.now = moment


def deploy_processes(progress: Callable[[str], None]) -> None:
    """Deploy every process in bpmn/ (unchanged files make no new version)."""
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        definition, created = deploy_bpmn(path.read_bytes(), path.name, actor=None)
        progress(f"process {definition.process_id} v{definition.version}{'' if created else ' (unchanged)'}")


def load_demo_cases(progress: Callable[[str], None] = lambda message: None) -> int:
    """Create the demo inspections once (a database that already has inspections is left alone)."""
    deploy_processes(progress)
    template = load_sample_checklists()[0]
    if db.session.scalar(select(func.count(Case.id)).where(Case.case_type == CaseType.INSPECTION)):
        progress("inspection cases already present; none added")
        return 0
    users = {u.username: u for u in db.session.scalars(select(User))}
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    now = utc_now()
    story = DemoClock(now)
    current_app.extensions[EXTENSION_KEY] = story
    try:
        _closed_and_remediated(story, now - timedelta(days=75), users, units["HD-NS"], template)
        progress("a closed inspection of Huyện Nam Sách, remediation accepted")
        _in_remediation(story, now - timedelta(days=26), users, units["HD-SGTVT"], template)
        progress("an inspection of Sở Giao thông vận tải waiting for the unit's remediation")
        _awaiting_conclusion(story, now - timedelta(days=9), users, units["HD-TPHD"], template)
        progress("an inspection of Thành phố Hải Dương waiting for the director's conclusion")
        _on_site_today(story, now - timedelta(days=6), users, units["HD-TXKM"], template)
        progress("an inspection of Thị xã Kinh Môn on site today")
        _just_decided(story, now - timedelta(hours=3), users, units["HD-NG"], template)
        progress("an unannounced inspection of Huyện Ninh Giang just decided")
    finally:
        current_app.extensions.pop(EXTENSION_KEY, None)
    return 5


def _decide(story, start, users, unit, template, title, members=("inspector",), announced=True, days_to_visit=7):
    story.at(start)
    visit = start.date() + timedelta(days=days_to_visit)
    return inspections.open_inspection(
        actor=users["director"],
        unit=unit,
        title=title,
        decision_number=f"{start:%j}/QĐ-SNV",
        decision_date=start.date(),
        scope=[ContentArea.CIVIL_SERVICE, ContentArea.PROCEDURES, ContentArea.E_GOVERNMENT],
        planned_start=visit,
        planned_end=visit + timedelta(days=1),
        is_announced=announced,
        template=template,
        lead=users["lead"],
        members=[users[name] for name in members],
    )


def _open_task(case: Case, bpmn_id: str, actor: User) -> HumanTask:
    return next(t for t in case.open_tasks if t.bpmn_id == bpmn_id and t.claimed_by_id in (None, actor.id))


def _do(case: Case, bpmn_id: str, actor: User, data: StepInput) -> None:
    complete_task(_open_task(case, bpmn_id, actor), actor=actor, data=data)


def _plan(story, case, users, when, **areas):
    """The lead's plan; `areas` gives content areas to members by username (the proposal for the others)."""
    story.at(when)
    note = "Làm việc tại Bộ phận một cửa từ 7 giờ 30; kiểm tra hồ sơ trễ hạn."
    task = _open_task(case, "plan", users["lead"])
    plan = PlanInput.model_for(task)(schedule_note=note, **{f"area_{area}": who for area, who in areas.items()})
    complete_task(task, actor=users["lead"], data=plan)


# Who checks what in the cases below: the inspector the one-stop office's procedures (where the findings are).
TWO_PEOPLE = {"procedures": "inspector", "e_government": "inspector", "civil_service": "lead"}
THREE_PEOPLE = {"procedures": "inspector", "civil_service": "inspector2", "organisation": "inspector2"}


def _visit(story, case, users, who, when, findings=(), not_compliant=()):
    """`who` answers their checklist items, raises `findings` and finishes their visit."""
    story.at(when)
    actor = users[who]
    people = answers.assignees(case)
    for item in case.inspection.checklist_items:
        if people[item.id].id != actor.id:
            continue
        answer = Answer.NOT_COMPLIANT if item.code in not_compliant else Answer.COMPLIANT
        answers.save_answer(case, item, actor=actor, answer=answer, note="", captured_at=when)
    raised = []
    for title, item_code, remediation in findings:
        item = next(i for i in case.inspection.checklist_items if i.code == item_code)
        finding, _created = inspections.raise_finding(
            case,
            actor=actor,
            title=title,
            description=f"Ghi nhận tại {case.subject_unit.name}.",
            severity=Severity.MAJOR if remediation else Severity.OBSERVATION,
            area=item.area,
            remediation_required=remediation,
            item=item,
            captured_at=when,
        )
        raised.append(finding)
    _do(case, "onsite", actor, OnsiteInput(confirmed=True))
    return raised


def _minutes(story, case, users, when, deadlines: dict[int, date] | None = None):
    story.at(when)
    for finding in case.findings:
        inspections.keep_finding(finding, actor=users["lead"])
        if deadlines and finding.id in deadlines:
            inspections.edit_finding(
                finding, actor=users["lead"], deadline=deadlines[finding.id], owner="Chánh Văn phòng"
            )
    minutes = MinutesInput(
        unit_comments="Đơn vị thống nhất với nội dung biên bản.",
        unit_head_name="Ông Nguyễn Văn Bình",
        acknowledged_at=when,
    )
    _do(case, "minutes", users["lead"], minutes)


def _conclude(story, case, users, when):
    story.at(when)
    summary = "Đơn vị cơ bản thực hiện nghiêm kỷ luật, kỷ cương hành chính; còn một số tồn tại cần khắc phục."
    _do(case, "conclusion", users["director"], ConclusionInput(decision="approve", summary=summary))


ONE_STOP_FINDINGS = [
    (
        "Chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận một cửa",
        "TT-01",
        "Niêm yết đầy đủ, cập nhật các thủ tục hành chính đã được công bố.",
    ),
    ("Hồ sơ trễ hạn chưa có phiếu xin lỗi", "TT-03", "Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả cho công dân."),
]


def _closed_and_remediated(story, start, users, unit, template):
    case = _decide(story, start, users, unit, template, "Kiểm tra công vụ tại Huyện Nam Sách")
    _plan(story, case, users, start + timedelta(days=1), **TWO_PEOPLE)
    _visit(story, case, users, "lead", start + timedelta(days=7))
    findings = _visit(
        story,
        case,
        users,
        "inspector",
        start + timedelta(days=7, hours=2),
        ONE_STOP_FINDINGS[:1],
        not_compliant=("TT-01",),
    )
    _minutes(story, case, users, start + timedelta(days=8))
    _conclude(story, case, users, start + timedelta(days=14))
    story.at(start + timedelta(days=30))
    for finding in findings:
        inspections.submit_report(
            finding, actor=users["officer"], text="Đã niêm yết đầy đủ 215 thủ tục hành chính tại Bộ phận một cửa."
        )
    _do(case, "remediation", users["officer"], RemediationInput(confirmed=True))
    story.at(start + timedelta(days=33))
    verification = _open_task(case, "verification", users["lead"])
    verdicts = VerificationInput.model_for(verification)(**{f"verdict_{f.id}": "accepted" for f in findings})
    complete_task(verification, actor=users["lead"], data=verdicts)
    story.at(start + timedelta(days=34))
    _do(case, "closure", users["director"], ClosureInput(reason=""))


def _in_remediation(story, start, users, unit, template):
    case = _decide(
        story,
        start,
        users,
        unit,
        template,
        "Kiểm tra công vụ tại Sở Giao thông vận tải",
        members=("inspector", "inspector2"),
    )
    _plan(story, case, users, start + timedelta(days=1), **THREE_PEOPLE)
    _visit(story, case, users, "lead", start + timedelta(days=5))
    _visit(story, case, users, "inspector2", start + timedelta(days=5, hours=1))
    _visit(
        story,
        case,
        users,
        "inspector",
        start + timedelta(days=5, hours=2),
        ONE_STOP_FINDINGS,
        not_compliant=("TT-01", "TT-02"),
    )
    soon = (start + timedelta(days=28)).date()
    _minutes(
        story,
        case,
        users,
        start + timedelta(days=6),
        deadlines={f.id: soon for f in case.findings},
    )
    _conclude(story, case, users, start + timedelta(days=10))


def _awaiting_conclusion(story, start, users, unit, template):
    case = _decide(story, start, users, unit, template, "Kiểm tra công vụ tại Thành phố Hải Dương")
    _plan(story, case, users, start + timedelta(days=1), **TWO_PEOPLE)
    _visit(story, case, users, "lead", start + timedelta(days=6))
    _visit(
        story,
        case,
        users,
        "inspector",
        start + timedelta(days=6, hours=1),
        ONE_STOP_FINDINGS[1:],
        not_compliant=("TT-02",),
    )
    _minutes(story, case, users, start + timedelta(days=7))


def _on_site_today(story, start, users, unit, template):
    """The lead accepted the proposed assignment; the inspectors have begun with their own items, the lead not yet."""
    case = _decide(
        story,
        start,
        users,
        unit,
        template,
        "Kiểm tra công vụ tại Thị xã Kinh Môn",
        members=("inspector", "inspector2"),
        days_to_visit=6,
    )
    _plan(story, case, users, start + timedelta(days=1))
    story.at(start + timedelta(days=6))
    people = answers.assignees(case)
    for who, count in (("inspector", 3), ("inspector2", 2)):
        for item in [item for item in case.inspection.checklist_items if people[item.id].id == users[who].id][:count]:
            answers.save_answer(case, item, actor=users[who], answer=Answer.COMPLIANT, note="", captured_at=story.now)


def _just_decided(story, start, users, unit, template):
    _decide(
        story, start, users, unit, template, "Kiểm tra đột xuất tại Huyện Ninh Giang", announced=False, days_to_visit=2
    )
