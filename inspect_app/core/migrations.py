"""Database migrations (Flask-Migrate on Alembic), set up on the app when first used.

Alembic takes ~0.08 s to import, and only `inspect init-db`, `flask db ...`, the test suite and the benchmarks migrate:
a web worker or any other command never does, so none of them imports it."""

import click
from flask import Flask, current_app

from inspect_app.core.config import PROJECT_ROOT
from inspect_app.core.extensions import db

MIGRATIONS_DIR = PROJECT_ROOT / "inspect_app" / "migrations"


def set_up(app: Flask) -> None:
    """Give the app Flask-Migrate (once), which `flask_migrate`'s functions and migrations/env.py read."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)


def upgrade(revision: str = "head") -> None:
    """Migrate the current app's database up to `revision` (every migration by default)."""
    import flask_migrate

    set_up(current_app)
    flask_migrate.upgrade(revision=revision)


def downgrade(revision: str) -> None:
    """Migrate the current app's database down to `revision`."""
    import flask_migrate

    set_up(current_app)
    flask_migrate.downgrade(revision=revision)


class MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's own command group, loaded when it runs rather than at every start-up."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db as commands

        set_up(current_app)
        return commands.make_context(info_name, args, parent=parent, **extra)


def register(app: Flask) -> None:
    """Add `flask db ...` to the app's commands."""
    app.cli.add_command(MigrationCommands("db", help="Perform database migrations."))
