"""Dashboard, profile, language and health check."""

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import text

from inspect_app.extensions import db
from inspect_app.main import bp
from inspect_app.main.forms import LanguageForm, ProfileForm
from inspect_app.main.services import dashboard_sections
from inspect_app.redirects import safe_next_url


@bp.route("/")
@login_required
def dashboard():
    return render_template("main/dashboard.html", sections=dashboard_sections(current_user))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.language.data = current_user.language or session.get("language") or "vi"
        form.timezone.data = current_user.timezone or "Asia/Ho_Chi_Minh"
    if form.validate_on_submit():
        current_user.language = form.language.data
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("main.profile"))
    return render_template("main/profile.html", form=form), 400 if form.errors else 200


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return redirect(safe_next_url(form.next.data))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unavailable", detail=type(error).__name__), 503
    return jsonify(status="ok", database="ok")
