"""The assessment page: the criteria tree with each stage's scores, editable by whoever the open step names."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.core.extensions import db
from inspect_app.core.refusals import on_refusal_redirect
from inspect_app.evidence.services import add_evidence
from inspect_app.models import ItemScore, ParStep
from inspect_app.par import bp, services
from inspect_app.par.results import assessment_results
from inspect_app.permissions import get_case_or_404

STAGES = {
    "self": ParStep.SELF_ASSESSMENT,
    "first": ParStep.FIRST_APPRAISAL,
    "explanation": ParStep.EXPLANATION,
    "final": ParStep.SECOND_APPRAISAL,
}


def get_assessment_case_or_404(case_id: int):
    """A visible case that is a PAR appraisal, or 404."""
    case = get_case_or_404(case_id)
    if case.par is None:
        abort(404)
    return case


def get_score_or_404(score_id: int) -> ItemScore:
    score = db.session.get(ItemScore, score_id)
    if score is None:
        abort(404)
    get_case_or_404(score.case_id)
    return score


@bp.route("/assessments/<int:case_id>")
@login_required
def assessment(case_id: int):
    case = get_assessment_case_or_404(case_id)
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
    score = get_score_or_404(score_id)
    form = request.form
    back = url_for("par.assessment", case_id=score.case_id, _anchor=f"c-{score.criterion_id}")
    on_refusal_redirect(back)
    if stage == "self":
        services.save_self_score(
            score,
            actor=current_user,
            points=services.parse_points(form.get("points"), "points"),
            note=form.get("note", "")[:4000],
        )
    elif stage == "explanation":
        services.save_explanation(score, actor=current_user, text=form.get("explanation", "")[:8000])
    else:
        services.save_appraisal(
            score,
            STAGES[stage],
            actor=current_user,
            points=services.parse_points(form.get("points"), "points"),
            comment=form.get("comment", "")[:4000],
            needs_explanation=stage == "first" and form.get("needs_explanation") == "y",
        )
    if request.accept_mimetypes.best == "application/json":
        return jsonify(saved=True)
    flash(_("Saved: %(code)s.", code=score.criterion.code), "success")
    return redirect(back)


@bp.route("/scores/<int:score_id>/files", methods=["POST"])
@login_required
def add_file(score_id: int):
    score = get_score_or_404(score_id)
    par = score.assessment
    if not (par.can_self_assess(current_user) or (par.can_explain(current_user) and score.needs_explanation)):
        abort(403)
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
