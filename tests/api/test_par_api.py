"""PAR results through the API: a round's results per level and a unit's scorecard, as documented in openapi.py,
with the report pages' visibility rules. The numbers are those worked by hand in tests/par/test_reports.py."""

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import User
from tests.api.conftest import documented
from tests.par.conftest import par_people, par_round  # noqa: F401  (fixtures)
from tests.par.test_reports import APPROVED_AT, reports_world  # noqa: F401  (the fixture)

RESULTS = "/api/v1/par/rounds/{round_id}/results"
SCORECARD = "/api/v1/cases/{reference}/scorecard"
EVERYONE = ["admin", "director", "lead", "appraiser", "outsider", "officer", "officer2", "auditor"]
SEES_THE_ROUND = {"admin", "director", "lead", "appraiser", "auditor"}
SEES_NAM_SACH = SEES_THE_ROUND | {"officer"}


def user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def results_of(api, who, world, query=""):
    url = RESULTS.format(round_id=world["round"].id) + query
    return api(user(who)).get(url)


def scorecard_of(api, who, par):
    return api(user(who)).get(SCORECARD.format(reference=par.case.reference))


def test_a_rounds_results_per_level_best_first(api, reports_world):  # noqa: F811
    body = documented(results_of(api, "director", reports_world), RESULTS)
    assert body["round"] == {
        "id": reports_world["round"].id,
        "year": 2026,
        "name": "Chỉ số CCHC năm 2026",
        "published": False,
        "status": "open",
    }
    [district] = body["levels"]
    assert district["level"] == "district" and district["criteria_set"]["code"] == "districts-2026"
    assert district["fields"] == [
        {"code": "1", "name": "Chỉ đạo, điều hành", "max_points": 10.0},
        {"code": "2", "name": "Thủ tục hành chính", "max_points": 60.0},
    ]
    assert district["survey_max"] == 30.0
    units = district["units"]
    assert [(u["unit"]["code"], u["rank"], u["index"], u["band"]) for u in units] == [
        ("HD-NS", 1, 90.5, "Tốt"),
        ("HD-GL", 2, 85.0, "Khá"),
        ("HD-NG", 2, 85.0, "Khá"),
        ("HD-TK", 4, 53.0, "Yếu"),
    ]
    ns = units[0]
    assert ns["unit"]["name"] == "Huyện Nam Sách" and ns["case_reference"] == reports_world["ns"].case.reference
    assert ns["fields"] == {"1": 9.5, "2": 55.0}
    assert (ns["survey"], ns["bonus"], ns["penalty"], ns["total"], ns["maximum"]) == (26.5, 1.0, 1.5, 90.5, 100.0)
    assert ns["change_from_last_year"] == 7.5 and units[2]["change_from_last_year"] is None
    assert not any(u["approved"] for u in units)
    assert district["pending"] == []


def test_a_unit_still_in_progress_is_listed_apart_with_no_result(api, reports_world):  # noqa: F811
    """Tứ Kỳ lacks one final score: no rank, index, band or change; the others rank among themselves."""
    tk = reports_world["tk"]
    next(s for s in tk.scores if s.criterion.code == "2.1.1").final_score = None
    db.session.commit()
    [district] = documented(results_of(api, "director", reports_world), RESULTS)["levels"]
    assert [(u["unit"]["code"], u["rank"]) for u in district["units"]] == [("HD-NS", 1), ("HD-GL", 2), ("HD-NG", 2)]
    assert district["pending"] == [
        {
            "unit": {"code": "HD-TK", "name": "Huyện Tứ Kỳ"},
            "case_reference": tk.case.reference,
            "items_scored": 2,
            "items": 3,
        }
    ]
    card = documented(scorecard_of(api, "director", tk), SCORECARD)
    assert card["rank"] is None and card["units_in_level"] == 3
    final = card["stages"]["final"]
    assert (final["has_result"], final["index"], final["band"]) == (False, None, None)
    assert card["stages"]["self"]["has_result"] is False, "nor did it self-assess"


