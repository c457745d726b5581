"""Who a task's lane names is decided when asked: a role granted, a team member added, an officer moved to the
subject unit or a user deactivated shows in the inbox (the page and the API) at once, without reopening the task."""

import pytest

from inspect_app.cases.services import add_team_member
from inspect_app.core.extensions import db
from inspect_app.models import ApiToken, OrgLevel, Role, TeamRole
from tests.helpers import fresh_browser

# Three tasks open side by side, one in each lane whose people can change under a running case.
LANES_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="three_lanes_definitions" targetNamespace="http://example.org/inspect">
  <bpmn:process id="three_lanes" name="Three lanes at once" isExecutable="true">
    <bpmn:laneSet id="three_lanes_set">
      <bpmn:lane id="lane_director" name="director"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lane_inspector" name="inspector">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>inspect</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>join</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_unit" name="unit"><bpmn:flowNodeRef>remediate</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>to_split</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_split" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split">
      <bpmn:incoming>to_split</bpmn:incoming>
      <bpmn:outgoing>to_approve</bpmn:outgoing>
      <bpmn:outgoing>to_inspect</bpmn:outgoing>
      <bpmn:outgoing>to_remediate</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:sequenceFlow id="to_approve" sourceRef="split" targetRef="approve"/>
    <bpmn:sequenceFlow id="to_inspect" sourceRef="split" targetRef="inspect"/>
    <bpmn:sequenceFlow id="to_remediate" sourceRef="split" targetRef="remediate"/>
    <bpmn:userTask id="approve" name="Phê duyệt kế hoạch">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="note"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>to_approve</bpmn:incoming><bpmn:outgoing>approved</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="inspect" name="Kiểm tra hồ sơ">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="note"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>to_inspect</bpmn:incoming><bpmn:outgoing>inspected</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="remediate" name="Báo cáo khắc phục">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="note"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>to_remediate</bpmn:incoming><bpmn:outgoing>remediated</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="approved" sourceRef="approve" targetRef="join"/>
    <bpmn:sequenceFlow id="inspected" sourceRef="inspect" targetRef="join"/>
    <bpmn:sequenceFlow id="remediated" sourceRef="remediate" targetRef="join"/>
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>approved</bpmn:incoming>
      <bpmn:incoming>inspected</bpmn:incoming>
      <bpmn:incoming>remediated</bpmn:incoming>
      <bpmn:outgoing>to_done</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:sequenceFlow id="to_done" sourceRef="join" targetRef="done"/>
    <bpmn:endEvent id="done"><bpmn:incoming>to_done</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()
APPROVE, INSPECT, REMEDIATE = "Phê duyệt kế hoạch", "Kiểm tra hồ sơ", "Báo cáo khắc phục"


@pytest.fixture
def world(create_unit, create_user, start_case, deploy):
    """A case about a district, running the three lanes; people who are not (yet) named by any of them."""
    district = create_unit("Huyện Nam Sách", OrgLevel.DISTRICT)
    department = create_unit("Sở Giao thông vận tải")
    people = {
        "director": create_user("director", Role.DIRECTOR, language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, language="en"),
        "newcomer": create_user("newcomer", Role.INSPECTOR, language="en"),
        "deputy": create_user("deputy", Role.LEAD, language="en"),
        "officer": create_user("officer", Role.UNIT_OFFICER, unit=district, full_name="Vũ Thị Mai", language="en"),
        "mover": create_user("mover", Role.UNIT_OFFICER, unit=department, language="en"),
    }
    deploy("three_lanes.bpmn", LANES_BPMN)
    case = start_case("three_lanes", lead=people["lead"], unit=district, actor=people["director"])
    return {**people, "case": case, "district": district}


@pytest.fixture
def inbox(client, sign_in):
    """The titles of the open tasks a user sees in the inbox page and in the API's task list (checked equal)."""

    def read(user) -> set[str]:
        sign_in(user)
        page = client.get("/tasks/").get_data(as_text=True)
        on_page = {title for title in (APPROVE, INSPECT, REMEDIATE) if title in page}
        fresh_browser(client)
        row, token = ApiToken.issue(user, "tablet")
        db.session.add(row)
        db.session.commit()
        response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        in_api = {task["title"] for task in response.get_json()["tasks"]}
        assert on_page == in_api, "the inbox page and the API list the same tasks"
        return in_api

    return read


def test_granting_the_director_role_brings_the_directors_tasks_at_once(world, inbox):
    assert APPROVE not in inbox(world["deputy"])
    world["deputy"].grant(Role.DIRECTOR)
    db.session.commit()
    assert APPROVE in inbox(world["deputy"])


def test_a_new_team_member_gets_the_teams_tasks_at_once(world, inbox):
    assert inbox(world["newcomer"]) == set()
    add_team_member(world["case"], world["newcomer"], TeamRole.MEMBER, actor=world["director"])
    db.session.commit()
    assert inbox(world["newcomer"]) == {INSPECT}


def test_an_officer_moved_to_the_subject_unit_gets_its_tasks_and_the_one_moved_away_loses_them(world, inbox):
    assert inbox(world["mover"]) == set()
    assert inbox(world["officer"]) == {REMEDIATE}
    world["mover"].unit, world["officer"].unit = world["district"], world["mover"].unit
    db.session.commit()
    assert inbox(world["mover"]) == {REMEDIATE}
    assert inbox(world["officer"]) == set()


def test_a_deactivated_user_leaves_the_task_and_a_reactivated_one_comes_back(world, inbox, client, sign_in):
    officer = world["officer"]
    [task] = [t for t in world["case"].open_tasks if t.title == REMEDIATE]
    sign_in("director")
    assert officer.full_name in client.get(f"/tasks/{task.id}").get_data(as_text=True)

    officer.is_active = False
    db.session.commit()
    sign_in("director")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert officer.full_name not in page and "Nobody: ask a supervisor" in page

    officer.is_active = True
    db.session.commit()
    assert inbox(officer) == {REMEDIATE}
