"""Benchmark at scale: 100,000 cases and 10,000,000 history events on PostgreSQL, then the time of the pages people
read most (dashboards, inbox, case list, search, a long case, PAR ranking) and of `inspect verify-history`.

Run by hand (PostgreSQL at 127.0.0.1, user postgres, trusted):
  .venv/bin/python bench/scale.py [--cases 100000] [--events 10000000] [--reuse] [--requests 30]
      [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/inspect_scale_big] [--only build|time]
      [--code DIR] [--no-upgrade]
A quick run: --cases 10000 --events 1000000. The full build took 13.5 min on the shared 2-core machine (seed 1.5 min,
clones 11 min at ~150 cases/s and ~15k events/s, check 1 min; 6.8 GB). Stopped, it resumes where it was (each chunk
of cases commits whole; give the same --cases and --events); --reuse times a database already built without building
anything, --rebuild drops it first. --code DIR serves another checkout too (e.g. `git archive main` unpacked, with its
catalogs compiled), each request alternating between the two, so that a before/after ratio shares the same noise;
--no-upgrade leaves out this checkout's migrations (to time a schema before its indexes).

How the data is made, honestly:
1. Through the services: the demo province (`inspect demo`: inspections at every step, last year's PAR round approved
   and ranked, this year's in progress), more units and staff, a few busier inspections whose team saved their
   checklist answers many times over (as the tablets' autosave does), and one on-site inspection of more than 1,000
   events (the long case timed below). These cases are the templates.
2. In bulk, by SQL: each template cloned under a new id, reference (from reference_counters, as create_case numbers
   them), unit, team (a pool of leads and inspectors), and time (spread back over five years); its tasks, timers,
   inspection, checklist, findings, reports, notifications and PAR scores copied with their ids mapped; its engine
   state with the case id and team member ids changed. PAR clones are whole rounds of every unit (a round per year),
   so that the ranking has many units. The events are re-chained: each one hashed by the app's own
   `history.compute_hash` over the new case id, time and actor, so that `verify-history` accepts every chain.
   A clone's event details keep the template's ids of findings and answers (only reference, unit and title change),
   and clones of a unit's PAR case are done by that unit's template officer.
The mix of short and busy inspection templates is chosen so that the events come out near --events.

Then gunicorn (one sync worker, as bench/common.py starts it) serves it; each page is requested --requests times,
signed in as the demo's director, lead or inspector; server time is gunicorn's own (%(D)s in its access log), client
time is the round trip on loopback with keep-alive. The load generator shares the machine's cores with the server.
"""

import argparse
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Gunicorn, build_app, fresh_database, percentile  # noqa: E402
from sqlalchemy import create_engine, make_url, select, text  # noqa: E402
from verify_history import run_command  # noqa: E402

from inspect_app.checklists.samples import load_sample_checklists  # noqa: E402
from inspect_app.core.clock import EXTENSION_KEY  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.search import searchable  # noqa: E402
from inspect_app.demo import cases as demo_cases  # noqa: E402
from inspect_app.demo.cases import DemoClock, load_demo_cases  # noqa: E402
from inspect_app.demo.organisation import DEMO_PASSWORD, load_demo  # noqa: E402
from inspect_app.demo.par import load_demo_par  # noqa: E402
from inspect_app.history import compute_hash  # noqa: E402
from inspect_app.inspections import answers  # noqa: E402
from inspect_app.inspections import services as inspections  # noqa: E402
from inspect_app.inspections.steps import ClosureInput, RemediationInput, VerificationInput  # noqa: E402
from inspect_app.models import Answer, OrgUnit, Role, User  # noqa: E402
from inspect_app.models.enums import CaseType  # noqa: E402
from inspect_app.tasks.services import complete_task  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/inspect_scale_big"
META = "bench_scale_meta"  # what the seed made: templates, id bases, the pools (one JSON row per key)
CLONES = "bench_scale_clones"  # one row per cloned case, written in the chunk that made it (resuming reads it)
SPAN_DAYS = 5 * 365  # inspection clones are spread back over five years
PAR_SHARE = 0.06  # of the cases, PAR appraisals (whole rounds of every unit)
LONG_CASE_EVENTS = 1000
# Tables copied with each clone, in foreign-key order, and how a template's rows are found from its case.
CHILD_TABLES = {
    "case_team_members": "t.case_id = c.template_id",
    "human_tasks": "t.case_id = c.template_id",
    "workflow_timers": "t.case_id = c.template_id",
    "inspections": "t.case_id = c.template_id",
    "checklist_assignments": "t.case_id = c.template_id",
    "checklist_answers": "t.case_id = c.template_id",
    "findings": "t.case_id = c.template_id",
    "remediation_reports": "t.finding_id IN (SELECT id FROM findings WHERE case_id = c.template_id)",
    "notifications": "t.case_id = c.template_id",
    "par_assessments": "t.case_id = c.template_id",
    "item_scores": "t.case_id = c.template_id",
    "score_adjustments": "t.case_id = c.template_id",
    "survey_scores": (
        "(t.round_id, t.unit_id) IN (SELECT round_id, unit_id FROM par_assessments WHERE case_id = c.template_id)"
    ),
}
# Ids of rows of these tables are mapped per clone (base + clone number * span + offset in the templates).
MAPPED_IDS = ("cases", *[t for t in CHILD_TABLES if t not in ("inspections", "par_assessments")])
# Times that the engine state holds too, or that are deadlines: left as the template has them.
KEPT_TIMES = {("human_tasks", "due_at"), ("workflow_timers", "due_at"), ("workflow_timers", "fired_at")}
# Dates of the inspection itself move with the case (a finding's deadline stays: the engine's timer waits for it).
SHIFTED_DATES = {("inspections", "decision_date"), ("inspections", "planned_start"), ("inspections", "planned_end")}
KEPT_COLUMNS = {("score_adjustments", "finding_id"), ("inspections", "follow_up_of_id")}  # rows of other cases


