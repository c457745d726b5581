"""The PAR reports: a round's ranking per level and a unit's scorecard, their charts, and who may see them.

The world (fixture `reports_world`): the 2026 round of tests/par/conftest.py with four districts, scored as the
appraisal would leave them, and a 2025 round in which only Nam Sách's index was approved. Worked by hand on the
set of conftest.build_set (field 1 worth 10: 1.1.1 of 6 and 1.1.2 of 4; field 2 worth 60: 2.1.1; survey 30):

    unit           final 1.1.1 1.1.2 2.1.1  survey  bonus/penalty   total   index   band        rank
    Nam Sách       6     3.5   55           26.5    +1 / -1.5       90.50   90.50   Tốt         1
    Gia Lộc        4     4     50           27                      85.00   85.00   Khá         2
    Ninh Giang     5     3     50           27                      85.00   85.00   Khá         2
    Tứ Kỳ          2     1     30           20                      53.00   53.00   Yếu         4

Nam Sách self-assessed 6, 4, 58 (94.00) and was appraised 6, 3, 55 in round 1 (90.00). In 2025 it had 5, 3, 50
and survey 25: 83.00, Khá; so field 1 went from 8 to 9.5 (+1.50), field 2 from 50 to 55 (+5.00), the survey
+1.50, the index +7.50. Ninh Giang's 2025 index was never approved: no change is shown for it.
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import (
    ContentArea,
    Finding,
    FindingState,
    OrgLevel,
    Role,
    ScoreAdjustment,
    Severity,
    SurveyScore,
)
from inspect_app.par import services
from tests.helpers import fresh_browser
from tests.par.conftest import build_set
from tests.par.test_flow import assessment_of, do, set_score
from tests.snapshots import world

SVG = "{http://www.w3.org/2000/svg}"
CODES = ("1.1.1", "1.1.2", "2.1.1")
EVERYONE = ["admin", "director", "lead", "appraiser", "outsider", "officer", "officer2", "auditor", "anonymous"]
SEES_THE_ROUND = {"admin", "director", "lead", "appraiser", "auditor"}
SEES_NAM_SACH = SEES_THE_ROUND | {"officer"}
APPROVED_AT = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)


def give(par, stage: str, *points) -> None:
    """Write one stage's scores of the three sub-criteria, as the appraisal would leave them."""
    column = {"self": "self_score", "first": "first_score", "final": "final_score"}[stage]
    by_code = {score.criterion.code: score for score in par.scores}
    for code, value in zip(CODES, points, strict=True):
        setattr(by_code[code], column, D(str(value)))


def survey(par_round, unit, **components) -> None:
    for component, score in components.items():
        db.session.add(SurveyScore(round_id=par_round.id, unit_id=unit.id, component=component, score=D(str(score))))


