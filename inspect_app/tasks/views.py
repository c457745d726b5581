"""Task inbox, task page (the form), claim and reassign."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access.loaders import task_or_404
from inspect_app.core import clock
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.keyset import requested_page
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.models import User
from inspect_app.tasks import bp, services
from inspect_app.tasks.context import context_for
from inspect_app.tasks.forms import form_for
from inspect_app.tasks.queries import INBOX_ORDER, inbox_count, inbox_query
from inspect_app.tasks.submissions import submitted_answers


@bp.route("/")
@login_required
def inbox():
    search = request.args.get("q", "").strip()[:100]
    overdue_only = request.args.get("overdue") == "1"
    query = inbox_query(current_user, search=search, overdue_only=overdue_only)
    page = requested_page(query, INBOX_ORDER, size=current_app.config["PAGE_SIZE"])
    return render_template(
        "tasks/inbox.html",
        page=page,
        total=inbox_count(current_user, search=search, overdue_only=overdue_only),
        search=search,
        overdue_only=overdue_only,
        filtered=bool(search or overdue_only),
        now=clock.now(),
    )


@bp.route("/<int:task_id>", methods=["GET", "POST"])
@login_required
def detail(task_id: int):
    task = task_or_404(task_id)
    form = form_for(task, request.form if request.method == "POST" else None)

    def page(**extra) -> str:
        # Built when the page is shown (after a refusal too), so that it shows what is true then.
        answering = form is not None and task.can_complete(current_user)
        people = task.candidates if task.is_ready else []
        return render_template(
            "tasks/detail.html",
            task=task,
            form=form,
            answering=answering,
            task_context=context_for(task, current_user),
            answers=[] if answering else submitted_answers(task),
            people=people,
            candidates=people if task.can_reassign(current_user) else [],
            **extra,
        )

    if request.method == "POST":
        on_refusal_render(page, form)
        services.check_can_complete(task, current_user)
        services.complete_task(task, actor=current_user, data=form.to_input())
        flash(_("Done: %(task)s.", task=task.display_title), "success")
        return redirect(url_for("cases.detail", case_id=task.case_id))
    return page()


@bp.route("/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int):
    task = task_or_404(task_id)
    on_refusal_redirect(url_for("tasks.detail", task_id=task_id))
    services.claim_task(task, actor=current_user)
    flash(_("The task is yours now."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/<int:task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id: int):
    task = task_or_404(task_id)
    on_refusal_redirect(url_for("tasks.detail", task_id=task_id))
    to = db.session.get(User, request.form.get("user_id", type=int) or 0)
    if to is None:
        raise InvalidInput(_("Choose who should do the task."), {"user_id": [_("Choose a person.")]})
    services.reassign_task(task, to=to, actor=current_user)
    flash(_("The task now goes to %(user)s.", user=to.full_name), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))
