"""The `flask --app wsgi inspect ...` command group; each command commits once, and the worker once per item."""

import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from inspect_app import workflow_bridge
from inspect_app.auth.services import normalise_username, prune_login_attempts
from inspect_app.auth.tokens import issue_token
from inspect_app.core import clock
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.migrations import upgrade
from inspect_app.core.unit_of_work import unit_of_work
from inspect_app.demo.cases import load_demo_cases
from inspect_app.demo.organisation import DEMO_PASSWORD, load_demo
from inspect_app.demo.par import load_demo_par
from inspect_app.history_verify import HistoryCheck
from inspect_app.models import Case, OrgUnit, Role, TimerState, User
from inspect_app.notifications import mail as notification_mail
from inspect_app.notifications import services as notification_services
from inspect_app.processes.services import deploy_bpmn as deploy_service
from inspect_app.tasks import consistency, timers

inspect_cli = AppGroup("inspect", help="Inspect administration commands.")
worker_log = logging.getLogger("inspect.worker")


@inspect_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (runs every migration)."""
    click.echo("Running migrations ...")
    upgrade()
    click.echo("Database is up to date.")


@inspect_cli.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True, help="Name shown in the app.")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), help="May repeat.")
@click.option("--unit", "unit_code", help="Code of the user's organisation unit.")
@click.password_option(help="Prompted for when not given.")
def create_user(username: str, full_name: str, roles: tuple[str, ...], unit_code: str | None, password: str) -> None:
    """Create a user with the given roles."""
    username = normalise_username(username)
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.ClickException(f"username {username!r} is taken")
    unit = None
    if unit_code:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"no unit with code {unit_code!r}")
    with unit_of_work():
        user = User(username=username, full_name=full_name, unit=unit)
        user.set_password(password)
        for role in roles:
            user.grant(Role(role))
        db.session.add(user)
    click.echo(f"Created user {username} ({', '.join(roles) or 'no roles'}).")


@inspect_cli.command("demo")
def demo() -> None:
    """Load the Hai Duong demo organisation, users, processes and inspection cases (safe to run again)."""
    with unit_of_work():
        users = load_demo(progress=lambda message: click.echo(f"  loaded {message}"))
        load_demo_cases(progress=lambda message: click.echo(f"  loaded {message}"))
        load_demo_par(progress=lambda message: click.echo(f"  loaded {message}"))
    click.echo(f"Demo data ready. Sign in with any of these users, password {DEMO_PASSWORD!r}:")
    for user in users:
        click.echo(f"  {user.username:<12} {', '.join(sorted(r.value for r in user.roles))}")


@inspect_cli.command("verify-history")
def verify_history() -> None:
    """Check every case's history chain; exit 1 naming each broken one. Progress goes to stderr."""
    meter = _EventsMeter(db.session.scalar(select(func.sum(Case.history_count))) or 0)
    check = HistoryCheck(progress=meter.show)
    broken, first = 0, None
    for problem in check.breaks():
        click.echo(f"BROKEN {problem}", err=True)
        broken, first = broken + 1, first or problem
    meter.done(check.events)
    if broken:
        click.echo(f"{broken} of {check.cases} case histories are broken; first: {first}")
        sys.exit(1)
    click.echo(f"OK: {check.cases} case histories, {check.events} events, every chain intact.")


class _EventsMeter:
    """Events checked and events per second on stderr: a line every few seconds on a long run, and one at the end."""

    EVERY_SECONDS = 5.0

    def __init__(self, expected: int):
        self.expected = expected
        self.started = self.shown = time.monotonic()

    def show(self, events: int) -> None:
        """Print how far the check has come, if the last line is a few seconds old."""
        now = time.monotonic()
        if now - self.shown >= self.EVERY_SECONDS:
            self.shown = now
            share = f" ({events / self.expected:.0%})" if self.expected else ""
            rate = events / (now - self.started)
            click.echo(f"  {events:,} of {self.expected:,} events checked{share}, {rate:,.0f} events/s", err=True)

    def done(self, events: int) -> None:
        """Print the whole check's figures."""
        seconds = time.monotonic() - self.started
        rate = f", {events / seconds:,.0f} events/s" if seconds > 0 else ""
        click.echo(f"Checked {events:,} events in {seconds:.2f} s{rate}.", err=True)


