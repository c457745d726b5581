"""How the app runs in production: its connections to PostgreSQL, and its processes' memory."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from inspect_app.core.extensions import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_postgresql_does_not_jit_compile_the_apps_queries(app):
    # Compiling took 50-100 ms of a page whose query runs in a few (bench/scale.py); settings the deployment gave
    # the connection (here the suite's synchronous_commit) are kept beside it.
    with app.app_context():
        assert db.session.scalar(text("SHOW jit")) == "off"
        assert db.session.scalar(text("SHOW synchronous_commit")) == "off"


@pytest.mark.postgres
def test_a_cases_engine_state_is_kept_out_of_its_row(app):
    # Lists walk many case rows and never read the state: the rows stay small (bench/scale.py).
    with app.app_context():
        options = db.session.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'cases'"))
        assert "toast_tuple_target=1024" in options


def test_the_served_app_keeps_what_start_up_made_out_of_the_garbage_collectors_walks(tmp_path):
    check = "import gc, wsgi; print(gc.get_freeze_count())"
    env = {"INSPECT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "INSPECT_UPLOAD_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000
