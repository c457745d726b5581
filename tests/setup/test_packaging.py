"""Building the package: quiet, with every template and data file, and an installed copy finds its templates."""

import os
import subprocess
import sys

import pytest

from inspect_app.core.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The package as a wheel would hold it (setuptools' build_py), and what the build printed."""
    out = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        [
            sys.executable,
            "setup.py",
            "-q",
            "egg_info",
            "--egg-base",
            str(out),
            "build_py",
            "--build-lib",
            str(out / "lib"),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONWARNINGS": "always"},  # setuptools warns about the layout through `warnings`
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out / "lib", result.stdout + result.stderr


def test_building_the_package_warns_of_no_ignored_package(built):
    _lib, output = built
    assert "would be ignored" not in output
    assert "SetuptoolsDeprecationWarning" not in output


@pytest.mark.parametrize(
    "path",
    [
        "inspect_app/templates/base.html",
        "inspect_app/templates/inspections/documents/_layout.html",
        "inspect_app/static/css/app.css",
        "inspect_app/static/js/onsite.js",
        "inspect_app/static/img/favicon.svg",
        "inspect_app/translations/vi/LC_MESSAGES/messages.po",
        "inspect_app/migrations/env.py",
        "inspect_app/migrations/alembic.ini",
        "inspect_app/migrations/script.py.mako",
        "inspect_app/checklists/data/sample_public_service.json",
        "inspect_app/criteria/data/sample_districts.yaml",
        "workflows/__init__.py",
    ],
)
def test_the_built_package_carries_its_files(built, path):
    lib, _output = built
    assert (lib / path).is_file()


def test_the_built_package_carries_every_template_and_migration(built):
    lib, _output = built
    templates = sorted(p.relative_to(PROJECT_ROOT / "templates") for p in (PROJECT_ROOT / "templates").rglob("*.html"))
    assert (
        sorted(p.relative_to(lib / "inspect_app/templates") for p in (lib / "inspect_app/templates").rglob("*.html"))
        == templates
    )
    versions = sorted(p.name for p in (PROJECT_ROOT / "inspect_app/migrations/versions").glob("*.py"))
    assert sorted(p.name for p in (lib / "inspect_app/migrations/versions").glob("*.py")) == versions


def test_an_installed_package_renders_its_templates(built, tmp_path):
    """Installed (not from a checkout), the app has no templates/ beside it: it finds the copy inside the package."""
    lib, _output = built
    script = (
        "import inspect_app, sys\n"
        "from inspect_app import create_app\n"
        "app = create_app({'TESTING': True})\n"
        "assert inspect_app.__file__.startswith(sys.argv[1]), inspect_app.__file__\n"
        "print(app.jinja_loader.get_source(app.jinja_env, 'base.html')[1])\n"
        "print(app.test_client().get('/login').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(lib)],
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": str(lib),
            "INSPECT_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
            "INSPECT_UPLOAD_DIR": str(tmp_path / "uploads"),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    template, status = result.stdout.split()
    assert template == str(lib / "inspect_app/templates/base.html")
    assert status == "200"
