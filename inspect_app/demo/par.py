"""Demo PAR rounds: last year's, approved, ranked and closed, and this year's, in progress at every step.

Like the demo inspections, every case is driven through the real services as its real users on a clock set back in
time. Last year's final indexes follow the shape of Hai Duong's published 2021 results (Sở GTVT first, Sở KH&CN
second, TP Hải Dương and Nam Sách tied at the top of the districts, Ninh Giang last); the scores behind them are made
up, item by item, so that each unit's index comes out exactly at its target."""

import csv
import io
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select, update

from inspect_app.core.clock import EXTENSION_KEY
from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.criteria.samples import load_sample_criteria_sets
from inspect_app.demo.cases import BPMN_DIR, DemoClock
from inspect_app.demo.organisation import DEMO_PASSWORD, DEPARTMENTS, DISTRICTS
from inspect_app.models import (
    Case,
    CaseType,
    Finding,
    FindingState,
    Notification,
    OrgUnit,
    ParAssessment,
    ParRound,
    ParStep,
    Role,
    User,
)
from inspect_app.models.users import hash_password
from inspect_app.par import services
from inspect_app.par import survey as survey_import
from inspect_app.par.steps import (
    ApprovalInput,
    ConsolidationInput,
    ExplanationInput,
    FirstAppraisalInput,
    SecondAppraisalInput,
    SelfAssessmentInput,
)
from inspect_app.processes.services import deploy_bpmn
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.services import complete_task
from inspect_app.tasks.timers import claim_due_timer, fire_timer
from inspect_app.workflow_bridge import latest_definition

QUARTER = Decimal("0.25")
CENTS = Decimal("0.01")
# Survey components and their share of the survey maximum (DOMAIN.md: leaders and civil servants 10, SIPAS 20).
SURVEY_COMPONENTS = (("Lãnh đạo, công chức", Decimal(1) / 3), ("SIPAS", Decimal(2) / 3))

# Last year's final index per unit: the shape of the published 2021 results.
PREVIOUS_INDEX = {
    "HD-SGTVT": "91.53",
    "HD-SKHCN": "90.33",
    "HD-SNV": "89.12",
    "HD-STTTT": "88.47",
    "HD-VPUBND": "87.95",
    "HD-STC": "87.20",
    "HD-SKHDT": "86.64",
    "HD-STP": "86.05",
    "HD-SXD": "85.31",
    "HD-SYT": "84.76",
    "HD-SNNPTNT": "84.02",
    "HD-SGDDT": "83.58",
    "HD-STNMT": "82.91",
    "HD-SCT": "82.37",
    "HD-SLDTBXH": "81.64",
    "HD-TTT": "80.85",
    "HD-SVHTTDL": "79.96",
    "HD-BQLKCN": "78.42",
    "HD-TPHD": "85.86",
    "HD-NS": "85.86",
    "HD-TPCL": "84.93",
    "HD-CG": "84.10",
    "HD-KT": "83.47",
    "HD-GL": "82.75",
    "HD-TXKM": "82.06",
    "HD-BG": "81.32",
    "HD-TK": "80.58",
    "HD-TH": "79.74",
    "HD-TM": "78.61",
    "HD-NG": "76.95",
}
# Bonus and penalty points last year (unit code: points, reason).
PREVIOUS_ADJUSTMENTS = {
    "HD-SGTVT": [
        ("0.50", "Sáng kiến CCHC \u201cmột cửa liên thông đăng ký phương tiện\u201d được UBND tỉnh công nhận.")
    ],
    "HD-SKHCN": [("0.25", "Mô hình số hóa hồ sơ khoa học được nhân rộng.")],
    "HD-NG": [("-0.50", "Chậm gửi báo cáo CCHC quý III và quý IV.")],
    "HD-SVHTTDL": [("-0.25", "Tỷ lệ hồ sơ trễ hạn quý IV vượt mức cho phép.")],
}
LATE_UNIT = "HD-TM"  # misses the self-assessment deadline: its scores are locked as they were
RETURNED_UNIT = "HD-BG"  # the council returns it once to the lead before approving
NOTES = (
    "Kèm theo quyết định, báo cáo của đơn vị; bản gốc lưu tại văn thư.",
    "Số liệu trích từ Hệ thống thông tin giải quyết TTHC của tỉnh.",
    "Hồ sơ kiểm chứng gửi kèm báo cáo CCHC năm.",
)
FLAG_COMMENTS = (
    "Chưa có tài liệu kiểm chứng đầy đủ.",
    "Số liệu chưa khớp với báo cáo năm.",
    "Đề nghị giải trình thêm.",
)
EXPLANATIONS = (
    "Đơn vị bổ sung quyết định và báo cáo kèm theo; số liệu đã đối chiếu với hệ thống.",
    "Báo cáo quý IV đã gửi đúng hạn qua hệ thống văn bản điện tử; gửi kèm bản chụp.",
)


