"""Dashboard, profile, language and health check."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text

from inspect_app.auth import tokens as api_auth
from inspect_app.core.extensions import db
from inspect_app.core.redirects import safe_next_url
from inspect_app.main import bp
from inspect_app.main.forms import LanguageForm, ProfileForm, TokenCreateForm, TokenRevokeForm
from inspect_app.main.services import dashboard_sections
from inspect_app.models import ApiToken


@bp.route("/")
@login_required
def dashboard():
    return render_template("main/dashboard.html", sections=dashboard_sections(current_user))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        _fill_preferences(form)
    if form.validate_on_submit():
        current_user.language = form.language.data
        current_user.timezone = form.timezone.data
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("main.profile"))
    return _profile_page(form=form), 400 if form.errors else 200


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    token_form = TokenCreateForm()
    if not token_form.validate_on_submit():
        return _profile_page(token_form=token_form), 400
    row, token = api_auth.issue_token(current_user, token_form.name.data)
    # Shown on this answer only (signed-in answers are no-store): the token is not stored, and a flash message would
    # put it in the session cookie.
    return _profile_page(token_form=TokenCreateForm(formdata=None), new_token=(row, token))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not token.can_revoke(current_user):
        abort(404)
    if TokenRevokeForm().validate_on_submit():
        api_auth.revoke_token(token, actor=current_user)
        flash(_("The token %(name)s is revoked: apps that use it can no longer connect.", name=token.name), "success")
    return redirect(url_for("main.profile"))


def _fill_preferences(form: ProfileForm) -> None:
    form.language.data = current_user.language or session.get("language") or "vi"
    form.timezone.data = current_user.timezone or "Asia/Ho_Chi_Minh"


def _profile_page(form: ProfileForm | None = None, token_form: TokenCreateForm | None = None, new_token=None) -> str:
    """The profile page: preferences, and the user's API tokens (a new one shown once, as `new_token`)."""
    if form is None:
        form = ProfileForm(formdata=None, obj=current_user)
        _fill_preferences(form)
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template(
        "main/profile.html",
        form=form,
        token_form=token_form or TokenCreateForm(formdata=None),
        revoke_form=TokenRevokeForm(formdata=None),
        tokens=tokens,
        new_token=new_token,
    )


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
    return redirect(safe_next_url(form.next.data))


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers ask for on their own, on every page (printed documents too)."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico", max_age=86400)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unavailable", detail=type(error).__name__), 503
    return jsonify(status="ok", database="ok")
