"""A checklist template file (JSON): the template and its items.

Problems name the item by its number and code and the field, as "Item 2 (A2), area: ..."; the template's own fields
are named "Checklist, name: ..."."""

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import Field, StringConstraints, ValidationError, field_validator

from inspect_app.core.schemas import Code, FileDocument, Loc, details, field_rank, one_of, problem, raise_problems
from inspect_app.models import ContentArea

FORMAT = "inspect-checklist/1"
TEMPLATE_CODE_MAX = 64
ITEM_CODE_MAX = 32
NAME_MAX = 200
TEXT_MAX = 500

Area = Annotated[
    ContentArea,
    one_of(
        ContentArea,
        lambda value, areas: _("unknown content area “%(value)s”; use one of: %(areas)s", value=value, areas=areas),
    ),
]


class ChecklistItemDocument(FileDocument):
    """One item: what an inspector checks, in which content area, with guidance on what counts as compliant."""

    not_a_mapping: ClassVar[str] = _l("must be a JSON object")

    code: Annotated[Code, Field(max_length=ITEM_CODE_MAX)]
    area: Area
    text: Annotated[str, StringConstraints(max_length=TEXT_MAX)]
    guidance: str = ""


def _code_text(item: Any) -> str | None:
    code = item.get("code") if isinstance(item, dict) else None
    return code.strip() if isinstance(code, str) and code.strip() else None


class ChecklistDocument(FileDocument):
    """A checklist template with its items in order."""

    not_a_mapping: ClassVar[str] = _l("The file must hold one JSON object (a checklist).")

    format: Literal["inspect-checklist/1"] = FORMAT
    code: Annotated[Code, Field(max_length=TEMPLATE_CODE_MAX)]
    name: Annotated[str, StringConstraints(max_length=NAME_MAX)]
    description: str = ""
    items: list[ChecklistItemDocument] = []

    @field_validator("items", mode="wrap")
    @classmethod
    def _codes_are_unique(cls, items: Any, handler) -> list[ChecklistItemDocument]:
        """Each item's problems, a code used twice among them, in the order of the items."""
        try:
            valid, found = handler(items), []
        except ValidationError as error:
            valid, found = None, details(error)
        if isinstance(items, list):
            first: dict[str, int] = {}
            for number, code in enumerate(map(_code_text, items), 1):
                if code in first:
                    found.append(problem((number - 1, "code"), _("same code as item %(number)d", number=first[code])))
                elif code:
                    first[code] = number
        rank = field_rank(ChecklistItemDocument)
        raise_problems(sorted(found, key=lambda detail: (detail["loc"][:1], rank(detail["loc"][1:]))))
        return valid


def template_field(field: str) -> str:
    """How problems name a field of the template itself: "Checklist, name"."""
    return f"{_('Checklist')}, {field}"


def problem_names(document: Any) -> Callable[[Loc], str]:
    """How problems name an error's location in `document`: "Item 2 (A2), area", "Checklist, name"."""
    items = document.get("items") if isinstance(document, dict) else None

    def name(loc: Loc) -> str:
        if not loc:
            return ""
        if loc[0] != "items" or len(loc) < 2 or not isinstance(items, list):
            return template_field(".".join(map(str, loc)))
        number, code, field = loc[1] + 1, _code_text(items[loc[1]]), ".".join(map(str, loc[2:]))
        where = (
            _("Item %(number)d (%(code)s)", number=number, code=code) if code else _("Item %(number)d", number=number)
        )
        return f"{where}, {field}" if field else where

    return name