def say(message: str) -> None:
    print(message, flush=True)


class Progress:
    """Rows per second and the time left, printed every few seconds of a long phase."""

    def __init__(self, label: str, total: int, done: int = 0):
        self.label, self.total, self.start_done = label, total, done
        self.started = self.shown = time.monotonic()

    def show(self, done: int, extra: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < 5:
            return
        self.shown = now
        rate = (done - self.start_done) / max(now - self.started, 1e-9)
        left = (self.total - done) / rate if rate else float("inf")
        eta = f"{left / 60:.1f} min" if math.isfinite(left) else "?"
        say(f"  {self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s, ETA {eta}){extra}")


# --- 1. templates, through the services ------------------------------------------------------------------------------


def _drafts(story, case, users, who, when, rounds):
    """`who` saves each of their checklist items `rounds` times, the note growing as the tablet's autosave writes it."""
    actor, people = users[who], answers.assignees(case)
    mine = [item for item in case.inspection.checklist_items if people[item.id].id == actor.id]
    for number in range(1, rounds + 1):
        story.at(when + timedelta(minutes=3 * number))
        for item in mine:
            note = f"Ghi chép tại chỗ, lần {number}: đã đối chiếu hồ sơ, sổ theo dõi và niêm yết ({item.code})."
            answers.save_answer(case, item, actor=actor, answer=Answer.COMPLIANT, note=note, captured_at=story.now)


def busy_inspection(story, start, users, unit, template, rounds, stage) -> int:
    """An inspection whose team saved its answers `rounds` times over, taken up to `stage` (on_site, conclusion,
    remediation or closed) through the services; its case id."""
    case = demo_cases._decide(
        story, start, users, unit, template, f"Kiểm tra công vụ tại {unit.name}", members=("inspector", "inspector2")
    )
    demo_cases._plan(story, case, users, start + timedelta(days=1), **demo_cases.THREE_PEOPLE)
    visit = start + timedelta(days=7)
    for hour, who in enumerate(("lead", "inspector2", "inspector")):
        _drafts(story, case, users, who, visit + timedelta(hours=hour), rounds)
    if stage == "on_site":
        return case.id
    demo_cases._visit(story, case, users, "lead", visit + timedelta(hours=4))
    demo_cases._visit(story, case, users, "inspector2", visit + timedelta(hours=5))
    findings = demo_cases._visit(
        story, case, users, "inspector", visit + timedelta(hours=6), demo_cases.ONE_STOP_FINDINGS[:1], ("TT-01",)
    )
    demo_cases._minutes(story, case, users, start + timedelta(days=8))
    if stage == "conclusion":
        return case.id
    demo_cases._conclude(story, case, users, start + timedelta(days=14))
    if stage == "remediation":
        return case.id
    story.at(start + timedelta(days=30))
    for finding in findings:
        inspections.submit_report(finding, actor=users["officer"], text="Đã niêm yết đầy đủ thủ tục hành chính.")
    demo_cases._do(case, "remediation", users["officer"], RemediationInput(confirmed=True))
    story.at(start + timedelta(days=33))
    verification = demo_cases._open_task(case, "verification", users["lead"])
    verdicts = VerificationInput.model_for(verification)(**{f"verdict_{f.id}": "accepted" for f in findings})
    complete_task(verification, actor=users["lead"], data=verdicts)
    story.at(start + timedelta(days=34))
    demo_cases._do(case, "closure", users["director"], ClosureInput(reason=""))
    return case.id


def _more_units(copies: int) -> None:
    """`copies` more units beside each PAR unit of the demo, of its level and under its parent."""
    par_units = _par_template_units()
    for copy in range(1, copies + 1):
        for unit in par_units:
            db.session.add(
                OrgUnit(
                    code=f"{unit.code}-{copy:02d}", name=f"{unit.name} {copy}", level=unit.level, parent=unit.parent
                )
            )


def _par_template_units() -> list[OrgUnit]:
    query = text("SELECT DISTINCT unit_id FROM par_assessments WHERE round_id = (SELECT min(id) FROM par_rounds)")
    ids = list(db.session.scalars(query))
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.id)))


def _staff(users: dict, leads: int, inspectors: int) -> tuple[list[int], list[int]]:
    """The pools of leads and inspectors the clones' teams come from (the demo's own first)."""
    unit = users["lead"].unit
    pools = {Role.LEAD: [users["lead"]], Role.INSPECTOR: [users["inspector"], users["inspector2"]]}
    for role, size in ((Role.LEAD, leads), (Role.INSPECTOR, inspectors)):
        for number in range(len(pools[role]) + 1, size + 1):
            user = User(username=f"{role.value}-{number:03d}", full_name=f"Cán bộ {role.value} {number}", unit=unit)
            user.password_hash = "!"
            user.grant(role)
            db.session.add(user)
            pools[role].append(user)
    db.session.flush()
    return [u.id for u in pools[Role.LEAD]], [u.id for u in pools[Role.INSPECTOR]]


