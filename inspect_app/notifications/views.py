"""The user's notifications: the list, marking them read, and the unread count in the top bar."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from inspect_app.access.loaders import notification_or_404
from inspect_app.core import clock
from inspect_app.core.keyset import requested_page
from inspect_app.core.redirects import safe_next_url
from inspect_app.notifications import bp, services


@bp.app_context_processor
def unread_count_for_templates():
    # A function, so the COUNT runs only where the top bar shows it (signed-in users), once per page.
    return {"unread_notification_count": lambda: services.unread_count(current_user)}


@bp.route("/")
@login_required
def index():
    page = requested_page(
        services.notifications_for(current_user),
        services.NEWEST_FIRST,
        size=current_app.config["PAGE_SIZE"],
        descending=True,
    )
    items = [(notification, services.describe(notification)) for notification in page.items]
    return render_template(
        "notifications/index.html", page=page, items=items, unread=services.unread_count(current_user)
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    services.mark_read(notification_or_404(notification_id), now=clock.now())
    return _back()


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    services.mark_all_read(current_user, now=clock.now())
    return _back()


def _back():
    target = request.form.get("next")
    return redirect(safe_next_url(target) if target else url_for("notifications.index"))
