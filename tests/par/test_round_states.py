"""A round's state: open while its units are appraised, published once the council approved every unit, closed once
an administrator or a director closes it, after a confirmation page. Closing is written to each unit's history.
(Who may close: tests/permissions/test_par_round_matrix.py.)"""

import io
import re

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import ParRound, RoundStatus
from tests.helpers import error_flash
from tests.par.test_flow import assessment_of
from tests.par.test_reports import APPROVED_AT, approve_through_the_pages, get_as, html_of


def status_on(html: str) -> str:
    match = re.search(r'class="round-status" data-status="([a-z]+)"', html)
    assert match, "no round status on the page"
    return match.group(1)


def round_page(client, sign_in, par_round, who="director") -> str:
    return html_of(get_as(client, sign_in, who, f"/par/rounds/{par_round.id}"))


def close(act, par_round, who="director"):
    return act(who, f"/par/rounds/{par_round.id}/close", page=f"/par/rounds/{par_round.id}/close")


def round_events(par_round) -> list[str]:
    return [e.action for par in par_round.assessments for e in case_events(par.case) if e.action == "par.round_closed"]


def test_open_then_published_when_the_last_unit_is_approved_then_closed(client, sign_in, act, par_round, par_people):
    html = round_page(client, sign_in, par_round)
    assert status_on(html) == "open" and "Close the round" not in html
    assert par_round.status == RoundStatus.OPEN

    approve_through_the_pages(act, assessment_of(par_round, "HD-NS"), ("6", "4", "55"))
    assert status_on(round_page(client, sign_in, par_round)) == "open", "one unit still waits for the council"

    approve_through_the_pages(act, assessment_of(par_round, "HD-NG"), ("5", "3", "50"))
    html = round_page(client, sign_in, par_round)
    assert status_on(html) == "published"
    assert f'href="/par/rounds/{par_round.id}/close"' in html, "the director is offered to close it"
    listed = html_of(get_as(client, sign_in, "director", "/par/rounds"))
    assert 'data-status="published">Published<' in listed

    confirm = html_of(get_as(client, sign_in, "director", f"/par/rounds/{par_round.id}/close"))
    assert "Close Chỉ số CCHC năm 2026?" in confirm and "cannot be undone" in confirm
    assert f'action="/par/rounds/{par_round.id}/close"' in confirm
    db.session.expire_all()
    assert par_round.closed_at is None, "the confirmation page changes nothing"

    response = close(act, par_round)
    assert response.status_code == 302 and response.headers["Location"] == f"/par/rounds/{par_round.id}"
    html = round_page(client, sign_in, par_round)
    assert status_on(html) == "closed" and "by Director" in html
    assert f'href="/par/rounds/{par_round.id}/close"' not in html
    db.session.expire_all()
    assert par_round.status == RoundStatus.CLOSED and par_round.closed_by == par_people["director"]
    assert round_events(par_round) == ["par.round_closed", "par.round_closed"], "in each unit's history"
    history = html_of(get_as(client, sign_in, "director", f"/cases/{assessment_of(par_round, 'HD-NS').case_id}"))
    assert "PAR round closed" in history


def test_an_open_round_cannot_be_closed_and_nothing_changes(client, sign_in, act, par_round):
    page = html_of(get_as(client, sign_in, "admin", f"/par/rounds/{par_round.id}/close"))
    assert "cannot be closed yet" in page and "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    response = close(act, par_round, who="admin")
    assert response.status_code == 303
    message = error_flash(client.get(response.headers["Location"]))
    assert message == "A round closes once the council has approved every unit: 2 not approved yet."
    db.session.expire_all()
    assert par_round.closed_at is None and round_events(par_round) == []


def approve_all(par_round: ParRound) -> None:
    for par in par_round.assessments:
        par.approved_at = APPROVED_AT
    db.session.commit()


def test_a_round_closes_once(client, sign_in, act, par_round):
    approve_all(par_round)
    assert close(act, par_round, who="admin").status_code == 302
    again = close(act, par_round, who="director")
    assert again.status_code == 303
    assert "Admin already closed this round" in error_flash(client.get(again.headers["Location"]))
    db.session.expire_all()
    assert round_events(par_round) == ["par.round_closed", "par.round_closed"], "written once per unit, not twice"


def test_a_closed_round_takes_no_survey_import(client, sign_in, act, par_round):
    approve_all(par_round)
    html = round_page(client, sign_in, par_round, who="admin")
    assert 'id="survey"' in html, "a published round still takes the survey"
    close(act, par_round, who="admin")
    assert 'id="survey"' not in round_page(client, sign_in, par_round, who="admin")
    data = {"file": (io.BytesIO(b"unit_code,component,score\nHD-NS,SIPAS,18\n"), "khao-sat.csv")}
    response = act(
        "admin",
        f"/par/rounds/{par_round.id}/survey",
        data,
        page=f"/par/rounds/{par_round.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_the_state_reads_in_vietnamese(client, sign_in, par_people, par_round):
    par_people["director"].language = "vi"
    db.session.commit()
    assert 'data-status="open">Đang mở<' in round_page(client, sign_in, par_round)
    approve_all(par_round)
    assert 'data-status="published">Đã công bố<' in round_page(client, sign_in, par_round)
