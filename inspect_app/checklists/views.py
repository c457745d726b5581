"""Admin pages: checklist templates and their items, copies, JSON export and import."""

import json
from functools import partial

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.utils import secure_filename

from inspect_app.checklists import bp, services
from inspect_app.checklists.forms import (
    ChecklistCreateForm,
    ChecklistDuplicateForm,
    ChecklistEditForm,
    ChecklistImportForm,
    ConfirmForm,
    ItemEditForm,
)
from inspect_app.core.extensions import db
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.models import ChecklistItem, ChecklistTemplate, ContentArea, Role
from inspect_app.permissions import roles_required


def get_checklist_or_404(template_id: int) -> ChecklistTemplate:
    return db.session.get(ChecklistTemplate, template_id) or abort(404)


def get_item_or_404(template: ChecklistTemplate, item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.template_id != template.id:
        abort(404)
    return item


def _status(form: FlaskForm) -> int:
    return 400 if form.is_submitted() else 200


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return render_template("checklists/index.html", rows=services.checklists_with_usage())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    form = ChecklistCreateForm()
    page = partial(render_template, "checklists/new.html", form=form)
    if form.validate_on_submit():
        on_refusal_render(page, form)
        template = services.create_checklist(
            code=form.code.data, name=form.name.data.strip(), description=(form.description.data or "").strip()
        )
        flash(_("Checklist %(name)s created. Now add its items.", name=template.name), "success")
        return redirect(url_for("checklists.detail", template_id=template.id))
    return page(), _status(form)


@bp.route("/<int:template_id>")
@roles_required(Role.ADMIN)
def detail(template_id: int):
    template = get_checklist_or_404(template_id)
    return _render_detail(template, ItemEditForm(formdata=None))


def _render_detail(template: ChecklistTemplate, item_form: ItemEditForm, status: int = 200):
    return render_template(
        "checklists/detail.html",
        template=template,
        groups=services.grouped_items(template),
        used_ids=services.used_item_ids(template),
        inspections=services.inspections_using(template),
        item_form=item_form,
    ), status


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(template_id: int):
    template = get_checklist_or_404(template_id)
    form = ChecklistEditForm(obj=template)
    if form.validate_on_submit():
        services.update_checklist(
            template,
            name=form.name.data.strip(),
            description=(form.description.data or "").strip(),
            is_active=form.is_active.data,
        )
        flash(_("Checklist %(name)s saved.", name=template.name), "success")
        return redirect(url_for("checklists.detail", template_id=template.id))
    return render_template(
        "checklists/edit.html", template=template, form=form, inspections=services.inspections_using(template)
    ), _status(form)


@bp.route("/<int:template_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def deactivate(template_id: int):
    template = get_checklist_or_404(template_id)
    if ConfirmForm().validate_on_submit():
        services.update_checklist(template, name=template.name, description=template.description, is_active=False)
        flash(
            _(
                "Checklist %(name)s is inactive: running inspections keep it, new ones cannot choose it.",
                name=template.name,
            ),
            "success",
        )
    return redirect(url_for("checklists.detail", template_id=template.id))


@bp.route("/<int:template_id>/duplicate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def duplicate(template_id: int):
    template = get_checklist_or_404(template_id)
    form = ChecklistDuplicateForm()
    if not form.is_submitted():
        form.code.data = f"{template.code}-2"[: services.TEMPLATE_CODE_MAX]
        form.name.data = _("%(name)s (copy)", name=template.name)[: services.NAME_MAX]
    page = partial(render_template, "checklists/duplicate.html", template=template, form=form)
    if form.validate_on_submit():
        on_refusal_render(page, form)
        copy = services.duplicate_checklist(template, code=form.code.data, name=form.name.data.strip())
        flash(_("Copied as %(name)s; the original and its inspections are unchanged.", name=copy.name), "success")
        return redirect(url_for("checklists.detail", template_id=copy.id))
    return page(), _status(form)


@bp.route("/<int:template_id>/export.json")
@roles_required(Role.ADMIN)
def export(template_id: int):
    template = get_checklist_or_404(template_id)
    body = json.dumps(services.export_checklist(template), ensure_ascii=False, indent=2)
    filename = secure_filename(f"{template.code}.json") or "checklist.json"
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_():
    form = ChecklistImportForm()
    if form.validate_on_submit():
        on_refusal_render(partial(render_template, "checklists/import.html", form=form))
        raw = form.checklist_file.data.stream.read(services.MAX_IMPORT_BYTES + 1)
        template = services.import_checklist(raw, code=form.code.data or None)
        flash(_("Imported %(name)s with %(count)d items.", name=template.name, count=len(template.items)), "success")
        return redirect(url_for("checklists.detail", template_id=template.id))
    return render_template("checklists/import.html", form=form), _status(form)


# --- items --------------------------------------------------------------------------------------------------------


@bp.route("/<int:template_id>/items/new", methods=["POST"])
@roles_required(Role.ADMIN)
def add_item(template_id: int):
    template = get_checklist_or_404(template_id)
    form = ItemEditForm()
    if form.validate_on_submit():
        on_refusal_render(lambda refusal: _render_detail(template, form)[0], form)
        item = services.add_item(template, **_item_fields(form))
        flash(_("Item %(code)s added.", code=item.code), "success")
        return redirect(url_for("checklists.detail", template_id=template.id, _anchor=f"item-{item.id}"))
    return _render_detail(template, form, 400)


def _item_fields(form: ItemEditForm) -> dict:
    return {
        "code": form.code.data,
        "area": ContentArea(form.area.data),
        "text": form.text.data.strip(),
        "guidance": (form.guidance.data or "").strip(),
    }


@bp.route("/<int:template_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_item(template_id: int, item_id: int):
    template = get_checklist_or_404(template_id)
    item = get_item_or_404(template, item_id)
    form = ItemEditForm(obj=item)
    if not form.is_submitted():
        form.area.data = item.area.value
    is_used = item.id in services.used_item_ids(template)
    page = partial(render_template, "checklists/item.html", template=template, item=item, form=form, is_used=is_used)
    if form.validate_on_submit():
        on_refusal_render(page, form)
        services.update_item(item, **_item_fields(form))
        flash(_("Item %(code)s saved.", code=item.code), "success")
        return redirect(url_for("checklists.detail", template_id=template.id, _anchor=f"item-{item.id}"))
    return page(), _status(form)


@bp.route("/<int:template_id>/items/<int:item_id>/move/<any(up, down):direction>", methods=["POST"])
@roles_required(Role.ADMIN)
def move_item(template_id: int, item_id: int, direction: str):
    template = get_checklist_or_404(template_id)
    item = get_item_or_404(template, item_id)
    if ConfirmForm().validate_on_submit():
        services.move_item(item, -1 if direction == "up" else 1)
    return redirect(url_for("checklists.detail", template_id=template.id, _anchor=f"item-{item.id}"))


@bp.route("/<int:template_id>/items/<int:item_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def delete_item(template_id: int, item_id: int):
    template = get_checklist_or_404(template_id)
    item = get_item_or_404(template, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        detail_url = url_for("checklists.detail", template_id=template.id)
        on_refusal_redirect(detail_url)
        flash(_("Item %(code)s deleted.", code=item.code), "success")
        services.delete_item(item)
        return redirect(detail_url)
    is_used = item.id in services.used_item_ids(template)
    return render_template("checklists/delete_item.html", template=template, item=item, form=form, is_used=is_used)
