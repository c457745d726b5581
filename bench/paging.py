"""Benchmark: long lists a page at a time. A case with a long history read through the API, and a user with many
notifications reading the first page and a deep one, over real HTTP against gunicorn (one sync worker).

Run by hand: `.venv/bin/python bench/paging.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/inspect_bp]
[--events 1000] [--notifications 20000] [--rounds 30] [--baseline DIR] [--index]`
The database (SQLite in a temporary folder, or the PostgreSQL database given, dropped and made anew) is built once,
through the app: the case's events by `record_event` (so that the chain is real), the notifications by one bulk
INSERT, ten to each second (so that many share a time). --baseline DIR serves another checkout (e.g.
`git worktree add /tmp/base main`) on the same database from a second gunicorn; each round asks every server for every
list in turn, so that both see the same machine. The client shares the cores with the servers: times are what the
client saw, and the ratios between servers measured in the same run are the figures to trust.

Each row: median and p90 in ms over the rounds, and the answer's size. What a row asks of a server depends on what it
offers: a baseline without cursors is asked for the whole history in one answer and for notifications by page number.
"""

import argparse
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.common import ROOT, Gunicorn, build_app, fresh_database, percentile, workdir  # noqa: E402
from inspect_app.cases.services import create_case  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.history import record_event  # noqa: E402
from inspect_app.models import ApiToken, CaseType, Notification, OrgLevel, OrgUnit, Role, User  # noqa: E402

PASSWORD = "bench-paging"
PAGE = 25  # the server's page size (INSPECT_PAGE_SIZE's default)
DEEP_PAGE = 40


# --index: the index a list of one user's notifications, newest first, reads in order (not in the migrations; to see
# what it would change).
NOTIFICATIONS_INDEX = "CREATE INDEX bench_notifications_newest ON notifications (user_id, created_at, id)"


def build(database_url: str, folder: str, events: int, notifications: int, index: bool) -> dict:
    """The director, their token, a case with `events` events and `notifications` notifications of theirs."""
    app = build_app(database_url, f"{folder}/uploads", testing=True)
    with app.app_context():
        unit = OrgUnit(code="BENCHP", name="Đơn vị thử", level=OrgLevel.DEPARTMENT)
        director = User(username="bench-director", full_name="Giám đốc thử", unit=unit)
        director.set_password(PASSWORD)
        director.grant(Role.DIRECTOR)
        token_row, token = ApiToken.issue(director, "bench")
        db.session.add_all([unit, director, token_row])
        case = create_case(case_type=CaseType.INSPECTION, title="Lịch sử dài", subject_unit=unit, actor=director)
        while case.history_count < events:
            record_event(case, "note.added", actor=director, details={"reason": f"ghi chú {case.history_count}"})
        start = datetime(2026, 1, 1, tzinfo=UTC)
        rows = [
            {
                "user_id": director.id,
                "case_id": case.id,
                "kind": "remediation_overdue",
                "params": {"case": case.reference, "count": 1, "deadline": None},
                "created_at": start + timedelta(seconds=number // 10),
            }
            for number in range(notifications)
        ]
        db.session.execute(insert(Notification), rows)
        if index:
            db.session.execute(text(NOTIFICATIONS_INDEX))
        db.session.commit()
        newest_first = db.session.execute(
            select(Notification.created_at, Notification.id)
            .where(Notification.user_id == director.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        ).all()
        # The keys a reader following "Older" from the first page would carry to page DEEP_PAGE.
        last_seen = newest_first[(DEEP_PAGE - 1) * PAGE - 1]
        deep = f"{last_seen.created_at.isoformat()},{last_seen.id}"
        return {"token": token, "reference": case.reference, "events": case.history_count, "deep": deep}


def signed_in(server: Gunicorn) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"username": "bench-director", "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in on {server.url}: {answer.status_code}")
    return client


def has_cursors(client: httpx.Client) -> bool:
    document = client.get("/api/v1/openapi.json").json()
    history = document["paths"]["/api/v1/cases/{reference}/history"]["get"]
    return any(parameter["name"] == "cursor" for parameter in history.get("parameters", []))


def read_whole_history(client: httpx.Client, url: str, headers: dict) -> httpx.Response:
    """Every page at per_page=100, following next_cursor; the last answer, with the bytes of all of them."""
    cursor, size = None, 0
    while True:
        params = {"per_page": 100, **({"cursor": cursor} if cursor else {})}
        answer = client.get(url, params=params, headers=headers)
        answer.raise_for_status()
        size += len(answer.content)
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            answer.bench_size = size
            return answer


def asks(world: dict, cursors: bool) -> dict:
    """What to ask this server for, by row, as functions of a signed-in client."""
    url, headers = f"/api/v1/cases/{world['reference']}/history", {"Authorization": f"Bearer {world['token']}"}
    rows = {
        "history API, first answer": lambda client: client.get(url, headers=headers),
        "notifications, first page": lambda client: client.get("/notifications/"),
    }
    if cursors:
        rows["history API, a page deep in the chain"] = lambda client: client.get(
            url, params={"cursor": world["events"] - 2 * PAGE}, headers=headers
        )
        rows["history API, all of it at per_page=100"] = lambda client: read_whole_history(client, url, headers)
        rows[f"notifications, page {DEEP_PAGE}"] = lambda client: client.get(
            "/notifications/", params={"before": world["deep"]}
        )
    else:
        rows[f"notifications, page {DEEP_PAGE}"] = lambda client: client.get(
            "/notifications/", params={"page": DEEP_PAGE}
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (dropped and made anew)")
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--notifications", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--index", action="store_true", help="add an index on notifications (user, time, id)")
    args = parser.parse_args()
    folder = workdir()
    database_url = fresh_database(args.database_url, folder)
    print(f"building {args.events} events and {args.notifications} notifications…", flush=True)
    world = build(database_url, folder, args.events, args.notifications, args.index)
    codes = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    servers = {name: Gunicorn(database_url, folder, code=code) for name, code in codes.items()}
    for server in servers.values():
        server.__enter__()
    try:
        clients = {name: signed_in(server) for name, server in servers.items()}
        plans = {name: asks(world, has_cursors(clients[name])) for name in servers}
        times = {(name, row): [] for name, plan in plans.items() for row in plan}
        sizes = {}
        for _ in range(2):  # warm up
            for name, plan in plans.items():
                for ask in plan.values():
                    ask(clients[name]).raise_for_status()
        for _ in range(args.rounds):
            for name, plan in plans.items():
                for row, ask in plan.items():
                    started = time.perf_counter()
                    answer = ask(clients[name])
                    times[name, row].append((time.perf_counter() - started) * 1000)
                    answer.raise_for_status()
                    sizes[name, row] = getattr(answer, "bench_size", len(answer.content))
    finally:
        for server in servers.values():
            server.__exit__()
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n{database}, {world['events']} events in the case, {args.notifications} notifications of the reader, "
        f"{args.rounds} rounds, gunicorn 1 sync worker each; client on the same 2 cores"
        f"{'; with the index on notifications (user, time, id)' if args.index else ''}\n"
    )
    print("| list | server | median ms | p90 ms | bytes |")
    print("|---|---|---|---|---|")
    for (name, row), values in sorted(times.items(), key=lambda item: (item[0][1], item[0][0])):
        median, p90 = statistics.median(values), percentile(values, 0.9)
        print(f"| {row} | {name} | {median:.1f} | {p90:.1f} | {sizes[name, row]:,} |")


if __name__ == "__main__":
    sys.exit(main())