@pytest.fixture
@world
def reports_world(par_people, par_round, create_unit, create_user, create_case):
    """The scored 2026 round, the 2025 round with Nam Sách approved, a finding cited by a penalty, an outsider."""
    people = par_people
    create_user("outsider", Role.INSPECTOR, language="en")
    for name, code in (("Huyện Gia Lộc", "HD-GL"), ("Huyện Tứ Kỳ", "HD-TK")):
        unit = create_unit(name, OrgLevel.DISTRICT, code=code)
        people[code] = unit
        with db.session.no_autoflush:  # open_assessment reads the criteria before it adds the assessment
            services.open_assessment(
                par_round, unit, actor=people["admin"], lead=people["lead"], appraisers=[people["appraiser"]]
            )
    db.session.commit()
    ns, gl, ng, tk = (assessment_of(par_round, code) for code in ("HD-NS", "HD-GL", "HD-NG", "HD-TK"))
    give(ns, "self", 6, 4, 58)
    give(ns, "first", 6, 3, 55)
    give(ns, "final", 6, 3.5, 55)
    give(gl, "final", 4, 4, 50)
    give(ng, "final", 5, 3, 50)
    give(tk, "final", 2, 1, 30)
    survey(par_round, people["ns"], **{"Lãnh đạo, công chức": 8, "SIPAS": 18.5})
    for unit, points in ((people["HD-GL"], 27), (people["ng"], 27), (people["HD-TK"], 20)):
        survey(par_round, unit, SIPAS=points)
    inspection = create_case(unit=people["ns"], lead=people["lead"], actor=people["director"], year=2026)
    finding = Finding(
        case=inspection,
        raised_by=people["lead"],
        area=ContentArea.PROCEDURES,
        title="Hồ sơ trễ hạn chưa có phiếu xin lỗi",
        severity=Severity.MINOR,
        state=FindingState.OPEN,
    )
    db.session.add_all(
        [
            ScoreAdjustment(
                assessment=ns, points=D(1), reason="Sáng kiến liên thông một cửa", created_by=people["lead"]
            ),
            ScoreAdjustment(
                assessment=ns,
                points=D("-1.5"),
                reason="Hồ sơ trễ hạn không xin lỗi",
                finding=finding,
                created_by=people["lead"],
            ),
        ]
    )
    last_year = services.open_round(
        actor=people["admin"],
        year=2025,
        name="Chỉ số CCHC năm 2025",
        sets={OrgLevel.DISTRICT: build_set("districts-2025", 2025)},
        units=[people["ns"], people["ng"]],
        lead=people["lead"],
        appraisers=[people["appraiser"]],
        self_assessment_due=date(2025, 12, 15),
        first_appraisal_due=date(2025, 12, 22),
        explanation_due=date(2025, 12, 29),
        second_appraisal_due=date(2026, 1, 5),
        approval_due=date(2026, 1, 12),
    )
    db.session.flush()
    ns_2025, ng_2025 = assessment_of(last_year, "HD-NS"), assessment_of(last_year, "HD-NG")
    give(ns_2025, "final", 5, 3, 50)
    give(ng_2025, "final", 6, 4, 60)
    survey(last_year, people["ns"], SIPAS=25)
    ns_2025.approved_at = APPROVED_AT
    db.session.commit()
    return {"round": par_round, "last_year": last_year, "ns": ns, "gl": gl, "ng": ng, "tk": tk, "finding": finding}


def get_as(client, sign_in, who, url):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)
    return client.get(url)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def ranking_rows(html: str) -> list[tuple[str, str]]:
    """(unit code, rank) of each row of the ranking tables, in order."""
    return re.findall(r'<tr data-unit="([^"]+)">\s*<td class="rank">(\d+)</td>', html)


def row_of(html: str, marker: str) -> str:
    """The cells' text of the table row with this data attribute, whitespace collapsed."""
    match = re.search(rf"<tr {marker}>(.*?)</tr>", html, re.S)
    assert match, marker
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def svgs(html: str) -> list[ET.Element]:
    """Every chart on the page, parsed as XML (it fails on anything that is not well-formed)."""
    charts = re.findall(r'<figure class="chart"[^>]*>\s*(<svg.*?</svg>)', html, re.S)
    return [ET.fromstring(svg) for svg in charts]


# --- the ranking --------------------------------------------------------------------------------------------------


def test_units_rank_by_final_index_and_ties_share_a_rank(client, sign_in, reports_world):
    par_round = reports_world["round"]
    html = html_of(get_as(client, sign_in, "director", f"/par/rounds/{par_round.id}/ranking?level=district"))
    assert ranking_rows(html) == [("HD-NS", "1"), ("HD-GL", "2"), ("HD-NG", "2"), ("HD-TK", "4")]
    assert row_of(html, 'data-unit="HD-NS"').startswith("1 Huyện Nam Sách 9.50 55.00 26.50 -0.50 90.50 90.50 Tốt +7.50")
    assert row_of(html, 'data-unit="HD-NG"').startswith("2 Huyện Ninh Giang 8.00 50.00 27.00 0.00 85.00 85.00 Khá —")
    assert row_of(html, 'data-unit="HD-TK"').startswith("4 Huyện Tứ Kỳ 3.00 30.00 20.00 0.00 53.00 53.00 Yếu —")
    assert "Assess the unit and attach evidence" in row_of(html, 'data-unit="HD-TK"'), "where the case stands"
    assert "3 of 3 items with a final score" in row_of(html, 'data-unit="HD-TK"')
    assert "0 of 4 units approved" in html and "Provisional" in html
    for par in (reports_world["ns"], reports_world["tk"]):
        assert f'href="/par/assessments/{par.case_id}/scorecard"' in html
    for export in ("ranking.pdf", "ranking.xlsx", "ranking.csv"):
        assert f"/par/rounds/{par_round.id}/{export}?level=district" in html