def seed(app, args) -> None:
    """The demo, the pools and the busy templates, through the services (a few minutes), and what cloning needs."""
    with app.app_context():
        started = time.monotonic()
        load_demo()
        load_demo_cases()
        load_demo_par()
        db.session.commit()
        say(f"  demo loaded ({time.monotonic() - started:.0f} s)")
        users = {u.username: u for u in db.session.scalars(select(User))}
        leads, inspectors = _staff(users, args.leads, args.inspectors)
        _more_units(args.unit_copies)
        template = load_sample_checklists()[0]  # as the demo inspections use it
        units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
        now = datetime.now(UTC)
        story = DemoClock(now)
        app.extensions[EXTENSION_KEY] = story
        busy = []
        for days, code, rounds, stage in (
            (20, "HD-GL", 6, "on_site"),
            (40, "HD-CG", 8, "conclusion"),
            (60, "HD-KT", 10, "remediation"),
            (90, "HD-NS", 12, "closed"),  # the unit of the demo officer, who reports
        ):
            busy.append(busy_inspection(story, now - timedelta(days=days), users, units[code], template, rounds, stage))
            db.session.commit()
            say(f"  busy inspection of {units[code].name} ({stage}, {rounds} saves of each item)")
        rounds = -(-(LONG_CASE_EVENTS - 20) // len(template.items))
        long_case = busy_inspection(
            story, now - timedelta(days=8), users, units["HD-TPCL"], template, rounds, "on_site"
        )
        app.extensions.pop(EXTENSION_KEY, None)
        db.session.commit()
        say(f"  the long case (id {long_case}) ({time.monotonic() - started:.0f} s in all)")
        _write_meta(leads, inspectors, long_case)
        db.session.commit()


def _write_meta(leads: list[int], inspectors: list[int], long_case: int) -> None:
    """Templates with their event counts, id bases and spans, the pools: all that cloning reads, stored once."""
    db.session.execute(text(f"CREATE TABLE {META} (key text PRIMARY KEY, value json NOT NULL)"))
    db.session.execute(
        text(
            f"CREATE TABLE {CLONES} (case_id int PRIMARY KEY, template_id int NOT NULL, clone_no int NOT NULL, "
            "shift interval NOT NULL, unit_id int NOT NULL, lead_id int NOT NULL, insp_id int NOT NULL, "
            "insp2_id int NOT NULL, round_id int)"
        )
    )
    templates = [
        dict(row._mapping)
        for row in db.session.execute(
            text(
                "SELECT c.id, c.case_type, c.history_count AS events, c.subject_unit_id AS unit_id, p.round_id "
                "FROM cases c LEFT JOIN par_assessments p ON p.case_id = c.id WHERE c.id <> :long ORDER BY c.id"
            ),
            {"long": long_case},
        )
    ]
    ids = {}
    for table in MAPPED_IDS:
        low, high = db.session.execute(text(f"SELECT min(id), max(id) FROM {table}")).one()
        ids[table] = {"min": low or 0, "span": (high or 0) - (low or 0) + 1, "base": (high or 0) + 1}
    evidence = db.session.scalar(text("SELECT count(*) FROM evidence_files"))
    if evidence:
        raise SystemExit("the templates have evidence files, which this script does not copy")
    users = dict(
        db.session.execute(
            text("SELECT username, id FROM users WHERE username IN ('lead', 'inspector', 'inspector2')")
        ).all()
    )
    meta = {
        "templates": templates,
        "ids": ids,
        "leads": leads,
        "inspectors": inspectors,
        "team": [users["lead"], users["inspector"], users["inspector2"]],
        "long_case": long_case,
        "par_rounds_base": db.session.scalar(text("SELECT max(id) FROM par_rounds")) + 1,
    }
    for key, value in meta.items():
        db.session.execute(
            text(f"INSERT INTO {META} VALUES (:key, :value)"), {"key": key, "value": orjson.dumps(value).decode()}
        )


# --- 2. clones, in bulk --------------------------------------------------------------------------------------------


@dataclass
class Clone:
    case_id: int
    template_id: int
    clone_no: int
    shift: timedelta
    unit_id: int
    lead_id: int
    insp_id: int
    insp2_id: int
    round_id: int | None
    year: int  # of the reference


def plan_clones(meta: dict, units: list[dict], cases: int, events: int) -> tuple[list[Clone], list[dict]]:
    """Every clone to make, in order (PAR rounds first), and the PAR rounds to open for them."""
    templates = {t["id"]: t for t in meta["templates"]}
    leads, inspectors = meta["leads"], meta["inspectors"]
    by_unit = {t["unit_id"]: t for t in meta["templates"] if t["round_id"] == min_round(meta)}
    unit_template = {u["id"]: by_unit[u["origin"]] for u in units if u["origin"] in by_unit}
    rounds = max(1, round(cases * PAR_SHARE / len(unit_template)))
    clones, par_rounds, base_case = [], [], meta["ids"]["cases"]["base"]

    # Teams and units drawn at random (seeded: a resumed build plans the same clones), so that who leads a case and
    # which unit it is about are as unrelated as they would be, not tied by arithmetic.
    rnd = random.Random(f"bench-scale-{cases}-{events}")

    def team() -> tuple[int, int, int]:
        return rnd.choice(leads), *rnd.sample(inspectors, 2)

    template_year = templates[next(iter(by_unit.values()))["id"]]["year"]
    for r in range(rounds):
        round_team = team()
        round_id, year = meta["par_rounds_base"] + r, template_year - r - 1
        par_rounds.append({"id": round_id, "year": year, "shift": _years(r + 1)})
        for unit_id, template in unit_template.items():
            n = len(clones)
            clones.append(Clone(base_case + n, template["id"], n, -_years(r + 1), unit_id, *round_team, round_id, year))
    par_events = sum(templates[c.template_id]["events"] for c in clones)
    inspection_templates = [t for t in meta["templates"] if t["case_type"] == CaseType.INSPECTION]
    left = max(cases - len(clones), 0)
    wanted = (events - par_events) / max(left, 1)
    short = [t for t in inspection_templates if t["events"] < wanted] or inspection_templates[:1]
    long = [t for t in inspection_templates if t["events"] >= wanted] or inspection_templates[-1:]
    mean = lambda group: sum(t["events"] for t in group) / len(group)  # noqa: E731
    share = min(1.0, max(0.0, (wanted - mean(short)) / max(mean(long) - mean(short), 1e-9)))
    counts = {"short": 0, "long": 0}
    for i in range(left):
        n = len(clones)
        kind = "long" if math.floor((i + 1) * share) > math.floor(i * share) else "short"
        group = long if kind == "long" else short
        template = group[counts[kind] % len(group)]
        counts[kind] += 1
        shift = -timedelta(days=SPAN_DAYS * i / max(left, 1))
        unit_id = rnd.choice(units)["id"]
        clones.append(Clone(base_case + n, template["id"], n, shift, unit_id, *team(), None, 0))
    return clones, par_rounds


def min_round(meta: dict) -> int:
    return min(t["round_id"] for t in meta["templates"] if t["round_id"] is not None)


def _years(count: int) -> timedelta:
    return timedelta(days=round(365.25 * count))


@dataclass
class Template:
    """A template case as cloning needs it, read once."""

    id: int
    case_type: str
    reference: str
    title: str
    created_at: datetime
    workflow_state: str | None
    unit_name: str
    unit_code: str
    events: list  # (seq, at, actor_id, action, details text, details, captured_at, needs substitution)


def load_templates(connection, meta: dict) -> dict[int, Template]:
    found = {}
    rows = connection.execute(
        text(
            "SELECT c.id, c.case_type, c.reference, c.title, c.created_at, c.workflow_state::text, u.name, u.code "
            "FROM cases c JOIN org_units u ON u.id = c.subject_unit_id WHERE c.id = ANY(:ids)"
        ),
        {"ids": [t["id"] for t in meta["templates"]]},
    )
    for row in rows:
        found[row[0]] = Template(*row, events=[])
    events = connection.execute(
        text(
            "SELECT case_id, seq, at, actor_id, action, details::text, captured_at FROM case_events "
            "WHERE case_id = ANY(:ids) ORDER BY case_id, seq"
        ),
        {"ids": list(found)},
    )
    for case_id, seq, at, actor_id, action, details, captured_at in events:
        template = found[case_id]
        canonical = orjson.dumps(orjson.loads(details)).decode()
        changes = any(s in canonical for s in (template.reference, template.unit_name, f'"{template.unit_code}"'))
        template.events.append((seq, at, actor_id, action, canonical, orjson.loads(canonical), captured_at, changes))
    return found


class EventRow:
    """What `compute_hash` reads of an event, without the ORM."""

    __slots__ = ("case_id", "seq", "at", "actor_id", "action", "details", "captured_at", "prev_hash")


MEMBER = re.compile(r'"member": (\d+)')
MEMBERS = re.compile(r'"members": \[([\d, ]*)\]')


def _state_of(template: Template, clone: Clone, users: dict[int, int]) -> str | None:
    """The template's engine state with the clone's case id and team."""
    state = template.workflow_state
    if state is None:
        return None
    state = state.replace(f'"case_id": {template.id},', f'"case_id": {clone.case_id},')
    state = MEMBER.sub(lambda m: f'"member": {users.get(int(m[1]), int(m[1]))}', state)
    return MEMBERS.sub(
        lambda m: '"members": [' + ", ".join(str(users.get(int(x), int(x))) for x in m[1].split(", ") if x) + "]", state
    )


def build_chunk(engine, meta, templates, clones: list[Clone], counters: dict, columns: dict) -> int:
    """Insert the clones of one chunk, their events and their rows, and commit; the number of events."""
    team = meta["team"]
    staged, event_rows = [], []
    for clone in clones:
        template = templates[clone.template_id]
        users = dict(zip(team, (clone.lead_id, clone.insp_id, clone.insp2_id), strict=True))
        unit_name, unit_code = meta["unit_names"][str(clone.unit_id)]
        created = template.created_at + clone.shift
        year = clone.year or created.year
        key = (template.case_type, year)
        counters[key] = counters.get(key, 0) + 1
        prefix = "KT" if template.case_type == CaseType.INSPECTION else "CS"
        reference = f"{prefix}-{year}-{counters[key]:04d}"
        title = template.title.replace(template.unit_name, unit_name)
        if clone.year:
            title = title.replace(str(template.created_at.year), str(year))
        replacements = (
            (template.reference, reference),
            (template.unit_name, unit_name),
            (f'"{template.unit_code}"', f'"{unit_code}"'),
        )
        prev = "0" * 64
        for seq, at, actor_id, action, details_text, details, captured_at, changes in template.events:
            if changes:
                for old, new in replacements:
                    details_text = details_text.replace(old, new)
                details = orjson.loads(details_text)
            row = EventRow()
            row.case_id, row.seq, row.at, row.action, row.details = (
                clone.case_id,
                seq,
                at + clone.shift,
                action,
                details,
            )
            row.actor_id = users.get(actor_id, actor_id)
            row.captured_at = None if captured_at is None else captured_at + clone.shift
            row.prev_hash = prev
            prev = compute_hash(row)
            event_rows.append(
                (row.case_id, seq, row.at, row.actor_id, action, details_text, row.captured_at, row.prev_hash, prev)
            )
        state = _state_of(template, clone, users)
        staged.append(
            (clone.case_id, reference, title, searchable(reference, title), len(template.events), prev, state)
        )
    with engine.begin() as connection:
        cursor = connection.connection.cursor()
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_chunk (case_id int, reference text, title text, search_text text, "
            "history_count int, history_head text, workflow_state text) ON COMMIT DELETE ROWS"
        )
        _copy(cursor, "bench_chunk", staged)
        _copy(
            cursor,
            CLONES + " (case_id, template_id, clone_no, shift, unit_id, lead_id, insp_id, insp2_id, round_id)",
            [
                (c.case_id, c.template_id, c.clone_no, c.shift, c.unit_id, c.lead_id, c.insp_id, c.insp2_id, c.round_id)
                for c in clones
            ],
        )
        low, high = clones[0].case_id, clones[-1].case_id
        cursor.execute(_cases_insert(meta, columns))
        _copy(
            cursor,
            "case_events (case_id, seq, at, actor_id, action, details, captured_at, prev_hash, hash)",
            event_rows,
        )
        for table, where in CHILD_TABLES.items():
            cursor.execute(_child_insert(meta, columns, table, where), {"low": low, "high": high})
        for (case_type, year), last in counters.items():
            cursor.execute(
                "INSERT INTO reference_counters (case_type, year, last_number) VALUES (%s, %s, %s) "
                "ON CONFLICT (case_type, year) DO UPDATE SET last_number = excluded.last_number",
                (case_type, year, last),
            )
        for table in MAPPED_IDS:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return len(event_rows)


def _copy(cursor, target: str, rows) -> None:
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _user(column: str, team: list[int]) -> str:
    lead, insp, insp2 = team
    whens = f"WHEN {lead} THEN c.lead_id WHEN {insp} THEN c.insp_id WHEN {insp2} THEN c.insp2_id"
    return f"CASE {column} {whens} ELSE {column} END"


def _mapped_id(meta, table: str, column: str) -> str:
    ids = meta["ids"][table]
    return f"{ids['base']} + c.clone_no * {ids['span']} + ({column} - {ids['min']})"


def _expression(meta, columns, table: str, column: str, join_column: str) -> str:
    kind, target = columns[table][column]
    source = f"t.{column}"
    if (table, column) in KEPT_COLUMNS:
        return source
    if column == "id" and table in MAPPED_IDS:
        return _mapped_id(meta, table, source)
    if column == join_column:
        return "c.case_id"
    if target == "users":
        return _user(source, meta["team"])
    if target == "org_units":
        return "c.unit_id"
    if target == "par_rounds":
        return "c.round_id"
    if target in MAPPED_IDS:
        return _mapped_id(meta, target, source)
    if column == "client_id":
        return "NULL"
    if column == "dedupe_key":
        return f"{source} || '#' || c.case_id"
    if table == "human_tasks" and column == "item":  # a multi-instance task's member
        member = _user("(t.item::text)::int", meta["team"])
        return f"CASE WHEN json_typeof(t.item) = 'number' THEN to_json({member}) ELSE t.item END"
    if kind == "timestamp with time zone" and (table, column) not in KEPT_TIMES:
        return f"{source} + c.shift"
    if kind == "date" and (table, column) in SHIFTED_DATES:
        return f"({source} + c.shift)::date"
    return source


def _child_insert(meta, columns, table: str, where: str) -> str:
    join_column = "case_id" if "case_id" in columns[table] and table != "survey_scores" else None
    names = list(columns[table])
    values = [_expression(meta, columns, table, name, join_column) for name in names]
    # Only the templates' own rows (those of earlier clones would be looked through for nothing, ever more of them).
    templates_only = f" AND t.id < {meta['ids'][table]['base']}" if table in MAPPED_IDS else ""
    return (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} "
        f"FROM {CLONES} c JOIN {table} t ON {where}{templates_only} WHERE c.case_id BETWEEN %(low)s AND %(high)s"
    )


