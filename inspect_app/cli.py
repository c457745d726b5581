"""The `flask --app wsgi inspect ...` command group; each command commits once."""

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from inspect_app.auth.services import normalise_username
from inspect_app.extensions import db
from inspect_app.models import Case, OrgUnit, Role, User

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
    """Load the Hai Duong demo organisation and users (safe to run again)."""
    from inspect_app.demo import DEMO_PASSWORD, load_demo

    users = load_demo(progress=lambda message: click.echo(f"  loaded {message}"))
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


def register(app: Flask) -> None:
    """Attach the command group to the app."""
    app.cli.add_command(inspect_cli)
