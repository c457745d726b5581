"""The assessment page: the criteria tree with each stage's scores, editable by whoever the open step names.

A score that cannot be saved (not a number, negative, above the item's maximum) comes back on the same page with the
message at its field and the typed value kept; the form's address ends in the item's anchor, so that the browser
shows the item, not the top of the page (no script needed)."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access.loaders import assessment_case_or_404, score_or_404
from inspect_app.core.exceptions import Forbidden, InvalidInput, ServiceError
from inspect_app.core.refusals import on_refusal, on_refusal_redirect
from inspect_app.core.requests import version_seen
from inspect_app.evidence.services import add_evidence
from inspect_app.models import Case, ItemScore, ParAssessment, ParStep, User
from inspect_app.par import bp, services
from inspect_app.par.forms import ScoreForm
from inspect_app.par.results import assessment_results

STAGES = {
    "self": ParStep.SELF_ASSESSMENT,
    "first": ParStep.FIRST_APPRAISAL,
    "explanation": ParStep.EXPLANATION,
    "final": ParStep.SECOND_APPRAISAL,
}
# The form's fields each stage saves, besides the version.
STAGE_FIELDS = {
    "self": ("points", "note"),
    "first": ("points", "comment", "needs_explanation"),
    "explanation": ("explanation",),
    "final": ("points", "comment"),
}


@dataclass
class RefusedSave:
    """A save the page shows again: which item and stage, the form as typed (with its errors), the version seen."""

    score_id: int
    stage: str
    form: ScoreForm
    version: str


def item_anchor(score: ItemScore) -> str:
    return f"c-{score.criterion_id}"


@bp.route("/assessments/<int:case_id>")
@login_required
def assessment(case_id: int):
    return _assessment_page(assessment_case_or_404(case_id))


def _editing(par: ParAssessment, user: User) -> dict[str, bool]:
    """Which stage's scores the user may change now (the page shows those forms; a save of another is refused)."""
    return {
        "self": par.can_self_assess(user),
        "first": par.can_appraise(user, ParStep.FIRST_APPRAISAL),
        "explanation": par.can_explain(user),
        "final": par.can_appraise(user, ParStep.SECOND_APPRAISAL),
    }


def _assessment_page(case: Case, refused: RefusedSave | None = None):
    par = case.par
    scores = {score.criterion_id: score for score in par.scores}
    editing = _editing(par, current_user)
    return render_template(
        "par/assessment.html",
        case=case,
        par=par,
        scores=scores,
        editing=editing,
        results=assessment_results(par),
        refused=refused,
        # The reader's own open steps of this appraisal: the sheet leads back to them, to finish the step.
        my_tasks=[task for task in case.open_tasks if task.can_complete(current_user)],
    )


@bp.route("/scores/<int:score_id>/<any(self, first, explanation, final):stage>", methods=["POST"])
@login_required
def save_score(score_id: int, stage: str):
    score = score_or_404(score_id)
    back = url_for("par.assessment", case_id=score.case_id, _anchor=item_anchor(score))
    form = ScoreForm()
    refused = RefusedSave(score.id, stage, form, request.form.get("version", ""))

    def answer(refusal: ServiceError):
        """A refused value is shown at its field, as typed; anything else (a save made meanwhile, a stale page) is
        told at the top of a fresh page."""
        field_errors = refusal.errors if isinstance(refusal, InvalidInput) else {}
        if not set(field_errors) & set(STAGE_FIELDS[stage]):
            flash(refusal.message, "error")
            return redirect(back, 303)
        for name, messages in field_errors.items():
            if name in form:
                form[name].errors = [*form[name].errors, *(m for m in messages if m not in form[name].errors)]
        return _assessment_page(score.assessment.case, refused), refusal.status_code

    on_refusal(answer)
    if not _editing(score.assessment, current_user)[stage]:
        raise Forbidden(_("You may not change these scores now."))
    seen = version_seen()
    if not form.validate_on_submit():
        errors = {name: list(form[name].errors) for name in STAGE_FIELDS[stage] if form[name].errors}
        if errors:
            raise InvalidInput(next(iter(errors.values()))[0], errors)
    if stage == "self":
        services.save_self_score(score, actor=current_user, points=form.points.data, note=form.note.data, seen=seen)
    elif stage == "explanation":
        services.save_explanation(score, actor=current_user, text=form.explanation.data, seen=seen)
    else:
        services.save_appraisal(
            score,
            STAGES[stage],
            actor=current_user,
            points=form.points.data,
            comment=form.comment.data,
            needs_explanation=stage == "first" and form.needs_explanation.data,
            seen=seen,
        )
    flash(_("Saved: %(code)s.", code=score.criterion.code), "success")
    return redirect(back)


@bp.route("/scores/<int:score_id>/files", methods=["POST"])
@login_required
def add_file(score_id: int):
    score = score_or_404(score_id, check="can_add_file")
    back = url_for("par.assessment", case_id=score.case_id, _anchor=item_anchor(score))
    on_refusal_redirect(back)
    upload = request.files.get("file")
    add_evidence(
        score.assessment.case,
        upload.read() if upload else b"",
        upload.filename if upload else "",
        actor=current_user,
        score=score,
    )
    flash(_("File added."), "success")
    return redirect(back)
