"""The `flask --app wsgi inspect ...` command group; each command commits once."""

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from inspect_app import clock, workflow_bridge
from inspect_app.auth.services import normalise_username
from inspect_app.auth.tokens import issue_token
from inspect_app.demo import DEMO_PASSWORD, load_demo
from inspect_app.demo_cases import load_demo_cases
from inspect_app.demo_par import load_demo_par
from inspect_app.exceptions import InvalidInput
from inspect_app.extensions import db
from inspect_app.models import Case, OrgUnit, Role, User
from inspect_app.notifications import mail as notification_mail
from inspect_app.notifications import services as notification_services
from inspect_app.processes.services import deploy_bpmn as deploy_service
from inspect_app.tasks import services as task_services

inspect_cli = AppGroup("inspect", help="Inspect administration commands.")


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
    user = User(username=username, full_name=full_name, unit=unit)
    user.set_password(password)
    for role in roles:
        user.grant(Role(role))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created user {username} ({', '.join(roles) or 'no roles'}).")


@inspect_cli.command("demo")
def demo() -> None:
    """Load the Hai Duong demo organisation, users, processes and inspection cases (safe to run again)."""
    users = load_demo(progress=lambda message: click.echo(f"  loaded {message}"))
    load_demo_cases(progress=lambda message: click.echo(f"  loaded {message}"))
    load_demo_par(progress=lambda message: click.echo(f"  loaded {message}"))
    db.session.commit()
    click.echo(f"Demo data ready. Sign in with any of these users, password {DEMO_PASSWORD!r}:")
    for user in users:
        click.echo(f"  {user.username:<12} {', '.join(sorted(r.value for r in user.roles))}")


@inspect_cli.command("verify-history")
def verify_history() -> None:
    """Check every case's history chain; exit 1 naming the first broken event."""
    from inspect_app.history import verify_all

    total = db.session.scalar(select(func.count(Case.id)))
    events = db.session.scalar(select(func.sum(Case.history_count))) or 0
    broken = []
    with click.progressbar(verify_all(), length=total, label="Verifying case histories", file=sys.stderr) as results:
        for _case, problem in results:
            if problem is not None:
                broken.append(problem)
    if broken:
        for problem in broken:
            click.echo(f"BROKEN {problem}", err=True)
        click.echo(f"{len(broken)} of {total} case histories are broken; first: {broken[0]}")
        sys.exit(1)
    click.echo(f"OK: {total} case histories, {events} events, every chain intact.")


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
    for path in files:
        try:
            definition, created = deploy_service(_read_capped(path), path.name, actor=None)
        except InvalidInput as refusal:
            db.session.rollback()
            click.echo("\n".join(refusal.errors["bpmn"]), err=True)
            raise click.ClickException(f"{path.name} was not deployed; nothing was changed.") from None
        state = "deployed as" if created else "unchanged, still"
        click.echo(f"{path.name}: {state} {definition.process_id} v{definition.version}")
    db.session.commit()
    click.echo(f"{len(files)} file(s) checked.")


@inspect_cli.command("run-timers")
def run_timers() -> None:
    """Fire every timer that is due now, send deadline reminders and pending e-mail, once, then exit."""
    fired = _fire_due_timers()
    click.echo(f"Fired {fired} timer(s).")
    reminders, emails = _send_notifications()
    click.echo(f"Wrote {reminders} reminder(s); sent {emails} e-mail(s).")


@inspect_cli.command("send-mail")
def send_mail() -> None:
    """Send the notification e-mails not sent yet (to the log when INSPECT_SMTP_HOST is empty)."""
    click.echo(f"Sent {notification_mail.send_pending_emails()} e-mail(s).")


@inspect_cli.command("worker")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between checks for due timers.")
@click.option("--max-loops", type=int, default=None, help="Stop after this many checks (default: run until stopped).")
def worker(interval: float, max_loops: int | None) -> None:
    """Fire due timers, remind of deadlines and send e-mail in a loop; workers may share one PostgreSQL database."""
    loops = 0
    click.echo(f"Worker started (every {interval:g}s). Ctrl+C to stop.")
    try:
        while max_loops is None or loops < max_loops:
            fired = _fire_due_timers()
            if fired:
                click.echo(f"{clock.now():%Y-%m-%d %H:%M:%S}Z fired {fired} timer(s)")
            reminders, emails = _send_notifications()
            if reminders or emails:
                click.echo(f"{clock.now():%Y-%m-%d %H:%M:%S}Z wrote {reminders} reminder(s), sent {emails} e-mail(s)")
            loops += 1
            if max_loops is None or loops < max_loops:
                time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Worker stopped.")


def _send_notifications() -> tuple[int, int]:
    """Write the "due in 3 days" reminders (committed), then e-mail every notification not sent yet."""
    reminders = notification_services.send_due_reminders(clock.now())
    db.session.commit()
    return reminders, notification_mail.send_pending_emails()


def _fire_due_timers() -> int:
    """Claim and fire due timers one case at a time, committing each case's step on its own."""
    fired = 0
    now = clock.now()
    while (timer := task_services.claim_due_timer(now)) is not None:
        fired += len(task_services.fire_timer(timer, now))
        db.session.commit()
    db.session.commit()
    return fired


@inspect_cli.command("create-token")
@click.argument("username")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it on the last line (it is shown only once)."""
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    _row, token = issue_token(user, name)
    db.session.commit()
    click.echo(f"Token {name!r} for {user.username} (keep it secret; it is not shown again):")
    click.echo(token)


def register(app: Flask) -> None:
    """Attach the command group to the app."""
    app.cli.add_command(inspect_cli)
