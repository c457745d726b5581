"""Helpers shared by tests (fixtures live in conftest.py)."""

import re
from datetime import datetime, timedelta
from pathlib import Path

PASSWORD = "correct horse battery"
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
