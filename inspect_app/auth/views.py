"""Sign-in and sign-out pages."""

from functools import partial

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from inspect_app.auth import bp
from inspect_app.auth.forms import LoginForm
from inspect_app.auth.services import authenticate, count_attempt
from inspect_app.core.extensions import db, login_manager
from inspect_app.core.redirects import safe_next_url
from inspect_app.core.refusals import on_refusal_render
from inspect_app.core.unit_of_work import run_in_unit_of_work
from inspect_app.models import User

# What a browser's session keeps across signing in: the language chosen before.
KEPT_AT_SIGN_IN = ("language",)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user a session or remember-me cookie names ("id:session token"), unless that token has changed."""
    number, _colon, token = user_id.partition(":")
    user = db.session.get(User, int(number)) if number.isdecimal() else None
    if user is None or not user.is_active or not token or token != user.session_token:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200
    on_refusal_render(partial(render_template, "auth/login.html", form=form))
    # The attempt is committed on its own first: it counts even when the password is wrong and the rest rolls back.
    attempt = run_in_unit_of_work(lambda: count_attempt(form.username.data, request.remote_addr))
    user = authenticate(attempt, form.password.data)
    start_session(user, remember=form.remember.data)
    return redirect(safe_next_url(request.args.get("next")))


def start_session(user: User, remember: bool) -> None:
    """Sign `user` in on a new session: a session cookie or CSRF token taken before is worth nothing after."""
    kept = {key: session[key] for key in KEPT_AT_SIGN_IN if key in session}
    session.clear()  # the CSRF token with the rest; Flask-WTF makes a new one for the next form
    session.update(kept)
    login_user(user, remember=remember)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Signing out here signs out everywhere: every session and remember-me cookie of the user ends.
    current_user.end_sessions()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
