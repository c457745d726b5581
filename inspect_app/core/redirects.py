"""Where to send the user after a form."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next_url(target: str | None) -> str:
    """`target` if it is a path on this site, else the dashboard (an absolute URL would be an open redirect; so would
    a backslash, which browsers read as a slash: `/\\evil.example`)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.dashboard")
