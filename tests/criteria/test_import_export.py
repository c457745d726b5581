"""Criteria sets as YAML and XLSX files: export, import (validated; a refused file stores nothing), round trips."""

import html
import io
from decimal import Decimal as D

import openpyxl
import pytest
import yaml
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.criteria import io as criteria_io
from inspect_app.criteria import services
from inspect_app.models import CriteriaSet, CriterionKind, OrgLevel
from tests.criteria.conftest import BASE, IMPORT, as_yaml, good_document, problems, stored, sub, upload
from tests.helpers import csrf_token, error_flash


def export(client, criteria_set: CriteriaSet, extension: str):
    response = client.get(f"{BASE}/{criteria_set.id}/export.{extension}")
    assert response.status_code == 200
    return response


def workbook_bytes(set_rows: list[list], criteria_rows: list[list]) -> bytes:
    """An XLSX file written by hand, as a spreadsheet user would."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "set"
    for row in set_rows:
        workbook["set"].append(row)
    sheet = workbook.create_sheet("criteria")
    for row in criteria_rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD_SET_ROWS = [
    ["key", "value"],
    ["code", "tay-2026"],
    ["name", "Bộ nhập tay"],
    ["year", 2026],
    ["level", "commune"],
    ["survey_max", 30],
    ["bonus_cap", 2],
    ["penalty_cap", 2],
    ["is_sample", False],
]
HEADER = ["code", "kind", "parent", "name", "max_points", "evidence_required", "guidance"]
GOOD_ROWS = [
    HEADER,
    ["1", "field", None, "Chỉ đạo", 70, None, None],
    ["1.1", "criterion", "1", "Kế hoạch", 70, None, None],
    ["1.1.1", "sub", "1.1", "Ban hành", 69.5, True, "Đúng hạn → 69,5"],
    ["1.1.2", "sub", "1.1", "Báo cáo", 0.5, False, None],
]


# --- export ---------------------------------------------------------------------------------------------------------


def test_yaml_export_holds_the_whole_tree_readably(client, admin, criteria_set):
    response = export(client, criteria_set, "yaml")

    assert response.mimetype == "application/yaml"
    assert 'filename="districts-2026.yaml"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "Chỉ đạo, điều hành" in text, "Vietnamese stays readable"
    data = yaml.safe_load(text)
    assert {key: data[key] for key in ("format", "code", "year", "level", "survey_max", "bonus_cap")} == {
        "format": "inspect-criteria/1",
        "code": "districts-2026",
        "year": 2026,
        "level": "district",
        "survey_max": 30,
        "bonus_cap": 3,
    }
    first = data["criteria"][0]["children"][0]["children"][0]
    assert first == {
        "code": "1.1.1",
        "kind": "sub",
        "name": "Ban hành kế hoạch đúng hạn",
        "max_points": 6,
        "evidence_required": True,
        "guidance": "100% → 6; từ 80% → 3",
    }


def test_xlsx_export_has_the_documented_sheets(client, admin, criteria_set):
    response = export(client, criteria_set, "xlsx")

    assert response.mimetype == criteria_io.XLSX_MIMETYPE
    assert 'filename="districts-2026.xlsx"' in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["set", "criteria"]
    settings = {row[0]: row[1] for row in workbook["set"].iter_rows(min_row=2, values_only=True)}
    assert list(settings) == ["code", "name", "year", "level", "survey_max", "bonus_cap", "penalty_cap", "is_sample"]
    assert settings["code"] == "districts-2026" and settings["level"] == "district" and settings["survey_max"] == 30
    rows = list(workbook["criteria"].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert [row[:3] for row in rows[1:]] == [
        ("1", "field", None),
        ("1.1", "criterion", "1"),
        ("1.1.1", "sub", "1.1"),
        ("1.1.2", "sub", "1.1"),
        ("2", "field", None),
        ("2.1", "criterion", "2"),
        ("2.1.1", "sub", "2.1"),
    ]
    assert rows[3][4:] == (6, True, "100% → 6; từ 80% → 3")


# --- round trips ----------------------------------------------------------------------------------------------------


def tricky_set() -> CriteriaSet:
    """A set with what could get lost: two decimals, text that looks like a formula or a number, line breaks."""
    document = good_document(
        code="kho-2026",
        name="=SUM(A1) bộ khó",
        survey_max="31.5",
        bonus_cap=0,
        penalty_cap="1.25",
        is_sample=True,
        level="commune",
    )
    document["criteria"][0]["max_points"] = "68.5"
    document["criteria"][0]["guidance"] = "dòng 1\ndòng 2"
    document["criteria"][0]["children"][0]["max_points"] = "68.5"
    document["criteria"][0]["children"][0]["children"] = [
        sub("1.1.1", "0.25", guidance="=1+1", evidence_required=True),
        sub("1.1.2", "68.25", name="2020"),
    ]
    criteria_set = services.build_set(services.parse_document(document))
    db.session.add(criteria_set)
    db.session.commit()
    return criteria_set


@pytest.mark.parametrize("extension", ["yaml", "xlsx"])
def test_export_then_import_loses_nothing(client, admin, criteria_set, extension):
    tricky = tricky_set()
    for original in (criteria_set, tricky):
        exported = export(client, original, extension).get_data()

        response = upload(client, exported, f"{original.code}.{extension}", code=f"{original.code}-copy")

        copy = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == f"{original.code}-copy"))
        assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/{copy.id}"
        before = yaml.safe_load(export(client, original, "yaml").get_data())
        after = yaml.safe_load(export(client, copy, "yaml").get_data())
        assert after == {**before, "code": f"{original.code}-copy"}
        assert [(c.code, c.position, c.parent.code if c.parent else None) for c in copy.criteria] == [
            (c.code, c.position - original.criteria[0].position + 1, c.parent.code if c.parent else None)
            for c in original.criteria
        ]


def test_the_tricky_values_survive_an_xlsx_round_trip_exactly(client, admin):
    original = tricky_set()
    exported = export(client, original, "xlsx").get_data()
    db.session.delete(original)
    db.session.commit()

    assert upload(client, exported, "kho.xlsx").status_code == 302

    copy = db.session.scalar(select(CriteriaSet))
    assert (copy.code, copy.name, copy.level, copy.is_sample) == ("kho-2026", "=SUM(A1) bộ khó", OrgLevel.COMMUNE, True)
    assert (copy.survey_max, copy.bonus_cap, copy.penalty_cap) == (D("31.5"), D(0), D("1.25"))
    nodes = {c.code: c for c in copy.criteria}
    assert nodes["1"].guidance == "dòng 1\ndòng 2"
    assert (nodes["1.1.1"].max_points, nodes["1.1.1"].guidance, nodes["1.1.1"].evidence_required) == (
        D("0.25"),
        "=1+1",
        True,
    )
    assert nodes["1.1.2"].name == "2020" and nodes["1.1.2"].kind == CriterionKind.SUB


def test_an_xlsx_written_by_hand_imports(client, admin):
    response = upload(client, workbook_bytes(GOOD_SET_ROWS, GOOD_ROWS), "tay.xlsx")

    assert response.status_code == 302
    criteria_set = db.session.scalar(select(CriteriaSet))
    assert (criteria_set.code, criteria_set.level, criteria_set.survey_max) == ("tay-2026", OrgLevel.COMMUNE, D(30))
    assert [(c.code, c.kind.value, c.max_points) for c in criteria_set.criteria] == [
        ("1", "field", D(70)),
        ("1.1", "criterion", D(70)),
        ("1.1.1", "sub", D("69.5")),
        ("1.1.2", "sub", D("0.5")),
    ]
    assert criteria_set.criteria[2].evidence_required and criteria_set.criteria[2].guidance == "Đúng hạn → 69,5"


def test_the_import_page_says_how_many_sub_criteria_came_in(client, admin):
    response = upload(client, as_yaml(good_document()))

    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Imported Bộ mẫu with 2 sub-criteria." in page


# --- refusals -------------------------------------------------------------------------------------------------------


def test_importing_a_code_that_exists_is_refused(client, admin, criteria_set):
    exported = export(client, criteria_set, "yaml").get_data()
    before = stored()

    response = upload(client, exported)

    assert response.status_code == 422
    assert problems(response) == [
        "set: code: a criteria set with the code districts-2026 already exists; give the import a new code"
    ]
    assert stored() == before


def test_bad_yaml_is_refused_with_its_position(client, admin):
    response = upload(client, "code: x\nname: [unclosed\nyear: 2026\n")

    assert response.status_code == 422
    assert "nothing was stored" in html.unescape(error_flash(response))
    [problem] = problems(response)
    assert problem.startswith("The file is not valid YAML: line ")
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a zip", "The file is not an XLSX workbook."),
        (
            "only-criteria",
            "The workbook has no sheet “set”; it needs the sheets “set” and “criteria”.",
        ),
    ],
)
def test_bad_xlsx_is_refused(client, admin, content, expected):
    if content == "only-criteria":
        workbook = openpyxl.Workbook()
        workbook.active.title = "criteria"
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()

    response = upload(client, content, "criteria.xlsx")

    assert response.status_code == 422
    assert problems(response) == [expected]
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [HEADER[:-1], *(row[:-1] for row in GOOD_ROWS[1:])],
            ["criteria: guidance: no such column in the header row"],
        ),
        (
            [*GOOD_ROWS, ["1.1.3", "sub", "1.9", "Lạc", 1, None, None]],
            ["1.1.3: parent: no row above has the code 1.9"],
        ),
        (
            [*GOOD_ROWS[:3], ["1.1.1", "sub", "1.1", "Ban hành", "69.555", None, None], GOOD_ROWS[4]],
            ["1.1.1: max_points: at most two decimals (69.555)"],
        ),
        (
            [*GOOD_ROWS[:4], [None, "sub", "1.1", "Không mã", 0.5, "maybe", None]],
            ["row 5: code: required", "row 5: evidence_required: must be true or false"],
        ),
    ],
)
def test_an_xlsx_problem_names_the_node_or_row_and_the_column(client, admin, rows, expected):
    response = upload(client, workbook_bytes(GOOD_SET_ROWS, rows), "tay.xlsx")

    assert response.status_code == 422
    assert problems(response) == expected
    assert stored() == (0, 0)


def with_subs(*subs, criterion_max=10, field_max=10) -> dict:
    document = good_document()
    document["criteria"][0]["max_points"] = field_max
    document["criteria"][0]["children"][0]["max_points"] = criterion_max
    document["criteria"][0]["children"][0]["children"] = list(subs)
    return document


def nested(**changes) -> dict:
    """The good document with a change in the criterion 1.1."""
    document = good_document()
    document["criteria"][0]["children"][0].update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        # a sum that does not add up
        (
            with_subs(sub("1.1.1", 6), sub("1.1.2", 3)),
            ["1.1: max_points: 10 is not the sum of the maxima under it (9)"],
        ),
        (
            with_subs(sub("1.1.1", 6), sub("1.1.2", 4), field_max=12),
            ["1: max_points: 12 is not the sum of the maxima under it (10)"],
        ),
        # a sub-criterion worth more than its criterion
        (
            with_subs(sub("1.1.1", 12), sub("1.1.2", -2)),
            [
                "1.1.2: max_points: must not be negative",
                "1.1.1: max_points: 12 is more than its criterion 1.1 is worth (10)",
            ],
        ),
        (
            with_subs(sub("1.1.1", "10.5"), criterion_max=10),
            [
                "1.1.1: max_points: 10.5 is more than its criterion 1.1 is worth (10)",
                "1.1: max_points: 10 is not the sum of the maxima under it (10.5)",
            ],
        ),
        # a duplicate code
        (with_subs(sub("1.1.1", 6), sub("1.1.1", 4)), ["1.1.1: code: the code 1.1.1 is used twice in this set"]),
        # wrong nesting
        (
            with_subs(sub("1.1.1", 6), {**sub("1.1.2", 4), "kind": "criterion"}),
            ["1.1.2: kind: must be “sub” under criterion 1.1, not “criterion”"],
        ),
        (
            good_document(criteria=[sub("1", 100)]),
            [
                "1: kind: must be “field” at the top of the tree, not “sub”",
                "1: kind: a field needs at least one criterion under it",
            ],
        ),
        (
            nested(kind="sub"),
            [
                "1.1: kind: must be “criterion” under field 1, not “sub”",
            ],
        ),
        (
            nested(children=[]),
            ["1.1: kind: a criterion needs sub-criteria under it: only sub-criteria are scored"],
        ),
        (
            with_subs(sub("1.1.1", 6, children=[sub("1.1.1.1", 6)]), sub("1.1.2", 4)),
            ["1.1.1.1: kind: nothing can go under sub-criterion 1.1.1"],
        ),
        (nested(kind="tiêu chí"), ["1.1: kind: unknown kind “tiêu chí”; use one of: criterion, field, sub"]),
        # negative points, three decimals, not a number
        (with_subs(sub("1.1.1", 6), sub("1.1.2", 4), criterion_max=-10), ["1.1: max_points: must not be negative"]),
        (
            with_subs(sub("1.1.1", 5.995), sub("1.1.2", "4.005")),
            ["1.1.1: max_points: at most two decimals (5.995)", "1.1.2: max_points: at most two decimals (4.005)"],
        ),
        (with_subs(sub("1.1.1", "sáu"), sub("1.1.2", 4)), ["1.1.1: max_points: must be a number, such as 1.5"]),
        (with_subs(sub("1.1.1", "6e0"), sub("1.1.2", 4)), ["1.1.1: max_points: must be a number, such as 1.5"]),
        (with_subs(sub("1.1.1", True), sub("1.1.2", 4)), ["1.1.1: max_points: must be a number, such as 1.5"]),
        # the set's own values
        (
            good_document(level="province"),
            ["set: level: unknown level “province”; use one of: department, district, commune"],
        ),
        (good_document(level="xa"), ["set: level: unknown level “xa”; use one of: department, district, commune"]),
        (good_document(year=1999), ["set: year: must be a year from 2000 to 2100"]),
        (good_document(year="năm nay"), ["set: year: must be a year from 2000 to 2100"]),
        (good_document(survey_max=-1), ["set: survey_max: must not be negative"]),
        (
            good_document(bonus_cap=-0.5, penalty_cap="1.234"),
            ["set: bonus_cap: must not be negative", "set: penalty_cap: at most two decimals (1.234)"],
        ),
        (
            good_document(code="có dấu"),
            ["set: code: use only letters, digits, “.”, “-” and “_”, starting with a letter or digit"],
        ),
        (good_document(name=""), ["set: name: required"]),
        (good_document(format="other/2"), ["set: format: expected “inspect-criteria/1”"]),
        (good_document(colour="red"), ["set: colour: unknown field"]),
        (good_document(criteria=[]), ["set: criteria: at least one field is required"]),
        (good_document(criteria="1"), ["set: criteria: must be a list"]),
        (nested(code=1.1), ['1.1: code: write the code in quotes ("1.1"), or it is read as a number']),
        (
            with_subs(sub("1.1.1", 6), {"kind": "sub", "name": "Không mã", "max_points": 4}),
            ["item 2 under 1.1: code: required"],
        ),
        (
            with_subs(sub("1.1.1", 6), "1.1.2"),
            ["item 2 under 1.1: must be a mapping with code, kind, name, max_points ..."],
        ),
        (with_subs(sub("1.1.1", 6), sub("1.1.2", 4, weight=2)), ["1.1.2: weight: unknown field"]),
    ],
)
def test_a_refused_document_names_the_node_and_field_and_stores_nothing(
    client, admin, criteria_set, document, expected
):
    before = stored()

    response = upload(client, as_yaml(document))

    assert response.status_code == 422
    assert "nothing was stored" in html.unescape(error_flash(response))
    assert problems(response) == expected
    assert stored() == before


def test_every_problem_of_a_file_is_listed_at_once(client, admin):
    document = with_subs(sub("1.1.1", "6.001"), sub("1.1.1", 4), {**sub("1.1.3", -1), "kind": "field"})
    document["level"] = "tỉnh"

    lines = problems(upload(client, as_yaml(document)))

    assert lines == [
        "set: level: unknown level “tỉnh”; use one of: department, district, commune",
        "1.1.1: max_points: at most two decimals (6.001)",
        "1.1.1: code: the code 1.1.1 is used twice in this set",
        "1.1.3: kind: must be “sub” under criterion 1.1, not “field”",
        "1.1.3: max_points: must not be negative",
    ]
    assert stored() == (0, 0)


def test_a_file_that_is_not_a_criteria_set_is_refused(client, admin):
    for content, expected in [
        ("- 1\n- 2\n", "The file must hold one criteria set (a mapping)."),
        (b"\xff\xfe{}", "The file is not UTF-8 text."),
    ]:
        response = upload(client, content)
        assert response.status_code == 422
        assert problems(response) == [expected]
    assert stored() == (0, 0)


def test_the_upload_form_itself_is_checked(client, admin):
    no_file = client.post(IMPORT, data={"csrf_token": csrf_token(client, IMPORT)})
    assert no_file.status_code == 400 and "Choose a .yaml or .xlsx file." in no_file.get_data(as_text=True)

    wrong_type = upload(client, "{}", filename="criteria.json")
    assert wrong_type.status_code == 400 and "Only .yaml, .yml and .xlsx files." in wrong_type.get_data(as_text=True)

    bad_code = upload(client, as_yaml(good_document()), code="có dấu")
    assert bad_code.status_code == 400
    assert stored() == (0, 0)


def test_a_new_code_on_the_form_replaces_the_files_code(client, admin):
    response = upload(client, as_yaml(good_document()), "mau.yml", code="khac-2026")

    assert response.status_code == 302
    assert db.session.scalar(select(CriteriaSet.code)) == "khac-2026"
