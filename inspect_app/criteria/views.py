"""Admin pages: criteria sets listed and shown as a tree, imported and exported as YAML or XLSX, copied, deleted."""

from functools import partial

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.utils import secure_filename

from inspect_app.access.loaders import criteria_set_or_404
from inspect_app.access.roles import roles_required
from inspect_app.core.formats import number
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.criteria import bp, services
from inspect_app.criteria import io as criteria_io
from inspect_app.criteria.forms import ConfirmForm, CriteriaDuplicateForm, CriteriaImportForm
from inspect_app.models import CriteriaSet, Role


def _status(form: FlaskForm) -> int:
    return 400 if form.is_submitted() else 200


def _download(body: bytes, criteria_set: CriteriaSet, extension: str, mimetype: str) -> Response:
    filename = secure_filename(f"{criteria_set.code}.{extension}") or f"criteria.{extension}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return render_template("criteria/index.html", rows=services.sets_with_usage(), points=number)


@bp.route("/<int:set_id>")
@roles_required(Role.ADMIN)
def detail(set_id: int):
    criteria_set = criteria_set_or_404(set_id)
    return render_template(
        "criteria/detail.html",
        criteria_set=criteria_set,
        total_max=services.total_max(criteria_set),
        assessments=services.assessments_using(criteria_set),
        points=number,
    )


@bp.route("/<int:set_id>/export.yaml")
@roles_required(Role.ADMIN)
def export_yaml(set_id: int):
    criteria_set = criteria_set_or_404(set_id)
    body = criteria_io.write_yaml(services.export_document(criteria_set)).encode("utf-8")
    return _download(body, criteria_set, "yaml", "application/yaml")


@bp.route("/<int:set_id>/export.xlsx")
@roles_required(Role.ADMIN)
def export_xlsx(set_id: int):
    criteria_set = criteria_set_or_404(set_id)
    body = criteria_io.write_xlsx(services.export_document(criteria_set))
    return _download(body, criteria_set, "xlsx", criteria_io.XLSX_MIMETYPE)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_():
    form = CriteriaImportForm()
    if form.validate_on_submit():
        on_refusal_render(partial(render_template, "criteria/import.html", form=form))
        upload = form.criteria_file.data
        raw = upload.stream.read(services.MAX_IMPORT_BYTES + 1)
        criteria_set = services.import_set(raw, upload.filename or "", code=form.code.data or None)
        count = len(criteria_set.sub_criteria)
        flash(_("Imported %(name)s with %(count)d sub-criteria.", name=criteria_set.name, count=count), "success")
        return redirect(url_for("criteria.detail", set_id=criteria_set.id))
    return render_template("criteria/import.html", form=form), _status(form)


@bp.route("/<int:set_id>/duplicate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def duplicate(set_id: int):
    criteria_set = criteria_set_or_404(set_id)
    form = CriteriaDuplicateForm()
    if not form.is_submitted():
        defaults = services.next_year_defaults(criteria_set)
        form.code.data, form.name.data, form.year.data = defaults["code"], defaults["name"], defaults["year"]
        form.is_sample.data = criteria_set.is_sample
    page = partial(render_template, "criteria/duplicate.html", criteria_set=criteria_set, form=form)
    if form.validate_on_submit():
        on_refusal_render(page, form)
        copy = services.duplicate_set(
            criteria_set,
            code=form.code.data,
            name=form.name.data.strip(),
            year=form.year.data,
            is_sample=form.is_sample.data,
        )
        flash(_("Copied as %(name)s; the original is unchanged.", name=copy.name), "success")
        return redirect(url_for("criteria.detail", set_id=copy.id))
    return page(), _status(form)


@bp.route("/<int:set_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def delete(set_id: int):
    criteria_set = criteria_set_or_404(set_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        on_refusal_redirect(url_for("criteria.detail", set_id=set_id))
        flash(_("Criteria set %(name)s deleted.", name=criteria_set.name), "success")
        services.delete_set(criteria_set)
        return redirect(url_for("criteria.index"))
    return render_template(
        "criteria/delete.html", criteria_set=criteria_set, form=form, refusal=services.delete_refusal(criteria_set)
    )
