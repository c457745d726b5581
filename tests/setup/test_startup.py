"""What every process (web worker, CLI command, timer worker) pays before its first piece of work: the app starts
without the libraries only a few requests need, which load when first used."""

import os
import subprocess
import sys

from inspect_app.core.config import PROJECT_ROOT

WAIT_SECONDS = 120  # a guard against a hang on busy cores, never a measure of speed
# WeasyPrint (printing documents), pypdf (checking an uploaded PDF), openpyxl (workbooks) and Alembic (migrations):
# about 0.6 s of imports together, which every process paid before.
RARELY_NEEDED = ("weasyprint", "pypdf", "openpyxl", "alembic")


def test_starting_the_app_leaves_the_rarely_needed_libraries_unloaded(tmp_path):
    loaded = f"import sys, wsgi; print(*[name for name in {RARELY_NEEDED!r} if name in sys.modules])"
    env = {**os.environ, "INSPECT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env["INSPECT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    run = subprocess.run(
        [sys.executable, "-c", loaded], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=WAIT_SECONDS
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == []
