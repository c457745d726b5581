"""Deploying starts the process on trial, with sample data, up to its first wait; a process that would stop every new
case there is refused naming the element, and nothing is stored. Timers are held to INSPECT_MAX_TIMER_DURATION."""

import html
import io

import pytest
from sqlalchemy import func, select

from inspect_app import ConfigurationError, create_app
from inspect_app.core.config import PROJECT_ROOT
from inspect_app.core.extensions import db
from inspect_app.models import Case, ProcessDefinition, Role, TaskState
from inspect_app.tasks import services
from inspect_app.tasks.steps import NoteInput
from inspect_app.workflow_bridge import validate_definition
from tests.conftest import APP_BPMN
from tests.helpers import chain_bpmn, csrf_token, error_flash

INDEX = "/admin/processes/"
SCRIPT_FIRST = chain_bpmn(["script", "user"], form="note").replace(b"count = count + 1", b"summary = 'x' * 99999999999")
SCRIPT_FIRST_LINE = (
    'script_first.bpmn: step_0 ("Step 0"): a trial start with sample data stopped here, so every new case would stop '
    "too: script refused: the repetition would hold at least 99,999,999,999 characters or items; the limit is "
    "100,000"
)
NO_WAY_ON = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="no_way_on_definitions" targetNamespace="http://example.org/inspect">
  <bpmn:process id="no_way_on" name="Announced inspections only" isExecutable="true">
    <bpmn:laneSet id="no_way_on_lanes">
      <bpmn:lane id="lane_lead" name="lead">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>announced_only</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>plan</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:exclusiveGateway id="announced_only" name="Announced?"/>
    <bpmn:userTask id="plan" name="Lập kế hoạch">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="form" value="note"/></spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="done"/>
    <bpmn:sequenceFlow id="to_gateway" sourceRef="start" targetRef="announced_only"/>
    <bpmn:sequenceFlow id="to_plan" sourceRef="announced_only" targetRef="plan">
      <bpmn:conditionExpression>announced == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_done" sourceRef="plan" targetRef="done"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def upload(client, content: bytes, filename: str):
    """Post a file through the upload form, as the browser does."""
    data = {"csrf_token": csrf_token(client, INDEX), "bpmn_file": (io.BytesIO(content), filename)}
    return client.post(INDEX, data=data, content_type="multipart/form-data")


def nothing_stored() -> bool:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(ProcessDefinition.id))) == 0
        and db.session.scalar(select(func.count(Case.id))) == 0
    )


@pytest.fixture
def cli(app):
    """Run `inspect <args>` and return the result."""
    return lambda *args: app.test_cli_runner().invoke(args=["inspect", *map(str, args)])


def test_an_upload_whose_first_script_fails_is_refused_naming_the_script_and_stores_nothing(client, admin):
    response = upload(client, SCRIPT_FIRST, "script_first.bpmn")

    assert response.status_code == 422
    assert error_flash(response) == "script_first.bpmn was not deployed."
    assert SCRIPT_FIRST_LINE in html.unescape(response.get_data(as_text=True))
    assert nothing_stored()


def test_a_gateway_with_no_way_on_for_the_sample_data_is_refused_naming_the_gateway(client, admin):
    response = upload(client, NO_WAY_ON, "no_way_on.bpmn")

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert 'no_way_on.bpmn: announced_only ("Announced?"): a trial start with sample data stopped here' in page
    assert nothing_stored()


