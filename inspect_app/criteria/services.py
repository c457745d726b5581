"""Criteria sets: check a document, build a set from it, export, import, duplicate, delete, and the list's figures.

Each operation flushes; the entry point commits once. A problem found in a file names the node (its code, or its
place when it has none) and the field, as "1.2.3: max_points: ...", and the whole file is refused: nothing stored."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import func, select

from inspect_app.core.exceptions import InvalidInput, ServiceError
from inspect_app.core.extensions import db
from inspect_app.core.schemas import FileUnreadable, errors_by_field, problem_lines
from inspect_app.criteria import io as criteria_io
from inspect_app.criteria.schemas import (
    CENT,
    FORMAT,
    SET_CODE_MAX,
    SET_NAME_MAX,
    SET_WHERE,
    CriteriaSetDocument,
    CriteriaTree,
)
from inspect_app.models import CriteriaSet, Criterion, CriterionKind, ParAssessment, RoundCriteriaSet

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def refused_message() -> str:
    return _("The criteria set was not imported; nothing was stored.")


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass
class SetRow:
    """One row of the list of sets."""

    criteria_set: CriteriaSet
    sub_count: int
    total_max: Decimal
    assessments: int


def sets_with_usage() -> list[SetRow]:
    """Every set with its number of sub-criteria, its total maximum (survey included) and how many assessments use
    it; newest year first, then by level and code."""
    subs = (
        select(Criterion.set_id, func.count(Criterion.id).label("n"))
        .where(Criterion.kind == CriterionKind.SUB)
        .group_by(Criterion.set_id)
        .subquery()
    )
    fields = (
        select(Criterion.set_id, func.sum(Criterion.max_points).label("total"))
        .where(Criterion.kind == CriterionKind.FIELD)
        .group_by(Criterion.set_id)
        .subquery()
    )
    uses = select(ParAssessment.set_id, func.count(ParAssessment.case_id).label("n")).group_by(ParAssessment.set_id)
    uses = uses.subquery()
    query = (
        select(CriteriaSet, func.coalesce(subs.c.n, 0), fields.c.total, func.coalesce(uses.c.n, 0))
        .outerjoin(subs, subs.c.set_id == CriteriaSet.id)
        .outerjoin(fields, fields.c.set_id == CriteriaSet.id)
        .outerjoin(uses, uses.c.set_id == CriteriaSet.id)
        .order_by(CriteriaSet.year.desc(), CriteriaSet.level, CriteriaSet.code)
    )
    return [
        SetRow(criteria_set, sub_count, Decimal(str(total or 0)).quantize(CENT) + criteria_set.survey_max, used)
        for criteria_set, sub_count, total, used in db.session.execute(query)
    ]


def total_max(criteria_set: CriteriaSet) -> Decimal:
    """The set's fields and survey together: what a unit can score at most (100 in the provincial sets)."""
    return sum((field.max_points for field in criteria_set.fields), Decimal(0)) + criteria_set.survey_max


def assessments_using(criteria_set: CriteriaSet) -> int:
    """How many PAR assessments (units in a round) are scored against this set."""
    query = select(func.count(ParAssessment.case_id)).where(ParAssessment.set_id == criteria_set.id)
    return db.session.scalar(query) or 0


def rounds_using(criteria_set: CriteriaSet) -> int:
    """How many PAR rounds name this set for one of their levels."""
    query = select(func.count(RoundCriteriaSet.id)).where(RoundCriteriaSet.set_id == criteria_set.id)
    return db.session.scalar(query) or 0


def find_set(code: str) -> CriteriaSet | None:
    return db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == code))


# --- export -------------------------------------------------------------------------------------------------------


def _export_node(node: Criterion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": node.code,
        "kind": node.kind.value,
        "name": node.name,
        "max_points": node.max_points,
        "evidence_required": node.evidence_required,
        "guidance": node.guidance or "",
    }
    if node.children:
        data["children"] = [_export_node(child) for child in node.children]
    return data


def export_document(criteria_set: CriteriaSet) -> dict[str, Any]:
    """The set as a document, in the shape `parse_document` reads and `io.write_yaml`/`io.write_xlsx` write."""
    return {
        "format": FORMAT,
        "code": criteria_set.code,
        "name": criteria_set.name,
        "year": criteria_set.year,
        "level": criteria_set.level.value,
        "is_sample": criteria_set.is_sample,
        "survey_max": criteria_set.survey_max,
        "bonus_cap": criteria_set.bonus_cap,
        "penalty_cap": criteria_set.penalty_cap,
        "criteria": [_export_node(field) for field in criteria_set.fields],
    }


# --- checking a document ------------------------------------------------------------------------------------------


