"""App start-up rules and the health check."""

import pytest

from inspect_app import ConfigurationError, create_app
from inspect_app.core.config import DEV_SECRET_KEY, TestConfig
from inspect_app.models import Role
from tests.conftest import make_config


@pytest.mark.parametrize("secret", [None, "", DEV_SECRET_KEY])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, secret):
    config = type("Prod", (TestConfig,), {"ENV": "production", "SECRET_KEY": secret, "UPLOAD_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError, match="INSPECT_SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_secret_key(tmp_path):
    config = type("Prod", (TestConfig,), {"ENV": "production", "SECRET_KEY": "s" * 64, "UPLOAD_DIR": str(tmp_path)})
    assert create_app(config).config["ENV"] == "production"


def test_settings_come_from_inspect_environment_variables(monkeypatch, tmp_path):
    import importlib

    import inspect_app.core.config as config_module

    monkeypatch.setenv("INSPECT_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("INSPECT_UPLOAD_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("INSPECT_PAGE_SIZE", "7")
    reloaded = importlib.reload(config_module)
    try:
        app = create_app(reloaded.Config)
        assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.sqlite3"
        assert app.config["PAGE_SIZE"] == 7
        assert (tmp_path / "files").is_dir(), "the upload folder is created at start-up"
    finally:
        monkeypatch.undo()
        importlib.reload(config_module)


def test_health_check_reports_an_unreachable_database(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path}/missing-dir/none.sqlite3", str(tmp_path)))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_errors_are_pages_for_people_and_json_for_the_api(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["message"]


@pytest.mark.parametrize("path", ["/cases/99999999999", "/tasks/4294967296", "/inspections/findings/99999999999"])
def test_an_id_beyond_the_database_s_range_is_a_404_not_a_500(client, sign_in, create_user, path):
    sign_in(create_user("director", Role.DIRECTOR))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/logout", "/api/v1/tasks/1/complete"])
def test_a_wrong_method_is_answered_405_with_the_allowed_ones(client, path):
    response = client.get(path)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