def _cases_insert(meta, columns) -> str:
    staged = {"reference", "title", "search_text", "history_count", "history_head"}
    names = list(columns["cases"])
    values = []
    for name in names:
        if name in staged:
            values.append(f"s.{name}")
        elif name == "workflow_state":
            values.append("s.workflow_state::json")
        elif name == "id":
            values.append("c.case_id")
        else:
            values.append(_expression(meta, columns, "cases", name, None))
    return (
        f"INSERT INTO cases ({', '.join(names)}) SELECT {', '.join(values)} FROM bench_chunk s "
        f"JOIN {CLONES} c ON c.case_id = s.case_id JOIN cases t ON t.id = c.template_id"
    )


def table_columns(connection) -> dict[str, dict[str, tuple[str, str | None]]]:
    """Each cloned table's columns in order: (data type, the table a foreign key points to)."""
    found = {}
    for table in ("cases", *CHILD_TABLES):
        rows = connection.execute(
            text(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :t "
                "ORDER BY ordinal_position"
            ),
            {"t": table},
        )
        found[table] = {name: [kind, None] for name, kind in rows}
        keys = connection.execute(
            text(
                "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "WHERE c.conrelid = CAST(:t AS regclass) AND c.contype = 'f'"
            ),
            {"t": table},
        )
        for name, target in keys:
            found[table][name][1] = target
        found[table] = {name: tuple(value) for name, value in found[table].items()}
    return found


