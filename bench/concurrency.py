"""Benchmark: completions per second on PostgreSQL with N clients at once, each looping its own case.

Run by hand: `.venv/bin/python bench/concurrency.py [--clients 1,2,4,8,16,32] [--seconds 10]
[--rounds 1] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/inspect_bench] [--workers 2]
[--threads 1] [--baseline DIR]`
The database named is dropped and made anew (and one more for each other server). gunicorn serves wsgi:app with
--workers processes (several counts, 2,3,5, are each served and measured in turn): sync workers when --threads is 1,
else gthread workers with that many threads each (each process keeps a SQLAlchemy pool of 5 connections, enough for
up to 5 threads). Every client (asyncio, httpx; keep-alive, but sync workers close each connection) loops its own
case: the lead writes the report, the director returns it; clients have users of their own, so no two touch one
case and every answer should be 200. For each N the table gives completions/s (the mean over --rounds), p50 and p95
in ms and the errors. --baseline DIR serves another checkout the same way (its own gunicorn and database). Every
server is measured in turn for each N, in an alternating order. The clients run on the same 2 cores as gunicorn and
PostgreSQL; say so beside the figures. The CPU each completion cost (gunicorn's workers, the database's server
processes, this client), read from /proc, tells what the rate would be on cores of its own: about 2000 / total
completions/s on 2 cores.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    REPORT,
    RETURN,
    ROOT,
    Gunicorn,
    backend_pids,
    build_app,
    child_pids,
    cpu_seconds,
    cpu_since,
    fresh_database,
    next_task_id,
    open_task_id,
    percentile,
    seed_loop_cases,
    workdir,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/inspect_bench"


async def client_loop(client: httpx.AsyncClient, case, task_id: int, until: float, timings: list, errors: list):
    """Loop one case until `until`: report, return, report ...; time each completion."""
    turns = [(case.lead_token, REPORT, "review"), (case.director_token, RETURN, "report")]
    turn = 0
    while time.perf_counter() < until:
        token, body, following = turns[turn]
        started = time.perf_counter()
        try:
            response = await client.post(
                f"/api/v1/tasks/{task_id}/complete", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as error:
            errors.append(type(error).__name__)
            continue
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors.append(str(response.status_code))
            return  # the loop cannot go on without knowing the next task
        task_id, turn = next_task_id(response.json(), following), 1 - turn


async def measure(url: str, cases, open_tasks: dict, seconds: float) -> tuple[int, list[float], list[str]]:
    timings: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=len(cases), max_keepalive_connections=len(cases))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        until = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(client_loop(client, case, open_tasks[case.case_id], until, timings, errors) for case in cases)
        )
        elapsed = time.perf_counter() - started
    return len(timings) / elapsed, timings, errors


class Target:
    """One checkout served by gunicorn with some number of workers, on a database of its own, with cases for every
    client count and round."""

    def __init__(self, name: str, code: Path, database_url: str, workers: int, counts: list[int], args):
        self.name, self.code, self.folder = name, code, workdir()
        self.url = fresh_database(database_url, self.folder)
        self.app = build_app(self.url, f"{self.folder}/uploads")
        # Each N and round gets cases of its own, at their first report, and as many (lead, director) pairs as clients.
        self.batches = {
            (count, round_number): seed_loop_cases(self.app, count, pairs=count, tag=f"n{count}r{round_number}")
            for count in counts
            for round_number in range(args.rounds)
        }
        self.server = Gunicorn(self.url, self.folder, workers=workers, threads=args.threads, code=code)
        self.results: dict[int, list[tuple]] = {}

    def measure(self, count: int, round_number: int, seconds: float) -> None:
        cases = self.batches[count, round_number]
        open_tasks = {case.case_id: open_task_id(self.app, case.case_id, "report") for case in cases}
        # CPU used meanwhile by the server's workers, the database's backends and this client, per completion: on a
        # machine shared with other work, what the completions cost, whatever share of the cores they got.
        workers = cpu_seconds(child_pids(self.server.process.pid))
        backends, client = cpu_seconds(backend_pids(self.url)), time.process_time()
        rate, timings, errors = asyncio.run(measure(self.server.url, cases, open_tasks, seconds))
        spent = (
            cpu_since(workers, child_pids(self.server.process.pid)),
            cpu_since(backends, backend_pids(self.url)),
            time.process_time() - client,
        )
        self.results.setdefault(count, []).append((rate, timings, errors, spent))
        print(f"  {self.name}: {count} clients: {rate:.0f}/s", flush=True)

    def row(self, count: int) -> tuple:
        """The mean rate over the rounds, p50 and p95 over all their completions, the errors, CPU ms per completion."""
        results = self.results[count]
        timings = [timing for _rate, each, _errors, _spent in results for timing in each]
        errors = [error for _rate, _timings, each, _spent in results for error in each]
        cpu = [sum(spent[part] for *_rest, spent in results) * 1000 / max(len(timings), 1) for part in range(3)]
        p50 = percentile(timings, 0.5) * 1000 if timings else float("nan")
        p95 = percentile(timings, 0.95) * 1000 if timings else float("nan")
        rate = sum(result[0] for result in results) / len(results)
        return self.name, count, rate, p50, p95, len(errors), sorted(set(errors)), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,2,4,8,16,32")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per client count")
    parser.add_argument("--rounds", type=int, default=1, help="measure each client count this many times, in turn")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--workers", default="2", help="gunicorn workers; several (2,3,5) are measured in turn")
    parser.add_argument("--threads", type=int, default=1, help="1: sync workers; more: gthread with this many")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured the same way in turn with this one")
    args = parser.parse_args()
    counts = [int(count) for count in args.clients.split(",")]
    worker_counts = [int(workers) for workers in args.workers.split(",")]

    codes = [("this", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    targets = [
        Target(
            name if len(worker_counts) == 1 else f"{name}, {workers} workers",
            code,
            args.database_url if name == "this" and number == 0 else f"{args.database_url}_{name}_{workers}",
            workers,
            counts,
            args,
        )
        for name, code in codes
        for number, workers in enumerate(worker_counts)
    ]
    for target in targets:
        target.server.__enter__()
    try:
        # Every server is up and idle in turn: for each N, one after the other, in an order that alternates, so that
        # a machine busy with something else slows them alike.
        for round_number in range(args.rounds):
            for turn, count in enumerate(counts):
                for target in targets if (turn + round_number) % 2 == 0 else targets[::-1]:
                    target.measure(count, round_number, args.seconds)
    finally:
        for target in targets:
            target.server.__exit__()
    rows = [target.row(count) for target in targets for count in counts]
    kind = "sync workers" if args.threads == 1 else f"gthread workers × {args.threads} threads"
    print(
        f"\nCompletions on PostgreSQL, gunicorn {args.workers} {kind}, {args.seconds:.0f} s per N"
        f"{f' × {args.rounds} rounds' if args.rounds > 1 else ''} (clients share the 2 cores)\n"
    )
    print("| code | clients | completions/s | p50 ms | p95 ms | errors | CPU ms each: app, database, client |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, count, rate, p50, p95, error_count, kinds, cpu in rows:
        shown = f"{error_count} ({', '.join(kinds)})" if error_count else "0"
        spent = ", ".join(f"{each:.1f}" for each in cpu)
        print(f"| {name} | {count} | {rate:.0f} | {p50:.0f} | {p95:.0f} | {shown} | {spent} (total {sum(cpu):.1f}) |")
    if len(targets) > 1:
        rates = {(name, count): rate for name, count, rate, *_rest in rows}
        first = targets[0].name
        others = [target.name for target in targets[1:]]
        print("\n| clients | " + " | ".join(f"{first} / {other}" for other in others) + " |")
        print("|---:|" + "---:|" * len(others))
        for count in counts:
            ratios = " | ".join(f"{rates[first, count] / rates[other, count]:.2f}×" for other in others)
            print(f"| {count} | {ratios} |")


if __name__ == "__main__":
    main()