def test_results_for_one_level_and_a_level_that_does_not_exist(api, reports_world):  # noqa: F811
    assert documented(results_of(api, "auditor", reports_world, "?level=department"), RESULTS)["levels"] == [
        {"level": "department", "criteria_set": None, "fields": [], "survey_max": None, "units": [], "pending": []}
    ]
    response = results_of(api, "auditor", reports_world, "?level=ward")
    assert response.status_code == 400 and "level" in documented(response, RESULTS)["errors"]
    response = api(user("auditor")).get(RESULTS.format(round_id=99999))
    assert response.status_code == 404 and documented(response, RESULTS)


def test_a_units_scorecard(api, reports_world):  # noqa: F811
    ns = reports_world["ns"]
    body = documented(scorecard_of(api, "officer", ns), SCORECARD)
    assert body["case_reference"] == ns.case.reference and body["approved_at"] is None
    assert body["unit"] == {"code": "HD-NS", "name": "Huyện Nam Sách", "level": "district"}
    columns = ("code", "self", "first", "final", "share", "last_year", "change")
    assert [tuple(f[name] for name in columns) for f in body["fields"]] == [
        ("1", 10.0, 9.0, 9.5, 95.0, 8.0, 1.5),
        ("2", 58.0, 55.0, 55.0, 91.67, 50.0, 5.0),
    ]  # fmt: skip
    assert {stage: (s["has_result"], s["total"], s["index"], s["band"]) for stage, s in body["stages"].items()} == {
        "self": (True, 94.0, 94.0, "Tốt"),
        "first": (True, 90.0, 90.0, "Tốt"),
        "final": (True, 90.5, 90.5, "Tốt"),
    }
    assert body["survey"] == {
        "max_points": 30.0,
        "points": 26.5,
        "components": [{"component": "Lãnh đạo, công chức", "points": 8.0}, {"component": "SIPAS", "points": 18.5}],
    }
    finding = reports_world["finding"]
    assert body["adjustments"] == [
        {"points": 1.0, "reason": "Sáng kiến liên thông một cửa", "finding": None},
        {
            "points": -1.5,
            "reason": "Hồ sơ trễ hạn không xin lỗi",
            "finding": {"case_reference": finding.case.reference, "title": "Hồ sơ trễ hạn chưa có phiếu xin lỗi"},
        },
    ]
    assert body["last_year"]["year"] == 2025 and body["last_year"]["index"] == 83.0
    assert body["last_year"]["band"] == "Khá" and body["last_year"]["rank"] == 1
    assert body["last_year"]["change"] == {"survey": 1.5, "total": 7.5, "index": 7.5}
    assert body["rank"] is None and body["units_in_level"] is None, "the officer may not see the ranking yet"
    lead_view = documented(scorecard_of(api, "lead", ns), SCORECARD)
    assert (lead_view["rank"], lead_view["units_in_level"]) == (1, 4)
    assert documented(scorecard_of(api, "director", reports_world["ng"]), SCORECARD)["last_year"] is None


def test_an_inspection_has_no_scorecard(api, reports_world):  # noqa: F811
    response = api(user("director")).get(SCORECARD.format(reference=reports_world["finding"].case.reference))
    assert response.status_code == 404 and documented(response, SCORECARD)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_read_results_and_scorecards(api, reports_world, who):  # noqa: F811
    response = results_of(api, who, reports_world)
    assert response.status_code == (200 if who in SEES_THE_ROUND else 404)
    documented(response, RESULTS)
    response = scorecard_of(api, who, reports_world["ns"])
    assert response.status_code == (200 if who in SEES_NAM_SACH else 404)
    documented(response, SCORECARD)


@pytest.mark.parametrize("who", EVERYONE)
def test_published_results_are_for_everyone_signed_in(api, reports_world, who):  # noqa: F811
    for key in ("ns", "gl", "ng", "tk"):
        reports_world[key].approved_at = APPROVED_AT
    db.session.commit()
    body = documented(results_of(api, who, reports_world), RESULTS)
    assert body["round"]["published"] is True and all(u["approved"] for u in body["levels"][0]["units"])
    assert body["round"]["status"] == "published"
    assert scorecard_of(api, who, reports_world["ns"]).status_code == (200 if who in SEES_NAM_SACH else 404)


def test_anonymous_callers_get_401(client, reports_world):  # noqa: F811
    for url in (RESULTS.format(round_id=reports_world["round"].id), SCORECARD.format(reference="CS-2026-0001")):
        response = client.get(url)
        assert response.status_code == 401
        documented(response, RESULTS if "results" in url else SCORECARD)
