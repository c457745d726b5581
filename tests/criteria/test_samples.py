"""The shipped sample sets: valid imports, built from DOMAIN.md's table, adding up to 100, loaded idempotently."""

from decimal import Decimal as D

import pytest
from sqlalchemy import event, func, select

from inspect_app.core.extensions import db
from inspect_app.criteria import io as criteria_io
from inspect_app.criteria import services
from inspect_app.criteria.samples import DATA_DIR, SAMPLES, load_sample_criteria_sets
from inspect_app.models import CriteriaSet, Criterion, CriterionKind, ItemScore, OrgLevel
from inspect_app.par.results import field_maxima

# DOMAIN.md, "Sample criteria set for departments": each field's maximum and its criteria's points.
DEPARTMENT_TABLE = {
    "1": (10, [1, 3, 1.5, 2, 1, 1.5]),
    "2": (7, [3, 2, 2]),
    "3": (14, [3, 2, 4, 1, 2, 2]),
    "4": (7, [2, 3, 2]),
    "5": (10, [2, 2, 2, 2, 2]),
    "6": (8, [3, 2, 2, 1]),
    "7": (14, [4, 6, 2, 2]),
}


def tree_sums_hold(criteria_set: CriteriaSet) -> None:
    for node in criteria_set.criteria:
        if node.kind != CriterionKind.SUB:
            assert node.children, node.code
            assert sum(child.max_points for child in node.children) == node.max_points, node.code
        else:
            assert not node.children, node.code


def test_both_samples_load_marked_as_samples_and_add_up_to_100(app):
    sets = load_sample_criteria_sets(2026)
    db.session.commit()

    assert set(sets) == {OrgLevel.DEPARTMENT, OrgLevel.DISTRICT}
    for level, criteria_set in sets.items():
        assert criteria_set.level == level and criteria_set.year == 2026
        assert criteria_set.is_sample
        assert "MẪU" in criteria_set.name and "không phải bộ chính thức" in criteria_set.name
        assert "2026" in criteria_set.name
        assert criteria_set.survey_max == D(30)
        assert (criteria_set.bonus_cap, criteria_set.penalty_cap) == (D(3), D(3))
        assert len(criteria_set.fields) == 7
        assert sum(field.max_points for field in criteria_set.fields) == D(70)
        assert services.total_max(criteria_set) == D(100)
        tree_sums_hold(criteria_set)
        assert all(sub.guidance for sub in criteria_set.sub_criteria), "every sub-criterion says how to score it"
        assert any(sub.evidence_required for sub in criteria_set.sub_criteria)
        assert [c.position for c in criteria_set.criteria] == list(range(1, len(criteria_set.criteria) + 1))
    assert sets[OrgLevel.DEPARTMENT].code == "sample-departments-2026"
    assert sets[OrgLevel.DISTRICT].code == "sample-districts-2026"


def test_the_department_sample_follows_the_domain_table(app):
    departments = load_sample_criteria_sets(2026)[OrgLevel.DEPARTMENT]

    table = {
        field.code: (field.max_points, [criterion.max_points for criterion in field.children])
        for field in departments.fields
    }
    assert table == {code: (D(top), [D(str(p)) for p in points]) for code, (top, points) in DEPARTMENT_TABLE.items()}
    plan = next(sub for sub in departments.sub_criteria if sub.max_points == D(3) and sub.field().code == "1")
    assert "100% → 3" in plan.guidance and "80%" in plan.guidance and "1,5" in plan.guidance
    on_time = next(c for c in departments.criteria if c.code == "3.3")
    assert "98%" in on_time.children[0].guidance


def test_the_district_sample_speaks_of_communes_and_one_stop_offices(app):
    districts = load_sample_criteria_sets(2026)[OrgLevel.DISTRICT]

    names = " ".join(node.name for node in districts.criteria)
    assert "cấp xã" in names and "bộ phận một cửa" in names.lower()
    assert [field.max_points for field in districts.fields] == [D(p) for p in (10, 7, 14, 7, 10, 8, 14)]


