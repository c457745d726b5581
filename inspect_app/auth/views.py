"""Sign-in and sign-out pages."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from inspect_app.auth import bp
from inspect_app.auth.forms import LoginForm
from inspect_app.auth.services import authenticate, lockout_minutes_left
from inspect_app.core.extensions import db, login_manager
from inspect_app.core.redirects import safe_next_url
from inspect_app.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        minutes = lockout_minutes_left(form.username.data)
        if minutes:
            flash(
                _(
                    "Too many failed sign-in attempts for this username. Try again in %(minutes)d minutes.",
                    minutes=minutes,
                ),
                "error",
            )
            status = 429
        else:
            user = authenticate(form.username.data, form.password.data, request.remote_addr)
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(safe_next_url(request.args.get("next")))
            flash(_("Wrong username or password."), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
