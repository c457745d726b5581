"""Admin pages: process definitions and their versions; upload of a new version; timers whose step failed."""

from functools import partial

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from inspect_app import workflow_bridge
from inspect_app.access.loaders import process_definition_or_404, timer_or_404
from inspect_app.access.roles import roles_required
from inspect_app.core.extensions import db
from inspect_app.core.names import display_name
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.models import Case, ProcessDefinition, Role
from inspect_app.processes import bp
from inspect_app.processes.forms import ProcessUploadForm
from inspect_app.processes.services import deploy_bpmn
from inspect_app.tasks import timers


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
    page = partial(render_template, "processes/index.html", form=form, versions=_versions_with_case_counts())
    if form.validate_on_submit():
        on_refusal_render(page)
        upload = form.bpmn_file.data
        filename = secure_filename(upload.filename or "upload.bpmn") or "upload.bpmn"
        xml = upload.stream.read(workflow_bridge.MAX_BPMN_BYTES + 1)
        definition, created = deploy_bpmn(xml, filename, actor=current_user)
        if created:
            message = _(
                "Deployed %(name)s as version %(version)d.", name=display_name(definition), version=definition.version
            )
            flash(message, "success")
        else:
            message = _(
                "%(name)s is unchanged: version %(version)d stays the latest.",
                name=display_name(definition),
                version=definition.version,
            )
            flash(message, "info")
        return redirect(url_for("processes.index"))
    return page(), 400 if form.is_submitted() else 200


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


@bp.route("/timers")
@roles_required(Role.ADMIN)
def timer_list():
    """Timers whose process step failed: those marked failed, and those waiting to be tried again."""
    return render_template(
        "processes/timers.html", timers=timers.timers_needing_attention(), max_attempts=timers.max_attempts()
    )


@bp.route("/timers/<int:timer_id>/retry", methods=["POST"])
@roles_required(Role.ADMIN)
def retry_timer(timer_id: int):
    """Ask the worker for one more attempt at a failed or retrying timer, now."""
    timer = timer_or_404(timer_id)
    on_refusal_redirect(url_for("processes.timer_list"))
    timers.retry_timer(timer, actor=current_user)
    message = _(
        "Timer %(timer)s of %(case)s will be tried again on the worker's next run.",
        timer=timer.bpmn_id,
        case=timer.case.reference,
    )
    flash(message, "success")
    return redirect(url_for("processes.timer_list"), code=303)
