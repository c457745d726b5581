"""`inspect validate-bpmn FILE...`: exit 0 for good files, else 1 with one line per problem (file: element: what)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspect_app.workflow_bridge import MAX_BPMN_BYTES
from tests.conftest import APP_BPMN

PROJECT = Path(__file__).resolve().parents[2]
BAD = PROJECT / "tests" / "data" / "bpmn" / "bad"
GOOD = APP_BPMN / "app_review.bpmn"
FLASK = Path(sys.executable).parent / "flask"
HANG_GUARD = 60  # seconds; a hostile file must not hang validation (a guard, not a timed assertion)

# file, element the line names ("-" for the document itself), the message
PROBLEMS = [
    ("malformed.bpmn", "-", "malformed XML: mismatched tag: line 6, column 4"),
    ("not_executable.bpmn", "-", 'no executable process (set isExecutable="true" on one process)'),
    ("unknown_lane.bpmn", "lane_lead", "unknown lane 'janitor'; known lanes: appraiser, council, director, inspector"),
    ("no_form.bpmn", "report", "user task has no 'form' property"),
    ("unknown_form.bpmn", "report", "unknown form 'wishlist'"),
    ("english_name.bpmn", 'report ("Write the report")', "user task has no Vietnamese name: write one"),
    ("condition_import.bpmn", "flow_done", "condition: name '__import__' is not allowed"),
    ("condition_mro.bpmn", "flow_done", "condition: attribute access (x.y) is not allowed"),
    ("script_open.bpmn", "prepare", "script: calling \"open('/etc/passwd').read\" is not allowed"),
    ("timer_unparsable.bpmn", "report_late", "timer: '30 days' is not a valid ISO 8601 duration"),
]
HOSTILE = ["billion_laughs.bpmn", "external_entity.bpmn"]


@pytest.fixture
def validate(app):
    """Run `inspect validate-bpmn` in this process on the given paths."""
    return lambda *paths: app.test_cli_runner().invoke(args=["inspect", "validate-bpmn", *map(str, paths)])


def validate_in_subprocess(*paths):
    """Run `flask --app wsgi inspect validate-bpmn` as an admin would; a hang fails the test instead of stalling it."""
    command = [str(FLASK), "--app", "wsgi", "inspect", "validate-bpmn", *map(str, paths)]
    try:
        return subprocess.run(
            command, cwd=PROJECT, env=dict(os.environ), capture_output=True, text=True, timeout=HANG_GUARD
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"validate-bpmn did not return on {[Path(p).name for p in paths]}")


def test_good_files_pass(validate, tmp_path):
    other = tmp_path / "app_review_v2.bpmn"
    other.write_bytes(GOOD.read_bytes().replace('name="Viết báo cáo"'.encode(), 'name="Viết báo cáo (v2)"'.encode()))

    result = validate(GOOD, other)

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 2 file(s) valid."


@pytest.mark.parametrize(("filename", "element", "message"), PROBLEMS, ids=[row[0] for row in PROBLEMS])
def test_each_problem_gives_one_line_naming_the_file_and_element(validate, filename, element, message):
    result = validate(BAD / filename)

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"{filename}: {element}: {message}")


def test_each_kind_of_problem_has_its_own_message(validate):
    messages = [validate(BAD / name).output.split(": ", 2)[2] for name, _element, _message in PROBLEMS]

    assert len(set(messages)) == len(PROBLEMS)


@pytest.mark.parametrize("filename", HOSTILE)
def test_hostile_xml_is_refused_before_any_expansion(filename):
    result = validate_in_subprocess(BAD / filename)

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [f"{filename}: -: DOCTYPE declarations are not allowed (entity or DTD attack)"]
    assert "root:" not in result.stdout + result.stderr, "the external entity was never read"


def test_a_file_over_the_size_limit_is_refused(validate, tmp_path):
    big = tmp_path / "big.bpmn"
    big.write_bytes(
        GOOD.read_bytes().replace(b"</bpmn:definitions>", b"<!--" + b" " * MAX_BPMN_BYTES + b"-->\n</bpmn:definitions>")
    )

    result = validate(big)

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("big.bpmn: -: file is ")
    assert line.endswith(f"larger than the limit of {MAX_BPMN_BYTES} bytes")


def test_many_files_at_once_list_every_problem_of_every_file(validate):
    bad = [BAD / name for name, _element, _message in PROBLEMS]

    result = validate(GOOD, *bad)

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(": ")[0] for line in lines] == [path.name for path in bad], "one line per problem, in order"
    assert "OK" not in result.output