def load_demo_par(progress: Callable[[str], None] = lambda message: None) -> int:
    """Create last year's and this year's demo rounds once (a database that has PAR rounds is left alone)."""
    if db.session.scalar(select(func.count(ParRound.id))):
        progress("PAR rounds already present; none added")
        return 0
    _deploy_process()
    now = utc_now().replace(microsecond=0)
    users = {u.username: u for u in db.session.scalars(select(User))}
    codes = [code for code, _name in DEPARTMENTS + DISTRICTS]
    units = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    officers = _unit_officers([units[code] for code in codes])
    progress(f"{officers} PAR officers for units without one (password {DEMO_PASSWORD!r})")
    story = DemoClock(now)
    current_app.extensions[EXTENSION_KEY] = story
    try:
        _previous_round(story, now, users, [units[code] for code in codes])
        progress(f"PAR round {now.year - 1}: {len(codes)} units appraised, approved and ranked; the round closed")
        count = _current_round(story, now, users, units)
        progress(f"PAR round {now.year}: {count} units in progress, one at each step")
    finally:
        current_app.extensions.pop(EXTENSION_KEY, None)
    return 2


def _deploy_process() -> None:
    if latest_definition(services.PROCESS_ID) is None:
        path = BPMN_DIR / f"{services.PROCESS_ID}.bpmn"
        deploy_bpmn(path.read_bytes(), path.name, actor=None)


def _unit_officers(units: list[OrgUnit]) -> int:
    """A PAR officer (cán bộ đầu mối CCHC) for every unit that has no unit officer yet."""
    staffed = set(db.session.scalars(select(User.unit_id).where(User.role_assignments.any(role=Role.UNIT_OFFICER))))
    password_hash = None
    created = 0
    for unit in units:
        if unit.id in staffed:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        username = "cchc-" + unit.code.removeprefix("HD-").lower()
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, full_name=f"Đầu mối CCHC – {unit.name}", unit=unit)
            user.password_hash = password_hash
            db.session.add(user)
        user.grant(Role.UNIT_OFFICER)
        created += 1
    db.session.flush()
    return created


# --- scores ----------------------------------------------------------------------------------------------------------


def _quarter(value: Decimal) -> Decimal:
    return (value / QUARTER).quantize(Decimal(1)) * QUARTER


def plan_scores(criteria_set, target: Decimal, adjustments: Decimal, rnd: random.Random) -> tuple[dict, list]:
    """Final points per sub-criterion and the survey components, adding up exactly to the target index."""
    subs = criteria_set.sub_criteria
    criteria_max = sum((s.max_points for s in subs), Decimal(0))
    maximum = criteria_max + criteria_set.survey_max
    target_total = (target * maximum / 100).quantize(CENTS)
    share = target / 100
    survey = (criteria_set.survey_max * min(share + Decimal(rnd.uniform(-0.05, 0.03)), Decimal("0.97"))).quantize(CENTS)
    needed = target_total - survey - adjustments
    ratio = needed / criteria_max
    spread = 0.04 if target >= 90 else 0.12
    final = {}
    for sub in subs:
        fraction = min(max(ratio + Decimal(rnd.uniform(-spread, spread)), Decimal(0)), Decimal(1))
        final[sub.code] = min(_quarter(sub.max_points * fraction), sub.max_points)
    by_code = {s.code: s for s in subs}
    difference = needed - sum(final.values(), Decimal(0))
    codes = list(final)
    while abs(difference) >= QUARTER:
        step = QUARTER if difference > 0 else -QUARTER
        rnd.shuffle(codes)
        code = next(c for c in codes if Decimal(0) <= final[c] + step <= by_code[c].max_points)
        final[code] += step
        difference -= step
    survey += difference  # the cents the quarter points cannot carry
    components, left = [], survey
    for position, (name, weight) in enumerate(SURVEY_COMPONENTS):
        points = left if position == len(SURVEY_COMPONENTS) - 1 else (survey * weight).quantize(CENTS)
        components.append((name, points))
        left -= points
    return final, components


