"""The production stack of deploy/ run for real: Debian's nginx in front of gunicorn (deploy/gunicorn.conf.py,
2 synchronous workers) serving the app on the suite's migrated database."""

import signal
import sys
from collections.abc import Iterator

import pytest

from tests.deploy.stack import (
    DEPLOY,
    NGINX,
    PROJECT_ROOT,
    Stack,
    app_config,
    free_port,
    gunicorn_environment,
    nginx_main_config,
    start,
    stop,
    wait_until_healthy,
)


@pytest.fixture(scope="module")
def stack(app, database_url, tmp_path_factory) -> Iterator[Stack]:
    """nginx on a free loopback port, proxying to gunicorn with 2 synchronous workers on a unix socket."""
    pytest.importorskip("gunicorn")
    folder = tmp_path_factory.mktemp("stack")
    gunicorn_socket = folder / "gunicorn.sock"
    url = f"http://127.0.0.1:{free_port()}"
    server = f"server {{ listen {url.removeprefix('http://')}; include {app_config(folder, gunicorn_socket)}; }}"
    config = nginx_main_config(folder, server)

    gunicorn_log, nginx_log = folder / "gunicorn.log", folder / "nginx.log"
    gunicorn = start(
        [
            sys.executable, "-m", "gunicorn",
            "--config", str(DEPLOY / "gunicorn.conf.py"),
            "--workers", "2",
            "--bind", f"unix:{gunicorn_socket}",
            "--access-logfile", str(folder / "gunicorn-access.log"),
            "wsgi:app",
        ],
        gunicorn_log,
        cwd=PROJECT_ROOT,
        env=gunicorn_environment(database_url, folder),
    )  # fmt: skip
    nginx = start([NGINX, "-e", "stderr", "-p", str(folder), "-c", str(config), "-g", "daemon off;"], nginx_log)
    try:
        wait_until_healthy(url, {"gunicorn": (gunicorn, gunicorn_log), "nginx": (nginx, nginx_log)})
        yield Stack(url=url, folder=folder)
    finally:
        stop(nginx, signal.SIGTERM)  # nginx: fast shutdown
        stop(gunicorn, signal.SIGINT)  # gunicorn: quick shutdown (SIGTERM would wait for requests in hand)
