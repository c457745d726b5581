"""A process's names (tasks, lanes, gateways, flows, the process) come from the case's own version, in the reader's
language, on every page that shows them: inbox, task page, case page and its diagram, completion message, e-mail."""

import re
from html import unescape
from pathlib import Path

from flask_babel import force_locale

from inspect_app.core.extensions import db
from inspect_app.models import Notification
from inspect_app.notifications.mail import build_message
from tests.inspections.conftest import open_task
from tests.inspections.test_paths import plan
from tests.notifications.test_triggers import to_remediation

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "bpmn" / "public_service_inspection.bpmn").read_text(encoding="utf-8")

PLAN_VI, PLAN_EN = "Lập kế hoạch kiểm tra và thông báo cho đơn vị", "Plan the inspection and notify the unit"
# Every English name of the shipped inspection process, none of which a Vietnamese reader should meet.
ENGLISH = set(re.findall(r'name="name:en" value="([^"]+)"', SHIPPED))


def speaks(user, language: str) -> None:
    user.language, user.email = language, f"{user.username}@example.org"
    db.session.commit()


def text_of(response) -> str:
    """The page's visible text (tags dropped, entities decoded, whitespace collapsed)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def english_names_in(text: str) -> set[str]:
    # Short names ("Yes", "Close") are whole words of longer English text: match whole words only.
    return {name for name in ENGLISH if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)}


def test_a_task_reads_in_the_users_language_on_the_inbox_task_and_case_pages(client, sign_in, decide, people):
    case = decide()
    task = open_task(case, "plan")

    speaks(people["lead"], "vi")
    sign_in("lead")
    inbox, task_page, case_page = (
        text_of(client.get(url)) for url in ("/tasks/", f"/tasks/{task.id}", f"/cases/{case.id}")
    )
    for page in (inbox, task_page, case_page):
        assert PLAN_VI in page and "Trưởng đoàn" in page
        assert english_names_in(page) == set()
    # The diagram: the process, its lanes, gateways and flows, all in Vietnamese.
    for name in ("Kiểm tra công vụ v1", "Đoàn kiểm tra", "Đơn vị được kiểm tra", "Kết luận được phê duyệt?", "Trả lại"):
        assert name in case_page

    speaks(people["lead"], "en")
    sign_in("lead")
    case_page = text_of(client.get(f"/cases/{case.id}"))
    assert PLAN_EN in text_of(client.get("/tasks/")) and PLAN_EN in case_page
    assert "Public-service inspection v1" in case_page and "Approved?" in case_page and "Inspection team" in case_page


def test_the_completion_message_names_the_task_in_the_users_language(client, act, decide, people):
    case = decide()
    speaks(people["lead"], "vi")
    task = open_task(case, "plan")

    data = {"schedule_note": "Sáng 1/12"}
    response = act("lead", f"/tasks/{task.id}", data, page=f"/tasks/{task.id}", follow_redirects=True)

    assert f"Đã xong: {PLAN_VI}." in text_of(response)


def test_a_task_e_mail_names_the_task_in_the_recipients_language(decide, people, do_task):
    case = decide()
    plan(do_task, case)
    speaks(people["inspector"], "vi")
    speaks(people["lead"], "en")
    notices = db.session.scalars(db.select(Notification).where(Notification.case_id == case.id)).all()
    by_user = {notice.user.username: notice for notice in notices if notice.params.get("task_id")}

    with force_locale("en"):  # whatever the sender's language, each recipient reads their own
        assert "Kiểm tra tại đơn vị" in build_message(by_user["inspector"]).get_content()
    with force_locale("vi"):
        assert PLAN_EN in build_message(by_user["lead"]).get_content()


def test_a_running_case_keeps_the_names_of_the_version_it_started_on(client, sign_in, deploy, decide, people):
    speaks(people["lead"], "vi")
    running = decide()
    renamed = SHIPPED.replace(f'name="{PLAN_VI}"', 'name="Lập kế hoạch kiểm tra (mẫu mới)"')
    deploy("public_service_inspection.bpmn", xml=renamed.encode("utf-8"))
    started_later = decide()

    sign_in("lead")
    assert PLAN_VI in text_of(client.get(f"/tasks/{open_task(running, 'plan').id}"))
    later = text_of(client.get(f"/tasks/{open_task(started_later, 'plan').id}"))
    assert "Lập kế hoạch kiểm tra (mẫu mới)" in later and PLAN_VI not in later


def test_a_remediation_deadline_reads_the_same_on_the_task_and_on_its_finding(
    client, sign_in, act, do_task, decide, people
):
    """The task is due when the deadline passes (midnight after its last day), the finding is due on its last day:
    both say that day."""
    case, finding = to_remediation(act, do_task, decide, people)
    speaks(people["officer"], "vi")
    db.session.refresh(finding)
    last_day = f"hạn {finding.deadline:%d/%m/%Y}"

    sign_in("officer")
    for url in ("/tasks/", "/", f"/cases/{case.id}"):
        assert last_day in text_of(client.get(url)), url
    assert f"Thời hạn {finding.deadline:%d/%m/%Y}" in text_of(client.get(f"/inspections/findings/{finding.id}"))
