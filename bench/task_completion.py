"""Benchmark: completing a task over real HTTP against gunicorn (one sync worker), as a case loops A → B → A.

Run by hand: `.venv/bin/python bench/task_completion.py [--cases 5] [--passes 200]
[--database-url postgresql+psycopg://postgres@127.0.0.1:5432/inspect_bench] [--baseline DIR]`
SQLite in a temporary folder unless --database-url names a PostgreSQL database (dropped and made anew). One pass of
the loop (bench/common.py) is two completions through /api/v1/tasks/<id>/complete with keep-alive: the lead
writes the report, the director returns it. The table gives the median and p90 over the cases' completions at
passes 1, 20, 50 and 200, so that a state growing with the history would show.

--baseline DIR serves another checkout of Inspect (e.g. `git worktree add /tmp/base main`) from a gunicorn and a
database of its own, and runs each pass on both in turn, alternating which goes first: a before/after measured in
one run, on the same busy machine. The client runs on the same cores as the server; say so beside the figures.
"""

import argparse
import statistics
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    REPORT,
    RETURN,
    ROOT,
    Gunicorn,
    build_app,
    complete,
    fresh_database,
    next_task_id,
    open_task_id,
    percentile,
    seed_loop_cases,
    workdir,
)

MEASURED_PASSES = (1, 20, 50, 200)


class Target:
    """One checkout served by one gunicorn, its cases, and the timings taken on it."""

    def __init__(self, name: str, code: Path, database_url: str | None, cases: int, folder: str):
        self.name, self.code = name, code
        self.url = fresh_database(database_url, folder)
        app = build_app(self.url, f"{folder}/uploads")
        *self.cases, self.warmup_case = seed_loop_cases(app, cases + 1)
        self.open = {case.case_id: open_task_id(app, case.case_id, "report") for case in self.cases}
        self.warmup_task = open_task_id(app, self.warmup_case.case_id, "report")
        self.server = Gunicorn(self.url, folder, workers=1, code=code)
        self.timings: dict[int, list[float]] = {}

    def warm_up(self, client: httpx.Client, passes: int = 5) -> None:
        """A case of its own looped first: the first requests of a worker load code and caches."""
        task_id = self.warmup_task
        for _ in range(passes):
            _seconds, answer = complete(client, self.warmup_case.lead_token, task_id, REPORT)
            _seconds, answer = complete(client, self.warmup_case.director_token, next_task_id(answer, "review"), RETURN)
            task_id = next_task_id(answer, "report")

    def run_pass(self, client: httpx.Client, number: int) -> None:
        for case in self.cases:
            report, answer = complete(client, case.lead_token, self.open[case.case_id], REPORT)
            review, answer = complete(client, case.director_token, next_task_id(answer, "review"), RETURN)
            self.open[case.case_id] = next_task_id(answer, "report")
            self.timings.setdefault(number, []).extend([report, review])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5, help="cases looped in turn (the figures are over these)")
    parser.add_argument("--passes", type=int, default=max(MEASURED_PASSES))
    parser.add_argument("--database-url", help="PostgreSQL URL (dropped and made anew; --baseline adds _baseline)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in the same run")
    args = parser.parse_args()

    targets = [Target("this", ROOT, args.database_url, args.cases, workdir())]
    if args.baseline:
        url = f"{args.database_url}_baseline" if args.database_url else None
        targets.append(Target("baseline", args.baseline.resolve(), url, args.cases, workdir()))
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.cases} cases, {args.passes} passes on {kind}, gunicorn with 1 sync worker ...", flush=True)
    for target in targets:
        target.server.__enter__()
    try:
        clients = {target.name: httpx.Client(base_url=target.server.url, timeout=60) for target in targets}
        for target in targets:
            target.warm_up(clients[target.name])
        for number in range(1, args.passes + 1):
            ordered = targets if number % 2 else targets[::-1]
            for target in ordered:
                target.run_pass(clients[target.name], number)
            if number % 50 == 0:
                print(f"  pass {number}/{args.passes}", flush=True)
    finally:
        for target in targets:
            target.server.__exit__()

    print(f"\nCompleting a task over HTTP ({kind}, 1 sync worker; the client shares the machine's 2 cores)\n")
    header = "| pass | " + " | ".join(f"{t.name} median ms | {t.name} p90 ms" for t in targets)
    header += " | baseline / this (median) |" if len(targets) > 1 else " |"
    print(header)
    print("|---:|" + "---:|" * (2 * len(targets) + (1 if len(targets) > 1 else 0)))
    for number in MEASURED_PASSES:
        if number > args.passes:
            continue
        cells = []
        medians = []
        for target in targets:
            values = target.timings[number]
            medians.append(statistics.median(values))
            cells += [f"{medians[-1] * 1000:.1f}", f"{percentile(values, 0.9) * 1000:.1f}"]
        if len(targets) > 1:
            cells.append(f"{medians[1] / medians[0]:.2f}×")
        print(f"| {number} | " + " | ".join(cells) + " |")
    for target in targets:
        every = [value for values in target.timings.values() for value in values]
        median, p90 = statistics.median(every), percentile(every, 0.9)
        print(
            f"\n{target.name}: all {len(every)} completions: median {median * 1000:.1f} ms, "
            f"p90 {p90 * 1000:.1f} ms, p90/median {p90 / median:.2f}"
        )


if __name__ == "__main__":
    main()