@inspect_cli.command("check-consistency")
@click.option("--case", "reference", help="Check only the case with this reference.")
def check_consistency(reference: str | None) -> None:
    """Check that every case's task list and timers equal its workflow state, and that its history records each
    completed step and fired timer exactly once; exit 1 naming every mismatch."""
    total = consistency.case_count(reference)
    if reference is not None and total == 0:
        raise click.ClickException(f"no case {reference!r}")
    mismatches = []
    checked = consistency.check_cases(reference)
    with click.progressbar(checked, length=total, label="Checking cases", file=sys.stderr) as cases:
        for _reference, found in cases:
            mismatches += found
    for mismatch in mismatches:
        click.echo(f"MISMATCH {mismatch}")
    summary = f"{total} case(s) checked, {len(mismatches)} mismatch(es)"
    if mismatches:
        click.echo(f"{summary} in {len({m.case_reference for m in mismatches})} case(s).")
        sys.exit(1)
    click.echo(f"OK: {summary}.")


def _read_capped(path: Path) -> bytes:
    # One byte over the limit is enough for validation to refuse the file; never read a huge one whole.
    with path.open("rb") as handle:
        return handle.read(workflow_bridge.MAX_BPMN_BYTES + 1)


@inspect_cli.command("validate-bpmn")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_bpmn(files: tuple[Path, ...]) -> None:
    """Check BPMN files; exit 1 with one line per problem (file: element: what) if any is invalid."""
    problems = [line for path in files for line in workflow_bridge.validate_definition(_read_capped(path), path.name)]
    for line in problems:
        click.echo(line)
    if problems:
        sys.exit(1)
    click.echo(f"OK: {len(files)} file(s) valid.")


@inspect_cli.command("deploy-bpmn")
@click.argument("directory", default="bpmn", type=click.Path(exists=True, file_okay=False, path_type=Path))
def deploy_bpmn(directory: Path) -> None:
    """Deploy every .bpmn file in DIRECTORY (default bpmn/); an unchanged file makes no new version."""
    files = sorted(directory.glob("*.bpmn"))
    with unit_of_work():
        for path in files:
            try:
                definition, created = deploy_service(_read_capped(path), path.name, actor=None)
            except InvalidInput as refusal:
                click.echo("\n".join(refusal.errors["bpmn"]), err=True)
                raise click.ClickException(f"{path.name} was not deployed; nothing was changed.") from None
            state = "deployed as" if created else "unchanged, still"
            click.echo(f"{path.name}: {state} {definition.process_id} v{definition.version}")
    click.echo(f"{len(files)} file(s) checked.")


@inspect_cli.command("run-timers")
def run_timers() -> None:
    """Once, then exit: fire every due timer, send deadline reminders and e-mail, forget old sign-in attempts.

    Each timer is fired on its own: one that fails is rolled back, recorded and tried again later, and the others
    still fire. One line per timer names its case and BPMN element."""
    runs = list(timers.run_due_timers(clock.now()))
    for run in runs:
        click.echo(_describe_run(run))
    click.echo(f"Fired {_fired(runs)} timer(s). {_failed(runs)} failed.")
    reminders, emails = _send_notifications()
    click.echo(f"Wrote {reminders} reminder(s); sent {emails} e-mail(s).")
    _forget_old_sign_in_attempts()


@inspect_cli.command("send-mail")
def send_mail() -> None:
    """Send the notification e-mails not sent yet (to the log when INSPECT_SMTP_HOST is empty)."""
    click.echo(f"Sent {notification_mail.send_pending_emails()} e-mail(s).")


