"""The OpenAPI document: valid OpenAPI 3.1, and in step with the routes (both ways); errors are always JSON."""

import re

import pytest
from flask import abort
from openapi_spec_validator import validate

from inspect_app import create_app
from inspect_app.api.openapi import openapi_document
from inspect_app.core.exceptions import Conflict
from tests.api.conftest import documented, task_for
from tests.conftest import make_config

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routed_operations(app) -> set[tuple[str, str]]:
    """(path in OpenAPI form, method) for every rule under /api/v1."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == PREFIX or rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
            operations |= {(path, method.lower()) for method in rule.methods - IGNORED_METHODS}
    return operations


def documented_operations(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_the_document_is_valid_openapi(app):
    validate(openapi_document())


def test_every_route_is_documented_and_every_documented_path_is_routed(app):
    routes, docs = routed_operations(app), documented_operations(openapi_document())
    assert routes, "no API routes found"
    assert routes - docs == set(), "routes missing from openapi.py"
    assert docs - routes == set(), "documented operations with no route"


def test_the_check_notices_an_undocumented_route(app, tmp_path):
    extra = create_app(make_config(f"sqlite:///{tmp_path / 'x.sqlite3'}", str(tmp_path)))
    extra.add_url_rule(f"{PREFIX}/secret/<int:n>", "secret", lambda n: "")
    assert routed_operations(extra) - documented_operations(openapi_document()) == {(f"{PREFIX}/secret/{{n}}", "get")}


def test_the_document_is_served_to_anyone(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert documented(response, "/api/v1/openapi.json") == openapi_document()


def test_every_error_is_json_never_html(api, client, people, case):
    visit = task_for(case, "visit", "inspector")
    url = f"/api/v1/tasks/{visit.id}/complete"
    caller = api(people["inspector"])
    caller.post(url, json={"note": "x"})
    answers = {
        401: client.get("/api/v1/tasks"),
        403: api(people["director"]).post(
            f"/api/v1/tasks/{task_for(case, 'visit', 'inspector2').id}/complete", json={}
        ),
        404: caller.get("/api/v1/no-such-thing"),
        405: caller.get(url),
        409: caller.post(url, json={"note": "again"}),
        415: caller.post(url, data={"note": "x"}),
        422: api(people["inspector2"]).post(
            f"/api/v1/tasks/{task_for(case, 'visit', 'inspector2').id}/complete", json={"nope": 1}
        ),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.mimetype == "application/json", status
        body = response.get_json()
        assert body["message"] and body["error"] and "Traceback" not in response.get_data(as_text=True)


@pytest.fixture
def throwaway_app(tmp_path):
    """A fresh app (not the suite's) with routes that fail on purpose."""
    app = create_app(make_config(f"sqlite:///{tmp_path / 'throwaway.sqlite3'}", str(tmp_path / "uploads")))

    def boom():
        raise RuntimeError("secret internals")

    def refuse():
        raise Conflict("taken")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.add_url_rule("/api/v1/refuse", "refuse", refuse)
    app.add_url_rule("/html/refuse", "html_refuse", refuse)
    app.add_url_rule("/api/v1/abort", "abort", lambda: abort(418))
    return app


def test_a_crash_is_a_500_json_message_without_the_stack_trace(throwaway_app):
    response = throwaway_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500 and response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert response.get_json()["message"]


def test_a_service_refusal_is_json_on_the_api_and_unchanged_on_pages(throwaway_app):
    client = throwaway_app.test_client()
    api_answer = client.get("/api/v1/refuse")
    assert (api_answer.status_code, api_answer.get_json()) == (
        409,
        {"error": "Conflict", "message": "taken", "errors": {}},
    )
    page = client.get("/html/refuse")
    assert page.status_code == 409 and page.mimetype == "text/html", "pages answer refusals with a page"
    assert "taken" in page.get_data(as_text=True)


def test_the_answers_a_task_takes_are_described_from_its_step_input():
    document = openapi_document()
    body = document["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]["requestBody"]
    steps = {ref["$ref"].rsplit("/", 1)[1] for ref in body["content"]["application/json"]["schema"]["anyOf"]}
    assert {"ReviewInput", "NoteInput", "VerificationInput"} <= steps
    review = document["components"]["schemas"]["ReviewInput"]
    assert review["required"] == ["decision"] and review["additionalProperties"] is False
    decision = review["properties"]["decision"]
    assert [(choice["const"], choice["title"]) for choice in decision["oneOf"]] == [
        ("approve", "Approve"),
        ("return", "Return for changes"),
    ]
    assert decision["title"] == "Decision", "the document is written in English whoever asked first"
    verification = document["components"]["schemas"]["VerificationInput"]
    assert set(verification["patternProperties"]) == {"^verdict_[0-9]+$", "^reason_[0-9]+$", "^deadline_[0-9]+$"}, (
        "its fields are made per reported finding"
    )
