"""`inspect deploy-bpmn` and process versions: unchanged files make no version, running cases stay on theirs."""

import json

import pytest
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import CaseStatus, ProcessDefinition, TaskState
from inspect_app.tasks import services
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.steps import NoteInput, ReviewInput
from tests.conftest import APP_BPMN

V1_TITLE, V2_TITLE = "Viết báo cáo", "Viết báo cáo (v2)"


@pytest.fixture
def bpmn_dir(tmp_path):
    """A folder holding a copy of app_review.bpmn, as an admin would keep bpmn/."""
    folder = tmp_path / "bpmn"
    folder.mkdir()
    (folder / "app_review.bpmn").write_bytes((APP_BPMN / "app_review.bpmn").read_bytes())
    return folder


@pytest.fixture
def deploy_dir(app):
    """Run `flask --app wsgi inspect deploy-bpmn DIR` and return the result."""
    return lambda folder: app.test_cli_runner().invoke(args=["inspect", "deploy-bpmn", str(folder)])


def make_v2(folder) -> None:
    path = folder / "app_review.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace(f'name="{V1_TITLE}"', f'name="{V2_TITLE}"'))


def versions() -> list[int]:
    db.session.expire_all()
    query = select(ProcessDefinition.version).where(ProcessDefinition.process_id == "app_review")
    return list(db.session.scalars(query.order_by(ProcessDefinition.version)))


def ready(case, bpmn_id=None):
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and (bpmn_id is None or t.bpmn_id == bpmn_id)]


def do(case, bpmn_id, user, data: StepInput):
    """Complete the case's one open task `bpmn_id` through the service and commit; return the task."""
    [task] = ready(case, bpmn_id)
    services.complete_task(task, actor=user, data=data)
    db.session.commit()
    return task


def test_deploy_a_directory_then_again_unchanged_then_changed(deploy_dir, bpmn_dir):
    first = deploy_dir(bpmn_dir)
    assert first.exit_code == 0, first.output
    assert "app_review.bpmn: deployed as app_review v1" in first.output
    assert versions() == [1]

    again = deploy_dir(bpmn_dir)
    assert again.exit_code == 0, again.output
    assert "app_review.bpmn: unchanged, still app_review v1" in again.output
    assert versions() == [1], "an unchanged file makes no new version"

    make_v2(bpmn_dir)
    changed = deploy_dir(bpmn_dir)
    assert changed.exit_code == 0, changed.output
    assert "app_review.bpmn: deployed as app_review v2" in changed.output
    assert versions() == [1, 2]


def test_a_bad_file_in_the_directory_deploys_nothing(deploy_dir, bpmn_dir):
    make_v2(bpmn_dir)
    (bpmn_dir / "zz_broken.bpmn").write_bytes(b"<bpmn:definitions")

    result = deploy_dir(bpmn_dir)

    assert result.exit_code == 1
    assert "zz_broken.bpmn: -: malformed XML" in result.output
    assert "zz_broken.bpmn was not deployed; nothing was changed." in result.output
    assert versions() == [], "the good file before it was not deployed either"


def test_a_running_case_stays_on_its_version_to_the_end(deploy_dir, bpmn_dir, start_case, people):
    deploy_dir(bpmn_dir)
    old = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    do(old, "visit", people["inspector"], NoteInput(note="Đã kiểm tra"))
    assert [t.title for t in ready(old)] == [V1_TITLE]

    make_v2(bpmn_dir)
    assert "deployed as app_review v2" in deploy_dir(bpmn_dir).output
    new = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])

    # The old case runs on v1 to its end, through a return loop that re-opens the report.
    do(old, "report", people["lead"], NoteInput(note="Báo cáo"))
    do(old, "review", people["director"], ReviewInput(decision="return", comment="Bổ sung"))
    assert [t.title for t in ready(old)] == [V1_TITLE]
    do(old, "report", people["lead"], NoteInput(note="Đã bổ sung"))
    do(old, "review", people["director"], ReviewInput(decision="approve"))
    db.session.expire_all()
    assert old.status == CaseStatus.CLOSED
    assert old.definition.version == 1
    assert {t.title for t in old.human_tasks if t.bpmn_id == "report"} == {V1_TITLE}

    assert new.definition.version == 2
    do(new, "visit", people["inspector"], NoteInput(note="Đã kiểm tra"))
    assert [t.title for t in ready(new)] == [V2_TITLE]


def test_the_spec_is_stored_once_per_version_not_in_each_case(deploy, start_case, people):
    definition = deploy()
    cases = [start_case(lead=people["lead"], members=[people["inspector"]]) for _ in range(3)]
    db.session.expire_all()

    assert db.session.scalar(select(func.count(ProcessDefinition.id))) == 1
    assert definition.spec, "the parsed spec lives with the version"
    for case in cases:
        assert case.definition_id == definition.id
        assert not {"spec", "subprocess_specs"} & set(case.workflow_state), "the case holds no copy of the spec"
        state = json.dumps(case.workflow_state, ensure_ascii=False)
        assert not any(name in state for name in ("Làm việc tại đơn vị", "Viết báo cáo", "Xem xét báo cáo"))
        # A case just started holds only its task tree and data: a few kilobytes, not the process definition.
        assert len(state) < 16_000, f"case state is {len(state)} bytes"
