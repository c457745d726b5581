"""The criteria set admin pages: the list with its figures, the tree, duplication for a new year, deletion only when
unused (with a confirmation step)."""

import html
import re
from decimal import Decimal as D

from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.criteria.samples import load_sample_criteria_sets
from inspect_app.models import CriteriaSet, OrgLevel
from tests.criteria.conftest import BASE, make_set, stored
from tests.helpers import error_flash


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def row_of(page: str, code: str) -> str:
    return re.search(rf"<tr>\s*<td><code>{re.escape(code)}</code>.*?</tr>", page, re.S).group(0)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_list_shows_code_name_year_level_sample_subs_total_and_use(client, admin, criteria_set, use_set):
    use_set(criteria_set)
    sample = make_set(code="mau-xa-2027", year=2027, level=OrgLevel.COMMUNE)
    sample.is_sample = True
    sample.survey_max = D("31.5")
    db.session.commit()

    page = page_text(client.get(f"{BASE}/"))

    assert cells(row_of(page, "districts-2026")) == [
        "districts-2026",
        "Bộ tiêu chí cấp huyện",
        "2026",
        "District",
        "3",
        "100",
        "1 assessment",
    ]
    assert cells(row_of(page, "mau-xa-2027")) == [
        "mau-xa-2027",
        "Bộ tiêu chí cấp huyện Sample",
        "2027",
        "Commune",
        "3",
        "101.5",
        "0 assessments",
    ]
    assert page.index("mau-xa-2027") < page.index("districts-2026"), "the newest year comes first"
    assert f'href="{BASE}/"' in client.get("/").get_data(as_text=True), "admins have a nav link"


def test_the_empty_list_says_how_to_begin(client, admin):
    assert "No criteria set yet. Import one from a YAML or XLSX file." in page_text(client.get(f"{BASE}/"))


def test_a_set_is_shown_as_a_tree_with_maxima_guidance_and_evidence(client, admin, criteria_set):
    page = page_text(client.get(f"{BASE}/{criteria_set.id}"))

    field = re.search(r'id="node-1">(.*?)</section>', page, re.S).group(1)
    assert "1. Chỉ đạo, điều hành" in field and "max 10" in field
    assert "1.1 Kế hoạch CCHC" in field
    sub = re.search(r'<tr id="node-1.1.1">(.*?)</tr>', field, re.S).group(1)
    assert cells(f"<tr>{sub}</tr>") == ["1.1.1", "Ban hành kế hoạch đúng hạn", "6", "100% → 6; từ 80% → 3", "required"]
    other = re.search(r'<tr id="node-1.1.2">(.*?)</tr>', field, re.S).group(1)
    assert "not required" in other
    assert page.index('id="node-1"') < page.index('id="node-2"')
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    assert "<dt>Survey</dt><dd>30</dd>" in facts and "<strong>100</strong>" in facts
    assert "at most +3 / −2" in facts


def test_duplicating_for_the_next_year(client, admin, criteria_set, post):
    form = page_text(client.get(f"{BASE}/{criteria_set.id}/duplicate"))
    assert 'value="districts-2027"' in form and 'value="2027"' in form

    response = post(
        f"{BASE}/{criteria_set.id}/duplicate",
        {"code": "districts-2027", "name": "Bộ tiêu chí cấp huyện 2027", "year": "2027"},
    )

    copy = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "districts-2027"))
    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/{copy.id}"
    assert (copy.name, copy.year, copy.level, copy.is_sample) == (
        "Bộ tiêu chí cấp huyện 2027",
        2027,
        OrgLevel.DISTRICT,
        False,
    )
    assert (copy.survey_max, copy.bonus_cap, copy.penalty_cap) == (D(30), D(3), D(2))
    original = [(c.code, c.kind, c.name, c.max_points, c.guidance, c.evidence_required) for c in criteria_set.criteria]
    assert [(c.code, c.kind, c.name, c.max_points, c.guidance, c.evidence_required) for c in copy.criteria] == original
    assert {c.id for c in copy.criteria}.isdisjoint({c.id for c in criteria_set.criteria})
    assert [c.parent.code for c in copy.criteria if c.parent] == ["1", "1.1", "1.1", "2", "2.1"]


def test_a_copy_needs_a_free_code_and_a_sensible_year(client, admin, criteria_set, post):
    before = stored()

    taken = post(f"{BASE}/{criteria_set.id}/duplicate", {"code": "districts-2026", "name": "Bản sao", "year": "2027"})
    assert taken.status_code == 422
    assert "a criteria set with the code districts-2026 already exists" in page_text(taken)

    bad_year = post(f"{BASE}/{criteria_set.id}/duplicate", {"code": "ban-sao", "name": "Bản sao", "year": "27"})
    assert bad_year.status_code == 400 and "Enter a year from 2000 to 2100." in page_text(bad_year)
    assert stored() == before


def test_deleting_an_unused_set_asks_first(client, admin, criteria_set, post):
    confirm = page_text(client.get(f"{BASE}/{criteria_set.id}/delete"))
    assert "Delete the criteria set districts-2026?" in confirm
    assert "The set and its 3 sub-criteria are removed." in confirm
    assert stored() == (1, 7), "the confirmation page deletes nothing"

    response = post(f"{BASE}/{criteria_set.id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/"
    assert stored() == (0, 0)
    assert "Criteria set Bộ tiêu chí cấp huyện deleted." in page_text(client.get(f"{BASE}/"))


def test_a_set_in_use_cannot_be_deleted(client, admin, criteria_set, use_set, post):
    use_set(criteria_set)

    confirm = page_text(client.get(f"{BASE}/{criteria_set.id}/delete"))
    assert "districts-2026 cannot be deleted: 1 assessments are scored against it." in confirm
    assert "Delete the set</button>" not in confirm

    response = post(f"{BASE}/{criteria_set.id}/delete")

    assert response.status_code == 303 and response.headers["Location"] == f"{BASE}/{criteria_set.id}"
    assert "cannot be deleted" in html.unescape(error_flash(client.get(response.headers["Location"])))
    assert stored() == (1, 7)


def test_a_set_a_round_names_cannot_be_deleted_either(client, admin, criteria_set, use_set, post):
    use_set(criteria_set, assessment=False)

    response = post(f"{BASE}/{criteria_set.id}/delete")

    assert response.status_code == 303
    assert "districts-2026 cannot be deleted: a PAR round uses it." in html.unescape(
        error_flash(client.get(response.headers["Location"]))
    )
    assert stored() == (1, 7)


def test_an_unknown_set_is_not_found(client, admin):
    for page in ("/999", "/999/export.yaml", "/999/export.xlsx", "/999/duplicate", "/999/delete"):
        assert client.get(BASE + page).status_code == 404


def test_the_samples_show_in_the_list_and_as_trees(client, admin):
    sets = load_sample_criteria_sets(2026)
    db.session.commit()

    page = page_text(client.get(f"{BASE}/"))
    for code in ("sample-departments-2026", "sample-districts-2026"):
        row = cells(row_of(page, code))
        assert "Sample" in row[1] and row[5] == "100"
    tree = page_text(client.get(f"{BASE}/{sets[OrgLevel.DEPARTMENT].id}"))
    assert "A sample for demonstrations, not an official set." in tree
    assert "100% → 3; từ 80% đến dưới 100% → 1,5" in tree
