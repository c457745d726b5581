"""People, a running case and token helpers for the API tests."""

import pytest
from openapi_schema_validator import OAS31Validator

from inspect_app.api.openapi import openapi_document
from inspect_app.core.extensions import db
from inspect_app.models import ApiToken, Role, TaskState
from tests.helpers import fresh_browser


@pytest.fixture
def people(create_user):
    return {
        "director": create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng", language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, full_name="Trần Thị Lan", language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, full_name="Lê Minh Tuấn", language="en"),
        "inspector2": create_user("inspector2", Role.INSPECTOR, full_name="Phạm Thu Hà", language="en"),
        "outsider": create_user("outsider", Role.INSPECTOR, full_name="Đỗ Văn Nam", language="en"),
        "auditor": create_user("auditor", Role.AUDITOR, language="en"),
    }


@pytest.fixture
def case(start_case, people):
    return start_case(
        lead=people["lead"], members=[people["inspector"], people["inspector2"]], actor=people["director"]
    )


@pytest.fixture
def token_for(app):
    """A new bearer token for a user (as the profile page or the CLI would make it)."""

    def make(user, name="tablet") -> str:
        row, token = ApiToken.issue(user, name)
        db.session.add(row)
        db.session.commit()
        return token

    return make


@pytest.fixture
def api(client, token_for):
    """Call the API as a user, with a bearer token and no cookies: api(user).get(...) / .post(url, json=...) / .put."""
    tokens = {}

    class Caller:
        def __init__(self, user):
            if user.id not in tokens:
                tokens[user.id] = token_for(user)
            self.headers = {"Authorization": f"Bearer {tokens[user.id]}"}

        def get(self, url, **kwargs):
            fresh_browser(client)
            return client.get(url, headers=self.headers, **kwargs)

        def post(self, url, **kwargs):
            fresh_browser(client)
            return client.post(url, headers=self.headers, **kwargs)

        def put(self, url, **kwargs):
            fresh_browser(client)
            return client.put(url, headers=self.headers, **kwargs)

    return Caller


def open_tasks(case, bpmn_id=None):
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and (bpmn_id is None or t.bpmn_id == bpmn_id)]


def task_for(case, bpmn_id, username=None):
    """The case's one open task with this BPMN id (and claimed by `username`, for per-member tasks)."""
    [task] = [t for t in open_tasks(case, bpmn_id) if username is None or t.claimed_by.username == username]
    return task


def by_the_document(schema: dict) -> OAS31Validator:
    """A validator of `schema`, a part of the OpenAPI document (its $refs name the document's components)."""
    components = openapi_document()["components"]
    return OAS31Validator({**schema, "components": components}, format_checker=OAS31Validator.FORMAT_CHECKER)


def documented(response, path: str, method: str = "get"):
    """Check the answer is JSON and matches the schema the OpenAPI document gives for its status; return the body."""
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    operation = openapi_document()["paths"][path][method]
    described = operation["responses"].get(str(response.status_code))
    assert described, f"{method.upper()} {path} does not document status {response.status_code}"
    body = response.get_json()
    by_the_document(described["content"]["application/json"]["schema"]).validate(body)
    return body
