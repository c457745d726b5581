"""validate_bpmn: one line per problem, each naming the file and the element."""

import threading
from pathlib import Path

import pytest

from workflows import validate_bpmn

BPMN_DIR = Path(__file__).resolve().parents[1] / "data" / "bpmn"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;</bpmn:definitions>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&secret;</bpmn:definitions>
"""


@pytest.fixture
def validate(known_lanes, known_forms):
    """validate_bpmn with the app's lanes and forms."""
    return lambda xml, filename="case.bpmn": validate_bpmn(xml, filename, known_lanes, known_forms)


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda path: path.name)
def test_the_example_files_are_valid(validate, path):
    assert validate(path.read_bytes(), path.name) == []


def test_the_builder_default_is_valid(validate, make_bpmn):
    assert validate(make_bpmn()) == []


def test_malformed_xml_gives_the_line(validate):
    assert validate(b"<a>\n<b>\n</a>") == ["case.bpmn: -: malformed XML: mismatched tag: line 3, column 2"]


def test_billion_laughs_is_refused_without_expanding(validate):
    result = []
    # Guard against a hang rather than measuring speed: expansion would take minutes and gigabytes.
    worker = threading.Thread(target=lambda: result.append(validate(BILLION_LAUGHS)), daemon=True)
    worker.start()
    worker.join(timeout=10)

    assert result, "validation did not return"
    assert result[0] == ["case.bpmn: -: DOCTYPE declarations are not allowed (entity or DTD attack)"]


def test_external_entity_is_refused(validate):
    [line] = validate(EXTERNAL_ENTITY)

    assert line.startswith("case.bpmn: -: DOCTYPE declarations are not allowed")
    assert "root:" not in line


def test_oversize_file_is_refused(known_lanes, known_forms, make_bpmn):
    [line] = validate_bpmn(make_bpmn(), "big.bpmn", known_lanes, known_forms, max_bytes=1000)

    assert line.startswith("big.bpmn: -: file is ")
    assert "larger than the limit of 1000 bytes" in line


def test_no_executable_process(validate, make_bpmn):
    assert "case.bpmn: -: no executable process" in "\n".join(validate(make_bpmn(executable=False)))


def test_unknown_lane(validate, make_bpmn):
    assert validate(make_bpmn(lane="janitor")) == [
        "case.bpmn: decide_lane: unknown lane 'janitor'; known lanes: director, inspector, lead, unit"
    ]


def test_user_task_without_a_form(validate, make_bpmn):
    assert validate(make_bpmn(form=None)) == ["case.bpmn: decide: user task has no 'form' property"]


def test_user_task_with_an_unknown_form(validate, make_bpmn):
    assert validate(make_bpmn(form="wishlist")) == ["case.bpmn: decide: unknown form 'wishlist'"]


def test_user_task_outside_any_lane(validate, make_bpmn):
    xml = make_bpmn().replace(b"<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", b"")

    assert validate(xml) == ["case.bpmn: decide: user task is not in a lane, so nobody would be asked to do it"]


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("__import__('os')", "name '__import__' is not allowed"),
        ("().__class__.__mro__", "attribute access (x.y) is not allowed"),
        ("approved ==", "syntax error"),
    ],
)
def test_condition_breaking_the_rules_names_the_flow(validate, make_bpmn, condition, reason):
    [line] = validate(make_bpmn(condition=condition))

    assert line.startswith("case.bpmn: flow_approved: condition: ")
    assert reason in line


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("import os", "imports are not allowed"),
        ("x = open('/etc/passwd')", "name 'open' is not allowed"),
        ("for i in items: total = i", "loops are not allowed"),
        ("x = = 1", "syntax error"),
    ],
)
def test_bad_script_names_the_script_task(validate, make_bpmn, script, reason):
    [line] = validate(make_bpmn(script=script))

    assert line.startswith("case.bpmn: prepare: script: ")
    assert reason in line


@pytest.mark.parametrize(
    ("timer", "reason"),
    [
        ("P30D", 'looks like an ISO 8601 value without quotes; write "P30D"'),
        ('"30 days"', "'30 days' is not a valid ISO 8601 duration"),
        ('"P"', "'P' is not a valid ISO 8601 duration"),
        ("30", 'must give an ISO 8601 duration string such as "P30D", not 30'),
        ('"P30D" +', "syntax error"),
        ("__import__('os')", "name '__import__' is not allowed"),
    ],
)
def test_unparsable_timer_names_the_event(validate, make_bpmn, timer, reason):
    [line] = validate(make_bpmn(timer=timer))

    assert line.startswith("case.bpmn: decide_late: timer: ")
    assert reason in line


@pytest.mark.parametrize("timer", ['"P30D"', '"PT4H"', "deadline", 'add_days(today(), 3) if urgent else "P30D"'])
def test_good_timers_pass(validate, make_bpmn, timer):
    assert validate(make_bpmn(timer=timer)) == []


def test_every_problem_is_reported_at_once(validate, make_bpmn):
    xml = make_bpmn(lane="janitor", form="wishlist", condition="().__class__", timer="P30D")

    assert [line.split(": ")[1] for line in validate(xml)] == ["decide_lane", "decide", "flow_approved", "decide_late"]


def timer_of_kind(make_bpmn, kind: str, value: str) -> bytes:
    """The builder's process with its boundary timer given as `kind` (timeDuration, timeDate or timeCycle)."""
    return make_bpmn(timer=value).replace(b"timeDuration", kind.encode())


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("timeDuration", '"P99999Y"'),
        ("timeDuration", '"P99999999Y"'),
        ("timeDuration", '"P6Y"'),
        ("timeDuration", '"PT99999999H"'),
        ("timeDate", '"2999-01-01"'),
        ("timeCycle", '"R3/P10Y"'),
        ("timeCycle", '"R/2999-01-01T00:00:00Z/P1D"'),
    ],
)
def test_a_timer_beyond_five_years_is_refused_naming_the_event(validate, make_bpmn, kind, value):
    assert validate(timer_of_kind(make_bpmn, kind, value)) == [
        f"case.bpmn: decide_late: timer: {value} goes beyond P5Y, the longest timer allowed"
    ]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("timeDuration", '"P30D"'),
        ("timeDuration", '"P5Y"'),
        ("timeDuration", '"P4Y11M"'),
        ("timeDate", '"2020-01-01"'),
        ("timeCycle", '"R3/P1D"'),
    ],
)
def test_a_timer_within_five_years_passes(validate, make_bpmn, kind, value):
    assert validate(timer_of_kind(make_bpmn, kind, value)) == []


def test_the_refusal_names_the_event_by_its_name_too(validate, make_bpmn):
    xml = make_bpmn(timer='"P99999Y"').replace(b'id="decide_late"', b'id="decide_late" name="Decision overdue"')

    assert validate(xml) == [
        'case.bpmn: decide_late ("Decision overdue"): timer: "P99999Y" goes beyond P5Y, the longest timer allowed'
    ]


def test_the_limit_is_a_parameter(known_lanes, known_forms, make_bpmn):
    month = make_bpmn(timer='"P30D"')

    assert validate_bpmn(month, "case.bpmn", known_lanes, known_forms, max_timer="P30D") == []
    assert validate_bpmn(month, "case.bpmn", known_lanes, known_forms, max_timer="P1W") == [
        'case.bpmn: decide_late: timer: "P30D" goes beyond P1W, the longest timer allowed'
    ]
