"""The sample criteria sets shipped in criteria/data/ (departments and districts), loaded for demos and fresh installs.

They are samples built from DOMAIN.md, not official sets: `is_sample` is set and their names say so."""

from pathlib import Path
from typing import Any

from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.criteria import io as criteria_io
from inspect_app.criteria.schemas import CriteriaSetDocument
from inspect_app.criteria.services import build_set, find_set, parse_document
from inspect_app.models import CriteriaSet, Criterion, ItemScore, OrgLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
# level: (file, code prefix); the code is "<prefix>-<year>".
SAMPLES = {
    OrgLevel.DEPARTMENT: ("sample_departments.yaml", "sample-departments"),
    OrgLevel.DISTRICT: ("sample_districts.yaml", "sample-districts"),
}


def sample_document(level: OrgLevel, year: int) -> dict[str, Any]:
    """The sample file of `level` as a document for `year`: the year in its code, its name and its year."""
    filename, prefix = SAMPLES[level]
    document = criteria_io.read_yaml((DATA_DIR / filename).read_bytes())
    file_year = str(document["year"])
    document["code"] = f"{prefix}-{year}"
    document["name"] = document["name"].replace(file_year, str(year))
    document["year"] = year
    return document


def _assign(target: object, **values: Any) -> None:
    """Set only what differs, so that loading an unchanged sample again writes nothing."""
    for name, value in values.items():
        current = getattr(target, name)
        if current is not value and current != value:
            setattr(target, name, value)


def _update_nodes(criteria_set: CriteriaSet, nodes: list, parent: Criterion | None, state: dict) -> None:
    for node in nodes:
        state["position"] += 1
        criterion = state["existing"].pop(node.code, None)
        if criterion is None:
            criterion = Criterion(code=node.code)
            criteria_set.criteria.append(criterion)
        _assign(
            criterion,
            kind=node.kind,
            name=node.name,
            max_points=node.max_points,
            guidance=node.guidance,
            evidence_required=node.evidence_required,
            position=state["position"],
            parent=parent,
        )
        _update_nodes(criteria_set, node.children, criterion, state)


def _update_set(criteria_set: CriteriaSet, parsed: CriteriaSetDocument) -> None:
    """Bring an existing sample back to the file: attributes, nodes by code; nodes the file no longer has go."""
    _assign(
        criteria_set,
        name=parsed.name,
        year=parsed.year,
        level=parsed.level,
        is_sample=True,
        survey_max=parsed.survey_max,
        bonus_cap=parsed.bonus_cap,
        penalty_cap=parsed.penalty_cap,
    )
    state = {"position": 0, "existing": {criterion.code: criterion for criterion in criteria_set.criteria}}
    _update_nodes(criteria_set, parsed.criteria, None, state)
    leftovers = list(state["existing"].values())
    if leftovers:
        scored = set(
            db.session.scalars(
                select(ItemScore.criterion_id).where(ItemScore.criterion_id.in_([c.id for c in leftovers if c.id]))
            )
        )
        for criterion in sorted(leftovers, key=lambda c: c.position, reverse=True):
            if criterion.id in scored:
                continue  # scores on record keep their sub-criterion
            criteria_set.criteria.remove(criterion)
            db.session.delete(criterion)
    criteria_set.criteria.sort(key=lambda criterion: criterion.position)
    for criterion in criteria_set.criteria:
        criterion.children.sort(key=lambda child: child.position)


def load_sample_criteria_sets(year: int) -> dict[OrgLevel, CriteriaSet]:
    """Create or update the sample sets for departments and districts of `year` by their codes
    (sample-departments-<year>, sample-districts-<year>); flushes only, and running it again changes nothing."""
    loaded: dict[OrgLevel, CriteriaSet] = {}
    for level in SAMPLES:
        parsed = parse_document(sample_document(level, year))
        criteria_set = find_set(parsed.code)
        if criteria_set is None:
            criteria_set = build_set(parsed)
            db.session.add(criteria_set)
        else:
            _update_set(criteria_set, parsed)
        loaded[level] = criteria_set
    db.session.flush()
    return loaded
