"""Criteria set admin fixtures: a signed-in admin, a small set, an assessment that uses a set, upload helpers."""

import html
import io
from datetime import date
from decimal import Decimal as D

import pytest
import yaml
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import (
    CaseType,
    CriteriaSet,
    Criterion,
    CriterionKind,
    OrgLevel,
    ParAssessment,
    ParRound,
    RoundCriteriaSet,
)
from tests.helpers import csrf_token

BASE = "/admin/criteria"
IMPORT = f"{BASE}/import"


@pytest.fixture
def post(client):
    """Post a form as the signed-in user, with the CSRF token of a page they can open."""

    def do(url: str, data: dict | None = None, page: str = f"{BASE}/", **kwargs):
        return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)

    return do


def make_set(code="districts-2026", year=2026, level=OrgLevel.DISTRICT) -> CriteriaSet:
    """Field 1 (10): 1.1 with 1.1.1 (6, evidence, guidance) and 1.1.2 (4). Field 2 (60): 2.1 with 2.1.1 (60).
    Survey 30, bonus 3, penalty 2."""
    s = CriteriaSet(
        code=code,
        name="Bộ tiêu chí cấp huyện",
        year=year,
        level=level,
        survey_max=D(30),
        bonus_cap=D(3),
        penalty_cap=D(2),
    )

    def node(kind, code, name, points, parent=None, **fields):
        s.criteria.append(
            Criterion(kind=kind, code=code, name=name, max_points=D(points), parent=parent, position=len(s.criteria))
        )
        for key, value in fields.items():
            setattr(s.criteria[-1], key, value)
        return s.criteria[-1]

    f1 = node(CriterionKind.FIELD, "1", "Chỉ đạo, điều hành", "10")
    c1 = node(CriterionKind.CRITERION, "1.1", "Kế hoạch CCHC", "10", f1)
    node(
        CriterionKind.SUB,
        "1.1.1",
        "Ban hành kế hoạch đúng hạn",
        "6",
        c1,
        evidence_required=True,
        guidance="100% → 6; từ 80% → 3",
    )
    node(CriterionKind.SUB, "1.1.2", "Hoàn thành kế hoạch", "4", c1)
    f2 = node(CriterionKind.FIELD, "2", "Thủ tục hành chính", "60")
    c2 = node(CriterionKind.CRITERION, "2.1", "Giải quyết hồ sơ", "60", f2)
    node(CriterionKind.SUB, "2.1.1", "Hồ sơ đúng hạn", "60", c2)
    db.session.add(s)
    db.session.commit()
    return s


@pytest.fixture
def criteria_set(app):
    return make_set()


@pytest.fixture
def use_set(create_case, create_unit):
    """Put `criteria_set` to use: a round naming it and, unless `assessment=False`, one assessment scored on it."""

    def make(criteria_set: CriteriaSet, assessment: bool = True) -> ParRound:
        par_round = ParRound(
            year=criteria_set.year,
            name="Chỉ số CCHC",
            self_assessment_due=date(2026, 12, 15),
            first_appraisal_due=date(2026, 12, 22),
            explanation_due=date(2026, 12, 29),
            second_appraisal_due=date(2027, 1, 5),
            approval_due=date(2027, 1, 12),
            bands=[],
        )
        par_round.criteria_sets.append(RoundCriteriaSet(level=criteria_set.level, criteria_set=criteria_set))
        db.session.add(par_round)
        db.session.flush()
        if assessment:
            unit = create_unit(level=criteria_set.level)
            case = create_case(unit=unit, case_type=CaseType.PAR_APPRAISAL)
            db.session.add(ParAssessment(case=case, round=par_round, unit=unit, criteria_set=criteria_set))
        db.session.commit()
        return par_round

    return make


def upload(client, content: bytes | str, filename: str = "criteria.yaml", code: str = ""):
    """Post a file through the import form, as the browser does."""
    raw = content.encode() if isinstance(content, str) else content
    data = {"csrf_token": csrf_token(client, IMPORT), "criteria_file": (io.BytesIO(raw), filename), "code": code}
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def stored() -> tuple[int, int]:
    """How many sets and nodes the database holds."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(CriteriaSet.id))),
        db.session.scalar(select(func.count(Criterion.id))),
    )


def problems(response) -> list[str]:
    """The problem lines the import page lists."""
    page = html.unescape(response.get_data(as_text=True))
    block = page.split('<div class="problems" role="alert">', 1)[1].split("</div>", 1)[0]
    return [line.split("</li>")[0].strip() for line in block.split("<li>")[1:]]


def sub(code, points, **fields):
    return {"code": code, "kind": "sub", "name": f"Tiêu chí {code}", "max_points": points, **fields}


def good_document(**changes) -> dict:
    """A small valid document: field 1 (10) > 1.1 (10) > 1.1.1 (6) + 1.1.2 (4); survey 30."""
    document = {
        "format": "inspect-criteria/1",
        "code": "mau-2026",
        "name": "Bộ mẫu",
        "year": 2026,
        "level": "district",
        "is_sample": False,
        "survey_max": 30,
        "bonus_cap": 3,
        "penalty_cap": 2,
        "criteria": [
            {
                "code": "1",
                "kind": "field",
                "name": "Chỉ đạo",
                "max_points": 10,
                "children": [
                    {
                        "code": "1.1",
                        "kind": "criterion",
                        "name": "Kế hoạch",
                        "max_points": 10,
                        "children": [sub("1.1.1", 6), sub("1.1.2", 4)],
                    }
                ],
            }
        ],
    }
    document.update(changes)
    return document


def as_yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
