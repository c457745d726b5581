"""Behind deploy/'s nginx, slow and stalled clients cannot starve gunicorn's 2 synchronous workers.

Without nginx, two half-sent requests hold both workers and /healthz stops answering (issue 9). Here 50 clients
keep a request half-sent for 30 s, and /healthz must answer within its 1 s timeout every second meanwhile."""

import contextlib
import gzip
import http.client
import json
import re
import select
import socket
import time
import urllib.request

import pytest

from tests.deploy.stack import NEEDS_NGINX, PROJECT_ROOT

pytestmark = [NEEDS_NGINX, pytest.mark.long]

SLOW_CLIENTS = 50
SECONDS = 30
HEALTH_TIMEOUT = 1  # seconds: a load balancer's health check gives up after this


class SlowClient:
    """A connection that sends the start of a request, then one more piece each second, and never finishes it.

    If the server drops it (nginx does, once a client's headers take longer than client_header_timeout), it
    connects again, so that the server always has it to wait for."""

    def __init__(self, address: tuple[str, int], start: bytes, piece: bytes):
        self.address, self.start, self.piece = address, start, piece
        self.dropped = 0
        self._connect()

    def _connect(self) -> None:
        self.connection = socket.create_connection(self.address, timeout=5)
        self.connection.sendall(self.start)

    def send_a_piece(self) -> None:
        if self._dropped_by_server():
            self.connection.close()
            self.dropped += 1
            self._connect()
        else:
            self.connection.sendall(self.piece)

    def _dropped_by_server(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        with contextlib.suppress(OSError):
            self.connection.recv(4096)  # end of stream, or the server's 408 before it closes
        return True

    def close(self) -> None:
        self.connection.close()


def trickled_headers(address) -> SlowClient:
    return SlowClient(address, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", b"X-Slow: 1\r\n")


def trickled_body(address) -> SlowClient:
    headers = (
        b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    return SlowClient(address, headers, b"a")


def health_failure(url: str) -> str | None:
    """None if /healthz answers 200 "ok" within HEALTH_TIMEOUT, else what went wrong."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=HEALTH_TIMEOUT) as answer:
            body = json.loads(answer.read())
            return None if answer.status == 200 and body["status"] == "ok" else f"{answer.status} {body}"
    except OSError as error:
        return repr(error)


def test_healthz_keeps_answering_while_50_clients_send_requests_slowly(stack):
    clients = [(trickled_headers if n % 2 else trickled_body)(stack.address) for n in range(SLOW_CLIENTS)]
    failures = []
    try:
        for second in range(SECONDS):
            tick = time.monotonic()
            for client in clients:
                client.send_a_piece()
            if failure := health_failure(stack.url):
                failures.append(f"second {second}: {failure}")
            time.sleep(max(0.0, 1 - (time.monotonic() - tick)))
    finally:
        for client in clients:
            client.close()

    assert failures == [], f"/healthz failed {len(failures)} of {SECONDS} times under {SLOW_CLIENTS} slow clients"
    # The 25 trickled bodies were held half-sent for the whole time: the stall was real, not refused at once.
    assert [client.dropped for client in clients[::2]] == [0] * (SLOW_CLIENTS // 2)


def get(url: str, gzip_ok: bool = False) -> tuple[http.client.HTTPResponse, bytes]:
    """The answer and its body as sent (compressed if it was), asking for gzip if `gzip_ok`."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer, answer.read()


def test_static_files_come_from_nginx_versioned_ones_kept_a_year_and_compressed(stack):
    static = PROJECT_ROOT / "inspect_app" / "static"
    _, page = get(f"{stack.url}/login")
    named = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.decode())
    for name in ("css/app.css", "js/menu.js"):
        [url] = [url for url in named if url.startswith(f"/static/{name}?v=")]
        answer, body = get(f"{stack.url}{url}", gzip_ok=True)
        assert answer.headers["Content-Encoding"] == "gzip" and len(body) < (static / name).stat().st_size / 2
        assert gzip.decompress(body) == (static / name).read_bytes()
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"

    # Without a version (an old bookmark, a hand-typed URL): an hour, then asked again.
    answer, body = get(f"{stack.url}/static/css/app.css")
    assert body == (static / "css" / "app.css").read_bytes() and "Content-Encoding" not in answer.headers
    assert answer.headers["Cache-Control"] == "max-age=3600"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"

    # The app's pages are compressed too, and keep the app's own headers.
    answer, body = get(f"{stack.url}/login", gzip_ok=True)
    assert answer.headers["Content-Encoding"] == "gzip" and b"<form" in gzip.decompress(body)
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]

    log = stack.gunicorn_access_log()
    assert "GET /login" in log, "the app's requests reach gunicorn"
    assert "/static/" not in log, "static files never reach gunicorn"
    # nginx tells the app who the client is (X-Forwarded-For, logged first on each line).
    assert log.splitlines()[-1].startswith("127.0.0.1 ")


def test_a_body_over_the_upload_cap_is_refused_by_nginx_before_it_is_sent(stack):
    from inspect_app.core.config import Config

    connection = http.client.HTTPConnection(*stack.address, timeout=5)
    try:
        connection.putrequest("POST", "/login")
        connection.putheader("Content-Length", str(Config.MAX_CONTENT_LENGTH + 1))
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()
    assert "POST /login" not in stack.gunicorn_access_log()
