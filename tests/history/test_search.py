"""The history search across cases: auditors (and directors and administrators) find events by unit, person, kind
and period, page through them, open each case at that event, and download what they found."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest

from inspect_app.core.extensions import db
from inspect_app.history import record_event
from inspect_app.models import OrgLevel, Role
from tests.permissions.conftest import USERS


@pytest.fixture
def province(create_unit, create_user, create_case, monkeypatch):
    """A district with a commune under it and a department, a case about each, and the demo roles."""
    district = create_unit("Huyện Nam Sách", OrgLevel.DISTRICT)
    commune = create_unit("Xã An Lâm", OrgLevel.COMMUNE, parent=district)
    department = create_unit("Sở Giao thông vận tải")
    users = {name: create_user(name, *roles, full_name=f"Người {name}", language="en") for name, roles in USERS.items()}
    monkeypatch.setattr("inspect_app.history.utc_now", lambda: datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    cases = {
        "district": create_case("Kiểm tra Huyện Nam Sách", unit=district, lead=users["lead"], actor=users["director"]),
        "commune": create_case("Kiểm tra Xã An Lâm", unit=commune, actor=users["director"]),
    }
    monkeypatch.setattr("inspect_app.history.utc_now", lambda: datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    cases["department"] = create_case("Kiểm tra Sở Giao thông vận tải", unit=department, actor=users["admin"])
    record_event(
        cases["department"], "finding.raised", actor=users["lead"], details={"finding": 7, "title": "Thiếu biển tên"}
    )
    db.session.commit()
    monkeypatch.undo()
    return {"units": {"district": district, "commune": commune, "department": department}, **cases, **users}


def results(client, query: str = "") -> list[str]:
    """The events found, newest first, as "reference: summary"."""
    page = client.get(f"/audit/?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[-2000:]
    return listed(page.get_data(as_text=True))


def listed(text: str) -> list[str]:
    """The events a search page lists, as "reference: summary"."""
    found = []
    for item in re.findall(r'<li id="event-\d+-\d+">(.*?)</li>', text, re.S):
        reference = re.search(r'<p class="event-case">\s*<a [^>]*>([^<]+)</a>', item).group(1)
        summary = re.search(r'<p class="event-summary">(.*?)</p>', item, re.S).group(1)
        found.append(f"{reference}: {re.sub(r'<[^>]+>', '', html.unescape(summary)).strip()}")
    return found


def test_an_auditor_finds_events_by_unit_with_the_units_under_it(client, sign_in, province):
    sign_in("auditor")
    district, department = province["district"].reference, province["department"].reference
    commune = province["commune"].reference
    assert results(client, f"unit={province['units']['district'].id}") == [
        f"{commune}: Case opened: Kiểm tra Xã An Lâm",
        f"{district}: Added to the team: Người lead (lead)",
        f"{district}: Case opened: Kiểm tra Huyện Nam Sách",
    ]
    assert results(client, f"unit={province['units']['department'].id}") == [
        f"{department}: Finding raised: Thiếu biển tên",
        f"{department}: Case opened: Kiểm tra Sở Giao thông vận tải",
    ]


def test_by_person_kind_and_period(client, sign_in, province):
    sign_in("auditor")
    department = province["department"].reference
    assert results(client, f"person={province['admin'].id}") == [
        f"{department}: Case opened: Kiểm tra Sở Giao thông vận tải"
    ]
    assert results(client, "kind=findings") == [f"{department}: Finding raised: Thiếu biển tên"]
    assert results(client, "kind=case&date_from=2026-11-21") == [
        f"{department}: Case opened: Kiểm tra Sở Giao thông vận tải"
    ]
    assert len(results(client, "date_to=2026-11-20")) == 3
    page = client.get("/audit/?date_from=2026-12-01").get_data(as_text=True)
    assert "No event matches these filters." in page and 'href="/audit/"' in page, "a way back to everything"


def test_each_result_opens_its_case_at_that_event(client, sign_in, province, app):
    case = province["district"]
    for number in range(app.config["PAGE_SIZE"] + 3):  # the event is far down the case's own history
        record_event(case, "note.added", actor=province["lead"], details={"note": f"ghi chú {number}"})
    db.session.commit()
    sign_in("auditor")
    page = client.get(f"/audit/?unit={province['units']['district'].id}&kind=team.added").get_data(as_text=True)
    link = html.unescape(re.search(rf'href="(/cases/{case.id}/history[^"]*)"', page).group(1))
    assert link.endswith("#event-2")
    opened = client.get(link.split("#")[0]).get_data(as_text=True)
    assert re.findall(r'<li id="event-(\d+)"', opened)[:2] == ["2", "1"], "the case's history, from that event on"


def test_results_come_a_page_at_a_time(client, sign_in, province, app):
    for number in range(app.config["PAGE_SIZE"] + 2):
        record_event(province["commune"], "note.added", actor=None, details={"note": f"ghi chú {number}"})
    db.session.commit()
    sign_in("director")
    first = client.get("/audit/").get_data(as_text=True)
    assert len(re.findall(r'<li id="event-', first)) == app.config["PAGE_SIZE"]
    older = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    second = client.get(older).get_data(as_text=True)
    assert len(listed(second)) == 7, "the rest: 2 notes and the 5 events before them"
    assert listed(second)[-1] == f"{province['district'].reference}: Case opened: Kiểm tra Huyện Nam Sách"
    assert 'rel="next"' not in second


def test_nothing_recorded_yet_says_so(client, sign_in, create_user):
    create_user("auditor", Role.AUDITOR, language="en")
    sign_in("auditor")
    assert "Nothing has been recorded yet." in client.get("/audit/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=29/11/2026", "From: Not a valid date value."),
        ("date_from=2026-11-30&date_to=2026-11-01", "To: The end of the period is before its start."),
        ("unit=abc", "Unit (and the units under it): Not a valid choice."),
    ],
)
def test_bad_search_input_names_the_field(client, sign_in, province, query, message):
    sign_in("auditor")
    page = client.get(f"/audit/?{query}")
    assert page.status_code == 400 and message in html.unescape(page.get_data(as_text=True))
    download = client.get(f"/audit/history.csv?{query}")
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_what_was_found_downloads_as_csv(client, sign_in, province):
    sign_in("auditor")
    page = client.get(f"/audit/?unit={province['units']['district'].id}").get_data(as_text=True)
    link = html.unescape(re.search(r'href="(/audit/history\.csv[^"]*)"', page).group(1))
    download = client.get(link)
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(download.data.decode("utf-8"))))
    assert header[:2] == ["\ufeffCase", "Unit"]
    assert [(row[1], row[7]) for row in rows] == [
        ("Huyện Nam Sách", "Case opened: Kiểm tra Huyện Nam Sách"),
        ("Huyện Nam Sách", "Added to the team: Người lead (lead)"),
        ("Xã An Lâm", "Case opened: Kiểm tra Xã An Lâm"),
    ]
    assert (rows[0][4], rows[0][5]) == ("Người director", "director")


@pytest.mark.parametrize("who", ["auditor", "director", "admin"])
def test_the_search_is_one_tap_from_every_page_of_those_who_may_use_it(client, sign_in, province, who):
    sign_in(who)
    dashboard = client.get("/").get_data(as_text=True)
    assert 'href="/audit/"' in dashboard


@pytest.mark.parametrize("who", ["lead", "inspector", "officer"])
def test_others_are_not_offered_the_search(client, sign_in, province, who):
    sign_in(who)
    assert 'href="/audit/"' not in client.get("/").get_data(as_text=True)


def test_the_auditors_dashboard_leads_to_the_search_and_to_each_event(client, sign_in, province):
    sign_in("auditor")
    dashboard = client.get("/").get_data(as_text=True)
    section = dashboard.split('id="section-auditor"')[1]
    assert "Search the history" in section
    assert "Finding raised: Thiếu biển tên" in section
    assert f'href="/cases/{province["department"].id}/history?before=3#event-2"' in section
