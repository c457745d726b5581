"""Helpers shared by tests (fixtures live in conftest.py)."""

import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

PASSWORD = "correct horse battery"
THREAD_TIMEOUT = 60  # seconds; only guards against a hang, never asserted as a time
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ERROR_FLASH = re.compile(r'class="flash flash-error"[^>]*>([^<]+)<')


def stored_files(app) -> set[Path]:
    """Every file under the upload folder (to show that a refused upload left no bytes behind)."""
    return {path for path in Path(app.config["UPLOAD_DIR"]).rglob("*") if path.is_file()}


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the form at `path`, as a browser would read it."""
    page = client.get(path)
    assert page.status_code == 200, f"{path} answered {page.status_code}"
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def fresh_browser(client) -> None:
    """Forget the cookies, like a browser nobody has signed in on."""
    for cookie in ("session", "remember_token"):
        client.delete_cookie(cookie)


def post_login(client, username: str, password: str, **extra):
    """Sign in from a browser nobody has signed in on, as a person would: the form, then its POST."""
    fresh_browser(client)
    data = {"username": username, "password": password, "csrf_token": csrf_token(client), **extra}
    return client.post("/login", data=data)


def error_flash(response) -> str:
    """The error message the page shows the user."""
    match = ERROR_FLASH.search(response.get_data(as_text=True))
    assert match, "no error message shown"
    return match.group(1).strip()


class MovableClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        """Move forward by timedelta(**kwargs)."""
        self.now += timedelta(**kwargs)
        return self.now


def at_once(*calls: Callable[[], object]) -> list:
    """Run every call in a thread of its own, all released at the same moment; their results, in order.

    Fails the test if a call raises or hangs. A test client used from another thread has a database session of its
    own, so each call is a request of its own, as from another browser."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            results[index] = calls[index]()
        except Exception as exc:  # reported below, so a failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    assert not errors, errors
    return results


_CHAIN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="chain_definitions" targetNamespace="http://example.org/inspect">
  <bpmn:process id="chain" name="A long chain" isExecutable="true">
    <bpmn:laneSet id="chain_lanes"><bpmn:lane id="chain_lane" name="{lane}">{lane_refs}</bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    {steps}
    <bpmn:endEvent id="end"/>
    {flows}
  </bpmn:process>
</bpmn:definitions>
"""
_CHAIN_USER_TASK = """<bpmn:userTask id="{id}" name="Bước {index}"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="form" value="{form}"/></spiffworkflow:properties></bpmn:extensionElements>
</bpmn:userTask>"""
_CHAIN_SCRIPT_TASK = """<bpmn:scriptTask id="{id}" name="Step {index}"><bpmn:script>count = count + 1</bpmn:script>
</bpmn:scriptTask>"""


def chain_bpmn(kinds: list[str], lane: str = "lead", form: str = "decide") -> bytes:
    """A linear process, start to end, one step per kind: "script" adds 1 to `count`; "user" asks the lane."""
    ids = [f"step_{index}" for index in range(len(kinds))]
    templates = {"script": _CHAIN_SCRIPT_TASK, "user": _CHAIN_USER_TASK}
    steps = [templates[kind].format(id=f"step_{index}", index=index, form=form) for index, kind in enumerate(kinds)]
    path = ["start", *ids, "end"]
    return _CHAIN.format(
        lane=lane,
        lane_refs="".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in path),
        steps="\n".join(steps),
        flows="\n".join(f'<bpmn:sequenceFlow id="to_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in pairwise(path)),
    ).encode()
