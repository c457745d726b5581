"""Criteria sets: check a document, build a set from it, export, import, duplicate, delete, and the list's figures.

Each operation flushes; the entry point commits once. A problem found in a file names the node (its code, or its
place when it has none) and the field, as "1.2.3: max_points: ...", and the whole file is refused: nothing stored."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from inspect_app.criteria import io as criteria_io
from inspect_app.exceptions import InvalidInput, ServiceError
from inspect_app.extensions import db
from inspect_app.models import CriteriaSet, Criterion, CriterionKind, OrgLevel, ParAssessment, RoundCriteriaSet

MAX_IMPORT_BYTES = 2 * 1024 * 1024
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
SET_CODE_MAX = 64
NODE_CODE_MAX = 32
SET_NAME_MAX = 300
NODE_NAME_MAX = 500
GUIDANCE_MAX = 4000
MAX_POINTS = Decimal("99999.99")
CENT = Decimal("0.01")
YEARS = range(2000, 2101)
LEVELS = [OrgLevel.DEPARTMENT, OrgLevel.DISTRICT, OrgLevel.COMMUNE]
SET_FIELDS = {"format", "code", "name", "year", "level", "is_sample", "survey_max", "bonus_cap", "penalty_cap"}
NODE_FIELDS = {"code", "kind", "name", "max_points", "evidence_required", "guidance", "children"}
# What each kind holds, and what may stand at the top of the tree.
CHILD_KIND = {
    None: CriterionKind.FIELD,
    CriterionKind.FIELD: CriterionKind.CRITERION,
    CriterionKind.CRITERION: CriterionKind.SUB,
}
TRUE_WORDS = {"true", "yes", "1", "x"}
FALSE_WORDS = {"false", "no", "0", ""}
SET_WHERE = "set"


def refused_message() -> str:
    return _("The criteria set was not imported; nothing was stored.")


def points_text(value: Decimal) -> str:
    """Points as people write them: 10, 1.5, 0.25."""
    return f"{value.normalize():f}"


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
        "format": criteria_io.FORMAT,
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


class _Checker:
    """Collects every problem of a document, each as "<where>: <field>: <what is wrong>"."""

    def __init__(self, problems: list[str] | None = None):
        self.problems = list(problems or [])
        self.codes: set[str] = set()
        self.count = 0

    def add(self, where: str, field: str | None, message: str) -> None:
        self.problems.append(criteria_io.problem(where, field, message))

    def text(self, where: str, field: str, value: Any, *, required: bool, max_length: int) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(where, field, _("required"))
            return ""
        if not isinstance(value, str):
            self.add(where, field, _("must be text"))
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.add(where, field, _("longer than %(max)d characters", max=max_length))
        return value

    def code(self, where: str, field: str, value: Any, max_length: int) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        elif isinstance(value, float):
            self.add(where, field, _('write the code in quotes ("%(code)s"), or it is read as a number', code=value))
            return ""
        code = self.text(where, field, value, required=True, max_length=max_length)
        if code and not CODE_PATTERN.fullmatch(code):
            self.add(where, field, _("use only letters, digits, “.”, “-” and “_”, starting with a letter or digit"))
        return code

    def points(self, where: str, field: str, value: Any, *, default: Decimal | None = None) -> Decimal | None:
        """A non-negative number with at most two decimals, or None (and a problem)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                self.add(where, field, _("required"))
            return default
        number = None
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            self.add(where, field, _("must be a number, such as 1.5"))
            return None
        if number < 0:
            self.add(where, field, _("must not be negative"))
            return None
        if number != number.quantize(CENT):
            self.add(where, field, _("at most two decimals (%(value)s)", value=str(value)))
            return None
        if number > MAX_POINTS:
            self.add(where, field, _("must not be more than %(max)s", max=points_text(MAX_POINTS)))
            return None
        return number.quantize(CENT)

    def flag(self, where: str, field: str, value: Any) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            return value.strip().lower() in TRUE_WORDS
        self.add(where, field, _("must be true or false"))
        return False

    def unknown_fields(self, where: str, data: dict, allowed: set[str]) -> None:
        for field in sorted(str(key) for key in set(data) - allowed - {criteria_io.ROW_KEY}):
            self.add(where, field, _("unknown field"))

    # -- the tree --

    def nodes(self, raw: Any, parent: dict | None, where_list: str) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(where_list, "children" if parent else "criteria", _("must be a list"))
            return []
        return [node for number, item in enumerate(raw, 1) if (node := self.node(item, parent, number)) is not None]

    def node(self, raw: Any, parent: dict | None, number: int) -> dict | None:
        self.count += 1
        if self.count > criteria_io.MAX_NODES:
            if self.count == criteria_io.MAX_NODES + 1:
                self.add("criteria", None, _("more than %(max)d nodes", max=criteria_io.MAX_NODES))
            return None
        place = self._place(raw, parent, number)
        if not isinstance(raw, dict):
            self.add(place, None, _("must be a mapping with code, kind, name, max_points ..."))
            return None
        raw_code = raw.get("code")
        where = raw_code.strip() if isinstance(raw_code, str) and raw_code.strip() else place
        if isinstance(raw_code, int | float) and not isinstance(raw_code, bool):
            where = str(raw_code)
        self.unknown_fields(where, raw, NODE_FIELDS)
        code = self.code(where, "code", raw_code, NODE_CODE_MAX)
        if code in self.codes:
            self.add(where, "code", _("the code %(code)s is used twice in this set", code=code))
        elif code:
            self.codes.add(code)
        node = {
            "code": code,
            "kind": self._kind(where, raw.get("kind"), parent),
            "name": self.text(where, "name", raw.get("name"), required=True, max_length=NODE_NAME_MAX),
            "max_points": self.points(where, "max_points", raw.get("max_points")),
            "evidence_required": self.flag(where, "evidence_required", raw.get("evidence_required")),
            "guidance": self.text(where, "guidance", raw.get("guidance"), required=False, max_length=GUIDANCE_MAX),
            "children": [],
            "where": where,
        }
        if node["kind"] == CriterionKind.SUB:
            children = raw.get("children") or []
            # Reported on each child, without walking deeper: the tree is three levels at most.
            for child_number, child in enumerate(children if isinstance(children, list) else [children], 1):
                self.add(self._place(child, node, child_number), "kind", self._nothing_under(node))
        else:
            node["children"] = self.nodes(raw.get("children"), node, where)
        given = raw.get("children")
        # A child already refused as unreadable would make every sum above it look wrong: say it only once.
        complete = not isinstance(given, list) or len(given) == len(node["children"])
        self._check_children(node, complete)
        return node

    def _place(self, raw: Any, parent: dict | None, number: int) -> str:
        """Where a node is when it has no code: its sheet row, or its place in the YAML tree."""
        if isinstance(raw, dict) and isinstance(raw.get(criteria_io.ROW_KEY), int):
            code = raw.get("code")
            if isinstance(code, str) and code.strip():
                return code.strip()
            return _("row %(number)d", number=raw[criteria_io.ROW_KEY])
        if isinstance(raw, dict) and isinstance(raw.get("code"), str) and raw["code"].strip():
            return raw["code"].strip()
        if parent is None:
            return _("top-level item %(number)d", number=number)
        return _("item %(number)d under %(parent)s", number=number, parent=parent["where"])

    def _nothing_under(self, node: dict) -> str:
        return _("nothing can go under sub-criterion %(code)s", code=node["where"])

    def _kind(self, where: str, value: Any, parent: dict | None) -> CriterionKind | None:
        expected = CHILD_KIND.get(parent["kind"] if parent else None)
        kinds = {kind.value for kind in CriterionKind}
        if value is None or value == "":
            self.add(where, "kind", _("required; use one of: %(kinds)s", kinds=", ".join(kinds)))
            return expected
        if value not in kinds:
            self.add(
                where,
                "kind",
                _("unknown kind “%(value)s”; use one of: %(kinds)s", value=value, kinds=", ".join(sorted(kinds))),
            )
            return expected
        kind = CriterionKind(value)
        if parent is None and kind != CriterionKind.FIELD:
            self.add(where, "kind", _("must be “field” at the top of the tree, not “%(kind)s”", kind=value))
        elif parent is not None and expected is not None and kind != expected:
            self.add(
                where,
                "kind",
                _(
                    "must be “%(expected)s” under %(parent_kind)s %(parent)s, not “%(kind)s”",
                    expected=expected.value,
                    parent_kind=parent["kind"].value,
                    parent=parent["where"],
                    kind=value,
                ),
            )
        return expected  # a misplaced node is checked as what its place calls for, so its children are too

    def _check_children(self, node: dict, complete: bool) -> None:
        kind, where = node["kind"], node["where"]
        if kind in (CriterionKind.FIELD, CriterionKind.CRITERION) and not node["children"]:
            if kind == CriterionKind.FIELD:
                self.add(where, "kind", _("a field needs at least one criterion under it"))
            else:
                self.add(where, "kind", _("a criterion needs sub-criteria under it: only sub-criteria are scored"))
            return
        if node["max_points"] is None or not node["children"]:
            return
        maxima = [child["max_points"] for child in node["children"]]
        for child in node["children"]:
            if child["max_points"] is not None and child["max_points"] > node["max_points"]:
                self.add(
                    child["where"],
                    "max_points",
                    _(
                        "%(points)s is more than its %(parent_kind)s %(parent)s is worth (%(max)s)",
                        points=points_text(child["max_points"]),
                        parent_kind=kind.value,
                        parent=where,
                        max=points_text(node["max_points"]),
                    ),
                )
        if None in maxima or not complete:
            return
        total = sum(maxima, Decimal(0))
        if total != node["max_points"]:
            self.add(
                where,
                "max_points",
                _(
                    "%(points)s is not the sum of the maxima under it (%(sum)s)",
                    points=points_text(node["max_points"]),
                    sum=points_text(total),
                ),
            )


