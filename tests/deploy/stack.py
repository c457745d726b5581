"""Running deploy/ for real: its nginx configuration rendered into a temporary folder (pid, logs, temporary files
and the gunicorn socket there, nginx run as the current user), and gunicorn started with its configuration file."""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspect_app.core.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
# Debian installs nginx in /usr/sbin, which an ordinary user's PATH may leave out.
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
NEEDS_NGINX = pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx); .ci/run installs it")
# Where deploy/ expects things in production, and what the tests put there instead.
CHECKOUT = "/srv/inspect/"
GUNICORN_SOCKET = "unix:/run/inspect/gunicorn.sock"
STARTUP_SECONDS = 60


def render(template: Path, replacements: dict[str, str]) -> str:
    """The template's text with each production value replaced; each must be there, or the test would prove
    nothing about the file as shipped."""
    text = template.read_text()
    for old, new in replacements.items():
        assert old in text, f"{template.name} no longer contains {old!r}; update the test's rendering"
        text = text.replace(old, new)
    return text


def app_config(folder: Path, gunicorn_socket: Path) -> Path:
    """deploy/nginx/inspect-app.conf, serving this checkout's static files and proxying to `gunicorn_socket`."""
    rendered = folder / "inspect-app.conf"
    rendered.write_text(
        render(
            DEPLOY / "nginx" / "inspect-app.conf",
            {CHECKOUT: f"{PROJECT_ROOT}/", GUNICORN_SOCKET: f"unix:{gunicorn_socket}"},
        )
    )
    return rendered


def nginx_main_config(folder: Path, servers: str) -> Path:
    """An nginx.conf that keeps pid, logs and temporary files in `folder` and holds `servers` (server blocks)."""
    # As root, nginx would hand its workers to "nobody", who cannot enter pytest's private folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/css css; application/javascript js; image/svg+xml svg; }}
    default_type application/octet-stream;
    access_log {folder / "nginx-access.log"};
{temp_paths}
{servers}
}}
"""
    )
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """Start a server in its own process group (so that stopping it reaches its workers), output to `log`."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs
        )


def stop(process: subprocess.Popen, quick: signal.Signals) -> None:
    """Ask the server's process group to stop; kill it if it has not within 10 s."""
    if process.poll() is None:
        os.killpg(process.pid, quick)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Stack:
    url: str
    folder: Path

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.url.removeprefix("http://").split(":")
        return host, int(port)

    def gunicorn_access_log(self) -> str:
        return (self.folder / "gunicorn-access.log").read_text()


def gunicorn_environment(database_url: str, folder: Path) -> dict[str, str]:
    """The environment of the systemd unit (deploy/inspect.env.example), with the suite's database."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("INSPECT_")}
    environment.update(
        INSPECT_ENV="production",
        INSPECT_SECRET_KEY=os.urandom(32).hex(),
        INSPECT_DATABASE_URL=database_url,
        INSPECT_UPLOAD_DIR=str(folder / "uploads"),
        INSPECT_TRUSTED_PROXIES="1",
        INSPECT_LOG_LEVEL="WARNING",
    )
    return environment


def wait_until_healthy(url: str, processes: dict[str, tuple[subprocess.Popen, Path]]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for name, (process, log) in processes.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with status {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    logs = "\n".join(f"--- {name}:\n{log.read_text()[-2000:]}" for name, (_process, log) in processes.items())
    pytest.fail(f"/healthz did not answer through nginx within {STARTUP_SECONDS} s\n{logs}")
