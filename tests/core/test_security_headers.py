"""Every answer says what the browser may run and who may frame it; signed-in pages are not kept by caches."""

import pytest

from inspect_app import create_app
from inspect_app.core.security_headers import HSTS
from inspect_app.models import Role
from tests.conftest import make_config


def test_a_page_forbids_framing_inline_scripts_and_sniffing(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0], "no inline scripts"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers, "HSTS only in production, behind TLS"


def test_signed_in_pages_are_not_stored_by_caches(client, sign_in, create_user):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    sign_in(create_user("director", Role.DIRECTOR))
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/tasks/").headers["Cache-Control"] == "no-store"


def test_the_api_and_error_pages_carry_the_headers_too(client):
    for response in (client.get("/api/v1/openapi.json"), client.get("/no-such-page")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_production_sends_hsts(tmp_path, monkeypatch):
    config = make_config(f"sqlite:///{tmp_path / 'p.sqlite3'}", str(tmp_path / "uploads"))
    app = create_app(type("Production", (config,), {"ENV": "production", "SECRET_KEY": "x" * 64}))
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize("path", ["/static/js/confirm.js", "/static/js/onsite.js"])
def test_the_scripts_pages_need_are_files_of_the_app(client, path):
    assert client.get(path).status_code == 200