def test_a_round_with_an_unapproved_unit_is_provisional(client, sign_in, reports_world):
    html = html_of(get_as(client, sign_in, "auditor", f"/par/rounds/{reports_world['last_year'].id}/ranking"))
    assert ranking_rows(html) == [("HD-NS", "1"), ("HD-NG", "2")], "83.00 before 70.00"
    assert "1 of 2 units approved" in html and "Provisional" in html
    assert "Approved" in row_of(html, 'data-unit="HD-NS"') and "Approved" not in row_of(html, 'data-unit="HD-NG"')


def test_an_empty_round_and_a_level_without_units(client, sign_in, par_people, reports_world):
    empty = services.open_round(
        actor=par_people["admin"],
        year=2027,
        name="Chỉ số CCHC năm 2027",
        sets={OrgLevel.DISTRICT: build_set("districts-2027", 2027)},
        units=[],
        lead=par_people["lead"],
        appraisers=[],
        self_assessment_due=date(2027, 12, 15),
        first_appraisal_due=date(2027, 12, 22),
        explanation_due=date(2027, 12, 29),
        second_appraisal_due=date(2028, 1, 5),
        approval_due=date(2028, 1, 12),
    )
    db.session.commit()
    html = html_of(get_as(client, sign_in, "director", f"/par/rounds/{empty.id}/ranking"))
    assert "No unit of this level takes part in the round." in html and ranking_rows(html) == []
    assert "<svg" not in html, "no chart without units"
    url = f"/par/rounds/{reports_world['round'].id}/ranking"
    html = html_of(client.get(url + "?level=department"))
    assert "No unit of this level takes part in the round." in html and ranking_rows(html) == []
    assert client.get(url + "?level=ward").status_code == 404
    assert client.get("/par/rounds/99999/ranking").status_code == 404


def test_the_ranking_charts_are_well_formed_svg(client, sign_in, reports_world):
    html = html_of(get_as(client, sign_in, "lead", f"/par/rounds/{reports_world['round'].id}/ranking"))
    ranking, fields = svgs(html)
    for chart in (ranking, fields):
        assert chart.tag == f"{SVG}svg" and chart.get("role") == "img"
        assert chart.find(f"{SVG}title").text and chart.find(f"{SVG}desc").text
    bars = ranking.findall(f"{SVG}g[@class='bars']/{SVG}g")
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "1. Huyện Nam Sách: 90.50 · Tốt",
        "2. Huyện Gia Lộc: 85.00 · Khá",
        "2. Huyện Ninh Giang: 85.00 · Khá",
        "4. Huyện Tứ Kỳ: 53.00 · Yếu",
    ]
    # The plot is 420 units wide for 0-100: Nam Sách's 90.50 is 380.1 long.
    assert [float(bar.find(f"{SVG}rect").get("width")) for bar in bars] == [380.1, 357.0, 357.0, 222.6]
    assert len(fields.findall(f"{SVG}g[@class='bars']/{SVG}g")) == 2
    # The site's own files, and JSON data blocks (texts for them), which a browser never runs.
    scripts = [tag for tag in re.findall(r"<script[^>]*>", html) if 'type="application/json"' not in tag]
    assert scripts and all('src="/static/' in tag for tag in scripts), "the charts are drawn by the server, no script"
    assert "cdn" not in html.lower()


# --- the scorecard ------------------------------------------------------------------------------------------------