def test_the_scoring_sees_every_sub_criterion(app):
    for criteria_set in load_sample_criteria_sets(2026).values():
        fields = field_maxima(criteria_set)
        assert sum((field.max_points for field in fields), D(0)) + criteria_set.survey_max == D(100)
        assert sorted(code for field in fields for code in field.sub_codes) == sorted(
            sub.code for sub in criteria_set.sub_criteria
        )


def rows() -> list[tuple]:
    db.session.expire_all()
    sets = db.session.execute(select(CriteriaSet.id, CriteriaSet.code, CriteriaSet.name, CriteriaSet.survey_max))
    nodes = db.session.execute(
        select(Criterion.id, Criterion.code, Criterion.parent_id, Criterion.position, Criterion.max_points).order_by(
            Criterion.id
        )
    )
    return [*sets.all(), *nodes.all()]


def test_loading_twice_changes_nothing(app):
    load_sample_criteria_sets(2026)
    db.session.commit()
    first = rows()
    writes = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        again = load_sample_criteria_sets(2026)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert writes == []
    assert rows() == first
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 2
    assert again[OrgLevel.DEPARTMENT].code == "sample-departments-2026"


def test_each_year_gets_its_own_samples(app):
    load_sample_criteria_sets(2025)
    later = load_sample_criteria_sets(2026)
    db.session.commit()

    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 4
    assert later[OrgLevel.DISTRICT].year == 2026 and "2026" in later[OrgLevel.DISTRICT].name
    assert "2025" not in later[OrgLevel.DISTRICT].name


def test_loading_again_restores_a_changed_sample_in_place(app):
    departments = load_sample_criteria_sets(2026)[OrgLevel.DEPARTMENT]
    ids = {c.code: c.id for c in departments.criteria}
    departments.survey_max = D(20)
    departments.criteria[2].max_points = D(9)
    stray = Criterion(kind=CriterionKind.SUB, code="9.9.9", name="Thêm", max_points=D(1), position=999)
    departments.criteria.append(stray)
    db.session.commit()

    again = load_sample_criteria_sets(2026)[OrgLevel.DEPARTMENT]
    db.session.commit()

    assert again.id == departments.id and again.survey_max == D(30)
    assert {c.code: c.id for c in again.criteria} == ids, "the nodes keep their ids: scores on record stay attached"
    tree_sums_hold(again)


def add_stray(criteria_set: CriteriaSet) -> Criterion:
    """A sub-criterion the sample file does not have, under the set's last criterion."""
    parent = criteria_set.fields[-1].children[-1]
    stray = Criterion(kind=CriterionKind.SUB, code="9.9.9", name="Thêm", max_points=D(1), position=999, parent=parent)
    criteria_set.criteria.append(stray)
    db.session.commit()
    return stray


def test_a_node_the_file_does_not_have_goes_unless_scores_cite_it(app, use_set):
    departments, districts = load_sample_criteria_sets(2026).values()
    add_stray(departments)
    scored = add_stray(districts)
    assessment = use_set(districts).assessments[0]
    db.session.add(ItemScore(case_id=assessment.case_id, criterion_id=scored.id, self_score=D(1)))
    db.session.commit()

    load_sample_criteria_sets(2026)
    db.session.commit()
    db.session.expire_all()

    assert "9.9.9" not in {c.code for c in db.session.get(CriteriaSet, departments.id).criteria}
    assert "9.9.9" in {c.code for c in db.session.get(CriteriaSet, districts.id).criteria}, "a score on record keeps it"


@pytest.mark.parametrize("level", list(SAMPLES))
def test_each_sample_file_is_a_valid_import(app, level):
    filename, _prefix = SAMPLES[level]
    document = criteria_io.read_yaml((DATA_DIR / filename).read_bytes())

    parsed = services.parse_document(document)

    assert parsed.level == level and parsed.is_sample is True
