"""Every access rule written twice, as a Python predicate for one object and as SQL for lists, gives the same answer
for every user and object: generated users (roles, units, active or not), cases (subject unit, team) and tasks
(one in each lane, some claimed). Covered: case visibility, task candidacy (the inbox, a task's candidates), the
people a form offers as team lead or member, and notifications. A PAR round's two forms are one definition."""

from flask_login import AnonymousUserMixin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inspect_app.access.lanes import candidates_of
from inspect_app.access.roles import JOINS_TEAMS, LEADS_TEAMS, active_users_with, may_join_team, may_lead_team
from inspect_app.access.visibility import cases_visible_to, notifications_visible_to
from inspect_app.core.extensions import db
from inspect_app.models import (
    Case,
    CaseTeamMember,
    CaseType,
    HumanTask,
    Lane,
    Notification,
    OrgLevel,
    OrgUnit,
    Role,
    TeamRole,
    User,
)
from inspect_app.tasks.queries import inbox_count, inbox_query

# A province with a district, a commune in that district, and a department: officers of the district see the
# commune's cases too, officers of the commune do not see the district's.
UNITS = (("P", OrgLevel.PROVINCE, None), ("D", OrgLevel.DISTRICT, "P"), ("C", OrgLevel.COMMUNE, "D"))
UNITS += (("S", OrgLevel.DEPARTMENT, "P"),)
UNIT_CODES = [code for code, _level, _parent in UNITS]
LANES = [*Lane, "no_such_lane"]

users = st.lists(
    st.fixed_dictionaries(
        {
            "roles": st.sets(st.sampled_from(Role)),
            "unit": st.sampled_from([None, *UNIT_CODES]),
            "active": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


@st.composite
def worlds(draw):
    people = draw(users)
    member = st.integers(0, len(people) - 1)
    cases = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "unit": st.sampled_from(UNIT_CODES),
                    "team": st.dictionaries(member, st.sampled_from(TeamRole), max_size=4),
                    # Who each lane's task is claimed by (a multi-instance task "for" one person), if anyone.
                    "claimed": st.lists(st.one_of(st.none(), member), min_size=len(LANES), max_size=len(LANES)),
                }
            ),
            min_size=1,
            max_size=4,
        )
    )
    return people, cases


def build(people: list[dict], cases: list[dict]) -> tuple[list[User], list[Case], list[HumanTask]]:
    """Store the generated world (flushed, never committed) and read it back fresh."""
    units: dict[str, OrgUnit] = {}
    for code, level, parent in UNITS:
        units[code] = OrgUnit(code=f"T-{code}", name=code, level=level, parent=units.get(parent))
    stored_users = []
    for number, person in enumerate(people):
        user = User(
            username=f"u{number}",
            full_name=f"User {number}",
            password_hash="-",
            is_active=person["active"],
            unit=units[person["unit"]] if person["unit"] else None,
        )
        for role in person["roles"]:
            user.grant(role)
        stored_users.append(user)
    stored_cases, tasks = [], []
    for number, about in enumerate(cases):
        case = Case(
            reference=f"T-{number}", case_type=CaseType.INSPECTION, title="Case", subject_unit=units[about["unit"]]
        )
        for index, role in about["team"].items():
            case.team.append(CaseTeamMember(user=stored_users[index], role=role))
        for lane, claimed in zip(LANES, about["claimed"], strict=True):
            tasks.append(
                HumanTask(
                    case=case,
                    task_id=f"{number}-{lane}",
                    bpmn_id=str(lane),
                    title=f"{lane} of case {number}",
                    lane=str(lane),
                    claimed_by=stored_users[claimed] if claimed is not None else None,
                )
            )
        stored_cases.append(case)
    db.session.add_all([*stored_users, *stored_cases, *tasks])
    db.session.add_all(Notification(user=user, kind="task_assigned") for user in stored_users)
    db.session.flush()
    db.session.expire_all()  # both forms read what is stored
    return stored_users, stored_cases, tasks


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_each_rule_gives_the_same_answer_in_sql_and_in_python(app, world):
    people, cases = world
    try:
        stored_users, stored_cases, tasks = build(people, cases)
        for user in stored_users:
            seen = set(db.session.scalars(select(Case.id).where(cases_visible_to(user))))
            assert seen == {case.id for case in stored_cases if case.can_view(user)}, "case visibility"
            inbox = {task.id for task in db.session.scalars(inbox_query(user))}
            assert inbox == {task.id for task in tasks if task.can_complete(user)}, "the inbox"
            assert inbox_count(user) == len(inbox), "the inbox's count"
            own = set(db.session.scalars(select(Notification.id).where(notifications_visible_to(user))))
            everyone = db.session.scalars(select(Notification))
            assert own == {notification.id for notification in everyone if notification.can_view(user)}
        listed = candidates_of(tasks)
        for task in tasks:
            named = sorted(user.id for user in stored_users if task.is_candidate(user))
            assert sorted(user.id for user in task.candidates) == named, task.title
            assert sorted(user.id for user in listed[task.id]) == named, task.title
        for offered, may in ((LEADS_TEAMS, may_lead_team), (JOINS_TEAMS, may_join_team)):
            assert {user.id for user in active_users_with(*offered)} == {u.id for u in stored_users if may(u)}
    finally:
        db.session.rollback()


def test_an_anonymous_visitor_sees_nothing_either_way(app, create_case):
    case = create_case()
    visitor = AnonymousUserMixin()
    assert not case.can_view(visitor)
    assert db.session.scalars(select(Case).where(cases_visible_to(visitor))).all() == []
