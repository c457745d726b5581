"""Checklist templates and their items: create, edit, reorder, delete, duplicate, export and import.

Each operation flushes; the entry point commits once. Items of one content area stay together, in the order the
areas first appear, so the on-site screen (which follows positions) shows them grouped as the admin pages do."""

from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import func, select, union

from inspect_app.checklists import io as checklist_io
from inspect_app.checklists.schemas import FORMAT, ChecklistDocument, problem_names, template_field
from inspect_app.checklists.schemas import NAME_MAX as NAME_MAX  # the copy form's defaults are cut to these
from inspect_app.checklists.schemas import TEMPLATE_CODE_MAX as TEMPLATE_CODE_MAX
from inspect_app.core.exceptions import InvalidInput, ServiceError
from inspect_app.core.extensions import db
from inspect_app.core.schemas import FileUnreadable, errors_by_field, problem_lines
from inspect_app.models import ChecklistAnswer, ChecklistItem, ChecklistTemplate, ContentArea, Finding, Inspection

MAX_IMPORT_BYTES = 1024 * 1024


# --- reading ------------------------------------------------------------------------------------------------------


def checklists_with_usage() -> list[tuple[ChecklistTemplate, int, int]]:
    """Every template with its item count and the number of inspections using it; active ones first."""
    items = (
        select(ChecklistItem.template_id, func.count(ChecklistItem.id).label("n"))
        .group_by(ChecklistItem.template_id)
        .subquery()
    )
    uses = (
        select(Inspection.checklist_template_id, func.count(Inspection.case_id).label("n"))
        .group_by(Inspection.checklist_template_id)
        .subquery()
    )
    query = (
        select(ChecklistTemplate, func.coalesce(items.c.n, 0), func.coalesce(uses.c.n, 0))
        .outerjoin(items, items.c.template_id == ChecklistTemplate.id)
        .outerjoin(uses, uses.c.checklist_template_id == ChecklistTemplate.id)
        .order_by(ChecklistTemplate.is_active.desc(), ChecklistTemplate.name, ChecklistTemplate.id)
    )
    return [(template, item_count, inspections) for template, item_count, inspections in db.session.execute(query)]


def inspections_using(template: ChecklistTemplate) -> int:
    """How many inspections (running or closed) were decided with this template."""
    query = select(func.count(Inspection.case_id)).where(Inspection.checklist_template_id == template.id)
    return db.session.scalar(query) or 0


def used_item_ids(template: ChecklistTemplate) -> set[int]:
    """Items an inspection answered, raised a finding on, or picked for a follow-up: their wording is on record."""
    ids = [item.id for item in template.items if item.id is not None]
    if not ids:
        return set()
    referenced = union(
        select(ChecklistAnswer.item_id).where(ChecklistAnswer.item_id.in_(ids)),
        select(Finding.checklist_item_id).where(Finding.checklist_item_id.in_(ids)),
    )
    used = set(db.session.scalars(referenced))
    picks = select(Inspection.item_ids).where(
        Inspection.checklist_template_id == template.id, Inspection.item_ids.is_not(None)
    )
    for picked in db.session.scalars(picks):
        used.update(set(picked or ()) & set(ids))
    return used


def grouped_items(template: ChecklistTemplate) -> list[tuple[ContentArea, list[ChecklistItem]]]:
    """The template's items by content area, areas in the order they first appear, items in position order."""
    groups: dict[ContentArea, list[ChecklistItem]] = {}
    for item in sorted(template.items, key=lambda item: item.position):
        groups.setdefault(item.area, []).append(item)
    return list(groups.items())


def order_items(template: ChecklistTemplate) -> None:
    """Renumber positions 0..n-1 so that each content area's items are contiguous (areas in first-seen order)."""
    ordered = [item for _area, items in grouped_items(template) for item in items]
    for position, item in enumerate(ordered):
        item.position = position
    template.items.sort(key=lambda item: item.position)


def _next_position(template: ChecklistTemplate) -> int:
    return max((item.position for item in template.items), default=-1) + 1


# --- templates ----------------------------------------------------------------------------------------------------


def _require_free_code(code: str) -> None:
    if db.session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == code)) is not None:
        message = _("A checklist with the code %(code)s already exists; choose another code.", code=code)
        raise InvalidInput(message, {"code": [message]})


def create_checklist(*, code: str, name: str, description: str = "") -> ChecklistTemplate:
    """A new, active, empty template."""
    _require_free_code(code)
    template = ChecklistTemplate(code=code, name=name, description=description, is_active=True)
    db.session.add(template)
    db.session.flush()
    return template


def update_checklist(template: ChecklistTemplate, *, name: str, description: str, is_active: bool) -> None:
    """Rename, describe, or (de)activate a template; an inactive one is not offered for new inspections."""
    template.name = name
    template.description = description
    template.is_active = is_active
    db.session.flush()


