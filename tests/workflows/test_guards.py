"""Size guards: expressions that would build huge values are refused before they build them, with the limit.

Each refused case is small enough to run harmlessly were its guard missing (a MemoryError, or a few hundred
kilobytes), so a broken guard fails the test instead of taking the machine's memory."""

import pytest

from workflows.expressions import SafeEnvironment
from workflows.guards import MAX_SIZE, TooBig

REFUSED = [
    ("x = 'x' * 99999999999", "the repetition would hold at least 99,999,999,999 characters or items"),
    ("x = 99999999999 * 'x'", "the repetition would hold at least 99,999,999,999"),
    ("x = [0] * 99999999999", "the repetition would hold at least"),
    ("x = 'ab'\nx *= 99999999999", "the repetition would hold at least"),
    ("x = 'a'" + "\nx = x + x" * 17, "the joined value would hold at least 131,072 characters or items"),
    ("x = 99999999" + "\nx = x * x" * 10, "the product would have more than 4096 bits"),
    ("x = '%999999999d' % 1", "width or precision 999999999 in '%999999999d' is over the limit of 1000"),
    ("x = '%*d' % (5, 1)", "a width or precision taken from the data ('*') is not allowed"),
    ("x = f'{1:>999999999}'", "width or precision 999999999 in '>999999999' is over the limit of 1000"),
    ("x = f'{1:>{width}}'", "width or precision 99999999 in '>99999999' is over the limit of 1000"),
    ("a = [0] * 60000\nx = str([a, a])", "the text would hold at least"),
    ("a = [0] * 60000\nx = f'{[a, a]}'", "the formatted text would hold at least"),
    ("a = [0] * 60000\nx = sum([a, a], [])", "the joined value would hold at least"),
]


@pytest.mark.parametrize(("script", "reason"), REFUSED)
def test_a_script_building_a_huge_value_is_refused_with_the_limit(script, reason):
    data = {"width": 99999999}

    with pytest.raises(TooBig, match="the limit is|over the limit|more than|not allowed") as refused:
        SafeEnvironment().execute(script, data)

    assert reason in str(refused.value)
    assert data == {"width": 99999999}, "a refused script writes nothing back"


def test_conditions_are_guarded_too():
    with pytest.raises(TooBig, match="repetition"):
        SafeEnvironment().evaluate("len('x' * 99999999999) > 0", {})


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("a = [0] * 60000\nx = [a, a]", "'x' cannot be kept as task data: it holds more than 100,000"),
        ("x = {1, 2}", "'x' cannot be kept as task data: a set is not plain JSON data"),
        ("x = float('inf')", "'x' cannot be kept as task data: inf is not a finite number"),
        ("x = {1: 'one'}", "'x' cannot be kept as task data: a dict key is not a string"),
        ("a = [0]\na[0] = a", "'a' cannot be kept as task data"),
    ],
)
def test_what_a_script_leaves_in_task_data_must_be_small_plain_json(script, reason):
    with pytest.raises(TooBig) as refused:
        SafeEnvironment().execute(script, {})

    assert reason in str(refused.value)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("x = 'ab' * 3", "ababab"),
        ("x = [0] * 3", [0, 0, 0]),
        ("x = 3 * 'ab'", "ababab"),
        ("x = 'a' * 0", ""),
        ("x = 'ab'\nx *= 2", "abab"),
        ("x = 'ab' + 'cd'", "abcd"),
        ("x = [1] + [2]", [1, 2]),
        ("x = 2\nx += 3", 5),
        ("x = 6 * 7", 42),
        ("x = 1.5 * 2", 3.0),
        ("x = 7 % 3", 1),
        ("x = '%05d|%-3s|%.2f' % (42, 'a', 2.5)", "00042|a  |2.50"),
        ("x = '%(n)s items' % {'n': 3}", "3 items"),
        ("x = f'{42:>5}|{\"a\"!r}|{2.5:.2f}|{1000:,}'", "   42|'a'|2.50|1,000"),
        ("x = f'{score:{width}}'", "  7"),
        ("x = str(12)", "12"),
        ("x = sum([1, 2.5])", 3.5),
        ("x = sum([[1], [2]], [])", [1, 2]),
        ("x = 'x' * " + str(MAX_SIZE), "x" * MAX_SIZE),
    ],
)
def test_ordinary_arithmetic_and_formatting_work_as_in_python(script, expected):
    data = {"score": 7, "width": 3}

    SafeEnvironment().execute(script, data)

    assert data["x"] == expected


def test_every_run_has_its_own_allowance():
    environment = SafeEnvironment()
    script = "x = 'x' * 90000\ny = x + 'y'"

    for _ in range(20):  # 20 runs build ~3.6 million characters in all: each run is within its own allowance
        data = {}
        environment.execute(script, data)
        assert len(data["y"]) == 90001


def test_one_run_cannot_build_more_than_its_allowance_in_many_small_steps():
    script = "\n".join(f"x{index} = 'x' * 90000" for index in range(12))

    with pytest.raises(TooBig, match="more than 1,000,000 characters or items in all"):
        SafeEnvironment().execute(script, {})
