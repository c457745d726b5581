"""`make demo` runs the web server and the worker as one foreground job (honcho and the Procfile): both start, Ctrl+C
stops both, and when one cannot run the other is stopped too."""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from inspect_app.core.config import PROJECT_ROOT

BIN = Path(sys.executable).parent
HONCHO = str(BIN / "honcho")
WAIT_SECONDS = 60  # a guard against a hang on busy cores, never a measure of speed


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """A migrated SQLite database of its own, as `make demo` has before it serves."""
    tmp_path = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "INSPECT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "INSPECT_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    migrate = [sys.executable, "-m", "flask", "--app", "wsgi", "inspect", "init-db"]
    subprocess.run(migrate, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=WAIT_SECONDS * 2)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Supervisor:
    """The Makefile's `honcho start` in a process group of its own, as a terminal's foreground job is."""

    def __init__(self, env, port: int):
        command = [HONCHO, "start", "--procfile", "Procfile", "--port", str(port)]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**env, "PATH": f"{BIN}{os.pathsep}{env['PATH']}", "INSPECT_DEMO_WORKER_INTERVAL": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        """The first line printed so far or from now on that holds `text` (the two processes print in any order)."""
        for line in self.seen:
            if text in line:
                return line
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"never printed {text!r}; printed:\n{''.join(self.seen)}")

    def ctrl_c(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT_SECONDS)


def pid_in(line: str) -> int:
    """The process id in honcho's "web.1 started (pid=1234)"."""
    return int(line.rsplit("pid=", 1)[1].rstrip(")\n"))


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def answers(port: int) -> int:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the web server never answered")


def test_the_demo_serves_and_runs_the_worker_until_ctrl_c(demo_env):
    port = free_port()
    demo = Supervisor(demo_env, port)
    try:
        web = pid_in(demo.wait_for("web.1 started"))
        worker = pid_in(demo.wait_for("worker.1 started"))
        demo.wait_for("Worker started")
        assert answers(port) == 200

        demo.ctrl_c()
        assert demo.process.wait(timeout=WAIT_SECONDS) == 128 + signal.SIGINT  # as a shell reports Ctrl+C
        demo.wait_for("Worker stopped.")  # finished its item and stopped by itself, not killed
        assert not is_running(web) and not is_running(worker)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)
    finally:
        demo.stop()


def test_when_the_web_server_cannot_start_the_worker_is_stopped_too(demo_env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        demo = Supervisor(demo_env, taken.getsockname()[1])
        try:
            worker = pid_in(demo.wait_for("worker.1 started"))
            demo.wait_for("web.1 stopped")
            assert demo.process.wait(timeout=WAIT_SECONDS) != 0
            assert not is_running(worker)
        finally:
            demo.stop()
