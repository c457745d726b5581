"""Case references: numbered per type and year, one after the other, past 9999, and never twice however many cases
open at the same moment."""

import pytest
from sqlalchemy import select, text

from inspect_app.cases import services as case_services
from inspect_app.core.extensions import db
from inspect_app.models import ApiToken, Case, CaseType, ReferenceCounter, Role
from tests.api.test_inspections_api import CASES, build_field, decision
from tests.helpers import at_once

OPENING_AT_ONCE = 8


def test_references_go_past_9999_in_a_year(create_case, create_unit):
    unit = create_unit()
    assert create_case(unit=unit, year=2026).reference == "KT-2026-0001"
    # As if 9,997 more inspections had opened in 2026 since.
    db.session.execute(text("UPDATE reference_counters SET last_number = 9998"))
    db.session.commit()
    opened = [create_case(unit=unit, year=2026).reference for _ in range(3)]
    assert opened == ["KT-2026-9999", "KT-2026-10000", "KT-2026-10001"]
    assert create_case(unit=unit, year=2026, case_type=CaseType.PAR_APPRAISAL).reference == "CS-2026-0001"
    assert create_case(unit=unit, year=2027).reference == "KT-2027-0001"


def test_numbering_goes_on_from_cases_that_came_another_way(create_case, create_unit):
    """Cases stored without a counter (loaded from elsewhere): the count starts at their highest number."""
    unit = create_unit()
    for reference in ("KT-2026-9999", "KT-2026-10000", "KT-2025-12000"):
        db.session.add(
            Case(reference=reference, case_type=CaseType.INSPECTION, title="Nhập từ hệ thống cũ", subject_unit=unit)
        )
    db.session.commit()
    assert create_case(unit=unit, year=2026).reference == "KT-2026-10001"
    assert create_case(unit=unit, year=2026).reference == "KT-2026-10002"


def test_an_opening_that_fails_gives_its_number_back(create_case, create_unit):
    unit = create_unit()
    assert create_case(unit=unit, year=2026).reference == "KT-2026-0001"
    abandoned = case_services.create_case(
        case_type=CaseType.INSPECTION, title="Bỏ dở", subject_unit=unit, actor=None, year=2026
    )
    assert abandoned.reference == "KT-2026-0002"
    db.session.rollback()
    assert create_case(unit=unit, year=2026).reference == "KT-2026-0002", "no gap"


@pytest.mark.postgres
def test_cases_opened_at_the_same_moment_get_consecutive_numbers(app, create_unit, create_user, deploy):
    """Directors opening inspections at once through the API: each gets its own number, and none is skipped."""
    field = build_field(create_unit, create_user, deploy)
    directors = [field["director"], *(create_user(f"director{n}", Role.DIRECTOR) for n in range(1, OPENING_AT_ONCE))]
    headers = []
    for director in directors:
        row, token = ApiToken.issue(director, "tablet")
        db.session.add(row)
        headers.append({"Authorization": f"Bearer {token}"})
    db.session.commit()

    def open_one(number: int):
        body = decision(title=f"Kiểm tra số {number}")
        return lambda: app.test_client().post(CASES, json=body, headers=headers[number])

    responses = at_once(*(open_one(number) for number in range(OPENING_AT_ONCE)))
    assert [response.status_code for response in responses] == [201] * OPENING_AT_ONCE
    references = sorted(response.get_json()["reference"] for response in responses)
    assert references == [f"KT-2026-{number:04d}" for number in range(1, OPENING_AT_ONCE + 1)]
    db.session.expire_all()
    counter = db.session.get(ReferenceCounter, (CaseType.INSPECTION, 2026))
    assert counter.last_number == OPENING_AT_ONCE
    assert len(db.session.scalars(select(Case.id)).all()) == OPENING_AT_ONCE
