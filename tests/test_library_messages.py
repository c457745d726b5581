"""The messages the libraries write themselves (WTForms' "This field is required.", Flask-Login's "Please log in")
come out in the reader's language."""

import html

from inspect_app.core.extensions import db
from inspect_app.models import Role
from tests.helpers import csrf_token, fresh_browser


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_sign_in_request_is_in_the_browsers_language(client):
    fresh_browser(client)
    vietnamese = client.get("/tasks/", headers={"Accept-Language": "vi"}, follow_redirects=True)
    assert "Vui lòng đăng nhập để truy cập trang này." in text(vietnamese)
    assert "Please log in" not in text(vietnamese)

    fresh_browser(client)
    english = client.get("/tasks/", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Please log in to access this page." in text(english)


def test_an_empty_sign_in_form_is_refused_in_vietnamese(client):
    fresh_browser(client)
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token}, headers={"Accept-Language": "vi"})
    assert "Trường này là bắt buộc." in text(response)
    assert "This field is required." not in text(response)


def test_a_form_limit_is_refused_in_the_users_language(client, create_user, sign_in):
    admin = create_user("admin", Role.ADMIN, language="vi")
    sign_in(admin)
    data = {"csrf_token": csrf_token(client, "/admin/checklists/new"), "code": "x", "name": "N" * 1000}
    vietnamese = text(client.post("/admin/checklists/new", data=data))
    assert "Trường này không được dài quá" in vietnamese and "Field cannot be longer" not in vietnamese

    admin.language = "en"
    db.session.commit()
    sign_in(admin)
    data["csrf_token"] = csrf_token(client, "/admin/checklists/new")
    assert "Field cannot be longer than" in text(client.post("/admin/checklists/new", data=data))
