"""The case list (filters, pagination, empty states) and the case page (team, history, downloads)."""

import csv
import html
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from inspect_app.audit.exports import CHUNK_ROWS
from inspect_app.cases.services import close_case
from inspect_app.cases.views import TIMELINE_EVENTS
from inspect_app.core.extensions import db
from inspect_app.history import case_events, record_event
from inspect_app.models import CaseType, Role


def test_empty_list_says_so(client, create_user, sign_in):
    create_user("director", Role.DIRECTOR, language="en")
    sign_in("director")
    page = client.get("/cases/").get_data(as_text=True)
    assert "There are no cases you may see yet." in page


def test_filters_narrow_the_list_and_say_when_nothing_matches(client, create_user, create_case, create_unit, sign_in):
    director = create_user("director", Role.DIRECTOR, language="en")
    health = create_unit("Sở Y tế", code="HD-SYT")
    district = create_unit("Huyện Nam Sách", code="HD-NS")
    inspection = create_case("Kiểm tra công vụ Sở Y tế", unit=health, actor=director)
    appraisal = create_case("Chỉ số CCHC Huyện Nam Sách", unit=district, case_type=CaseType.PAR_APPRAISAL)
    closed = create_case("Kiểm tra một cửa Huyện Nam Sách", unit=district)
    close_case(closed, actor=director, reason="Xong")
    db.session.commit()
    sign_in("director")

    def listed(**params):
        page = client.get("/cases/", query_string=params).get_data(as_text=True)
        return {case.reference for case in (inspection, appraisal, closed) if case.reference in page}

    assert listed() == {inspection.reference, appraisal.reference, closed.reference}
    assert listed(case_type="par_appraisal") == {appraisal.reference}
    assert listed(status="closed") == {closed.reference}
    assert listed(unit="HD-NS") == {appraisal.reference, closed.reference}
    assert listed(q="sở y tế") == {inspection.reference}
    assert listed(q=inspection.reference) == {inspection.reference}
    page = client.get("/cases/", query_string={"q": "không có"}).get_data(as_text=True)
    assert "No case matches these filters." in page


def test_search_finds_cases_without_diacritics(client, create_user, create_case, create_unit, sign_in):
    """Typed without marks, in any case: "nam sach" finds Nam Sách, "dong" finds Đông; by title, unit or reference."""
    create_user("director", Role.DIRECTOR, language="en")
    district, health = create_unit("Huyện Nam Sách", code="HD-NS"), create_unit("Sở Y tế", code="HD-SYT")
    by_unit = create_case("Kiểm tra công vụ năm 2026", unit=district).reference
    by_title = create_case("Kiểm tra xã Đông Hưng", unit=health).reference
    # "chính sách năm" holds "sach nam", not "nam sach": the words must come in the order asked.
    neither = create_case("Kiểm tra chính sách năm 2026", unit=health).reference
    sign_in("director")

    def found(asked: str) -> set[str]:
        page = client.get("/cases/", query_string={"q": asked}).get_data(as_text=True)
        return {reference for reference in (by_unit, by_title, neither) if reference in page}

    assert found("nam sach") == found("NAM SÁCH") == found("Nam  Sách") == {by_unit}
    assert found("dong hung") == found("Đông") == found("đông hưng") == {by_title}
    assert found(by_title.lower()) == {by_title}
    assert found("2_26") == set(), "_ and % are characters, not wildcards"


def test_the_list_is_paged_newest_first_keeping_its_filters(
    client, create_user, create_case, create_unit, sign_in, app
):
    create_user("director", Role.DIRECTOR, language="en")
    district, other = create_unit("Huyện Nam Sách", code="HD-NS"), create_unit("Sở Y tế", code="HD-SYT")
    size = app.config["PAGE_SIZE"]
    cases = [create_case(f"Hồ sơ số {n}", unit=district).reference for n in range(size + 3)]
    elsewhere = create_case("Hồ sơ khác", unit=other).reference
    sign_in("director")

    def shown(page: str) -> list[str]:
        return re.findall(r'<span class="ref">([^<]+)</span>', page)

    def link(page: str, rel: str) -> str:
        return html.unescape(re.search(rf'rel="{rel}" href="([^"]+)"', page).group(1))

    first = client.get("/cases/", query_string={"q": "nam sach"}).get_data(as_text=True)
    assert f"{size + 3} cases" in first
    assert shown(first) == cases[::-1][:size] and 'rel="prev"' not in first
    following = link(first, "next")
    assert "q=nam+sach" in following, "the filter stays on the next page"
    second = client.get(following).get_data(as_text=True)
    assert shown(second) == cases[2::-1] and 'rel="next"' not in second
    assert elsewhere not in second and f"{size + 3} cases" in second
    assert shown(client.get(link(second, "prev")).get_data(as_text=True)) == shown(first)
    assert client.get("/cases/?before=not-a-key").status_code == 200, "a link that went bad shows the first page"


