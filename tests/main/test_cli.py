"""The `inspect` command group."""

from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEPARTMENTS, DISTRICTS, USERS
from inspect_app.models import OrgLevel, OrgUnit, Role, User


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["inspect", *args], input=input)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_loads_the_hai_duong_organisation_and_users_and_can_run_twice(app, demo):
    # The `demo` fixture ran `inspect demo` once (and checked it succeeded); this is the second run.
    second = run(app, "demo")
    assert second.exit_code == 0, second.output
    assert count(OrgUnit, OrgUnit.level == OrgLevel.DEPARTMENT) == len(DEPARTMENTS) == 18
    assert count(OrgUnit, OrgUnit.level == OrgLevel.DISTRICT) == len(DISTRICTS) == 12
    assert count(OrgUnit, OrgUnit.level == OrgLevel.COMMUNE) >= 3
    demo_users = db.session.scalars(select(User).where(User.username.in_([name for name, *_ in USERS])))
    assert len(list(demo_users)) == len(USERS)
    assert "inspect-demo" in second.output
    for username, *_ in USERS:
        assert username in second.output
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    assert officer.unit.level == OrgLevel.DISTRICT and officer.roles == {Role.UNIT_OFFICER}


def test_create_user_with_roles_and_unit(app, create_unit):
    create_unit("Sở Y tế", code="HD-SYT")
    result = run(
        app,
        "create-user",
        "Hoa",
        "--full-name",
        "Ngô Thị Hoa",
        "--role",
        "inspector",
        "--role",
        "lead",
        "--unit",
        "HD-SYT",
        input="mật-khẩu-dài\nmật-khẩu-dài\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "hoa"))
    assert user.roles == {Role.INSPECTOR, Role.LEAD}
    assert user.unit.code == "HD-SYT"
    assert user.check_password("mật-khẩu-dài")


def test_create_user_refuses_a_taken_username_or_unknown_unit_and_changes_nothing(app, create_user):
    create_user("hoa")
    taken = run(app, "create-user", "hoa", "--full-name", "X", "--password", "p")
    assert taken.exit_code != 0 and "taken" in taken.output
    unknown = run(app, "create-user", "lan", "--full-name", "X", "--unit", "NOPE", "--password", "p")
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
    assert count(User) == 1


def test_init_db_is_safe_to_run_on_an_up_to_date_database(app):
    result = run(app, "init-db")
    assert result.exit_code == 0
    assert "up to date" in result.output