def parse_document(document: Any, *, code: str | None = None, problems: list[str] | None = None) -> CriteriaSetDocument:
    """A document validated; `code` replaces the file's own.

    Refused with InvalidInput whose errors["criteria"] lists every problem (after `problems` found while reading)."""
    if code and isinstance(document, dict):
        document = {**document, "code": code}
    tree = CriteriaTree(document)
    try:
        parsed = CriteriaSetDocument.from_document(document, tree)
    except ValidationError as error:
        found = problem_lines(errors_by_field(error, tree.name))
        raise InvalidInput(refused_message(), {"criteria": [*(problems or []), *found]}) from None
    if problems:
        raise InvalidInput(refused_message(), {"criteria": problems})
    return parsed


def read_file(raw: bytes, filename: str) -> tuple[Any, list[str]]:
    """The document in an uploaded file (YAML or XLSX, by its extension) and the problems met reading it."""
    if len(raw) > MAX_IMPORT_BYTES:
        problem = _("The file is larger than %(max)d KB.", max=MAX_IMPORT_BYTES // 1024)
        raise InvalidInput(refused_message(), {"criteria": [problem]})
    try:
        if filename.lower().endswith(".xlsx"):
            return criteria_io.read_xlsx(raw)
        return criteria_io.read_yaml(raw), []
    except FileUnreadable as error:
        raise InvalidInput(refused_message(), {"criteria": error.problems}) from None


# --- writing ------------------------------------------------------------------------------------------------------


def _require_free_code(code: str, field: str = "code") -> None:
    if find_set(code) is not None:
        message = _("a criteria set with the code %(code)s already exists; choose another code", code=code)
        raise InvalidInput(message, {field: [message]})


def _add_nodes(criteria_set: CriteriaSet, nodes: list, parent: Criterion | None, counter: list[int]) -> None:
    for node in nodes:
        counter[0] += 1
        criterion = Criterion(
            kind=node.kind,
            code=node.code,
            name=node.name,
            max_points=node.max_points,
            guidance=node.guidance,
            evidence_required=node.evidence_required,
            position=counter[0],
            parent=parent,
        )
        criteria_set.criteria.append(criterion)
        _add_nodes(criteria_set, node.children, criterion, counter)


def build_set(parsed: CriteriaSetDocument) -> CriteriaSet:
    """A new set (not yet added to the session) from a validated document; positions follow the tree, depth first."""
    criteria_set = CriteriaSet(
        code=parsed.code,
        name=parsed.name,
        year=parsed.year,
        level=parsed.level,
        is_sample=parsed.is_sample,
        survey_max=parsed.survey_max,
        bonus_cap=parsed.bonus_cap,
        penalty_cap=parsed.penalty_cap,
    )
    _add_nodes(criteria_set, parsed.criteria, None, [0])
    return criteria_set


def import_set(raw: bytes, filename: str, *, code: str | None = None) -> CriteriaSet:
    """A new set from an uploaded YAML or XLSX file; a file with any problem stores nothing."""
    document, problems = read_file(raw, filename)
    parsed = parse_document(document, code=code, problems=problems)
    if find_set(parsed.code) is not None:
        taken = _("a criteria set with the code %(code)s already exists; give the import a new code", code=parsed.code)
        raise InvalidInput(refused_message(), {"criteria": [criteria_io.problem(SET_WHERE, "code", taken)]})
    criteria_set = build_set(parsed)
    db.session.add(criteria_set)
    db.session.flush()
    return criteria_set


def duplicate_set(criteria_set: CriteriaSet, *, code: str, name: str, year: int, is_sample: bool) -> CriteriaSet:
    """A copy of the whole tree for another year, under a new code; the original is untouched."""
    _require_free_code(code)
    parsed = parse_document(export_document(criteria_set), code=code)
    copy = build_set(parsed.model_copy(update={"name": name, "year": year, "is_sample": is_sample}))
    db.session.add(copy)
    db.session.flush()
    return copy


def delete_refusal(criteria_set: CriteriaSet) -> str | None:
    """Why the set cannot be deleted (a round or an assessment uses it), or None when it can."""
    assessments = assessments_using(criteria_set)
    if assessments:
        return _(
            "%(code)s cannot be deleted: %(count)d assessments are scored against it. Duplicate it to make a new "
            "version instead.",
            code=criteria_set.code,
            count=assessments,
        )
    if rounds_using(criteria_set):
        return _("%(code)s cannot be deleted: a PAR round uses it.", code=criteria_set.code)
    return None


def delete_set(criteria_set: CriteriaSet) -> None:
    """Delete an unused set with its whole tree; a used one is refused."""
    refusal = delete_refusal(criteria_set)
    if refusal:
        raise ServiceError(refusal)
    db.session.delete(criteria_set)
    db.session.flush()


def next_year_defaults(criteria_set: CriteriaSet) -> dict[str, Any]:
    """Code, name and year suggested for a copy: the next year, written wherever the original has its year."""
    year = criteria_set.year + 1
    old = str(criteria_set.year)
    code = criteria_set.code.replace(old, str(year)) if old in criteria_set.code else f"{criteria_set.code}-{year}"
    name = criteria_set.name.replace(old, str(year)) if old in criteria_set.name else f"{criteria_set.name} ({year})"
    return {"code": code[:SET_CODE_MAX], "name": name[:SET_NAME_MAX], "year": year}
