"""A case's history page: filtered by kind, person and period (days in the reader's time zone), a page at a time, and
downloaded as CSV that Excel opens in Vietnamese."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest

from inspect_app.core.extensions import db
from inspect_app.history import record_event
from inspect_app.models import Role, User


@pytest.fixture
def history(create_user, create_case, monkeypatch):
    """A case whose events happened on known days: opened on 28 Nov, a finding on 29 Nov 18:00 UTC (30 Nov in
    Hanoi), a deadline passing on 2 Dec (the system's doing)."""
    director = create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng", language="en")
    lead = create_user("lead", Role.LEAD, full_name="Trần Thị Lan", language="en")
    create_user("auditor", Role.AUDITOR, full_name="Hoàng Văn Nam", language="en")

    def at(*moment):
        monkeypatch.setattr("inspect_app.history.utc_now", lambda: datetime(*moment, tzinfo=UTC))

    at(2026, 11, 28, 2, 0)
    case = create_case("Kiểm tra Sở Y tế", lead=lead, actor=director)
    at(2026, 11, 29, 18, 0)
    record_event(
        case,
        "finding.raised",
        actor=lead,
        details={"finding": 1, "title": "Chưa niêm yết thủ tục", "severity": "major", "item": None},
    )
    at(2026, 12, 2, 1, 0)
    record_event(case, "timer.fired", actor=None, details={"opened": [], "cancelled": [], "status": "running"})
    db.session.commit()
    monkeypatch.undo()
    return case


def summaries(client, url: str) -> list[str]:
    """The events a history page lists, newest first, by their first line."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[-2000:]
    found = re.findall(r'<p class="event-summary">(.*?)</p>', page.get_data(as_text=True), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.unescape(text))).strip() for text in found]


def test_the_history_is_filtered_by_kind(client, sign_in, history):
    sign_in("auditor")
    url = f"/cases/{history.id}/history"
    assert summaries(client, url) == [
        "Deadline passed",
        "Finding raised: Chưa niêm yết thủ tục",
        "Added to the team: Trần Thị Lan (lead)",
        "Case opened: Kiểm tra Sở Y tế",
    ]
    assert summaries(client, f"{url}?kind=findings") == ["Finding raised: Chưa niêm yết thủ tục"]
    assert summaries(client, f"{url}?kind=team.added") == ["Added to the team: Trần Thị Lan (lead)"]
    page = client.get(f"{url}?kind=evidence").get_data(as_text=True)
    assert "No event matches these filters." in page


def test_the_history_is_filtered_by_person_and_the_system(client, sign_in, history, create_user):
    sign_in("auditor")
    url = f"/cases/{history.id}/history"
    page = client.get(url).get_data(as_text=True)
    assert "Trần Thị Lan (lead)</option>" in page and "Hoàng Văn Nam" not in page.split("</select>")[1], (
        "the person filter offers those who acted on this case"
    )
    lead_id = re.search(r'<option value="(\d+)">Trần Thị Lan \(lead\)</option>', page).group(1)
    assert summaries(client, f"{url}?person={lead_id}") == ["Finding raised: Chưa niêm yết thủ tục"]
    assert summaries(client, f"{url}?person=0") == ["Deadline passed"]


def test_days_are_the_readers_days(client, sign_in, history):
    """18:00 UTC on 29 November is already 30 November in Hanoi, and still 29 November in Paris."""
    sign_in("auditor")
    url = f"/cases/{history.id}/history"
    assert summaries(client, f"{url}?date_from=2026-11-30&date_to=2026-11-30") == [
        "Finding raised: Chưa niêm yết thủ tục"
    ]
    assert summaries(client, f"{url}?date_to=2026-11-28") == [
        "Added to the team: Trần Thị Lan (lead)",
        "Case opened: Kiểm tra Sở Y tế",
    ]
    auditor = db.session.scalar(db.select(User).filter_by(username="auditor"))
    auditor.timezone = "Europe/Paris"
    db.session.commit()
    assert summaries(client, f"{url}?date_from=2026-11-29&date_to=2026-11-29") == [
        "Finding raised: Chưa niêm yết thủ tục"
    ]
    assert summaries(client, f"{url}?date_from=2026-11-30&date_to=2026-11-30") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-13-45", "From: Not a valid date value."),
        ("date_to=ngày mai", "To: Not a valid date value."),
        ("date_from=2026-12-02&date_to=2026-11-01", "To: The end of the period is before its start."),
        ("date_to=9999-12-31", "To: Choose a day between 1900 and 9998."),
        ("date_from=0001-01-01", "From: Choose a day between 1900 and 9998."),
        ("person=999999", "Person: Not a valid choice."),
        ("kind=case.deleted", "Kind: Not a valid choice."),
    ],
)
def test_bad_filters_name_their_field(client, sign_in, history, query, message):
    sign_in("auditor")
    page = client.get(f"/cases/{history.id}/history?{query}")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert message in text and "Correct the filters to see the events." in text
    download = client.get(f"/cases/{history.id}/history.csv?{query}")
    assert download.status_code == 400
    assert message in download.get_data(as_text=True)


def test_a_cursor_that_is_not_a_number_shows_the_newest_page(client, sign_in, history):
    sign_in("auditor")
    assert summaries(client, f"/cases/{history.id}/history?before=abc")[0] == "Deadline passed"


def test_pages_follow_the_last_event_seen_so_new_events_do_not_shift_them(app, client, sign_in, history):
    director = history.created_by
    for number in range(app.config["PAGE_SIZE"] + 5):
        record_event(history, "note.added", actor=director, details={"note": f"ghi chú {number:02d}"})
    db.session.commit()
    sign_in("auditor")
    first = client.get(f"/cases/{history.id}/history").get_data(as_text=True)
    older = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    shown_first = re.findall(r'id="event-(\d+)"', first)
    record_event(history, "note.added", actor=director, details={"note": "ghi chú mới"})
    db.session.commit()
    second = client.get(older).get_data(as_text=True)
    shown_second = re.findall(r'id="event-(\d+)"', second)
    assert int(shown_second[0]) == int(shown_first[-1]) - 1, "the older page starts right after the last event seen"
    assert len(shown_first) + len(shown_second) == history.history_count - 1
    assert 'rel="next"' not in second
    newer = html.unescape(re.search(r'rel="prev" href="([^"]+)"', second).group(1))
    assert re.findall(r'id="event-(\d+)"', client.get(newer).get_data(as_text=True)) == shown_first


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8"))))


def test_the_csv_opens_in_excel_with_vietnamese_names_and_local_times(client, sign_in, history):
    sign_in("auditor")
    download = client.get(f"/cases/{history.id}/history.csv")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.data.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte-order mark, so that Excel reads UTF-8"
    assert b"\\u" not in download.data
    header, *rows = read_csv(download)
    assert header[0] == "\ufeffCase"
    assert header[3] == "Time (Asia/Ho_Chi_Minh)"
    assert [row[7] for row in rows] == [
        "Case opened: Kiểm tra Sở Y tế",
        "Added to the team: Trần Thị Lan (lead)",
        "Finding raised: Chưa niêm yết thủ tục",
        "Deadline passed",
    ], "oldest first, as a log is read"
    finding = rows[2]
    assert finding[3] == "2026-11-30 01:00:00", "18:00 UTC is 01:00 the next day in Hanoi"
    assert (finding[4], finding[5]) == ("Trần Thị Lan", "lead"), "the full name beside the username"
    assert finding[8] == "Severity: Major"
    assert (rows[3][4], rows[3][5]) == ("System", "")
    assert rows[-1][-1] == history.history_head


def test_the_csv_keeps_the_filters_and_speaks_vietnamese(client, sign_in, history):
    auditor = db.session.scalar(db.select(User).filter_by(username="auditor"))
    auditor.language = "vi"
    db.session.commit()
    sign_in("auditor")
    page = client.get(f"/cases/{history.id}/history?kind=findings").get_data(as_text=True)
    link = html.unescape(re.search(r'href="([^"]+\.csv[^"]*)"', page).group(1))
    header, *rows = read_csv(client.get(link))
    assert header[:4] == ["\ufeffHồ sơ", "Đơn vị", "TT", "Thời điểm (Asia/Ho_Chi_Minh)"]
    assert [row[7] for row in rows] == ["Ghi nhận phát hiện: Chưa niêm yết thủ tục"]
    assert rows[0][8] == "Mức độ: Nghiêm trọng"


def test_text_a_spreadsheet_would_run_is_written_as_text(client, sign_in, create_user, create_case):
    director = create_user("director", Role.DIRECTOR, full_name="=1+2")
    create_user("auditor", Role.AUDITOR, language="en")
    case = create_case("Kiểm tra Sở Y tế", actor=director)
    sign_in("auditor")
    _header, opened = read_csv(client.get(f"/cases/{case.id}/history.csv"))
    assert opened[4] == "'=1+2"