def test_a_script_reading_data_no_case_starts_with_is_refused(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        [line] = validate_definition(chain_bpmn(["script", "user"], form="note"), "chain.bpmn")

    assert line.startswith('chain.bpmn: step_0 ("Step 0"): a trial start with sample data stopped here')
    assert "NameError: name 'count' is not defined" in line


def test_deploy_bpmn_refuses_the_same_way_and_changes_nothing(cli, tmp_path):
    (tmp_path / "app_review.bpmn").write_bytes((APP_BPMN / "app_review.bpmn").read_bytes())
    (tmp_path / "script_first.bpmn").write_bytes(SCRIPT_FIRST)

    result = cli("deploy-bpmn", tmp_path)

    assert result.exit_code == 1
    assert 'script_first.bpmn: step_0 ("Step 0"): ' in result.output
    assert "the repetition would hold at least 99,999,999,999 characters" in result.output
    assert "script_first.bpmn was not deployed; nothing was changed." in result.output
    assert nothing_stored(), "the good file before it was not deployed either"


def test_validate_bpmn_makes_the_trial_start_too(cli, tmp_path):
    path = tmp_path / "script_first.bpmn"
    path.write_bytes(SCRIPT_FIRST)

    result = cli("validate-bpmn", path)

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith('script_first.bpmn: step_0 ("Step 0"): ')


def test_the_shipped_processes_pass_their_trial_start_and_deploy(cli):
    shipped = sorted((PROJECT_ROOT / "bpmn").glob("*.bpmn"))
    assert len(shipped) == 2

    assert cli("validate-bpmn", *shipped, *sorted(APP_BPMN.glob("*.bpmn"))).exit_code == 0
    deployed = cli("deploy-bpmn", PROJECT_ROOT / "bpmn")
    assert deployed.exit_code == 0, deployed.output
    assert "par_appraisal.bpmn: deployed as par_appraisal v1" in deployed.output
    assert "public_service_inspection.bpmn: deployed as public_service_inspection v1" in deployed.output


def test_a_chain_of_500_user_tasks_deploys_and_a_case_runs_on_it(deploy, start_case, create_user):
    lead = create_user("lead", Role.LEAD, Role.INSPECTOR, language="en")
    deploy("chain.bpmn", xml=chain_bpmn(["user"] * 500, form="note"))
    case = start_case("chain", lead=lead, actor=lead)

    for step in ("step_0", "step_1"):
        [task] = [task for task in case.human_tasks if task.state == TaskState.READY]
        assert task.bpmn_id == step
        services.complete_task(task, actor=lead, data=NoteInput(note="Xong"))
        db.session.commit()
        db.session.expire_all()

    assert [task.bpmn_id for task in case.human_tasks if task.state == TaskState.READY] == ["step_2"]


def test_the_timer_limit_is_a_setting(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_TIMER_DURATION", "P7D")

    response = upload(client, (APP_BPMN / "app_review.bpmn").read_bytes(), "app_review.bpmn")

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert 'app_review.bpmn: report_late ("10 days"): timer: "P10D" goes beyond P7D, the longest timer allowed' in page
    assert nothing_stored()


@pytest.mark.parametrize("setting", ["5 years", "P999Y"])
def test_a_timer_limit_that_is_not_a_duration_of_at_most_100_years_stops_the_app(tmp_path, setting):
    with pytest.raises(ConfigurationError, match="INSPECT_MAX_TIMER_DURATION must be an ISO 8601 duration"):
        create_app({"MAX_TIMER_DURATION": setting, "UPLOAD_DIR": str(tmp_path)})


def test_ids_and_names_longer_than_the_app_stores_are_refused_naming_the_element(app, client, admin):
    xml = chain_bpmn(["user"], form="note").replace('name="Bước 0"'.encode(), f'name="{"Đ" * 201}"'.encode())
    xml = xml.replace(b"step_0", b"s" * 101)

    response = upload(client, xml, "long.bpmn")

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert f"long.bpmn: {'s' * 60}…: the id is longer than 100 characters" in page
    assert f"long.bpmn: {'s' * 60}…: the name is longer than 200 characters" in page
    assert nothing_stored()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert validate_definition(chain_bpmn(["user"], form="note"), "x" * 201 + ".bpmn") == [
            f"{'x' * 201}.bpmn: the file name is longer than 200 characters"
        ]