def _story_scores(final: dict, criteria_set, rnd: random.Random, flags: int) -> dict[str, dict]:
    """What each stage gave each item: units overrate some items; round 1 flags a few and marks them down."""
    plan = {}
    flagged = set(rnd.sample(sorted(final), flags))
    for sub in criteria_set.sub_criteria:
        points = final[sub.code]
        self_points = min(points + QUARTER * rnd.choice((0, 0, 0, 1, 2)), sub.max_points)
        first = max(points - QUARTER * 2, Decimal(0)) if sub.code in flagged else points
        plan[sub.code] = {"self": self_points, "first": first, "final": points, "flagged": sub.code in flagged}
    return plan


# --- driving a case --------------------------------------------------------------------------------------------------


def _do(par: ParAssessment, bpmn_id: str, actor: User, data: StepInput) -> None:
    task = next(t for t in par.case.open_tasks if t.bpmn_id == bpmn_id)
    complete_task(task, actor=actor, data=data)


def _officer(par: ParAssessment) -> User:
    return db.session.scalar(
        select(User)
        .where(User.unit_id == par.unit_id, User.role_assignments.any(role=Role.UNIT_OFFICER))
        .order_by(User.id)
        .limit(1)
    )


def _self_assess(par, plan, officer, rnd, *, submit=True, share=1.0) -> None:
    for score in par.scores:
        if rnd.random() > share:
            continue
        note = rnd.choice(NOTES) if score.criterion.evidence_required else ""
        services.save_self_score(score, actor=officer, points=plan[score.criterion.code]["self"], note=note)
    if submit:
        _do(par, ParStep.SELF_ASSESSMENT, officer, SelfAssessmentInput(confirmed=True))


def _first_appraisal(par, plan, appraiser, rnd, *, finish=True, share=1.0) -> None:
    for score in par.scores:
        item = plan[score.criterion.code]
        if rnd.random() > share and not item["flagged"]:
            continue
        services.save_appraisal(
            score,
            ParStep.FIRST_APPRAISAL,
            actor=appraiser,
            points=item["first"],
            comment=rnd.choice(FLAG_COMMENTS) if item["flagged"] else "",
            needs_explanation=item["flagged"],
        )
    if finish:
        _do(par, ParStep.FIRST_APPRAISAL, appraiser, FirstAppraisalInput(confirmed=True))


def _explain(par, officer, rnd, *, finish=True) -> None:
    for score in par.scores:
        if score.needs_explanation:
            services.save_explanation(score, actor=officer, text=rnd.choice(EXPLANATIONS))
    if finish:
        _do(par, ParStep.EXPLANATION, officer, ExplanationInput(confirmed=True))


def _second_appraisal(par, plan, appraiser, *, finish=True) -> None:
    for score in par.scores:
        item = plan[score.criterion.code]
        comment = "Chấp nhận giải trình." if item["flagged"] else ""
        services.save_appraisal(score, ParStep.SECOND_APPRAISAL, actor=appraiser, points=item["final"], comment=comment)
    if finish:
        _do(par, ParStep.SECOND_APPRAISAL, appraiser, SecondAppraisalInput(confirmed=True))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in the province's working day (UTC+7) as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - timedelta(hours=7)


def _survey_csv(rows: list[tuple[str, str, Decimal]]) -> bytes:
    """The file Home Affairs would upload: one line per unit and component."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("unit_code", "component", "score"))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --- last year's round -----------------------------------------------------------------------------------------------


def _previous_timeline(now: datetime) -> datetime:
    """When last year's round opened: mid-November, or earlier should the story otherwise reach into the present."""
    opened = _at(date(now.year - 1, 11, 17), 8)
    return min(opened, now - timedelta(days=160))


