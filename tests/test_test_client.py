"""The suite's own sign-in helper must really switch users (the pytest-flask trap in CONVENTIONS.md)."""

from inspect_app.models import Role


def test_sign_in_helper_really_switches_users(client, create_user, sign_in):
    create_user("admin", Role.ADMIN, full_name="Quản trị", language="en")
    create_user("officer", Role.UNIT_OFFICER, full_name="Cán bộ đơn vị", language="vi")
    sign_in("admin")
    first = client.get("/profile").get_data(as_text=True)
    assert "Quản trị" in first and 'lang="en"' in first
    sign_in("officer")
    second = client.get("/profile").get_data(as_text=True)
    assert "Cán bộ đơn vị" in second and "Quản trị" not in second
    assert 'lang="vi"' in second, "the second user's language, not the first one's cached locale"