def read_meta(connection) -> dict:
    return {key: value for key, value in connection.execute(text(f"SELECT key, value FROM {META}"))}


def clone_all(url: str, cases: int, events: int, chunk: int) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        meta = read_meta(connection)
        for template in meta["templates"]:
            template["year"] = connection.scalar(
                text("SELECT extract(year FROM created_at)::int FROM cases WHERE id = :id"), {"id": template["id"]}
            )
        origin = _unit_origins(connection)
        units = [{"id": unit_id, "origin": origin_id} for unit_id, origin_id in origin.items()]
        meta["unit_names"] = {
            str(i): (name, code) for i, name, code in connection.execute(text("SELECT id, name, code FROM org_units"))
        }
        templates = load_templates(connection, meta)
        columns = table_columns(connection)
        done = connection.scalar(text(f"SELECT count(*) FROM {CLONES}"))
        counters = {
            (case_type, year): last
            for case_type, year, last in connection.execute(
                text("SELECT case_type, year, last_number FROM reference_counters")
            )
        }
    clones, par_rounds = plan_clones(meta, units, cases, events)
    _open_rounds(engine, meta, par_rounds)
    total_events = sum(len(templates[c.template_id].events) for c in clones)
    say(
        f"  plan: {len(clones):,} clones ({sum(1 for c in clones if c.round_id):,} PAR in {len(par_rounds)} rounds of "
        f"{len(units) and len(clones) and sum(1 for c in clones if c.round_id == meta['par_rounds_base'])} units), "
        f"{total_events:,} events; {done:,} clones made before"
    )
    progress = Progress("cases cloned", len(clones), done)
    events_done, events_started, started = 0, time.monotonic(), time.monotonic()
    for start in range(done, len(clones), chunk):
        events_done += build_chunk(engine, meta, templates, clones[start : start + chunk], counters, columns)
        rate = events_done / (time.monotonic() - events_started)
        progress.show(min(start + chunk, len(clones)), f", {events_done:,} events ({rate:,.0f} events/s)")
    say(f"  cloned in {time.monotonic() - started:.0f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        started = time.monotonic()
        connection.execute(text("VACUUM ANALYZE"))
        say(f"  VACUUM ANALYZE ({time.monotonic() - started:.0f} s)")
    engine.dispose()


def _unit_origins(connection) -> dict[int, int]:
    """Each unit (bar the province) with the demo unit it copies (itself for the demo's own)."""
    rows = connection.execute(text("SELECT id, code FROM org_units WHERE parent_id IS NOT NULL ORDER BY id")).all()
    by_code = {code: unit_id for unit_id, code in rows}
    return {unit_id: by_code.get(re.sub(r"-\d\d$", "", code), unit_id) for unit_id, code in rows}


def _open_rounds(engine, meta: dict, par_rounds: list[dict]) -> None:
    """The PAR rounds the clones belong to, copies of last year's demo round one year further back each."""
    template = min_round(meta)
    with engine.begin() as connection:
        for par_round in par_rounds:
            if connection.scalar(text("SELECT count(*) FROM par_rounds WHERE id = :id"), {"id": par_round["id"]}):
                continue
            shift, year = par_round["shift"], par_round["year"]
            connection.execute(
                text(
                    "INSERT INTO par_rounds (id, year, name, self_assessment_due, first_appraisal_due, "
                    "explanation_due, second_appraisal_due, approval_due, bands, opened_at, opened_by_id, closed_at, "
                    "closed_by_id) "
                    "SELECT :id, :year, replace(name, year::text, :year_text), "
                    "self_assessment_due - :days, first_appraisal_due - :days, explanation_due - :days, "
                    "second_appraisal_due - :days, approval_due - :days, bands, opened_at - :shift, opened_by_id, "
                    "closed_at - :shift, closed_by_id FROM par_rounds WHERE id = :template"
                ),
                {
                    "id": par_round["id"],
                    "year": year,
                    "year_text": str(year),
                    "days": shift.days,
                    "shift": shift,
                    "template": template,
                },
            )
            connection.execute(
                text(
                    "INSERT INTO round_criteria_sets (round_id, level, set_id) "
                    "SELECT :id, level, set_id FROM round_criteria_sets WHERE round_id = :template"
                ),
                {"id": par_round["id"], "template": template},
            )
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('par_rounds', 'id'), (SELECT max(id) FROM par_rounds))")
        )


