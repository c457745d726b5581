"""Admin pages: process definitions and their versions; upload of a new version."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from inspect_app import workflow_bridge
from inspect_app.access.loaders import process_definition_or_404
from inspect_app.access.roles import roles_required
from inspect_app.exceptions import InvalidInput
from inspect_app.extensions import db
from inspect_app.models import Case, ProcessDefinition, Role
from inspect_app.processes import bp
from inspect_app.processes.forms import ProcessUploadForm
from inspect_app.processes.services import deploy_bpmn


def _versions_with_case_counts() -> list[tuple[ProcessDefinition, int]]:
    counts = select(Case.definition_id, func.count(Case.id).label("cases")).group_by(Case.definition_id).subquery()
    query = (
        select(ProcessDefinition, func.coalesce(counts.c.cases, 0))
        .outerjoin(counts, counts.c.definition_id == ProcessDefinition.id)
        .order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc())
    )
    return [(definition, cases) for definition, cases in db.session.execute(query)]


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = ProcessUploadForm()
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        upload = form.bpmn_file.data
        filename = secure_filename(upload.filename or "upload.bpmn") or "upload.bpmn"
        xml = upload.stream.read(workflow_bridge.MAX_BPMN_BYTES + 1)
        try:
            definition, created = deploy_bpmn(xml, filename, actor=current_user)
            db.session.commit()
        except InvalidInput as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
            problems, status = refusal.errors["bpmn"], 422
        else:
            if created:
                flash(
                    _("Deployed %(name)s as version %(version)d.", name=definition.name, version=definition.version),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(name)s is unchanged: version %(version)d stays the latest.",
                        name=definition.name,
                        version=definition.version,
                    ),
                    "info",
                )
            return redirect(url_for("processes.index"))
    elif form.is_submitted():
        status = 400
    return render_template(
        "processes/index.html", form=form, problems=problems, versions=_versions_with_case_counts()
    ), status


@bp.route("/<int:definition_id>")
@roles_required(Role.ADMIN)
def version(definition_id: int):
    definition = process_definition_or_404(definition_id)
    layout = workflow_bridge.read_definition_diagram(definition)
    return render_template("processes/version.html", definition=definition, layout=layout)


@bp.route("/<int:definition_id>/bpmn")
@roles_required(Role.ADMIN)
def download(definition_id: int):
    definition = process_definition_or_404(definition_id)
    filename = f"{definition.process_id}-v{definition.version}.bpmn"
    return Response(
        definition.bpmn_xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
