"""The case page of an inspection: the decision, its scope, findings, and the way to a follow-up."""

from tests.inspections.test_paths import plan


def test_the_case_page_shows_the_inspection(client, sign_in, decide, do_task):
    case = decide()
    plan(do_task, case)
    sign_in("inspector")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "123/QĐ-SNV" in page and "Civil service" in page and "Administrative procedures" in page
    assert f"/inspections/{case.id}/onsite" in page, "the team member on site gets the checklist"
    assert f"/inspections/{case.id}/findings" in page
    assert "Start a follow-up inspection" not in page
    assert "/par/assessments/" not in page