def parse_document(document: Any, *, code: str | None = None, problems: list[str] | None = None) -> dict[str, Any]:
    """A document checked and cleaned: set attributes and the tree of nodes; `code` replaces the file's own.

    Refused with InvalidInput whose errors["criteria"] lists every problem (with `problems` found while reading)."""
    check = _Checker(problems)
    if not isinstance(document, dict):
        raise InvalidInput(refused_message(), {"criteria": [_("The file must hold one criteria set (a mapping).")]})
    where = SET_WHERE
    if "format" in document and document["format"] != criteria_io.FORMAT:
        check.add(where, "format", _("expected “%(format)s”", format=criteria_io.FORMAT))
    check.unknown_fields(where, document, SET_FIELDS | {"criteria"})
    year = document.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if year is None:
        check.add(where, "year", _("required"))
    elif isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        check.add(where, "year", _("must be a year from %(first)d to %(last)d", first=YEARS[0], last=YEARS[-1]))
        year = None
    level = document.get("level")
    levels = ", ".join(level.value for level in LEVELS)
    if level is None or level == "":
        check.add(where, "level", _("required; use one of: %(levels)s", levels=levels))
    elif level not in {level.value for level in LEVELS}:
        check.add(where, "level", _("unknown level “%(value)s”; use one of: %(levels)s", value=level, levels=levels))
        level = None
    parsed = {
        "code": code or check.code(where, "code", document.get("code"), SET_CODE_MAX),
        "name": check.text(where, "name", document.get("name"), required=True, max_length=SET_NAME_MAX),
        "year": year,
        "level": OrgLevel(level) if level else None,
        "is_sample": check.flag(where, "is_sample", document.get("is_sample")),
        "survey_max": check.points(where, "survey_max", document.get("survey_max"), default=Decimal("0.00")),
        "bonus_cap": check.points(where, "bonus_cap", document.get("bonus_cap"), default=Decimal("0.00")),
        "penalty_cap": check.points(where, "penalty_cap", document.get("penalty_cap"), default=Decimal("0.00")),
        "criteria": check.nodes(document.get("criteria"), None, where),
    }
    header_problem = any(problem.startswith("criteria: ") for problem in check.problems)
    if document.get("criteria") in (None, []) and not header_problem:
        check.add(where, "criteria", _("at least one field is required"))
    if check.problems:
        raise InvalidInput(refused_message(), {"criteria": check.problems})
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
    except criteria_io.FileUnreadable as error:
        raise InvalidInput(refused_message(), {"criteria": [error.message]}) from None


