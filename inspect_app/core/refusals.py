"""How a page answers a refusal (a ServiceError raised by a service): never a 500.

A view that shows a form says, before it calls the service, which page to show again (`on_refusal_render`) or
where to go back to (`on_refusal_redirect`); the error handler does the rest: the message is flashed, each field's
messages are put beside the field, and the status says what happened (400, 403, 404, 409, 422)."""

from collections.abc import Callable

from flask import flash, g, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from inspect_app.core.exceptions import Forbidden, NotFound, ServiceError


def on_refusal_render(page: Callable[..., str], form: FlaskForm | None = None) -> None:
    """If this request is refused, render `page(refusal=...)` again, with the refusal's field errors on `form`.

    `page` is usually `partial(render_template, name, **context)`: the template gets the refusal too (a file import
    lists its problems from `refusal.errors`)."""
    g.refusal_answer = ("render", page, form)


def on_refusal_redirect(url: str) -> None:
    """If this request is refused, flash the message and go to `url` (for buttons that have no form to show again)."""
    g.refusal_answer = ("redirect", url, None)


def on_refusal(answer: Callable[[ServiceError], ResponseReturnValue]) -> None:
    """If this request is refused (other than 403 and 404), answer with `answer(refusal)`: for a page that shows
    some refusals at a field and others otherwise. The answer shows the message itself (nothing is flashed)."""
    g.refusal_answer = ("answer", answer, None)


def answer_refusal(refusal: ServiceError):
    """The HTML answer to a refusal, after the unit of work rolled back."""
    if isinstance(refusal, Forbidden | NotFound):
        return render_template("error.html", code=refusal.status_code, message=refusal.message), refusal.status_code
    kind, target, form = g.pop("refusal_answer", (None, None, None))
    if kind == "answer":
        return target(refusal)
    flash(refusal.message, "error")
    if kind == "redirect":
        return redirect(target, code=303)
    if kind == "render":
        _show_field_errors(form, getattr(refusal, "errors", None) or {})
        return target(refusal=refusal), refusal.status_code
    return render_template("error.html", code=refusal.status_code, message=refusal.message), refusal.status_code


def _show_field_errors(form: FlaskForm | None, errors: dict[str, list[str]]) -> None:
    if form is None:
        return
    for name, messages in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, *(m for m in messages if m not in field.errors)]
