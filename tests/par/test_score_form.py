"""The scoring form of the assessment page: a bad score comes back at its field, as typed, with the page at the
item; `8,5` and `8.5` are both a score; nothing is stored from a refused save, and the form's version still
guards against a save made meanwhile.

The world is tests/par/conftest.py's round: 1.1.2 is worth 4 points, 2.1.1 is worth 60; officer scores Nam Sách."""

import html
import re
from decimal import Decimal as D

import pytest

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from tests.helpers import error_flash
from tests.par.test_flow import assessment_of, do, score, set_score

PLAIN_NUMBER = "Write a plain number, such as 8,5 or 8.5."


def field_of(body: str, input_id: str) -> str:
    """The markup of the field (label, input, messages) holding the input `input_id`."""
    match = re.search(rf'<div class="field[^"]*"><label for="{input_id}">.*?</div>', body, re.S)
    assert match, f"no field {input_id}"
    return match.group(0)


def errors_at(body: str, input_id: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>', field_of(body, input_id))]


def value_of(body: str, input_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', body)
    assert match, f"no input {input_id}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def history_length(par) -> int:
    return len(case_events(par.case))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", PLAIN_NUMBER),
        ("1e0", PLAIN_NUMBER),
        ("1.000,5", PLAIN_NUMBER),
        ("99", "1.1.2 is worth at most 4 points."),
        ("-1", "1.1.2: a score cannot be negative."),
        ("2,125", "1.1.2: use at most two decimals."),
    ],
)
def test_a_bad_self_score_is_shown_at_its_field_as_typed_and_nothing_is_stored(act, par_round, typed, message):
    par = assessment_of(par_round, "HD-NS")
    item = score(par, "1.1.2")
    before = history_length(par)
    response = set_score(
        act, par, "1.1.2", "officer", "self", expect=422, points=typed, note="Theo báo cáo", version=item.lock_version
    )
    body = response.get_data(as_text=True)

    assert errors_at(body, f"self-{item.id}") == [f"Your score: {message}"], "the message is at the field, naming it"
    assert value_of(body, f"self-{item.id}") == typed, "the typed value is kept"
    assert "Theo báo cáo</textarea>" in body, "so is the note typed beside it"
    field = field_of(body, f"self-{item.id}")
    assert 'aria-invalid="true"' in field and f'aria-describedby="self-{item.id}-error"' in field
    # The form's address ends at the item, so the browser shows it where the user was, without a script.
    assert f'action="/par/scores/{item.id}/self#c-{item.criterion_id}"' in body
    assert f'name="version" value="{item.lock_version}"' in body

    db.session.expire_all()
    assert (score(par, "1.1.2").self_score, score(par, "1.1.2").self_note) == (None, "")
    assert history_length(par) == before


def test_other_items_keep_their_stored_values_beside_a_refused_one(act, par_round):
    par = assessment_of(par_round, "HD-NS")
    set_score(act, par, "2.1.1", "officer", "self", points="50", note="")
    response = set_score(act, par, "1.1.2", "officer", "self", expect=422, points="abc", note="")
    body = response.get_data(as_text=True)
    assert value_of(body, f"self-{score(par, '2.1.1').id}") == "50.00"
    assert errors_at(body, f"self-{score(par, '2.1.1').id}") == []


@pytest.mark.parametrize("typed", ["8,5", "8.5", " 8,50 ", "+8.5"])
def test_a_decimal_comma_and_a_decimal_point_are_the_same_score(act, par_round, typed):
    par = assessment_of(par_round, "HD-NS")
    response = set_score(act, par, "2.1.1", "officer", "self", points=typed, note="")
    assert response.headers["Location"].endswith(f"/par/assessments/{par.case_id}#c-{score(par, '2.1.1').criterion_id}")
    db.session.expire_all()
    assert score(par, "2.1.1").self_score == D("8.5")


def test_an_appraisers_bad_score_is_shown_at_the_appraisal_field(act, par_round):
    par = assessment_of(par_round, "HD-NS")
    for code, points in (("1.1.1", "6"), ("1.1.2", "3,5"), ("2.1.1", "58")):
        set_score(act, par, code, "officer", "self", points=points, note="Có hồ sơ")
    do(act, par, "self_assessment", "officer", {"confirmed": "y"})
    item = score(par, "1.1.2")
    response = set_score(
        act, par, "1.1.2", "appraiser", "first", expect=422, points="-1", comment="Thiếu", needs_explanation="y"
    )
    body = response.get_data(as_text=True)
    assert errors_at(body, f"appraise-{item.id}") == ["Appraised score: 1.1.2: a score cannot be negative."]
    assert value_of(body, f"appraise-{item.id}") == "-1"
    assert re.search(r'name="needs_explanation" value="y"\s+checked', body), "the flag ticked stays ticked"
    db.session.expire_all()
    assert (score(par, "1.1.2").first_score, score(par, "1.1.2").needs_explanation) == (None, False)


def test_too_long_a_note_is_refused_at_its_field(act, par_round):
    par = assessment_of(par_round, "HD-NS")
    item = score(par, "1.1.2")
    response = set_score(act, par, "1.1.2", "officer", "self", expect=422, points="2", note="x" * 4001)
    assert errors_at(response.get_data(as_text=True), f"note-{item.id}")
    db.session.expire_all()
    assert score(par, "1.1.2").self_score is None


def test_a_corrected_score_from_the_refused_page_still_meets_a_save_made_meanwhile(act, client, par_round):
    """The page shown again carries the version the user first saw: a save made in between is not overwritten."""
    par = assessment_of(par_round, "HD-NS")
    item = score(par, "1.1.2")
    seen = item.lock_version
    refused = set_score(act, par, "1.1.2", "officer", "self", expect=422, points="99", note="", version=seen)
    assert f'name="version" value="{seen}"' in refused.get_data(as_text=True)

    # Meanwhile the item is saved from another page that showed the same version.
    set_score(act, par, "1.1.2", "officer", "self", points="3", note="Đồng nghiệp", version=seen)

    late = set_score(act, par, "1.1.2", "officer", "self", expect=303, points="4", note="", version=seen)
    assert "after this page was opened" in error_flash(client.get(late.headers["Location"]))
    db.session.expire_all()
    assert (score(par, "1.1.2").self_score, score(par, "1.1.2").self_note) == (D(3), "Đồng nghiệp")


def test_someone_who_may_not_score_gets_403_whatever_they_type(act, par_round):
    par = assessment_of(par_round, "HD-NS")
    set_score(act, par, "1.1.2", "appraiser", "self", expect=403, points="abc", note="")
    set_score(act, par, "1.1.2", "officer2", "self", expect=404, points="abc", note="")
