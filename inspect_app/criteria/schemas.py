"""A criteria set document: the YAML file, or the XLSX workbook read into the same shape (see criteria/io.py).

The tree is typed by level: fields hold criteria, criteria hold sub-criteria, and a node is checked as what its place
calls for, so a misplaced node is named once and its children are still checked. Problems are named by the node's
code (or, without one, its sheet row or its place in the tree) and the field, as "1.2.3: max_points: ..."."""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from inspect_app.core.numbers import NotAPlainNumber, parse_decimal
from inspect_app.core.schemas import Code, FileDocument, Loc, details, field_rank, one_of, problem, raise_problems
from inspect_app.models import CriterionKind, OrgLevel

FORMAT = "inspect-criteria/1"
MAX_NODES = 2000
ROW_KEY = "_row"  # the sheet row a node came from, so that problems can name a row that has no code
SET_WHERE = "set"  # how problems name the set's own fields: "set: year: ..."
SET_CODE_MAX = 64
NODE_CODE_MAX = 32
SET_NAME_MAX = 300
NODE_NAME_MAX = 500
GUIDANCE_MAX = 4000
MAX_POINTS = Decimal("99999.99")
CENT = Decimal("0.01")
YEARS = range(2000, 2101)
LEVELS = [OrgLevel.DEPARTMENT, OrgLevel.DISTRICT, OrgLevel.COMMUNE]


def points_text(value: Decimal) -> str:
    """Points as people write them: 10, 1.5, 0.25."""
    return f"{value.normalize():f}"


# --- values -------------------------------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):  # as people type points: 1,5 or 1.5 (core/numbers.py), never 1e0
        try:
            return parse_decimal(value)
        except NotAPlainNumber:
            return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _points(value: Any) -> Decimal:
    number = _number(value)
    if number is None:
        raise PydanticCustomError("points", _("must be a number, such as 1.5"))
    if number < 0:
        raise PydanticCustomError("points", _("must not be negative"))
    if number != number.quantize(CENT):
        raise PydanticCustomError("points", _("at most two decimals (%(value)s)", value=str(value)))
    if number > MAX_POINTS:
        raise PydanticCustomError("points", _("must not be more than %(max)s", max=points_text(MAX_POINTS)))
    return number.quantize(CENT)


def _valid_points(value: Any) -> Decimal | None:
    """`value` as points, or None when it is not acceptable (its own field says why)."""
    try:
        return _points(value)
    except PydanticCustomError:
        return None