def test_the_scorecard_matches_the_hand_computation(client, sign_in, reports_world):
    ns = reports_world["ns"]
    html = html_of(get_as(client, sign_in, "officer", f"/par/assessments/{ns.case_id}/scorecard"))
    assert "Huyện Nam Sách" in html
    # Field: maximum, self-assessed, round 1, final, share, last year, change.
    assert row_of(html, 'data-field="1"') == "1. Chỉ đạo, điều hành 10.00 10.00 9.00 9.50 95.00 % 8.00 +1.50"
    assert row_of(html, 'data-field="2"') == "2. Thủ tục hành chính 60.00 58.00 55.00 55.00 91.67 % 50.00 +5.00"
    assert row_of(html, 'data-field="survey"') == "Survey 30.00 26.50 26.50 26.50 25.00 +1.50"
    assert row_of(html, 'data-field="adjustments"') == "Bonus and penalty +3.00 / −2.00 -0.50 -0.50 -0.50 0.00"
    assert row_of(html, 'data-field="total"') == "Total 100.00 94.00 90.00 90.50 83.00 +7.50"
    assert row_of(html, 'data-field="index"') == (
        "Index and band 100.00 94.00 · Tốt 90.00 · Tốt 90.50 · Tốt 83.00 · Khá +7.50"
    )
    assert "Lãnh đạo, công chức" in html and "SIPAS" in html and "18.50" in html
    assert "Sáng kiến liên thông một cửa" in html and "Hồ sơ trễ hạn không xin lỗi" in html
    finding = reports_world["finding"]
    assert f'href="/inspections/findings/{finding.id}"' in html, "the officer may open the cited finding"
    assert f"{finding.case.reference}: Hồ sơ trễ hạn chưa có phiếu xin lỗi" in html
    assert "Not approved yet" in html
    assert "Rank" not in html and len(svgs(html)) == 1, "the round is not published: no rank, no ranking chart"


def test_readers_of_the_round_see_the_rank_and_the_unit_among_the_others(client, sign_in, reports_world):
    html = html_of(get_as(client, sign_in, "appraiser", f"/par/assessments/{reports_world['ns'].case_id}/scorecard"))
    assert "1 of 4" in html
    fields, ranking = svgs(html)
    [highlighted] = [bar for bar in ranking.iter(f"{SVG}g") if "highlighted" in (bar.get("class") or "")]
    assert highlighted.find(f"{SVG}title").text == "1. Huyện Nam Sách: 90.50 · Tốt"
    # Field 1 at 95 % with last year's 80 % as a tick; field 2 at 91.67 %.
    first, second = fields.findall(f"{SVG}g[@class='bars']/{SVG}g")
    assert float(first.find(f"{SVG}rect").get("width")) == 399.0
    assert float(first.find(f"{SVG}line").get("x1")) == 230 + 336.0
    assert "last year 80.00 %" in first.find(f"{SVG}title").text
    assert float(second.find(f"{SVG}rect").get("width")) == 385.0


def test_no_change_is_shown_without_an_approved_index_last_year(client, sign_in, reports_world):
    html = html_of(get_as(client, sign_in, "director", f"/par/assessments/{reports_world['ng'].case_id}/scorecard"))
    assert "Change" not in html and "Last year" not in html
    # Ninh Giang has only final scores: its self-assessed and round-1 columns have no result, not "27.00 · Yếu".
    assert row_of(html, 'data-field="index"') == "Index and band 100.00 no result yet no result yet 85.00 · Khá"


def test_a_case_that_is_not_a_par_appraisal_has_no_scorecard(client, sign_in, reports_world):
    inspection = reports_world["finding"].case
    assert get_as(client, sign_in, "director", f"/par/assessments/{inspection.id}/scorecard").status_code == 404


# --- who may see ----------------------------------------------------------------------------------------------------


def urls(world) -> dict[str, str]:
    round_id, case_id = world["round"].id, world["ns"].case_id
    return {
        "ranking": f"/par/rounds/{round_id}/ranking",
        "ranking.xlsx": f"/par/rounds/{round_id}/ranking.xlsx",
        "ranking.csv": f"/par/rounds/{round_id}/ranking.csv?level=district",
        "ranking.pdf": f"/par/rounds/{round_id}/ranking.pdf",
        "scorecard": f"/par/assessments/{case_id}/scorecard",
        "scorecard.xlsx": f"/par/assessments/{case_id}/scorecard.xlsx",
    }


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_see_the_reports_before_publication(client, sign_in, reports_world, who):
    for name, url in urls(reports_world).items():
        allowed = SEES_NAM_SACH if name.startswith("scorecard") else SEES_THE_ROUND
        response = get_as(client, sign_in, who, url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], name
        else:
            assert response.status_code == (200 if who in allowed else 404), (who, name)


