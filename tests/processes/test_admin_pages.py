"""Admin pages for process definitions: who may see them, uploading a version, the diagram and the download."""

import html
import io

import pytest
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import ProcessDefinition, Role
from tests.conftest import APP_BPMN
from tests.helpers import csrf_token, error_flash

INDEX = "/admin/processes/"
GOOD = (APP_BPMN / "app_review.bpmn").read_bytes()


def upload(client, content: bytes, filename: str):
    """Post a file through the upload form, as the browser does (multipart, with the page's CSRF token)."""
    data = {"csrf_token": csrf_token(client, INDEX), "bpmn_file": (io.BytesIO(content), filename)}
    return client.post(INDEX, data=data, content_type="multipart/form-data")


def stored_versions() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ProcessDefinition.id)))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.DIRECTOR, 404),
        (Role.LEAD, 404),
        (Role.INSPECTOR, 404),
        (Role.UNIT_OFFICER, 404),
        (Role.AUDITOR, 404),
    ],
)
def test_only_admins_see_the_process_pages(client, create_user, sign_in, deploy, role, status):
    definition = deploy()
    sign_in(create_user(f"user_{role.value}", role, language="en"))

    for path in (INDEX, f"{INDEX}{definition.id}", f"{INDEX}{definition.id}/bpmn"):
        assert client.get(path).status_code == status, path
    # An admin's empty upload is refused as a form error; anyone else is told nothing exists here.
    posted = client.post(INDEX, data={"csrf_token": csrf_token(client, "/profile")})
    assert posted.status_code == (400 if role == Role.ADMIN else 404)


def test_anonymous_visitors_are_sent_to_sign_in(client, deploy):
    definition = deploy()

    for path in (INDEX, f"{INDEX}{definition.id}", f"{INDEX}{definition.id}/bpmn"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_the_list_shows_each_version(client, admin, deploy):
    deploy()
    deploy(xml=GOOD.replace('name="Viết báo cáo"'.encode(), 'name="Viết báo cáo (v2)"'.encode()))

    page = client.get(INDEX).get_data(as_text=True)

    assert "Visit, report and review" in page and "app_review" in page
    assert "v1" in page and "v2" in page


def test_uploading_a_valid_file_deploys_it(client, admin):
    response = upload(client, GOOD, "app_review.bpmn")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deployed Visit, report and review as version 1." in page
    [definition] = db.session.scalars(select(ProcessDefinition))
    assert (definition.process_id, definition.version, definition.deployed_by.username) == ("app_review", 1, "admin")

    again = upload(client, GOOD, "app_review.bpmn")
    assert "version 1 stays the latest" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert stored_versions() == 1


def test_a_rejected_upload_stores_nothing_and_says_why(client, admin):
    broken = GOOD.replace(b'name="lead"', b'name="janitor"').replace(b'decision == "approve"', b"().__class__.__mro__")

    response = upload(client, broken, "review.bpmn")

    assert response.status_code == 422
    assert error_flash(response) == "review.bpmn was not deployed."
    page = html.unescape(response.get_data(as_text=True))
    assert "review.bpmn: lane_lead: unknown lane 'janitor'" in page
    assert "review.bpmn: flow_approved: condition: attribute access (x.y) is not allowed" in page
    assert stored_versions() == 0


def test_a_hostile_upload_is_refused(client, admin):
    hostile = b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<d>&e;</d>'

    response = upload(client, hostile, "evil.bpmn")

    assert response.status_code == 422
    assert "evil.bpmn: -: DOCTYPE declarations are not allowed" in response.get_data(as_text=True)
    assert stored_versions() == 0


def test_a_file_that_is_not_bpmn_is_refused_naming_the_field(client, admin):
    response = upload(client, b"just some notes", "notes.txt")

    assert response.status_code == 400
    assert "BPMN file: Only .bpmn files." in response.get_data(as_text=True)
    assert stored_versions() == 0


def test_an_upload_without_a_file_asks_for_one(client, admin):
    response = client.post(INDEX, data={"csrf_token": csrf_token(client, INDEX)}, content_type="multipart/form-data")

    assert response.status_code == 400
    assert "BPMN file: Choose a .bpmn file." in response.get_data(as_text=True)


def test_the_version_page_draws_the_diagram_and_offers_the_file(client, admin, deploy):
    definition = deploy()

    page = client.get(f"{INDEX}{definition.id}").get_data(as_text=True)
    assert "<svg" in page
    assert "Làm việc tại đơn vị" in page and "Xem xét báo cáo" in page
    assert f"{INDEX}{definition.id}/bpmn" in page

    download = client.get(f"{INDEX}{definition.id}/bpmn")
    assert download.status_code == 200
    assert download.mimetype == "application/xml"
    assert download.headers["Content-Disposition"] == 'attachment; filename="app_review-v1.bpmn"'
    assert download.data == GOOD


def test_an_unknown_version_is_404(client, admin):
    assert client.get(f"{INDEX}999").status_code == 404
    assert client.get(f"{INDEX}999/bpmn").status_code == 404
