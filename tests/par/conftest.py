"""A PAR world: two districts with an officer each, the appraisal team, a small criteria set and an open round."""

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import CriteriaSet, Criterion, CriterionKind, OrgLevel, Role
from inspect_app.par import services
from tests.helpers import csrf_token
from tests.snapshots import world

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
@world
def par_people(create_unit, create_user, deploy):
    """officer works at Nam Sách, officer2 at Ninh Giang; lead and appraiser appraise; director sits on the council."""
    units = {
        "ns": create_unit("Huyện Nam Sách", OrgLevel.DISTRICT, code="HD-NS"),
        "ng": create_unit("Huyện Ninh Giang", OrgLevel.DISTRICT, code="HD-NG"),
    }
    users = {
        "admin": create_user("admin", Role.ADMIN, language="en"),
        "director": create_user("director", Role.DIRECTOR, language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, language="en"),
        "appraiser": create_user("appraiser", Role.INSPECTOR, language="en"),
        "officer": create_user("officer", Role.UNIT_OFFICER, unit=units["ns"], language="en"),
        "officer2": create_user("officer2", Role.UNIT_OFFICER, unit=units["ng"], language="en"),
        "auditor": create_user("auditor", Role.AUDITOR, language="en"),
    }
    deploy("par_appraisal.bpmn", xml=(ROOT / "bpmn" / "par_appraisal.bpmn").read_bytes())
    return {**users, **units}


def build_set(code="districts-2026", year=2026) -> CriteriaSet:
    """Field 1 (10): C1 with 1.1 (6, evidence required) and 1.2 (4). Field 2 (60): C2 with 2.1 (60). Survey 30."""
    s = CriteriaSet(
        code=code,
        name="Bộ tiêu chí cấp huyện",
        year=year,
        level=OrgLevel.DISTRICT,
        survey_max=D(30),
        bonus_cap=D(3),
        penalty_cap=D(2),
    )
    f1 = Criterion(kind=CriterionKind.FIELD, code="1", name="Chỉ đạo, điều hành", max_points=D(10), position=1)
    c1 = Criterion(
        kind=CriterionKind.CRITERION, code="1.1", name="Kế hoạch CCHC", max_points=D(10), parent=f1, position=2
    )
    s11 = Criterion(
        kind=CriterionKind.SUB,
        code="1.1.1",
        name="Ban hành kế hoạch đúng hạn",
        max_points=D(6),
        parent=c1,
        evidence_required=True,
        position=3,
    )
    s12 = Criterion(
        kind=CriterionKind.SUB, code="1.1.2", name="Hoàn thành kế hoạch", max_points=D(4), parent=c1, position=4
    )
    f2 = Criterion(kind=CriterionKind.FIELD, code="2", name="Thủ tục hành chính", max_points=D(60), position=5)
    c2 = Criterion(
        kind=CriterionKind.CRITERION, code="2.1", name="Giải quyết hồ sơ", max_points=D(60), parent=f2, position=6
    )
    s21 = Criterion(
        kind=CriterionKind.SUB, code="2.1.1", name="Hồ sơ đúng hạn", max_points=D(60), parent=c2, position=7
    )
    s.criteria = [f1, c1, s11, s12, f2, c2, s21]
    db.session.add(s)
    db.session.flush()
    return s


@pytest.fixture
@world
def par_round(app, par_people, clock):
    criteria_set = build_set()
    clock.now = clock.now.replace(year=2026, month=12, day=1)
    r = services.open_round(
        actor=par_people["admin"],
        year=2026,
        name="Chỉ số CCHC năm 2026",
        sets={OrgLevel.DISTRICT: criteria_set},
        units=[par_people["ns"], par_people["ng"]],
        lead=par_people["lead"],
        appraisers=[par_people["appraiser"]],
        self_assessment_due=date(2026, 12, 15),
        first_appraisal_due=date(2026, 12, 22),
        explanation_due=date(2026, 12, 29),
        second_appraisal_due=date(2027, 1, 5),
        approval_due=date(2027, 1, 12),
    )
    db.session.commit()
    return r


@pytest.fixture
def act(client, sign_in):
    def post(who: str, url: str, data: dict | None = None, page: str = "/", **kwargs):
        sign_in(who)
        return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)

    return post
