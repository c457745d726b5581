"""The assessment page: the criteria tree with each stage's scores, editable by whoever the open step names."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access.loaders import assessment_case_or_404, score_or_404
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.refusals import on_refusal_redirect
from inspect_app.evidence.services import add_evidence
from inspect_app.models import ParStep
from inspect_app.par import bp, services
from inspect_app.par.results import assessment_results

STAGES = {
    "self": ParStep.SELF_ASSESSMENT,
    "first": ParStep.FIRST_APPRAISAL,
    "explanation": ParStep.EXPLANATION,
    "final": ParStep.SECOND_APPRAISAL,
}


@bp.route("/assessments/<int:case_id>")
@login_required
def assessment(case_id: int):
    case = assessment_case_or_404(case_id)
    par = case.par
    scores = {score.criterion_id: score for score in par.scores}
    editing = {
        "self": par.can_self_assess(current_user),
        "first": par.can_appraise(current_user, ParStep.FIRST_APPRAISAL),
        "explanation": par.can_explain(current_user),
        "final": par.can_appraise(current_user, ParStep.SECOND_APPRAISAL),
    }
    return render_template(
        "par/assessment.html", case=case, par=par, scores=scores, editing=editing, results=assessment_results(par)
    )


@bp.route("/scores/<int:score_id>/<any(self, first, explanation, final):stage>", methods=["POST"])
@login_required
def save_score(score_id: int, stage: str):
    score = score_or_404(score_id)
    form = request.form
    back = url_for("par.assessment", case_id=score.case_id, _anchor=f"c-{score.criterion_id}")
    on_refusal_redirect(back)
    seen = _seen_version(form.get("version"))
    if stage == "self":
        services.save_self_score(
            score,
            actor=current_user,
            points=services.parse_points(form.get("points"), "points"),
            note=form.get("note", "")[:4000],
            seen=seen,
        )
    elif stage == "explanation":
        services.save_explanation(score, actor=current_user, text=form.get("explanation", "")[:8000], seen=seen)
    else:
        services.save_appraisal(
            score,
            STAGES[stage],
            actor=current_user,
            points=services.parse_points(form.get("points"), "points"),
            comment=form.get("comment", "")[:4000],
            needs_explanation=stage == "first" and form.get("needs_explanation") == "y",
            seen=seen,
        )
    flash(_("Saved: %(code)s.", code=score.criterion.code), "success")
    return redirect(back)


def _seen_version(value: str | None) -> int | None:
    """The score's version the form showed (None from a form without one)."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        message = _("The page sent a version that is not a number; reload the page.")
        raise InvalidInput(message, {"version": [message]}) from None


@bp.route("/scores/<int:score_id>/files", methods=["POST"])
@login_required
def add_file(score_id: int):
    score = score_or_404(score_id, check="can_add_file")
    back = url_for("par.assessment", case_id=score.case_id, _anchor=f"c-{score.criterion_id}")
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
