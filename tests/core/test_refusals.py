"""Every HTML refusal has its own status and never a 500; the unit of work commits once or leaves nothing behind."""

from functools import partial

import pytest
from flask import flash, redirect, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from inspect_app import create_app
from inspect_app.core import unit_of_work
from inspect_app.core.exceptions import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from inspect_app.core.extensions import db
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.models import OrgLevel, OrgUnit
from tests.conftest import make_config
from tests.helpers import error_flash

PAGE = (
    '{% for m in get_flashed_messages() %}<p class="flash flash-error">{{ m }}</p>{% endfor %}'
    "<p>code: {{ form.code.errors|join(', ') }}</p>"
)


class CodeForm(FlaskForm):
    code = StringField()


@pytest.fixture(scope="module")
def refusing_app(tmp_path_factory):
    """A fresh app with pages that store a unit, then refuse in each way a service can."""
    folder = tmp_path_factory.mktemp("refusals")
    app = create_app(make_config(f"sqlite:///{folder / 'refusals.sqlite3'}", str(folder / "uploads")))
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.create_all()
    refusals = {
        "invalid": InvalidInput("Some answers need attention.", {"code": ["This code is taken."]}),
        "forbidden": Forbidden("Not yours."),
        "missing": NotFound("No such unit."),
        "conflict": Conflict("Lan changed this first."),
        "plain": ServiceError("Not now."),
    }

    def store_then_refuse(kind: str):
        form = CodeForm()
        on_refusal_render(partial(render_template_string, PAGE, form=form), form)
        db.session.add(OrgUnit(code=f"U-{kind}", name="Đơn vị", level=OrgLevel.DEPARTMENT))
        db.session.flush()
        flash("Saved!", "success")
        raise refusals[kind]

    def refuse_and_go_back():
        on_refusal_redirect("/somewhere")
        db.session.add(OrgUnit(code="U-back", name="Đơn vị", level=OrgLevel.DEPARTMENT))
        raise Conflict("Taken already.")

    def refuse_without_a_page():
        raise Conflict("Taken already.")

    def store():
        db.session.add(OrgUnit(code="U-ok", name="Đơn vị", level=OrgLevel.DEPARTMENT))
        return redirect("/done")

    app.add_url_rule("/refuse/<kind>", "refuse", store_then_refuse, methods=["POST"])
    app.add_url_rule("/refuse-back", "refuse_back", refuse_and_go_back, methods=["POST"])
    app.add_url_rule("/refuse-bare", "refuse_bare", refuse_without_a_page, methods=["POST"])
    app.add_url_rule("/store", "store", store, methods=["POST"])
    unit_of_work.install(app)
    return app


def stored_codes(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OrgUnit.code)))


@pytest.mark.parametrize(
    ("kind", "status"), [("invalid", 422), ("forbidden", 403), ("missing", 404), ("conflict", 409), ("plain", 400)]
)
def test_each_refusal_has_its_status_and_stores_nothing(refusing_app, kind, status):
    response = refusing_app.test_client().post(f"/refuse/{kind}")
    assert response.status_code == status and response.mimetype == "text/html"
    assert f"U-{kind}" not in stored_codes(refusing_app)
    assert "Saved!" not in response.get_data(as_text=True), "a refused request must not claim success"


def test_a_refused_form_is_shown_again_with_the_message_beside_the_field(refusing_app):
    response = refusing_app.test_client().post("/refuse/invalid")
    assert error_flash(response) == "Some answers need attention."
    assert "code: This code is taken." in response.get_data(as_text=True)


def test_a_refused_button_flashes_and_goes_back(refusing_app):
    client = refusing_app.test_client()
    response = client.post("/refuse-back")
    assert response.status_code == 303 and response.location.endswith("/somewhere")
    assert "U-back" not in stored_codes(refusing_app)
    with client.session_transaction() as session:
        assert [message for _category, message in session["_flashes"]] == ["Taken already."]


def test_a_refusal_with_no_page_to_show_again_is_an_error_page_with_its_status(refusing_app):
    response = refusing_app.test_client().post("/refuse-bare")
    assert response.status_code == 409 and "Taken already." in response.get_data(as_text=True)


def test_a_view_that_succeeds_is_committed_once_by_the_unit_of_work(refusing_app):
    assert refusing_app.test_client().post("/store").status_code == 302
    assert "U-ok" in stored_codes(refusing_app)


def test_the_api_answers_a_refusal_as_json(refusing_app):
    response = refusing_app.test_client().post("/refuse/conflict", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json() == {"error": "Conflict", "message": "Lan changed this first.", "errors": {}}
