"""Benchmark: scores and ranking of a PAR round of 300 units with 100 sub-criteria each (in 7 fields).

Run by hand: `.venv/bin/python bench/par_scoring.py [--units 300] [--subs 100] [--runs 7] [--no-db]`

1. In memory, no database: every unit's result with scoring.score_unit and the ranking with rank_units, on
   made-up scores (seeded, two decimals like the real ones). This is the arithmetic the issue asks to take under
   a second.
2. From the database: results.round_ranking for the same round stored in a temporary SQLite
   file (migrated like the app; set INSPECT_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL). Rows are
   inserted directly (cases, assessments, scores, survey, adjustments); no workflow is started. Each run starts
   from an empty session, so it includes loading the round's rows.
Prints the median of the runs (and the fastest and slowest).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from inspect_app import create_app  # noqa: E402
from inspect_app.core.config import TestConfig  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.migrations import upgrade  # noqa: E402
from inspect_app.models import (  # noqa: E402
    Case,
    CaseType,
    CriteriaSet,
    Criterion,
    CriterionKind,
    ItemScore,
    OrgLevel,
    OrgUnit,
    ParAssessment,
    ParRound,
    RoundCriteriaSet,
    ScoreAdjustment,
    SurveyScore,
    User,
)
from inspect_app.par.results import round_ranking  # noqa: E402
from inspect_app.par.scoring import (  # noqa: E402
    DEFAULT_BANDS,
    Band,
    FieldMax,
    UnitInput,
    rank_units,
    score_unit,
)

# The sample set for departments in docs/DOMAIN.md: 7 fields worth 70 points, the survey 30.
FIELD_MAXIMA = (10, 7, 14, 7, 10, 8, 14)
SURVEY_MAX = Decimal(30)
BONUS_CAP, PENALTY_CAP = Decimal(3), Decimal(3)
CENT = Decimal("0.01")


def criteria_tree(subs: int) -> list[tuple[str, Decimal, list[tuple[str, Decimal]]]]:
    """(field code, field maximum, [(sub-criterion code, maximum)]) with `subs` sub-criteria shared out by weight."""
    total = sum(FIELD_MAXIMA)
    counts = [max(1, round(subs * m / total)) for m in FIELD_MAXIMA]
    counts[-1] += subs - sum(counts)
    tree = []
    for number, (maximum, count) in enumerate(zip(FIELD_MAXIMA, counts, strict=True), start=1):
        # Equal shares in cents; the first sub-criterion takes what rounding leaves over.
        share = (Decimal(maximum) / count).quantize(CENT, rounding="ROUND_DOWN")
        points = [share] * count
        points[0] += Decimal(maximum) - share * count
        tree.append((str(number), Decimal(maximum), [(f"{number}.{i}", p) for i, p in enumerate(points, start=1)]))
    return tree


def made_up_scores(rng: random.Random, tree) -> dict[str, Decimal]:
    """A unit's scores: each sub-criterion between half and all of its maximum, in cents."""
    return {
        code: (maximum * Decimal(rng.randint(50, 100)) / 100).quantize(CENT)
        for _field, _max, subs in tree
        for code, maximum in subs
    }


