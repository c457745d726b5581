"""Nobody types an address to reach a round's results: each role finds its rounds, their ranking, scorecards and
files from the navigation, the dashboard, the round page and the assessment page, and every such link opens.

The world is test_reports.py's: a 2026 round of four districts (officer at Nam Sách, officer2 at Ninh Giang;
lead and appraiser on its team; outsider an inspector on no team)."""

import html as markup
import re

import pytest

from inspect_app.core.extensions import db
from tests.par.test_reports import APPROVED_AT, get_as, html_of, reports_world  # noqa: F401  (fixture)

ROUND_WORKERS = {"admin", "director", "lead", "appraiser", "outsider", "auditor"}  # access/roles.py ROUND_VIEWERS
SEES_THE_ROUND = {"admin", "director", "lead", "appraiser", "auditor"}
EVERYONE = sorted(ROUND_WORKERS | {"officer", "officer2"})


def par_links(html: str) -> set[str]:
    """The PAR pages and files a page links to (not its forms' actions)."""
    return {markup.unescape(href) for href in re.findall(r'href="(/par/[^"#]*)', html)}


def all_open(client, links: set[str]) -> None:
    """Every link answers the signed-in user with a page or a file, never 404 or 403."""
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


@pytest.fixture
def world(reports_world):  # noqa: F811
    return reports_world


def publish(world) -> None:
    for key in ("ns", "gl", "ng", "tk"):
        world[key].approved_at = APPROVED_AT
    db.session.commit()


@pytest.mark.parametrize("who", EVERYONE)
def test_the_navigation_and_dashboard_lead_to_the_rounds(client, sign_in, world, who):
    par_round, ns = world["round"], world["ns"]
    dashboard = html_of(get_as(client, sign_in, who, "/"))
    links = par_links(dashboard)
    assert ("/par/rounds" in links) == (who in ROUND_WORKERS), "the navigation's PAR rounds link"
    assert (f"/par/rounds/{par_round.id}" in links) == (who in SEES_THE_ROUND)
    assert (f"/par/rounds/{par_round.id}/ranking" in links) == (who in SEES_THE_ROUND)
    if who == "officer":
        assert {f"/par/assessments/{ns.case_id}", f"/par/assessments/{ns.case_id}/scorecard"} <= links
        assert not any("/ranking" in link for link in links), "the ranking is not theirs before publication"
    all_open(client, links)


@pytest.mark.parametrize("who", EVERYONE)
def test_once_published_everyone_finds_the_ranking_from_the_dashboard(client, sign_in, world, who):
    publish(world)
    par_round, ng = world["round"], world["ng"]
    links = par_links(html_of(get_as(client, sign_in, who, "/")))
    if who in ROUND_WORKERS:
        assert f"/par/rounds/{par_round.id}/ranking" in links
    if who == "officer2":
        assert f"/par/rounds/{par_round.id}/ranking?level=district" in links
        assert f"/par/assessments/{ng.case_id}/scorecard" in links
    all_open(client, links)


@pytest.mark.parametrize("who", sorted(SEES_THE_ROUND))
def test_the_round_page_links_to_the_ranking_files_and_each_scorecard(client, sign_in, world, who):
    par_round = world["round"]
    page = html_of(get_as(client, sign_in, who, f"/par/rounds/{par_round.id}"))
    links = par_links(page)
    for target in ("ranking", "ranking?level=district", "ranking.pdf", "ranking.xlsx", "ranking.csv"):
        assert f"/par/rounds/{par_round.id}/{target}" in links, target
    for key in ("ns", "gl", "ng", "tk"):
        assert f"/par/assessments/{world[key].case_id}/scorecard" in links, key
    all_open(client, links)
    ranking = html_of(get_as(client, sign_in, who, f"/par/rounds/{par_round.id}/ranking"))
    assert f"/par/rounds/{par_round.id}" in par_links(ranking), "and back from the ranking to the round"


@pytest.mark.parametrize("who", ["officer", "lead", "director"])
def test_the_assessment_page_links_to_the_scorecard_and_the_ranking_for_those_who_see_it(client, sign_in, world, who):
    par_round, ns = world["round"], world["ns"]
    links = par_links(html_of(get_as(client, sign_in, who, f"/par/assessments/{ns.case_id}")))
    assert f"/par/assessments/{ns.case_id}/scorecard" in links
    assert (f"/par/rounds/{par_round.id}/ranking?level=district" in links) == (who != "officer")
    assert (f"/par/rounds/{par_round.id}" in links) == (who != "officer")
    all_open(client, links)
    publish(world)
    links = par_links(html_of(get_as(client, sign_in, who, f"/par/assessments/{ns.case_id}")))
    assert f"/par/rounds/{par_round.id}/ranking?level=district" in links
    all_open(client, links)