def duplicate_checklist(template: ChecklistTemplate, *, code: str, name: str) -> ChecklistTemplate:
    """A copy with its own items, to change without touching the inspections that use the original."""
    _require_free_code(code)
    copy = ChecklistTemplate(code=code, name=name, description=template.description, is_active=True)
    for item in sorted(template.items, key=lambda item: item.position):
        copy.items.append(
            ChecklistItem(
                code=item.code, area=item.area, text=item.text, guidance=item.guidance, position=item.position
            )
        )
    db.session.add(copy)
    db.session.flush()
    return copy


# --- items --------------------------------------------------------------------------------------------------------


def _require_free_item_code(template: ChecklistTemplate, code: str, item: ChecklistItem | None = None) -> None:
    if any(other.code == code and other is not item for other in template.items):
        message = _("This checklist already has an item with the code %(code)s.", code=code)
        raise InvalidInput(message, {"code": [message]})


def add_item(
    template: ChecklistTemplate, *, code: str, area: ContentArea, text: str, guidance: str = ""
) -> ChecklistItem:
    """A new item at the end of its content area."""
    _require_free_item_code(template, code)
    item = ChecklistItem(code=code, area=area, text=text, guidance=guidance, position=_next_position(template))
    template.items.append(item)
    order_items(template)
    db.session.flush()
    return item


def update_item(item: ChecklistItem, *, code: str, area: ContentArea, text: str, guidance: str) -> None:
    """Change an item; once an inspection has used it, only its guidance may change (the record keeps its words)."""
    template = item.template
    if (code, area, text) != (item.code, item.area, item.text) and item.id in used_item_ids(template):
        message = _(
            "Item %(code)s is already used by an inspection, so only its guidance may change. "
            "To reword it, duplicate the checklist and change the copy.",
            code=item.code,
        )
        raise InvalidInput(message, {"text": [message]})
    _require_free_item_code(template, code, item)
    if area != item.area:
        item.position = _next_position(template)  # to the end of its new area, keeping the order of the others
    item.code, item.area, item.text, item.guidance = code, area, text, guidance
    order_items(template)
    db.session.flush()


def move_item(item: ChecklistItem, offset: int) -> bool:
    """Move an item up (-1) or down (+1) within its content area; False when it is already at that end."""
    siblings = dict(grouped_items(item.template))[item.area]
    index = siblings.index(item)
    other = index + offset
    if not 0 <= other < len(siblings):
        return False
    item.position, siblings[other].position = siblings[other].position, item.position
    order_items(item.template)
    db.session.flush()
    return True


def delete_item(item: ChecklistItem) -> None:
    """Remove an item nobody has used yet; a used one is refused (deactivate the template instead)."""
    template = item.template
    if item.id in used_item_ids(template):
        raise ServiceError(
            _(
                "Item %(code)s cannot be deleted: an inspection has already answered it or recorded a finding on it. "
                "Deactivate this checklist instead, and duplicate it to make a new version without the item.",
                code=item.code,
            )
        )
    template.items.remove(item)
    db.session.delete(item)
    order_items(template)
    db.session.flush()


# --- export and import --------------------------------------------------------------------------------------------


def export_checklist(template: ChecklistTemplate) -> dict[str, Any]:
    """The template as a JSON-ready dict, in the format `import_checklist` reads."""
    return {
        "format": FORMAT,
        "code": template.code,
        "name": template.name,
        "description": template.description,
        "items": [
            {"code": item.code, "area": item.area.value, "text": item.text, "guidance": item.guidance}
            for item in sorted(template.items, key=lambda item: item.position)
        ],
    }


def _refused(problems: list[str]) -> InvalidInput:
    return InvalidInput(_("The checklist was not imported; nothing was stored."), {"checklist": problems})


def parse_checklist(raw: bytes, *, code: str | None = None) -> ChecklistDocument:
    """A checklist file's content, validated; `code` replaces the file's own code when given.

    Refused with InvalidInput whose errors["checklist"] lists every problem, each naming the item and the field."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise _refused([_("The file is larger than %(max)d KB.", max=MAX_IMPORT_BYTES // 1024)])
    try:
        data = checklist_io.read_json(raw)
    except FileUnreadable as error:
        raise _refused(error.problems) from None
    if code and isinstance(data, dict):
        data = {**data, "code": code}
    try:
        return ChecklistDocument.model_validate(data)
    except ValidationError as error:
        raise _refused(problem_lines(errors_by_field(error, problem_names(data)))) from None


def import_checklist(raw: bytes, *, code: str | None = None) -> ChecklistTemplate:
    """A new active template from a checklist file; a file with any problem stores nothing."""
    parsed = parse_checklist(raw, code=code)
    if db.session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == parsed.code)) is not None:
        taken = _("a checklist with the code %(code)s already exists; give the import a new code", code=parsed.code)
        raise _refused(problem_lines({template_field("code"): [taken]}))
    template = ChecklistTemplate(code=parsed.code, name=parsed.name, description=parsed.description, is_active=True)
    for position, item in enumerate(parsed.items):
        template.items.append(ChecklistItem(position=position, **item.model_dump()))
    order_items(template)
    db.session.add(template)
    db.session.flush()
    return template
