"""Who each BPMN lane names on a case: the candidates for the lane's tasks.

Candidacy is decided when it is asked, from the users, roles, units and teams as they are now: a role granted, a
unit changed, a team member added or a user deactivated shows in every inbox at once, without reopening a task.
Each lane has one rule (LANE_RULES); the Python predicate `names`, the SQL relation `lane_pairs` and the inbox's
clauses for one user (`lanes_naming`) all read it, and tests/permissions/test_sql_agrees_with_python.py checks that
they agree for generated users and cases."""

from dataclasses import dataclass

from sqlalchemy import and_, exists, false, literal_column, or_, select, union_all

from inspect_app.core.extensions import db
from inspect_app.models import Case, CaseTeamMember, HumanTask, Lane, Role, RoleAssignment, TeamRole, User


@dataclass(frozen=True)
class LaneRule:
    """Whom a lane names on a case: active users who hold one of `roles` (when given), are on the case's team in
    one of `team_roles` (when given), and, with `of_subject_unit`, work at the case's subject unit itself."""

    roles: frozenset[Role] = frozenset()
    team_roles: frozenset[TeamRole] = frozenset()
    of_subject_unit: bool = False


LANE_RULES = {
    Lane.DIRECTOR: LaneRule(roles=frozenset({Role.DIRECTOR})),
    Lane.LEAD: LaneRule(team_roles=frozenset({TeamRole.LEAD})),
    Lane.INSPECTOR: LaneRule(team_roles=frozenset({TeamRole.LEAD, TeamRole.MEMBER})),
    Lane.UNIT: LaneRule(roles=frozenset({Role.UNIT_OFFICER}), of_subject_unit=True),
    # PAR cases: the case team is the round's appraisal team; the council acts through users with the director role.
    Lane.APPRAISER: LaneRule(team_roles=frozenset({TeamRole.MEMBER})),
    Lane.COUNCIL: LaneRule(roles=frozenset({Role.DIRECTOR})),
}


def names(lane: str | None, case: Case, user: User) -> bool:
    """Whether the lane names `user` on `case` (nobody, for a lane the app does not know)."""
    rule = LANE_RULES.get(lane)
    if rule is None or not user.is_active:
        return False
    if rule.roles and not user.has_role(*rule.roles):
        return False
    if rule.of_subject_unit and user.unit_id != case.subject_unit_id:
        return False
    return not rule.team_roles or case.team_role_of(user) in rule.team_roles


def _pairs(lane: Lane, rule: LaneRule):
    named = [User.is_active.is_(True)]
    if rule.roles:
        named.append(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role.in_(rule.roles))))
    if rule.of_subject_unit:
        named.append(User.unit_id == Case.subject_unit_id)
    if rule.team_roles:
        on_team = (CaseTeamMember.case_id == Case.id, CaseTeamMember.user_id == User.id)
        named.append(exists().where(*on_team, CaseTeamMember.role.in_(rule.team_roles)))
    # The lane is a constant of the code (an enum value), so it is written into the SQL rather than bound.
    lane_name = literal_column(f"'{lane.value}'")
    return (
        select(lane_name.label("lane"), Case.id.label("case_id"), User.id.label("user_id"))
        .select_from(Case)
        .join(User, and_(*named))
    )


def lane_pairs():
    """The SQL form of `names`: a subquery of (lane, case_id, user_id), one row for each user a lane names."""
    return union_all(*(_pairs(lane, rule) for lane, rule in LANE_RULES.items())).subquery("lane_pairs")


def lane_members(lane: str | None, case: Case) -> list[User]:
    """The users the lane names on `case`, by name."""
    rule = LANE_RULES.get(lane)
    if rule is None:
        return []
    # One lane's rule for one case: the union of every lane would be built for every case first.
    named = _pairs(Lane(lane), rule).where(Case.id == case.id).subquery()
    query = select(User).where(User.id.in_(select(named.c.user_id))).order_by(User.full_name, User.id)
    return list(db.session.scalars(query))


def lane_pairs_of(lane: str, case_id):
    """The users one lane names on one case, as a subquery of (user_id, full_name) in no order: for statements that
    act on them all at once (notifications). `case_id` is the case's id, or a bind parameter that will carry it."""
    named = _pairs(Lane(lane), LANE_RULES[Lane(lane)]).where(Case.id == case_id)
    return named.add_columns(User.full_name.label("full_name")).subquery("named")


def candidates_of(tasks: list[HumanTask]) -> dict[int, list[User]]:
    """Each task's candidates (as `HumanTask.candidates`), by task id, in one query for pages that list many tasks."""
    pairs = lane_pairs()
    query = (
        select(HumanTask.id, User)
        .join(pairs, and_(pairs.c.lane == HumanTask.lane, pairs.c.case_id == HumanTask.case_id))
        .join(User, User.id == pairs.c.user_id)
        .where(HumanTask.id.in_([task.id for task in tasks]))
        .order_by(User.full_name, User.id)
    )
    found: dict[int, list[User]] = {task.id: [] for task in tasks}
    for task_id, user in db.session.execute(query):
        found[task_id].append(user)
    return found


def tasks_naming(user: User):
    """A WHERE clause on HumanTask: the task's lane names `user` on its case."""
    return or_(false(), *lanes_naming(user))


def lanes_naming(user: User) -> list:
    """One WHERE clause on HumanTask per lane that may name `user`: the task is in that lane and the lane names the
    user on its case. A task is in one lane, so the clauses select tasks apart.

    What depends on the user alone (active, holding the lane's roles) is decided here, in Python: a lane that names
    every holder of a role is then just the lane's name, and one that cannot name this user is left out. What depends
    on the case (its team, its subject unit) is one lookup of the task's own case for this user, so that the database
    reads its indexes instead of building every lane's pairs (or, for a director, every case) first."""
    if not user.is_active:
        return []
    clauses = []
    for lane, rule in LANE_RULES.items():
        if rule.roles and not user.has_role(*rule.roles):
            continue
        if not rule.team_roles and not rule.of_subject_unit:
            clauses.append(HumanTask.lane == lane.value)
            continue
        if rule.of_subject_unit and user.unit_id is None:
            continue
        clauses.append(and_(HumanTask.lane == lane.value, *_names_on_the_tasks_case(rule, user)))
    return clauses


def _names_on_the_tasks_case(rule: LaneRule, user: User) -> list:
    """What the rule asks of a task's case for `user`, whose own part of it (active, roles) holds: each a lookup of
    the task's case by index (the case's subject unit; the user on its team)."""
    clauses = []
    if rule.of_subject_unit:
        clauses.append(HumanTask.case_id.in_(select(Case.id).where(Case.subject_unit_id == user.unit_id)))
    if rule.team_roles:
        on_team = (CaseTeamMember.case_id == HumanTask.case_id, CaseTeamMember.user_id == user.id)
        clauses.append(exists().where(*on_team, CaseTeamMember.role.in_(rule.team_roles)))
    return clauses