@inspect_cli.command("worker")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between checks for due timers.")
@click.option("--max-loops", type=int, default=None, help="Stop after this many checks (default: run until stopped).")
def worker(interval: float, max_loops: int | None) -> None:
    """Fire due timers, remind of deadlines, send e-mail and forget old sign-in attempts, in a loop.

    Workers may share one PostgreSQL database. SIGTERM or Ctrl+C (SIGINT) stops it after the item in hand, with
    exit status 0; a second one stops it at once."""
    _log_worker_actions_to_stderr()
    stop = _StopRequest()
    loops = 0
    with stop.on_signals(signal.SIGTERM, signal.SIGINT):
        click.echo(f"Worker started (every {interval:g}s). Ctrl+C to stop.")
        worker_log.info("Worker started, checking every %gs", interval)
        while not stop.requested and (max_loops is None or loops < max_loops):
            runs = list(timers.run_due_timers(clock.now(), should_stop=lambda: stop.requested))
            if runs:
                click.echo(f"{clock.now():%Y-%m-%d %H:%M:%S}Z fired {_fired(runs)} timer(s), {_failed(runs)} failed")
            if stop.requested:
                break
            reminders, emails = _send_notifications()
            if reminders or emails:
                click.echo(f"{clock.now():%Y-%m-%d %H:%M:%S}Z wrote {reminders} reminder(s), sent {emails} e-mail(s)")
            if stop.requested:
                break
            _forget_old_sign_in_attempts()
            loops += 1
            if max_loops is None or loops < max_loops:
                stop.wait(interval)
    if stop.signal_name:
        worker_log.info("Worker stopped on %s; no item was left half done", stop.signal_name)
    else:
        worker_log.info("Worker stopped after %d loop(s)", loops)
    click.echo("Worker stopped.")


class _StopRequest:
    """Set by SIGTERM or SIGINT; the worker checks it between items, so the item in hand always finishes."""

    def __init__(self):
        self._event = threading.Event()
        self.signal_name: str | None = None

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep for `seconds`, or less if a stop is requested meanwhile."""
        self._event.wait(seconds)

    def _handle(self, signum, _frame) -> None:
        if self.requested:
            raise KeyboardInterrupt  # asked twice: stop now; the unit of work in hand rolls back
        # Otherwise only set a flag: the handler interrupts the main thread anywhere, even inside a transaction.
        self.signal_name = signal.Signals(signum).name
        self._event.set()

    @contextmanager
    def on_signals(self, *signums: signal.Signals) -> Iterator[None]:
        """Request a stop on these signals while the block runs; restore the previous handlers after."""
        previous = {signum: signal.signal(signum, self._handle) for signum in signums}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _log_worker_actions_to_stderr() -> None:
    """Show the worker's INFO lines on stderr, unless logging is already set up (e.g. by a test runner)."""
    logger = worker_log
    logger.setLevel(logging.INFO)
    if not logger.hasHandlers():
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def _fired(runs: list[timers.TimerRun]) -> int:
    return sum(len(run.fired) for run in runs)


def _failed(runs: list[timers.TimerRun]) -> int:
    return sum(run.failed for run in runs)


def _describe_run(run: timers.TimerRun) -> str:
    """One progress line: the case, the timer's BPMN element, and what happened to it."""
    where = f"{run.case_reference}: timer {run.bpmn_id}"
    if run.fired:
        return f"{where} fired ({', '.join(run.fired)})"
    if not run.failed:
        return f"{where} dropped: the case is closed" if run.state == TimerState.CANCELLED else f"{where}: nothing due"
    # An administrator's retry of a failed timer is an attempt beyond the usual number.
    attempt = f"attempt {run.attempts}" + (
        f" of {timers.max_attempts()}" if run.attempts <= timers.max_attempts() else ""
    )
    if run.next_attempt_at is not None:
        return f"{where} failed ({attempt}, next attempt at {run.next_attempt_at:%Y-%m-%d %H:%M}Z): {run.error}"
    return f"{where} failed ({attempt}, marked failed): {run.error}"


def _send_notifications() -> tuple[int, int]:
    """Write the "due in 3 days" reminders (one unit of work), then e-mail every notification not sent yet."""
    with unit_of_work():
        reminders = notification_services.send_due_reminders(clock.now())
    if reminders:
        worker_log.info("Wrote %d deadline reminder(s)", reminders)
    emails = notification_mail.send_pending_emails()
    if emails:
        worker_log.info("Sent %d e-mail(s)", emails)
    return reminders, emails


def _forget_old_sign_in_attempts() -> int:
    """Delete the sign-in attempts too old to count for throttling (one unit of work)."""
    with unit_of_work():
        deleted = prune_login_attempts(clock.now())
    if deleted:
        worker_log.info("Deleted %d old sign-in attempt(s)", deleted)
    return deleted


@inspect_cli.command("create-token")
@click.argument("username")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it on the last line (it is shown only once)."""
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    with unit_of_work():
        _row, token = issue_token(user, name)
    click.echo(f"Token {name!r} for {user.username} (keep it secret; it is not shown again):")
    click.echo(token)


def register(app: Flask) -> None:
    """Attach the command group to the app."""
    app.cli.add_command(inspect_cli)