def test_case_page_shows_team_and_history_in_the_users_time_zone(client, create_user, create_case, sign_in):
    director = create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng", language="en")
    lead = create_user("lead", Role.LEAD, full_name="Trần Thị Lan")
    member = create_user("inspector", Role.INSPECTOR, full_name="Lê Minh Tuấn")
    case = create_case("Kiểm tra Sở Y tế", lead=lead, members=[member], actor=director)
    opened_at = case_events(case)[0].at

    def shown_time(zone: str) -> str:
        return format_datetime(opened_at, "medium", tzinfo=ZoneInfo(zone), locale="en")

    sign_in("director")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Trần Thị Lan" in page and "Lê Minh Tuấn" in page
    assert "Case opened" in page and "Added to the team" in page
    assert shown_time("Asia/Ho_Chi_Minh") in page, "times are shown in Vietnam's zone by default"
    assert case.history_head in page

    director.timezone = "Asia/Tokyo"
    db.session.commit()
    assert shown_time("Asia/Tokyo") in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_history_downloads_carry_the_chain_head(client, create_user, create_case, sign_in):
    director = create_user("director", Role.DIRECTOR)
    case = create_case("Kiểm tra Sở Y tế", lead=create_user("lead", Role.LEAD), actor=director)
    sign_in("director")

    as_json = client.get(f"/cases/{case.id}/history.json")
    assert as_json.headers["Content-Disposition"] == f'attachment; filename="{case.reference}-history.json"'
    body = as_json.json
    assert body["chain_head"] == case.history_head == body["events"][-1]["hash"]
    assert [e["action"] for e in body["events"]] == ["case.created", "team.added"]

    as_csv = client.get(f"/cases/{case.id}/history.csv")
    assert as_csv.headers["Content-Disposition"] == f'attachment; filename="{case.reference}-history.csv"'
    rows = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True).removeprefix("\ufeff"))))
    assert len(rows) == 3, "a header, then one row per event"
    assert rows[-1][-1] == case.history_head, "the last event's hash is the chain head"
    assert client.get(f"/cases/{case.id}/history.xml").status_code == 404


def test_the_json_export_can_be_verified_without_the_system(client, create_user, create_case, sign_in):
    """An outside auditor recomputes every hash from the export alone and reaches the chain head."""
    import hashlib
    import json

    director = create_user("director", Role.DIRECTOR)
    case = create_case("Kiểm tra Sở Y tế", lead=create_user("lead", Role.LEAD), actor=director)
    sign_in("director")
    export = client.get(f"/cases/{case.id}/history.json").json
    previous = "0" * 64
    for event in export["events"]:
        claimed = event.pop("hash")
        assert event["prev_hash"] == previous
        canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode()).hexdigest() == claimed
        previous = claimed
    assert previous == export["chain_head"]


@pytest.mark.parametrize("events", [2 * CHUNK_ROWS, 2 * CHUNK_ROWS + 1])
def test_a_long_json_export_streams_every_event_once_in_chain_order(client, create_user, create_case, sign_in, events):
    director = create_user("director", Role.DIRECTOR)
    case = create_case("Kiểm tra Sở Y tế", actor=director)
    for number in range(events - case.history_count):
        record_event(case, "note.added", actor=director, details={"reason": f"ghi chú số {number}"})
    db.session.commit()
    sign_in("director")
    response = client.get(f"/cases/{case.id}/history.json", buffered=False)
    assert response.is_streamed
    export = json.loads(response.get_data(as_text=True))
    assert [e["seq"] for e in export["events"]] == list(range(1, events + 1)) and export["event_count"] == events
    assert [e["hash"] for e in export["events"]] == [e.hash for e in case_events(case)]
    assert export["events"][-1]["hash"] == export["chain_head"] == case.history_head


def test_an_event_written_during_a_json_export_is_left_out_so_it_ends_at_its_head(
    client, create_user, create_case, sign_in
):
    director = create_user("director", Role.DIRECTOR)
    case = create_case("Kiểm tra Sở Y tế", actor=director)
    head = case.history_head
    sign_in("director")
    response = client.get(f"/cases/{case.id}/history.json", buffered=False)
    pieces = iter(response.response)
    opening = next(pieces)  # the head is sent before any event is read
    record_event(case, "note.added", actor=director, details={"reason": "giữa chừng"})
    db.session.commit()
    export = json.loads(b"".join([opening, *pieces]))
    assert export["chain_head"] == head == export["events"][-1]["hash"]
    assert "giữa chừng" not in json.dumps(export, ensure_ascii=False)


def test_dashboard_shows_each_role_its_section_with_empty_states(client, create_user, create_unit, sign_in):
    create_user("lead", Role.LEAD, Role.INSPECTOR, language="en")
    sign_in("lead")
    page = client.get("/").get_data(as_text=True)
    assert "Cases you lead" in page and "You lead no open case." in page
    assert "Your inspections" in page
    assert "Open cases in the province" not in page


def test_a_user_without_roles_is_told_what_to_do(client, create_user, sign_in):
    create_user("newbie", language="en")
    sign_in("newbie")
    assert "Your account has no role yet" in client.get("/").get_data(as_text=True)


def test_a_long_history_shows_the_latest_events_with_a_way_to_all(client, create_user, create_case, sign_in):
    director = create_user("director", Role.DIRECTOR, language="en")
    case = create_case("Kiểm tra Sở Y tế", actor=director)
    for number in range(TIMELINE_EVENTS + 5):
        record_event(case, "note.added", actor=director, details={"reason": f"ghi chú số {number}"})
    db.session.commit()
    sign_in("director")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"The latest {TIMELINE_EVENTS} of {TIMELINE_EVENTS + 6} events." in page
    assert f"ghi chú số {TIMELINE_EVENTS + 4}<" in page and "ghi chú số 0<" not in page
    whole = re.search(r'href="([^"]+)">Show the whole history<', page).group(1)
    seen = ""
    while whole:  # the whole history, a page at a time, following "Older"
        history_page = client.get(html.unescape(whole)).get_data(as_text=True)
        seen += history_page
        older = re.search(r'rel="next" href="([^"]+)"', history_page)
        whole = older and older.group(1)
    assert all(f"ghi chú số {number}<" in seen for number in range(TIMELINE_EVENTS + 5))
