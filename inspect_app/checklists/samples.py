"""The sample checklists shipped in checklists/data/, loaded for demos and fresh installs."""

from pathlib import Path

from sqlalchemy import select

from inspect_app.checklists.services import order_items, parse_checklist
from inspect_app.core.extensions import db
from inspect_app.models import ChecklistItem, ChecklistTemplate

DATA_DIR = Path(__file__).resolve().parent / "data"
SAMPLE_FILES = ["sample_public_service.json"]


def load_sample_checklists() -> list[ChecklistTemplate]:
    """Create or update each sample template by its code, and its items by theirs; flushes only.

    Running it again changes nothing. Items an admin added to a sample stay, after the sample's own; whether the
    template is active stays as the admin left it."""
    templates = []
    for name in SAMPLE_FILES:
        parsed = parse_checklist((DATA_DIR / name).read_bytes())
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == parsed.code))
        if template is None:
            template = ChecklistTemplate(code=parsed.code, is_active=True)
            db.session.add(template)
        template.name = parsed.name
        template.description = parsed.description
        codes = [fields.code for fields in parsed.items]
        existing = {item.code: item for item in template.items}
        for item in template.items:
            if item.code not in codes:
                item.position += len(codes)  # an admin's own items go after the sample's
        for position, fields in enumerate(parsed.items):
            item = existing.get(fields.code)
            if item is None:
                item = ChecklistItem(code=fields.code)
                template.items.append(item)
            item.area = fields.area
            item.text = fields.text
            item.guidance = fields.guidance
            item.position = position
        order_items(template)
        templates.append(template)
    db.session.flush()
    return templates