# --- 3. timing --------------------------------------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"  # method, path, status, microseconds


def sign_in(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=120)
    token = CSRF_FIELD.search(client.get("/login").text)
    form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token[1]}
    if client.post("/login", data=form).status_code != 302:
        raise SystemExit(f"{username} could not sign in")
    return client


def deep_url(client: httpx.Client, url: str, pages: int) -> str:
    """The link to the page reached by following "next" `pages` times from `url`."""
    for _ in range(pages):
        found = NEXT_LINK.search(client.get(url).text)
        if found is None:
            break
        url = found[1].replace("&amp;", "&")
    return url


def server_micros(log: Path, offset: int) -> list[int]:
    """gunicorn's own time of each request logged after byte `offset`, in order."""
    with log.open() as lines:
        lines.seek(offset)
        return [int(line.split()[3]) for line in lines if line.strip()]


@dataclass
class Measure:
    label: str
    user: str
    url: str


@dataclass
class Server:
    """One checkout served by its own gunicorn, with its access log and a signed-in client per user."""

    name: str
    gunicorn: Gunicorn
    log: Path
    clients: dict

    def get(self, measure: Measure) -> tuple[float, float, int]:
        """Server ms, client ms and size of one request."""
        offset = self.log.stat().st_size
        started = time.perf_counter()
        response = self.clients[measure.user].get(measure.url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{self.name} {measure.url}: {response.status_code}")
        for _ in range(100):  # the access line is written just after the answer
            if logged := server_micros(self.log, offset):
                return logged[-1] / 1000, elapsed, len(response.content)
            time.sleep(0.005)
        raise SystemExit(f"{self.name}: no access log line for {measure.url}")


def measures(client: httpx.Client, long_case: int, reference: str, ranking_round: int, deep: int = 40) -> list:
    """What is timed; deep pages are found by following "next" links, as a reader would."""
    return [
        Measure("dashboard", "director", "/"),
        Measure("dashboard", "lead", "/"),
        Measure("dashboard", "inspector", "/"),
        Measure("inbox, page 1", "director", "/tasks/"),
        Measure("inbox, page 1", "lead", "/tasks/"),
        Measure(f"inbox, page {deep + 1}", "director", deep_url(client, "/tasks/", deep)),
        Measure("case list, page 1", "director", "/cases/"),
        Measure("case list, page 1", "lead", "/cases/"),
        Measure("case list, open inspections", "director", "/cases/?case_type=inspection&status=open"),
        Measure(f"case list, page {deep + 1}", "director", deep_url(client, "/cases/", deep)),
        Measure("case search q=nam sach", "director", "/cases/?q=nam+sach"),
        Measure("case search q=<reference>", "director", f"/cases/?q={reference}"),
        Measure("case search q=nam sach", "lead", "/cases/?q=nam+sach"),
        Measure("case page, 1,000+ events", "director", f"/cases/{long_case}"),
        Measure("history page, 1,000+ events", "director", f"/cases/{long_case}/history"),
        Measure("history JSON, 1,000+ events", "director", f"/cases/{long_case}/history.json"),
        Measure("PAR ranking", "director", f"/par/rounds/{ranking_round}/ranking"),
    ]


def time_pages(url: str, folder: str, codes: list[Path], requests: int, counts: dict) -> list:
    """Each measure's times per checkout: the checkouts' requests alternate, so that they share the same noise."""
    results = []
    with ExitStack() as stack:
        servers = []
        for number, code in enumerate(codes):
            log = Path(folder) / f"access-{number}.log"
            extra = ["--access-logfile", str(log), "--access-logformat", ACCESS_FORMAT, "--timeout", "300"]
            gunicorn = stack.enter_context(Gunicorn(url, folder, code=code, extra=extra))
            clients = {name: sign_in(gunicorn.url, name) for name in ("director", "lead", "inspector")}
            servers.append(Server(code.name if number else "this checkout", gunicorn, log, clients))
        first = servers[0].clients["director"]
        for measure in measures(first, counts["long_case"], counts["reference"], counts["ranking_round"]):
            times = {server.name: ([], [], 0) for server in servers}
            for server in servers:
                for _ in range(2):  # warm: the first request of a page fills caches
                    server.get(measure)
            for _ in range(requests):
                for server in servers:
                    server_ms, client_ms, size = server.get(measure)
                    times[server.name][0].append(server_ms)
                    times[server.name][1].append(client_ms)
                    times[server.name] = (*times[server.name][:2], size)
            for name, (server_ms, client_ms, size) in times.items():
                results.append((measure, name, server_ms, client_ms, size))
                p50, p95 = percentile(server_ms, 0.5), percentile(server_ms, 0.95)
                say(f"  {measure.label} ({measure.user}, {name}): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return results


def print_tables(url: str, counts: dict, results: list, verify: tuple | None) -> None:
    say(
        f"\n{counts['cases']:,} cases, {counts['events']:,} events, {counts['open_tasks']:,} open tasks, "
        f"{counts['units']:,} units on PostgreSQL ({make_url(url).database}); gunicorn, 1 sync worker; server time "
        "from gunicorn's access log; the 2 cores shared with the load generator (and other work on the machine)"
    )
    say("\n| page | user | code | server p50 ms | server p95 ms | client p50 ms | client p95 ms | KB |")
    say("|---|---|---|---|---|---|---|---|")
    for measure, name, server, client, size in results:
        say(
            f"| {measure.label} | {measure.user} | {name} | {percentile(server, 0.5):.1f} | "
            f"{percentile(server, 0.95):.1f} | {percentile(client, 0.5):.1f} | {percentile(client, 0.95):.1f} | "
            f"{size / 1024:.0f} |"
        )
    if verify:
        seconds, rss, events = verify
        say("\n| command | s | events/s | peak RSS MB |\n|---|---|---|---|")
        say(f"| inspect verify-history | {seconds:.1f} | {events / seconds:,.0f} | {rss} |")


def database_counts(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            "cases": connection.scalar(text("SELECT count(*) FROM cases")),
            "events": connection.scalar(text("SELECT coalesce(sum(history_count), 0) FROM cases")),
            "open_tasks": connection.scalar(text("SELECT count(*) FROM human_tasks WHERE state = 'ready'")),
            "units": connection.scalar(text("SELECT count(*) FROM org_units")),
        }
        meta = read_meta(connection)
        counts["long_case"] = meta["long_case"]
        counts["reference"] = connection.scalar(
            text("SELECT reference FROM cases WHERE case_type = 'inspection' ORDER BY id DESC LIMIT 1 OFFSET 5000")
        ) or connection.scalar(text("SELECT max(reference) FROM cases"))
        counts["ranking_round"] = connection.scalar(
            text("SELECT round_id FROM par_assessments GROUP BY round_id ORDER BY count(*) DESC, round_id LIMIT 1")
        )
    engine.dispose()
    return counts


def time_verify(url: str) -> tuple[float, int, int]:
    elapsed, _cpu, rss, output = run_command(ROOT, url, ["verify-history"])
    found = re.search(r"OK: (\d+) case histories, (\d+) events", output)
    if found is None:
        raise SystemExit(f"verify-history did not say OK: {output[-500:]}")
    return elapsed, rss, int(found[2])


def check_sample(url: str, references: list[str]) -> None:
    """`inspect check-consistency` on a few clones: their task lists and timers equal their engine state."""
    env = {**os.environ, "INSPECT_DATABASE_URL": url, "INSPECT_LOG_LEVEL": "WARNING"}
    for reference in references:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "inspect", "check-consistency", "--case", reference]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"check-consistency {reference}: {done.stdout[-800:]}")
    say(f"  check-consistency OK on {len(references)} clones")