def _year(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in YEARS:
        raise PydanticCustomError(
            "year", _("must be a year from %(first)d to %(last)d", first=YEARS[0], last=YEARS[-1])
        )
    return value


def _code_as_written(value: Any) -> Any:
    """A code YAML read as a number: a whole number is the code it looks like; 1.10 would silently be 1.1."""
    if isinstance(value, float):
        raise PydanticCustomError(
            "code_number", _('write the code in quotes ("%(code)s"), or it is read as a number', code=value)
        )
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _tick(value: Any) -> Any:
    """A spreadsheet's "x" in a yes/no column means yes."""
    return True if isinstance(value, str) and value.strip().lower() == "x" else value


Points = Annotated[Decimal, BeforeValidator(_points)]
"""A non-negative number with at most two decimals, up to 99999.99."""
Flag = Annotated[bool, BeforeValidator(_tick)]
SetCode = Annotated[Code, Field(max_length=SET_CODE_MAX), BeforeValidator(_code_as_written)]
NodeCode = Annotated[Code, Field(max_length=NODE_CODE_MAX), BeforeValidator(_code_as_written)]
Level = Annotated[
    OrgLevel,
    one_of(
        LEVELS, lambda value, levels: _("unknown level “%(value)s”; use one of: %(levels)s", value=value, levels=levels)
    ),
]
Kind = Annotated[
    CriterionKind,
    one_of(
        sorted(CriterionKind, key=lambda kind: kind.value),
        lambda value, kinds: _("unknown kind “%(value)s”; use one of: %(kinds)s", value=value, kinds=kinds),
    ),
]


# --- where each node is -------------------------------------------------------------------------------------------


def _code_text(code: Any) -> str | None:
    if isinstance(code, str) and code.strip():
        return code.strip()
    if isinstance(code, int | float) and not isinstance(code, bool):
        return str(code)
    return None


class CriteriaTree:
    """The nodes of a document as written, each with the name problems give it: its code, else its sheet row, else
    its place ("item 2 under 1.1"). Validation gets it as context; `name` writes an error's location with it."""

    def __init__(self, document: Any):
        self.count = 0
        self._names: dict[Loc, str] = {}
        self._nodes: dict[int, tuple[str, str | None, bool]] = {}  # id of a node: name, parent's name, code repeated
        self._codes: set[str] = set()
        if isinstance(document, dict) and isinstance(document.get("criteria"), list):
            self._walk(document["criteria"], ("criteria",), None)

    def _walk(self, items: list, loc: Loc, parent: str | None) -> None:
        for index, raw in enumerate(items):
            self.count += 1
            node = raw if isinstance(raw, dict) else {}
            name = _code_text(node.get("code")) or self._place(node, index + 1, parent)
            code = _code_text(node.get("code"))
            self._names[(*loc, index)] = name
            if isinstance(raw, dict):
                self._nodes[id(raw)] = (name, parent, code in self._codes)
            if code:
                self._codes.add(code)
            if isinstance(node.get("children"), list):
                self._walk(node["children"], (*loc, index, "children"), name)

    @staticmethod
    def _place(node: dict, number: int, parent: str | None) -> str:
        if isinstance(node.get(ROW_KEY), int):
            return _("row %(number)d", number=node[ROW_KEY])
        if parent is None:
            return _("top-level item %(number)d", number=number)
        return _("item %(number)d under %(parent)s", number=number, parent=parent)

    def node_name(self, node: dict) -> str:
        return self._nodes[id(node)][0]

    def parent_name(self, node: dict) -> str | None:
        return self._nodes[id(node)][1]

    def is_repeated(self, node: dict) -> bool:
        """Whether a node above this one (depth first) has its code."""
        return self._nodes[id(node)][2]

    def name(self, loc: Loc) -> str:
        """An error's location as the import page names it: "1.2.3: max_points", "row 5: code", "set: year"."""
        if not loc:
            return ""
        node = next((cut for cut in range(len(loc), 0, -1) if loc[:cut] in self._names), 0)
        where = self._names[loc[:node]] if node else SET_WHERE
        field = ".".join(str(part) for part in loc[node:])
        return f"{where}: {field}" if field else where


# --- the tree -----------------------------------------------------------------------------------------------------


class _Node(FileDocument):
    """What every node has; the level classes below say what it holds."""

    KIND: ClassVar[CriterionKind]
    UNDER: ClassVar[CriterionKind | None]  # what its parent is; None at the top of the tree
    not_a_mapping: ClassVar[str] = _l("must be a mapping with code, kind, name, max_points ...")

    row: int | None = Field(None, alias=ROW_KEY, exclude=True)
    code: NodeCode
    kind: Kind
    name: Annotated[str, StringConstraints(max_length=NODE_NAME_MAX)]
    max_points: Points
    evidence_required: Flag = False
    guidance: Annotated[str, StringConstraints(max_length=GUIDANCE_MAX)] = ""

    @model_validator(mode="wrap")
    @classmethod
    def _in_the_tree(cls, data: Any, handler, info: ValidationInfo):
        """The node's own fields, then what its place asks of it, then its children, then how they add up."""
        if not isinstance(data, dict):
            return handler(data)
        tree: CriteriaTree = info.context
        try:
            node, found = handler(data), []
        except ValidationError as error:
            node, found = None, details(error)
        own = [detail for detail in found if detail["loc"][:1] != ("children",)]
        below = [detail for detail in found if detail["loc"][:1] == ("children",)]
        rank = field_rank(cls)
        own = sorted(
            [*own, *cls._code_problems(data, tree), *cls._kind_problems(data, tree)], key=lambda d: rank(d["loc"])
        )
        raise_problems([*own, *below, *cls._children_problems(data, tree)], cls.__name__)
        return node

    @classmethod
    def _code_problems(cls, data: dict, tree: CriteriaTree) -> list:
        """A code is the node's own in the whole set."""
        code = _code_text(data.get("code"))
        if not code or not tree.is_repeated(data):
            return []
        return [problem(("code",), _("the code %(code)s is used twice in this set", code=code))]

    @classmethod
    def _kind_problems(cls, data: dict, tree: CriteriaTree) -> list:
        """A known kind is the one the node's place calls for (an unknown one is its field's problem)."""
        kind = data.get("kind")
        if kind not in [known.value for known in CriterionKind] or kind == cls.KIND.value:
            return []
        if cls.UNDER is None:
            return [problem(("kind",), _("must be “field” at the top of the tree, not “%(kind)s”", kind=kind))]
        misplaced = _(
            "must be “%(expected)s” under %(parent_kind)s %(parent)s, not “%(kind)s”",
            expected=cls.KIND.value,
            parent_kind=cls.UNDER.value,
            parent=tree.parent_name(data),
            kind=kind,
        )
        return [problem(("kind",), misplaced)]

    @classmethod
    def _children_problems(cls, data: dict, tree: CriteriaTree) -> list:
        return []


class SubCriterionNode(_Node):
    """A sub-criterion: what is scored; nothing goes under it."""

    KIND: ClassVar[CriterionKind] = CriterionKind.SUB
    UNDER: ClassVar[CriterionKind | None] = CriterionKind.CRITERION
    children: list[Any] = []

    @classmethod
    def _children_problems(cls, data: dict, tree: CriteriaTree) -> list:
        children = data.get("children")
        nothing = _("nothing can go under sub-criterion %(code)s", code=tree.node_name(data))
        return (
            [problem(("children", index, "kind"), nothing) for index in range(len(children))]
            if isinstance(children, list)
            else []
        )


class _ParentNode(_Node):
    """A field or a criterion: it needs children, and its maximum is the sum of theirs."""

    EMPTY: ClassVar[str]

    @classmethod
    def _children_problems(cls, data: dict, tree: CriteriaTree) -> list:
        children = data.get("children")
        if not children:
            return [problem(("kind",), str(cls.EMPTY))]
        most = _valid_points(data.get("max_points"))
        if not isinstance(children, list) or most is None:
            return []
        maxima = [_valid_points(child.get("max_points")) if isinstance(child, dict) else None for child in children]
        return [*cls._worth_more(maxima, most, tree.node_name(data)), *cls._sum_problems(maxima, most)]

    @classmethod
    def _worth_more(cls, maxima: list[Decimal | None], most: Decimal, name: str) -> list:
        """No child is worth more than its parent (said on the child)."""
        return [
            problem(
                ("children", index, "max_points"),
                _(
                    "%(points)s is more than its %(parent_kind)s %(parent)s is worth (%(max)s)",
                    points=points_text(points),
                    parent_kind=cls.KIND.value,
                    parent=name,
                    max=points_text(most),
                ),
            )
            for index, points in enumerate(maxima)
            if points is not None and points > most
        ]

    @staticmethod
    def _sum_problems(maxima: list[Decimal | None], most: Decimal) -> list:
        """The parent's maximum is the sum of its children's, when all of theirs can be read."""
        if None in maxima or (total := sum(maxima, Decimal(0))) == most:
            return []
        message = _(
            "%(points)s is not the sum of the maxima under it (%(sum)s)",
            points=points_text(most),
            sum=points_text(total),
        )
        return [problem(("max_points",), message)]


class CriterionNode(_ParentNode):
    """A criterion: its sub-criteria are scored."""

    KIND: ClassVar[CriterionKind] = CriterionKind.CRITERION
    UNDER: ClassVar[CriterionKind | None] = CriterionKind.FIELD
    EMPTY: ClassVar[str] = _l("a criterion needs sub-criteria under it: only sub-criteria are scored")
    children: list[SubCriterionNode] = []


class FieldNode(_ParentNode):
    """A field (lĩnh vực): the top of the tree."""

    KIND: ClassVar[CriterionKind] = CriterionKind.FIELD
    UNDER: ClassVar[CriterionKind | None] = None
    EMPTY: ClassVar[str] = _l("a field needs at least one criterion under it")
    children: list[CriterionNode] = []


class CriteriaSetDocument(FileDocument):
    """A criteria set: its attributes and its tree of fields, criteria and sub-criteria."""

    not_a_mapping: ClassVar[str] = _l("The file must hold one criteria set (a mapping).")

    format: Literal["inspect-criteria/1"] = FORMAT
    year: Annotated[int, BeforeValidator(_year)]
    level: Level
    code: SetCode
    name: Annotated[str, StringConstraints(max_length=SET_NAME_MAX)]
    is_sample: Flag = False
    survey_max: Points = Decimal("0.00")
    bonus_cap: Points = Decimal("0.00")
    penalty_cap: Points = Decimal("0.00")
    criteria: list[FieldNode] = Field(default_factory=list, validate_default=True)

    @field_validator("criteria", mode="before")
    @classmethod
    def _not_too_many(cls, criteria: Any, info: ValidationInfo) -> Any:
        if info.context.count > MAX_NODES:
            raise PydanticCustomError("too_many_nodes", _("more than %(max)d nodes", max=MAX_NODES))
        return criteria

    @field_validator("criteria")
    @classmethod
    def _at_least_one_field(cls, criteria: list[FieldNode]) -> list[FieldNode]:
        if not criteria:
            raise PydanticCustomError("no_fields", _("at least one field is required"))
        return criteria

    @classmethod
    def from_document(cls, document: Any, tree: CriteriaTree | None = None) -> "CriteriaSetDocument":
        """The document validated (ValidationError otherwise; name its errors with the same `tree`)."""
        return cls.model_validate(document, context=tree or CriteriaTree(document))
