"""Each inspection task page shows what its decision needs, with the action one tap away: the checklist on site, the
findings to consolidate, the minutes and findings behind a conclusion, the findings to answer with their report
forms, and each report beside its finding and evidence when verifying, with no verdict chosen beforehand."""

import html
import io
import re

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.inspections.answers import assignees
from inspect_app.models import EvidenceFile, FindingState, HumanTask, TaskState
from tests.helpers import error_flash
from tests.inspections.conftest import open_task
from tests.inspections.test_hostile_input import jpeg
from tests.inspections.test_paths import answer_mine, keep_all, minutes, plan, raise_finding, visit
from tests.snapshots import world

SIGNS = "Chưa niêm yết thủ tục"
APOLOGY = "Thiếu phiếu xin lỗi"


def page_of(client, sign_in, who, url) -> str:
    sign_in(who)
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def submitted(page: str) -> list[tuple[str, str]]:
    """The (label, value) pairs under "What was submitted"."""
    block = re.search(r'<dl class="facts submitted">(.*?)</dl>', page, re.S)
    assert block, "no submitted answers shown"
    return [(dt.strip(), dd.strip()) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1), re.S)]


def report(act, finding, text, photo=False, who="officer"):
    data = {"text": text, **({"files": (io.BytesIO(jpeg()), "bien-lai.jpg")} if photo else {})}
    page = f"/inspections/findings/{finding.id}"
    response = act(who, f"/inspections/findings/{finding.id}/report", data, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return response


def conclude(act, do_task, decide, people, titles):
    """A case of the lead alone, its findings kept in the minutes, the conclusion approved."""
    case = decide(members=())
    plan(do_task, case)
    raised = visit(act, do_task, people, case, "lead", titles)
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    db.session.expire_all()
    return case, raised


@pytest.fixture
@world
def reported(act, do_task, decide, people):
    """Two findings reported by the unit (the first with a photo), waiting for the lead's verification."""
    case, (signs, apology) = conclude(act, do_task, decide, people, [SIGNS, APOLOGY])
    report(act, signs, "Đã niêm yết đủ 45 thủ tục tại bộ phận một cửa", photo=True)
    report(act, apology, "Đã in phiếu xin lỗi")
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    return case, signs, apology


# --- verification --------------------------------------------------------------------------------------------------


def test_the_verify_page_chooses_no_verdict_and_shows_each_report_with_its_evidence(client, sign_in, reported):
    case, signs, apology = reported
    task = open_task(case, "verification")
    page = page_of(client, sign_in, "lead", f"/tasks/{task.id}")

    radios = re.findall(r'<input[^>]*name="verdict_\d+"[^>]*>', page)
    assert len(radios) == 4, "accept and reject for each of the two findings"
    assert not any("checked" in radio for radio in radios), "no verdict is chosen beforehand"
    assert "selected" not in " ".join(re.findall(r"<option[^>]*>", page))
    assert "Đã niêm yết đủ 45 thủ tục tại bộ phận một cửa" in page and "Đã in phiếu xin lỗi" in page
    photo = db.session.scalars(select(EvidenceFile).where(EvidenceFile.report_id.is_not(None))).one()
    thumbnail = re.search(rf'<a href="/files/{photo.id}"[^>]*>\s*<img src="/files/{photo.id}"', page)
    assert thumbnail, "the photo is a thumbnail that opens the full image"
    full = client.get(f"/files/{photo.id}")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert "No evidence attached." in page, "the report without a photo says so"
    assert "This task is for someone else" not in page


def test_a_finding_left_without_a_verdict_is_refused_by_name_and_nothing_is_stored(act, reported):
    case, signs, apology = reported
    task = open_task(case, "verification")

    response = act("lead", f"/tasks/{task.id}", {f"verdict_{signs.id}": "accepted"}, page=f"/tasks/{task.id}")

    assert response.status_code == 422
    assert APOLOGY in html.unescape(error_flash(response)) and SIGNS not in html.unescape(error_flash(response))
    page = html.unescape(response.get_data(as_text=True))
    assert f"{APOLOGY}: Choose accept or reject." in page, "the message is at the finding too"
    assert re.search(rf'<input[^>]*checked[^>]*name="verdict_{signs.id}"[^>]*value="accepted"', page) or re.search(
        rf'<input[^>]*name="verdict_{signs.id}"[^>]*value="accepted"[^>]*checked', page
    ), "the verdict chosen stays chosen"
    db.session.expire_all()
    assert [signs.state, apology.state] == [FindingState.REPORTED, FindingState.REPORTED]
    assert signs.latest_report.verdict is None and apology.latest_report.verdict is None
    assert db.session.get(HumanTask, task.id).state == TaskState.READY


def test_a_done_verification_shows_its_verdicts_by_finding_and_label(client, sign_in, do_task, reported):
    case, signs, apology = reported
    task = open_task(case, "verification")
    verdicts = {
        f"verdict_{signs.id}": "accepted",
        f"verdict_{apology.id}": "rejected",
        f"reason_{apology.id}": "Chưa có dấu giáp lai",
    }
    do_task(case, "verification", "lead", verdicts)

    page = page_of(client, sign_in, "director", f"/tasks/{task.id}")

    assert submitted(page) == [(SIGNS, "Accept"), (APOLOGY, "Reject"), ("Reason", "Chưa có dấu giáp lai")]
    assert "verdict_" not in page and "rejected" not in page


# --- remediation ---------------------------------------------------------------------------------------------------


def test_the_unit_reports_on_each_finding_from_the_remediation_task(act, client, sign_in, do_task, decide, people):
    case, (signs, apology) = conclude(act, do_task, decide, people, [SIGNS, APOLOGY])
    task = open_task(case, "remediation")
    url = f"/tasks/{task.id}"
    page = page_of(client, sign_in, "officer", url)
    for finding in (signs, apology):
        assert f'action="/inspections/findings/{finding.id}/report"' in page
    assert "2 findings wait for your report." in page

    data = {"text": "Đã niêm yết", "next": url}
    response = act("officer", f"/inspections/findings/{signs.id}/report", data, page=url)

    assert response.status_code == 302 and response.location == url
    db.session.expire_all()
    assert signs.state == FindingState.REPORTED
    page = page_of(client, sign_in, "officer", url)
    assert "1 finding waits for your report." in page and "Đã niêm yết" in page
    assert f'action="/inspections/findings/{signs.id}/report"' not in page


def test_an_empty_report_from_the_task_page_comes_back_to_it_naming_the_finding(act, client, do_task, decide, people):
    case, (signs,) = conclude(act, do_task, decide, people, [SIGNS])
    url = f"/tasks/{open_task(case, 'remediation').id}"

    response = act("officer", f"/inspections/findings/{signs.id}/report", {"text": "", "next": url}, page=url)

    assert response.status_code == 303 and response.location == url
    assert html.unescape(error_flash(client.get(url))) == f"Describe what was done: {SIGNS}."
    db.session.expire_all()
    assert signs.state == FindingState.OPEN and not signs.reports


def test_a_rejected_report_comes_back_with_the_reason(act, client, sign_in, do_task, reported):
    case, signs, apology = reported
    verdicts = {f"verdict_{signs.id}": "accepted", f"verdict_{apology.id}": "rejected"}
    do_task(case, "verification", "lead", {**verdicts, f"reason_{apology.id}": "Chưa có dấu giáp lai"})
    page = page_of(client, sign_in, "officer", f"/tasks/{open_task(case, 'remediation').id}")
    assert "Your last report was rejected" in page and "Chưa có dấu giáp lai" in page
    assert f'action="/inspections/findings/{apology.id}/report"' in page
    assert f'action="/inspections/findings/{signs.id}/report"' not in page, "an accepted finding needs nothing more"


def test_only_the_units_officers_get_report_forms(client, sign_in, act, do_task, decide, people):
    case, _findings = conclude(act, do_task, decide, people, [SIGNS])
    url = f"/tasks/{open_task(case, 'remediation').id}"
    for who in ("director", "lead", "auditor"):
        page = page_of(client, sign_in, who, url)
        assert SIGNS in page and "Send the report" not in page, who


# --- on site, minutes and conclusion -------------------------------------------------------------------------------


def test_the_on_site_task_shows_the_checklist_with_progress_and_opens_the_on_site_screen(
    act, client, sign_in, do_task, decide, people
):
    case = decide()
    plan(do_task, case)
    people_by_item = assignees(case)
    mine = [item for item in case.inspection.checklist_items if people_by_item[item.id] == people["inspector"]]
    assert len(mine) >= 2, "the plan's proposal gives the inspector part of the checklist"
    act("inspector", f"/inspections/{case.id}/answers/{mine[0].id}", {"answer": "compliant"}, page="/")
    task = open_task(case, "onsite", people["inspector"])

    page = page_of(client, sign_in, "inspector", f"/tasks/{task.id}")

    progress = f"1 of {len(mine)} answered"
    assert progress in page and f'<progress max="{len(mine)}" value="1"' in page
    assert f'href="/inspections/{case.id}/onsite"' in page, "one tap to the on-site screen"
    assert f'href="/inspections/{case.id}/onsite#item-{mine[1].id}"' in page
    assert page.count("Not answered yet") == len(mine) - 1
    assert "The team's progress" in page
    director_page = page_of(client, sign_in, "director", f"/tasks/{task.id}")
    assert progress in director_page and f"/inspections/{case.id}/onsite" not in director_page


def test_a_finished_visit_shows_its_confirmation_as_yes(act, client, sign_in, do_task, decide, people):
    case = decide()
    plan(do_task, case)
    answer_mine(act, case, "inspector")
    task = open_task(case, "onsite", people["inspector"])
    do_task(case, "onsite", "inspector", {"confirmed": "y"}, user=people["inspector"])

    page = page_of(client, sign_in, "lead", f"/tasks/{task.id}")

    assert submitted(page) == [("My checklist and findings are complete", "Yes")]
    assert "True" not in page and "confirmed" not in page


def test_the_minutes_task_lists_the_findings_to_consolidate_and_keeps_one_in_a_tap(
    act, client, sign_in, do_task, decide, people
):
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", [SIGNS])
    url = f"/tasks/{open_task(case, 'minutes').id}"
    page = page_of(client, sign_in, "lead", url)
    assert "1 finding still needs a decision" in page
    assert f'href="/inspections/findings/{finding.id}"' in page
    assert f'action="/inspections/findings/{finding.id}/keep"' in page

    response = act("lead", f"/inspections/findings/{finding.id}/keep", {"next": url}, page=url)

    assert response.status_code == 302 and response.location == url
    db.session.expire_all()
    assert finding.state == FindingState.KEPT
    assert "Every finding has a decision." in page_of(client, sign_in, "lead", url)


def test_the_conclusion_task_shows_the_minutes_the_findings_and_a_preview_of_the_notice(
    act, client, sign_in, do_task, decide, people
):
    case = decide(members=())
    plan(do_task, case)
    answer_mine(act, case, "lead")
    raise_finding(act, case, "lead", SIGNS, severity="critical")
    do_task(case, "onsite", "lead", {"confirmed": "y"})
    keep_all(act, case)
    minutes(do_task, case)
    task = open_task(case, "conclusion")

    page = page_of(client, sign_in, "director", f"/tasks/{task.id}")

    assert "Ông Trưởng" in page and "Đơn vị nhất trí" in page, "the minutes: who signed, the unit's comments"
    assert f'href="/inspections/{case.id}/minutes"' in page
    assert re.search(r'badge-severity-critical">Critical</span>\s*<a[^>]*>' + SIGNS, page)
    preview = re.search(r'href="(/inspections/\d+/conclusion/draft[^"]*)"', page)
    assert preview, "one tap to the draft notice"
    draft = page_of(client, sign_in, "director", preview.group(1))
    assert "Draft: not issued yet" in draft and SIGNS in draft and "Download PDF" not in draft
    assert f'href="/tasks/{task.id}"' in draft, "the draft leads back to the task"


def test_the_conclusion_decides_nothing_for_the_director_and_an_empty_decision_is_refused_by_name(
    act, client, sign_in, do_task, decide, people
):
    case = decide(members=())
    plan(do_task, case)
    visit(act, do_task, people, case, "lead", [SIGNS])
    keep_all(act, case)
    minutes(do_task, case)
    task = open_task(case, "conclusion")

    page = page_of(client, sign_in, "director", f"/tasks/{task.id}")
    decision = re.search(r'<select[^>]*name="decision"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option[^>]*value="([^"]*)"', decision) == ["", "approve", "return"]
    assert "selected" not in decision, "the list opens on the empty choice: nothing is approved by a single tap"

    response = do_task(case, "conclusion", "director", {"decision": "", "summary": "Cần khắc phục"}, expect=422)

    assert "Decision: Choose a decision." in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert open_task(case, "conclusion").id == task.id, "the task is still open"
    assert case.inspection.concluded_at is None and case.findings[0].state == FindingState.KEPT


def test_the_draft_notice_becomes_the_notice_once_issued(act, client, sign_in, do_task, decide, people):
    case, _findings = conclude(act, do_task, decide, people, [SIGNS])
    sign_in("director")
    response = client.get(f"/inspections/{case.id}/conclusion/draft")
    assert response.status_code == 302 and response.location == f"/inspections/{case.id}/conclusion"


def test_a_done_conclusion_shows_the_decision_by_its_label(act, client, sign_in, do_task, decide, people):
    case, _findings = conclude(act, do_task, decide, people, [SIGNS])
    [task] = [t for t in case.human_tasks if t.bpmn_id == "conclusion"]

    page = page_of(client, sign_in, "lead", f"/tasks/{task.id}")

    assert submitted(page) == [("Decision", "Approve and issue the conclusion"), ("Conclusion", "Cần khắc phục")]


def test_the_closure_task_shows_where_each_finding_stands(client, sign_in, do_task, reported):
    case, signs, apology = reported
    verdicts = {f"verdict_{signs.id}": "accepted", f"verdict_{apology.id}": "accepted"}
    do_task(case, "verification", "lead", verdicts)

    page = page_of(client, sign_in, "director", f"/tasks/{open_task(case, 'closure').id}")

    assert "No finding waits for the unit." in page
    for finding in (signs, apology):
        assert re.search(rf'>{finding.title}</a>\s*<span class="badge">Remediation accepted</span>', page)
    assert f'href="/inspections/{case.id}/conclusion"' in page
