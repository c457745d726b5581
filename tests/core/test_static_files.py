"""A page names each static file by its content, so a browser keeps it for a year and fetches a new version at once."""

import hashlib
import re
from pathlib import Path

from flask import url_for

from inspect_app.core.static_files import IMMUTABLE

STATIC = Path(__file__).resolve().parents[2] / "inspect_app" / "static"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]*)"')


def version_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_every_static_url_a_page_names_carries_the_files_version(client):
    urls = STATIC_URL.findall(client.get("/login").get_data(as_text=True))
    assert "/static/css/app.css" in {url.split("?")[0] for url in urls}
    for url in urls:
        path, _, query = url.partition("?")
        assert query == f"v={version_of(STATIC / path.removeprefix('/static/'))}", url


def test_a_versioned_file_may_be_kept_a_year_and_an_unversioned_one_is_checked_each_time(app, client):
    with app.test_request_context():
        versioned = url_for("static", filename="js/onsite.js")
    first = client.get(versioned)
    assert first.status_code == 200 and first.headers["Cache-Control"] == IMMUTABLE
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(versioned, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == IMMUTABLE

    unversioned = client.get("/static/js/onsite.js")
    assert unversioned.status_code == 200 and unversioned.headers["Cache-Control"] == "no-cache"
    assert unversioned.data == first.data


def test_a_changed_file_gets_a_new_url_and_the_old_one_is_no_longer_kept(app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    script = tmp_path / "tool.js"
    script.write_text("console.log(1);")
    with app.test_request_context():
        old = url_for("static", filename="tool.js")
        script.write_text("console.log('version 2');")
        new = url_for("static", filename="tool.js")
    assert old != new and new == f"/static/tool.js?v={version_of(script)}"

    assert client.get(new).headers["Cache-Control"] == IMMUTABLE
    stale = client.get(old)
    assert stale.data == b"console.log('version 2');" and stale.headers["Cache-Control"] == "no-cache", (
        "an old page's URL answers the current file, which must not be kept for a year under the old name"
    )


def test_a_missing_file_has_no_version_and_is_not_found(app, client):
    with app.test_request_context():
        url = url_for("static", filename="js/no-such-file.js")
        assert url_for("static", filename="js") == "/static/js", "a folder"
    assert url == "/static/js/no-such-file.js"
    missing = client.get(f"{url}?v=0123456789ab")
    assert missing.status_code == 404 and missing.headers.get("Cache-Control") != IMMUTABLE
    assert client.get("/static/../wsgi.py?v=0123456789ab").status_code == 404