@pytest.mark.parametrize("who", EVERYONE)
def test_once_every_unit_is_approved_everyone_signed_in_sees_the_ranking(client, sign_in, reports_world, who):
    for key in ("ns", "gl", "ng", "tk"):
        reports_world[key].approved_at = APPROVED_AT
    db.session.commit()
    for name, url in urls(reports_world).items():
        response = get_as(client, sign_in, who, url)
        if who == "anonymous":
            assert response.status_code == 302, name
        elif name.startswith("scorecard"):
            assert response.status_code == (200 if who in SEES_NAM_SACH else 404), (who, name)
        else:
            assert response.status_code == 200, (who, name)
    if who == "officer2":
        html = html_of(get_as(client, sign_in, who, urls(reports_world)["ranking"]))
        assert "these are the round's results" in html and ranking_rows(html)[0] == ("HD-NS", "1")
        ng = reports_world["ng"]
        assert f'href="/par/assessments/{ng.case_id}/scorecard"' in html, "their own unit's scorecard"
        assert f'href="/par/assessments/{reports_world["ns"].case_id}/scorecard"' not in html, "not the others'"


def test_the_rounds_pages_follow_the_same_rule_once_the_round_is_published(client, sign_in, reports_world):
    """One rule for who sees a round: an inspector on none of its teams finds it once it is published."""
    par_round = reports_world["round"]
    for who, expected in (("outsider", 404), ("officer2", 404)):
        assert get_as(client, sign_in, who, f"/par/rounds/{par_round.id}").status_code == expected
    for key in ("ns", "gl", "ng", "tk"):
        reports_world[key].approved_at = APPROVED_AT
    db.session.commit()
    assert par_round.name in html_of(get_as(client, sign_in, "outsider", "/par/rounds"))
    assert get_as(client, sign_in, "outsider", f"/par/rounds/{par_round.id}").status_code == 200
    # Unit officers read the published ranking, but the rounds pages are not theirs.
    assert get_as(client, sign_in, "officer2", f"/par/rounds/{par_round.id}").status_code == 404


def approve_through_the_pages(act, par, points: tuple[str, str, str]) -> None:
    """One unit from self-assessment to approval, as its officer, the appraiser, the lead and the director."""
    officer = "officer" if par.unit.code == "HD-NS" else "officer2"
    for code, value in zip(CODES, points, strict=True):
        set_score(act, par, code, officer, "self", points=value, note="Không có tài liệu số hóa")
    do(act, par, "self_assessment", officer, {"confirmed": "y"})
    for stage, step in (("first", "first_appraisal"), ("final", "second_appraisal")):
        for code, value in zip(CODES, points, strict=True):
            set_score(act, par, code, "appraiser", stage, points=value, comment="")
        do(act, par, step, "appraiser", {"confirmed": "y"})
    do(act, par, "consolidation", "lead", {"note": ""})
    do(act, par, "approval", "director", {"decision": "approve"})


def test_the_ranking_is_published_when_the_council_approves_the_last_unit(client, sign_in, act, par_round):
    url = f"/par/rounds/{par_round.id}/ranking"
    approve_through_the_pages(act, assessment_of(par_round, "HD-NS"), ("6", "4", "55"))
    assert get_as(client, sign_in, "officer", url).status_code == 404, "one unit still waits for approval"
    approve_through_the_pages(act, assessment_of(par_round, "HD-NG"), ("5", "3", "50"))
    html = html_of(get_as(client, sign_in, "officer", url))
    assert ranking_rows(html) == [("HD-NS", "1"), ("HD-NG", "2")]
    assert "2 of 2 units approved" in html and "65.00" in html and "58.00" in html
    assert get_as(client, sign_in, "officer2", url).status_code == 200