def _previous_round(story: DemoClock, now: datetime, users: dict, units: list[OrgUnit]) -> ParRound:
    year = now.year - 1
    start = _previous_timeline(now)
    day = start.date()
    story.at(start)
    sets = load_sample_criteria_sets(year)
    lead, director, admin = users["lead"], users["director"], users["admin"]
    appraisers = [users["inspector"], users["inspector2"]]
    par_round = services.open_round(
        actor=admin,
        year=year,
        name=f"Xác định Chỉ số CCHC năm {year} (dữ liệu mẫu)",
        sets=sets,
        units=units,
        lead=lead,
        appraisers=appraisers,
        self_assessment_due=day + timedelta(days=28),
        first_appraisal_due=day + timedelta(days=53),
        explanation_due=day + timedelta(days=64),
        second_appraisal_due=day + timedelta(days=81),
        approval_due=day + timedelta(days=100),
    )
    assessments = sorted(par_round.assessments, key=lambda a: a.unit.code)
    rnd = random.Random(f"demo-par-{year}")
    plans, surveys = {}, []
    for par in assessments:
        code = par.unit.code
        adjustments = sum((Decimal(p) for p, _reason in PREVIOUS_ADJUSTMENTS.get(code, ())), Decimal(0))
        final, components = plan_scores(par.criteria_set, Decimal(PREVIOUS_INDEX[code]), adjustments, rnd)
        plans[code] = _story_scores(final, par.criteria_set, rnd, flags=rnd.choice((0, 1, 1, 2, 3)))
        surveys.extend((code, name, points) for name, points in components)

    # Self-assessments come in over the four weeks before the deadline; one unit lets it pass.
    for position, par in enumerate(assessments):
        story.at(_at(day + timedelta(days=8 + position * 19 // len(assessments)), 9 + position % 7))
        late = par.unit.code == LATE_UNIT
        _self_assess(par, plans[par.unit.code], _officer(par), rnd, submit=not late, share=0.7 if late else 1.0)
    story.at(_at(par_round.self_assessment_due + timedelta(days=1), 0, 30))
    while (timer := claim_due_timer(story.now)) is not None:
        fire_timer(timer, story.now)

    for position, par in enumerate(assessments):
        story.at(_at(day + timedelta(days=30 + position * 22 // len(assessments)), 8 + position % 8))
        _first_appraisal(par, plans[par.unit.code], appraisers[position % 2], rnd)
    for position, par in enumerate(assessments):
        if any(s.needs_explanation for s in par.scores):
            story.at(_at(day + timedelta(days=55 + position % 8), 14))
            _explain(par, _officer(par), rnd)
    for position, par in enumerate(assessments):
        story.at(_at(day + timedelta(days=66 + position * 14 // len(assessments)), 8 + position % 8))
        _second_appraisal(par, plans[par.unit.code], appraisers[position % 2])

    story.at(_at(day + timedelta(days=82), 10))
    survey_import.import_survey(par_round, _survey_csv(surveys), actor=admin)
    for position, par in enumerate(assessments):
        story.at(_at(day + timedelta(days=84 + position % 4), 8 + position % 8))
        for points, reason in PREVIOUS_ADJUSTMENTS.get(par.unit.code, ()):
            services.add_adjustment(par, actor=lead, points=Decimal(points), reason=reason)
        note = "Hồ sơ đầy đủ, đề nghị Hội đồng thẩm định thông qua."
        _do(par, ParStep.CONSOLIDATION, lead, ConsolidationInput(note=note))
    story.at(_at(day + timedelta(days=95), 9))
    for par in assessments:
        if par.unit.code == RETURNED_UNIT:
            returned = ApprovalInput(decision="return", comment="Rà soát lại điểm tiêu chí 7.")
            _do(par, ParStep.APPROVAL, director, returned)
            reviewed = ConsolidationInput(note="Đã rà soát lại lĩnh vực 7, giữ nguyên điểm.")
            _do(par, ParStep.CONSOLIDATION, lead, reviewed)
        _do(par, ParStep.APPROVAL, director, ApprovalInput(decision="approve", comment=""))
    # Every unit approved, the results published: the director closes the round once the decision is out.
    story.at(_at(day + timedelta(days=102), 15))
    services.close_round(par_round, actor=director)
    # A year on, last year's notices have long been read.
    db.session.execute(
        update(Notification)
        .where(Notification.case_id.in_([a.case_id for a in assessments]), Notification.read_at.is_(None))
        .values(read_at=story.now)
    )
    db.session.flush()
    return par_round


# --- this year's round -----------------------------------------------------------------------------------------------

# Unit code, where its case stands today, and the index its scores are made up to reach.
CURRENT_UNITS = (
    ("HD-NS", ParStep.SELF_ASSESSMENT, "89.40"),  # the demo officer's unit, half scored
    ("HD-NG", ParStep.SELF_ASSESSMENT, "80.10"),
    ("HD-TPHD", ParStep.FIRST_APPRAISAL, "87.25"),
    ("HD-SNV", ParStep.EXPLANATION, "88.70"),
    ("HD-TXKM", ParStep.SECOND_APPRAISAL, "83.15"),
    ("HD-SGTVT", ParStep.CONSOLIDATION, "90.80"),
    ("HD-SKHCN", ParStep.APPROVAL, "91.05"),
)
ORDER = (
    ParStep.SELF_ASSESSMENT,
    ParStep.FIRST_APPRAISAL,
    ParStep.EXPLANATION,
    ParStep.SECOND_APPRAISAL,
    ParStep.CONSOLIDATION,
    ParStep.APPROVAL,
)


def _current_round(story: DemoClock, now: datetime, users: dict, units: dict[str, OrgUnit]) -> int:
    year = now.year
    opened = now - timedelta(days=19)
    day = opened.date()
    story.at(opened)
    sets = load_sample_criteria_sets(year)
    lead, admin = users["lead"], users["admin"]
    par_round = services.open_round(
        actor=admin,
        year=year,
        name=f"Xác định Chỉ số CCHC năm {year} (dữ liệu mẫu)",
        sets=sets,
        units=[units[code] for code, _step, _target in CURRENT_UNITS],
        lead=lead,
        appraisers=[users["inspector"], users["inspector2"]],
        self_assessment_due=day + timedelta(days=36),
        first_appraisal_due=day + timedelta(days=60),
        explanation_due=day + timedelta(days=71),
        second_appraisal_due=day + timedelta(days=88),
        approval_due=day + timedelta(days=109),
    )
    rnd = random.Random(f"demo-par-{year}")
    by_code = {a.unit.code: a for a in par_round.assessments}
    surveys = []
    for position, (code, step, target) in enumerate(CURRENT_UNITS):
        par = by_code[code]
        penalty = Decimal("-0.5") if step == ParStep.CONSOLIDATION else Decimal(0)
        final, components = plan_scores(par.criteria_set, Decimal(target), penalty, rnd)
        plan = _story_scores(final, par.criteria_set, rnd, flags=2 if step == ParStep.EXPLANATION else 0)
        if ORDER.index(step) >= ORDER.index(ParStep.CONSOLIDATION):
            surveys.extend((code, name, points) for name, points in components)
        _drive_current(story, now, par, plan, step, users, rnd, position)
    # The survey results arrive; the lead sends one unit to the council and weighs an inspection finding for another.
    story.at(now - timedelta(days=4, hours=2))
    survey_import.import_survey(par_round, _survey_csv(surveys), actor=admin)
    story.at(now - timedelta(days=2, hours=3))
    _do(
        by_code["HD-SKHCN"],
        ParStep.CONSOLIDATION,
        lead,
        ConsolidationInput(note="Đủ điều kiện trình Hội đồng thẩm định."),
    )
    story.at(now - timedelta(days=1, hours=6))
    sgtvt = by_code["HD-SGTVT"]
    services.add_adjustment(
        sgtvt,
        actor=lead,
        points=Decimal("-0.5"),
        reason="Kết luận kiểm tra công vụ: hồ sơ trễ hạn chưa có phiếu xin lỗi, đang khắc phục.",
        finding=_finding_about(sgtvt.unit_id),
    )
    db.session.flush()
    return len(CURRENT_UNITS)


def _drive_current(story, now, par, plan, step, users, rnd, position) -> None:
    """Take one unit of this year's round up to `step`, the work at that step begun where that is natural."""
    officer, appraiser = _officer(par), users["inspector"] if position % 2 else users["inspector2"]
    reached = ORDER.index(step)
    days_ago = 15 - 2 * position + reached
    story.at(now - timedelta(days=days_ago + 3, hours=position))
    if reached == 0:
        if position == 0:  # the demo officer's unit: half scored, the rest is theirs to do
            _self_assess(par, plan, officer, rnd, submit=False, share=0.5)
        return
    _self_assess(par, plan, officer, rnd)
    story.at(now - timedelta(days=days_ago, hours=2))
    _first_appraisal(par, plan, appraiser, rnd, finish=reached > 1, share=0.6 if reached == 1 else 1.0)
    if step == ParStep.EXPLANATION:
        story.at(now - timedelta(days=1, hours=5))
        _explain(par, officer, rnd, finish=False)
    elif reached > 2:
        story.at(now - timedelta(days=days_ago - 3, hours=1))
        _second_appraisal(par, plan, appraiser, finish=step != ParStep.SECOND_APPRAISAL)


def _finding_about(unit_id: int) -> Finding | None:
    """A concluded finding of an inspection of the unit, for a penalty to cite."""
    return db.session.scalar(
        select(Finding)
        .join(Case, Case.id == Finding.case_id)
        .where(
            Case.case_type == CaseType.INSPECTION,
            Case.subject_unit_id == unit_id,
            Finding.state.in_((FindingState.OPEN, FindingState.REPORTED, FindingState.ACCEPTED)),
        )
        .order_by(Finding.id.desc())
        .limit(1)
    )
