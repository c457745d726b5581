"""Each PAR task page shows the scoring sheet in short, the items flagged for explanation first, and what its step
still needs, each item one tap from its place on the sheet."""

import html
import re

from tests.par.test_flow import assessment_of, do, score, set_score, task


def task_page(client, sign_in, who, par, bpmn_id) -> str:
    sign_in(who)
    response = client.get(f"/tasks/{task(par, bpmn_id).id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def item_links(page: str, par) -> list[str]:
    """The codes of the items the page links to on the sheet, in the page's order."""
    return re.findall(rf'href="/par/assessments/{par.case_id}#c-\d+"><span class="item-code">([\d.]+)</span>', page)


def test_the_self_assessment_task_opens_the_sheet_and_lists_what_is_still_needed(client, sign_in, act, par_round):
    par = assessment_of(par_round, "HD-NS")
    set_score(act, par, "1.1.2", "officer", "self", points="3", note="")

    page = task_page(client, sign_in, "officer", par, "self_assessment")

    assert f'href="/par/assessments/{par.case_id}"' in page, "one tap to the scoring sheet"
    assert "2 of 3 items" in page
    assert item_links(page, par) == ["1.1.1", "2.1.1"], "1.1.1 needs its evidence, 2.1.1 its score"


def test_the_explanation_task_puts_the_flagged_items_first(client, sign_in, act, par_round):
    par = assessment_of(par_round, "HD-NS")
    for code, points in (("1.1.1", "6"), ("1.1.2", "4"), ("2.1.1", "50")):
        set_score(act, par, code, "officer", "self", points=points, note="Không có tệp")
    do(act, par, "self_assessment", "officer", {"confirmed": "y"})
    set_score(act, par, "1.1.1", "appraiser", "first", points="6", comment="")
    set_score(act, par, "1.1.2", "appraiser", "first", points="3", comment="Thiếu báo cáo quý", needs_explanation="y")
    set_score(act, par, "2.1.1", "appraiser", "first", points="40", comment="Hồ sơ trễ", needs_explanation="y")
    do(act, par, "first_appraisal", "appraiser", {"confirmed": "y"})
    set_score(act, par, "2.1.1", "officer", "explanation", explanation="Đã bổ sung hồ sơ")

    page = task_page(client, sign_in, "officer", par, "explanation")

    flagged = page.index("Flagged for explanation")
    assert flagged < page.index("Still needed at this step")
    assert item_links(page, par) == ["1.1.2", "2.1.1", "1.1.2"], "both flagged items, then the one left to explain"
    assert "Thiếu báo cáo quý" in page and "Not explained yet" in page and "Đã bổ sung hồ sơ" in page
    assert score(par, "1.1.2").needs_explanation


def test_a_done_self_assessment_shows_its_confirmation_as_yes(client, sign_in, act, par_round):
    par = assessment_of(par_round, "HD-NS")
    for code, points in (("1.1.1", "6"), ("1.1.2", "4"), ("2.1.1", "50")):
        set_score(act, par, code, "officer", "self", points=points, note="Không có tệp")
    done = task(par, "self_assessment")
    do(act, par, "self_assessment", "officer", {"confirmed": "y"})

    sign_in("lead")
    page = html.unescape(client.get(f"/tasks/{done.id}").get_data(as_text=True))

    assert "<dt>Our self-assessment is complete</dt><dd>Yes</dd>" in page and "True" not in page


def test_the_sheet_leads_back_to_the_readers_own_task(client, sign_in, par_round):
    par = assessment_of(par_round, "HD-NS")
    self_assessment = task(par, "self_assessment")

    sign_in("officer")
    page = html.unescape(client.get(f"/par/assessments/{par.case_id}").get_data(as_text=True))
    assert f'<a class="button" href="/tasks/{self_assessment.id}">Your task: ' in page, "one tap back to finish"

    sign_in("lead")
    page = html.unescape(client.get(f"/par/assessments/{par.case_id}").get_data(as_text=True))
    assert f'href="/tasks/{self_assessment.id}"' not in page, "the lead has no step open here"