def sample_references(url: str) -> list[str]:
    """The newest clone of each template."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.scalars(
            text(
                f"SELECT DISTINCT ON (b.template_id) c.reference FROM {CLONES} b JOIN cases c ON c.id = b.case_id "
                "ORDER BY b.template_id, b.case_id DESC"
            )
        ).all()
    engine.dispose()
    return list(rows)


def database_state(url: str) -> str:
    """ "missing", "empty" (no seed yet) or "seeded"."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": parsed.database})
    server.dispose()
    if not exists:
        return "missing"
    engine = create_engine(url)
    with engine.connect() as connection:
        seeded = connection.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": META})
    engine.dispose()
    return "seeded" if seeded else "empty"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("INSPECT_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument(
        "--unit-copies", type=int, default=19, help="copies of each PAR unit of the demo (19: 600 units)"
    )
    parser.add_argument("--leads", type=int, default=30)
    parser.add_argument("--inspectors", type=int, default=90)
    parser.add_argument("--chunk", type=int, default=500, help="cases cloned per transaction")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--reuse", action="store_true", help="time the database as it is: build nothing")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build it anew")
    parser.add_argument("--only", choices=("build", "time"), help="only build, or only time")
    parser.add_argument(
        "--code", type=Path, action="append", default=[], help="another checkout to serve too, alternating (a baseline)"
    )
    parser.add_argument(
        "--no-upgrade",
        action="store_true",
        help="time the schema as it is (a baseline), without this checkout's migrations",
    )
    parser.add_argument("--skip-verify", action="store_true", help="do not time verify-history")
    args = parser.parse_args()
    # A folder of its own name: a long run's logs are not among the inspect-bench-* folders other benchmarks clear.
    url, folder = args.database_url, tempfile.mkdtemp(prefix="inspect-scale-")

    if args.rebuild:
        fresh_database(url, folder)
    state = database_state(url)
    if args.reuse and state != "seeded":
        raise SystemExit(f"--reuse: {make_url(url).database} has not been built")
    if not args.reuse and args.only != "time":
        started = time.monotonic()
        if state != "seeded":
            if state == "missing":
                fresh_database(url, folder)
            say(f"Seeding {make_url(url).database} through the services ...")
            seed(build_app(url, f"{folder}/uploads"), args)
        else:
            build_app(url, f"{folder}/uploads")  # migrations added since the build
        say(f"Cloning up to {args.cases:,} cases and about {args.events:,} events ...")
        clone_all(url, args.cases, args.events, args.chunk)
        check_sample(url, sample_references(url))
        say(f"Built in {(time.monotonic() - started) / 60:.1f} min")
    if args.only == "build":
        return
    if not args.no_upgrade:
        build_app(url, f"{folder}/uploads")  # the checkout's migrations (an index added since the build)
    counts = database_counts(url)
    say("Timing pages ...")
    results = time_pages(url, folder, [ROOT, *args.code], args.requests, counts)
    verify = None
    if not args.skip_verify:
        say("Timing verify-history ...")
        verify = time_verify(url)
    print_tables(url, counts, results, verify)


if __name__ == "__main__":
    main()
