"""Static files under URLs that change with their content, so that browsers may keep them for a year.

Every `url_for("static", filename=...)` carries `?v=` and the start of the file's SHA-256. An answer to such a URL is
marked immutable: a tablet loads a page's scripts and styles once per version, and an upgrade reaches it at once,
because the new page names new URLs. A URL without a version, or with an old one, is answered as before, to be
checked again each time. nginx does the same for the files it serves (deploy/nginx/inspect-app.conf)."""

import hashlib
import os
import stat
from functools import lru_cache

from flask import Flask, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
IMMUTABLE = "public, max-age=31536000, immutable"  # a year: the longest lifetime caches honour
DIGITS = 12  # of the hex digest: 48 bits, no two versions of a file collide in practice


def file_version(folder: str, filename: str) -> str | None:
    """The version of a file under `folder` (the start of its SHA-256), or None if there is no such file.

    The file is read once per process, and again only when its modification time or size changes (an edit while
    the development server runs)."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):  # a folder has no version
        return None
    return _digest(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=256)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:DIGITS]


def register(app: Flask) -> None:
    """Version every static URL the app writes, and let browsers keep the answers to versioned URLs."""

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and VERSION_ARG not in values:
            version = file_version(app.static_folder, values["filename"])
            if version:
                values[VERSION_ARG] = version

    @app.after_request
    def keep_versioned_files(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            version = request.args.get(VERSION_ARG)
            if version and version == file_version(app.static_folder, request.view_args["filename"]):
                response.headers["Cache-Control"] = IMMUTABLE
        return response