# --- writing ------------------------------------------------------------------------------------------------------


def _require_free_code(code: str, field: str = "code") -> None:
    if find_set(code) is not None:
        message = _("a criteria set with the code %(code)s already exists; choose another code", code=code)
        raise InvalidInput(message, {field: [message]})


def _add_nodes(criteria_set: CriteriaSet, nodes: list[dict], parent: Criterion | None, counter: list[int]) -> None:
    for node in nodes:
        counter[0] += 1
        criterion = Criterion(
            kind=node["kind"],
            code=node["code"],
            name=node["name"],
            max_points=node["max_points"],
            guidance=node["guidance"],
            evidence_required=node["evidence_required"],
            position=counter[0],
            parent=parent,
        )
        criteria_set.criteria.append(criterion)
        _add_nodes(criteria_set, node["children"], criterion, counter)


def build_set(parsed: dict[str, Any]) -> CriteriaSet:
    """A new set (not yet added to the session) from a parsed document; positions follow the tree, depth first."""
    criteria_set = CriteriaSet(
        code=parsed["code"],
        name=parsed["name"],
        year=parsed["year"],
        level=parsed["level"],
        is_sample=parsed["is_sample"],
        survey_max=parsed["survey_max"],
        bonus_cap=parsed["bonus_cap"],
        penalty_cap=parsed["penalty_cap"],
    )
    _add_nodes(criteria_set, parsed["criteria"], None, [0])
    return criteria_set


def import_set(raw: bytes, filename: str, *, code: str | None = None) -> CriteriaSet:
    """A new set from an uploaded YAML or XLSX file; a file with any problem stores nothing."""
    document, problems = read_file(raw, filename)
    parsed = parse_document(document, code=code, problems=problems)
    if find_set(parsed["code"]) is not None:
        taken = _(
            "a criteria set with the code %(code)s already exists; give the import a new code", code=parsed["code"]
        )
        raise InvalidInput(refused_message(), {"criteria": [criteria_io.problem(SET_WHERE, "code", taken)]})
    criteria_set = build_set(parsed)
    db.session.add(criteria_set)
    db.session.flush()
    return criteria_set


def duplicate_set(criteria_set: CriteriaSet, *, code: str, name: str, year: int, is_sample: bool) -> CriteriaSet:
    """A copy of the whole tree for another year, under a new code; the original is untouched."""
    _require_free_code(code)
    parsed = parse_document(export_document(criteria_set), code=code)
    copy = build_set({**parsed, "name": name, "year": year, "is_sample": is_sample})
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