def timed(function, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


def report(label: str, timings: list[float]) -> None:
    print(
        f"{label:<58} median {statistics.median(timings) * 1000:8.1f} ms "
        f"(min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}, {len(timings)} runs)"
    )


def in_memory(units: int, subs: int, runs: int) -> None:
    rng = random.Random(2026)
    tree = criteria_tree(subs)
    fields = [FieldMax(code, maximum, tuple(c for c, _m in sub)) for code, maximum, sub in tree]
    bands = [Band.from_dict(b) for b in DEFAULT_BANDS]
    inputs = [
        UnitInput(
            f"U{n:03d}",
            made_up_scores(rng, tree),
            (SURVEY_MAX * Decimal(rng.randint(60, 100)) / 100).quantize(CENT),
            Decimal(rng.choice((0, 0, 0, 1, 2))),
            Decimal(rng.choice((0, 0, 0, 0.5, 1))),
        )
        for n in range(units)
    ]

    def score_and_rank():
        return rank_units(score_unit(fields, SURVEY_MAX, u, bands, BONUS_CAP, PENALTY_CAP) for u in inputs)

    ranked = score_and_rank()
    assert len(ranked) == units and ranked[0].rank == 1
    print(f"{units} units x {sum(len(s) for *_x, s in tree)} sub-criteria in {len(tree)} fields")
    report("in memory: score_unit for every unit + rank_units", timed(score_and_rank, runs))


def build_round(units: int, subs: int) -> int:
    """The round in the database: a criteria set, `units` units with an assessment each, all scored."""
    rng = random.Random(2026)
    tree = criteria_tree(subs)
    admin = User(username="bench-admin", full_name="Bench", password_hash="!")
    criteria_set = CriteriaSet(
        code="bench-set",
        name="Bộ tiêu chí thử",
        year=2026,
        level=OrgLevel.DEPARTMENT,
        survey_max=SURVEY_MAX,
        bonus_cap=BONUS_CAP,
        penalty_cap=PENALTY_CAP,
    )
    position = 0
    for code, maximum, sub in tree:
        position += 1
        field = Criterion(
            kind=CriterionKind.FIELD, code=code, name=f"Lĩnh vực {code}", max_points=maximum, position=position
        )
        criterion = Criterion(
            kind=CriterionKind.CRITERION,
            code=f"{code}.0",
            name=f"Tiêu chí {code}",
            max_points=maximum,
            parent=field,
            position=position + 1,
        )
        criteria_set.criteria += [field, criterion]
        position += 1
        for sub_code, sub_max in sub:
            position += 1
            criteria_set.criteria.append(
                Criterion(
                    kind=CriterionKind.SUB,
                    code=sub_code,
                    name=f"Tiêu chí thành phần {sub_code}",
                    max_points=sub_max,
                    parent=criterion,
                    position=position,
                )
            )
    par_round = ParRound(
        year=2026,
        name="Chỉ số CCHC năm 2026 (thử)",
        self_assessment_due=date(2026, 12, 15),
        first_appraisal_due=date(2026, 12, 22),
        explanation_due=date(2026, 12, 29),
        second_appraisal_due=date(2027, 1, 5),
        approval_due=date(2027, 1, 12),
        bands=list(DEFAULT_BANDS),
    )
    par_round.criteria_sets = [RoundCriteriaSet(level=OrgLevel.DEPARTMENT, criteria_set=criteria_set)]
    db.session.add_all([admin, criteria_set, par_round])
    db.session.flush()
    subs_by_code = {c.code: c for c in criteria_set.sub_criteria}
    for n in range(units):
        unit = OrgUnit(code=f"B{n:03d}", name=f"Đơn vị thử {n}", level=OrgLevel.DEPARTMENT)
        case = Case(
            reference=f"CS-2026-{n + 1:04d}", case_type=CaseType.PAR_APPRAISAL, title=f"Bench {n}", subject_unit=unit
        )
        assessment = ParAssessment(case=case, round=par_round, unit=unit, criteria_set=criteria_set)
        scores = made_up_scores(rng, tree)
        assessment.scores = [
            ItemScore(criterion=subs_by_code[code], self_score=points, first_score=points, final_score=points)
            for code, points in scores.items()
        ]
        db.session.add(assessment)
        db.session.flush()
        db.session.add(SurveyScore(round_id=par_round.id, unit_id=unit.id, component="SIPAS", score=Decimal(20)))
        db.session.add(SurveyScore(round_id=par_round.id, unit_id=unit.id, component="CBCC", score=Decimal(8)))
        if n % 10 == 0:
            db.session.add(ScoreAdjustment(assessment=assessment, points=Decimal(-1), reason="x", created_by=admin))
    db.session.commit()
    return par_round.id


def from_database(units: int, subs: int, runs: int) -> None:
    workdir = tempfile.mkdtemp(prefix="inspect-bench-")
    url = os.environ.get("INSPECT_BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": f"{workdir}/up"})
    app = create_app(config)
    with app.app_context():
        upgrade()
        print(f"building the round in {url.split(':')[0]} ...", flush=True)
        round_id = build_round(units, subs)

    def load_and_rank():
        # A context of its own each time, like a request: nothing cached from the run before.
        with app.app_context():
            ranked = round_ranking(db.session.get(ParRound, round_id), OrgLevel.DEPARTMENT)
            assert len(ranked) == units
            db.session.remove()

    report("from the database: results.round_ranking (a fresh session)", timed(load_and_rank, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--subs", type=int, default=100, help="sub-criteria per unit")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-db", action="store_true", help="only the in-memory arithmetic")
    args = parser.parse_args()
    in_memory(args.units, args.subs, args.runs)
    if not args.no_db:
        from_database(args.units, args.subs, max(3, args.runs // 2))


if __name__ == "__main__":
    main()
