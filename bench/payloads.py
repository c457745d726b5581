"""Benchmark: what the on-site screen costs a tablet. Its page and every script, style sheet and icon it names, raw and
as nginx sends them (deploy/nginx/inspect-app.conf: gzip level 6 for pages, scripts, styles and SVG; PNG and ICO as
they are), with how long a browser may keep each; then, in Debian's Chromium, how many requests a first and a second
visit make, and how big camera photos are once the screen has downscaled them.

Run by hand: `.venv/bin/python bench/payloads.py [--user inspector]`
The demo province is loaded into a temporary SQLite file (about half a minute); the user signs in and opens the
on-site screen of the case they are inspecting today, as the tablet does. Goals in issue 15: the screen at most
100 KB compressed without photos, a photo at most 400 KB (400,000 bytes) after downscaling. Fonts are the device's
own (the app ships none), so they do not count. The Chromium part is skipped when Chromium or Playwright is missing.
"""

import argparse
import gzip
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.core.config import TestConfig  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.migrations import upgrade  # noqa: E402
from inspect_app.evidence.storage import stored_path  # noqa: E402
from inspect_app.models import Finding, HumanTask, TaskState, User  # noqa: E402

DEMO_PASSWORD = "inspect-demo"
# Same-site files a page names: scripts, style sheets, icons and the manifest.
ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(/[^"]+)"')
# What deploy/nginx/inspect-app.conf compresses (text/html always); the app says text/javascript where nginx's
# mime.types says application/javascript.
COMPRESSED = {"text/html", "text/css", "application/javascript", "text/javascript", "image/svg+xml", "application/json"}
PHOTOS = [("daylight grain", 12), ("dim-light grain", 40), ("random pixels (worst case)", None)]
FINDING_TITLE = "Bench: camera photos downscaled on the tablet"


def demo_app(workdir: str):
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite3",
        "UPLOAD_DIR": f"{workdir}/uploads",
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["inspect", "demo"])
        if result.exit_code != 0:
            sys.exit(result.output)
    return app


def onsite_url(app, username: str) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        tasks = db.session.scalars(
            select(HumanTask).where(HumanTask.bpmn_id == "onsite", HumanTask.state == TaskState.READY)
        )
        task = next((task for task in tasks if task.can_complete(user)), None)
        if task is None:
            sys.exit(f"{username} has no on-site task in the demo")
        return f"/inspections/{task.case_id}/onsite"


def sent_size(answer) -> int:
    """The body's size as nginx sends it to a browser that accepts gzip."""
    if answer.mimetype in COMPRESSED:
        return len(gzip.compress(answer.data, compresslevel=6))
    return len(answer.data)


def kept_for(answer) -> str:
    """How long a browser may use its copy without asking the server again."""
    cache = answer.cache_control
    if cache.no_store:
        return "never kept"
    if cache.no_cache or not cache.max_age:
        return "asked again each time"
    if cache.immutable:
        return f"{cache.max_age // 86400} days, immutable"
    return f"{cache.max_age // 3600} h"


def table(headers: list[str], rows: list[list], right: set[int]) -> str:
    """A Markdown table to paste into a note; the columns in `right` are numbers, aligned right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells) -> str:
        aligned = [
            f"{c:>{w}}" if i in right else f"{c:<{w}}" for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(aligned) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *map(line, rows)])


def page_and_files(app, url: str, username: str) -> None:
    client = app.test_client()
    signed_in = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    if signed_in.status_code != 302:
        sys.exit(f"could not sign in as {username} ({signed_in.status_code})")
    page = client.get(url)
    if page.status_code != 200:
        sys.exit(f"{url} answered {page.status_code}")
    answers = [(url, page)]
    for asset in dict.fromkeys(ASSET.findall(page.get_data(as_text=True))):
        answer = client.get(asset)
        if answer.status_code == 200:
            answers.append((asset, answer))
    rows = [[name, f"{len(a.data):,}", f"{sent_size(a):,}", kept_for(a)] for name, a in answers]
    raw, sent = sum(len(a.data) for _, a in answers), sum(sent_size(a) for _, a in answers)
    rows.append(["total", f"{raw:,}", f"{sent:,}", ""])
    print("\n" + table(["file", "raw bytes", "sent bytes", "kept by the browser"], rows, right={1, 2}))
    print(f"\n{sent / 1024:.1f} KB as sent (goal: at most 100 KB), {raw / 1024:.1f} KB raw; no photos.")


def in_chromium(app, url: str, username: str, workdir: str) -> None:
    """Two visits to the on-site screen and three camera photos, in Debian's Chromium against the app on loopback."""
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
        from tests.photos import noisy_camera_photo
    except ImportError as error:
        print(f"\nChromium part skipped: {error}")
        return
    if CHROMIUM is None or shutil.which(CHROMIUM) is None:
        print("\nChromium part skipped: no Chromium (apt-get install chromium)")
        return
    requested: list[str] = []
    serve = app.wsgi_app

    def record(environ, start_response):
        requested.append(environ["PATH_INFO"])
        return serve(environ, start_response)

    app.wsgi_app = record
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    photos = [
        (name, noisy_camera_photo(Path(workdir) / f"photo-{n}.jpg", grain)) for n, (name, grain) in enumerate(PHOTOS)
    ]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 768, "height": 1024}).new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{base}/login")
            page.locator("input[name=username]").fill(username)
            page.locator("input[name=password]").fill(DEMO_PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda address: "/login" not in address)
            visits = []
            for visit in ("first (empty cache)", "second"):
                page.goto(f"{base}/")
                if visit != "second":  # as if the dashboard and sign-in pages had not filled the cache
                    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
                requested.clear()
                page.goto(f"{base}{url}")
                page.wait_for_selector("#onsite[data-ready=true]")
                visits.append((visit, list(requested)))
            stored = take_photos(app, page, [path for _, path in photos])
            browser.close()
    finally:
        server.shutdown()
        app.wsgi_app = serve

    rows = []
    for visit, paths in visits:
        static = [path for path in paths if path.startswith("/static/")]
        rows.append([visit, len(paths), len(static), ", ".join(path.rsplit("/", 1)[-1] for path in static) or "none"])
    print("\nChromium, 768×1024, the on-site screen opened from the dashboard (served by Flask, as in `make demo`):\n")
    print(table(["visit", "requests", "static files asked for", "which"], rows, right={1, 2}))
    rows = [
        [name, f"{path.stat().st_size:,}", f"{size:,}", f"{width}×{height}"]
        for (name, path), (size, width, height) in zip(photos, stored, strict=True)
    ]
    print("\nA 4000×3000 camera JPEG (quality 92) added to a finding on the on-site screen, as stored by the server:\n")
    print(table(["photo", "original bytes", "sent bytes", "sent pixels"], rows, right={1, 2}))
    print(f"\nlargest photo sent: {max(size for size, *_ in stored):,} bytes (goal: at most 400,000)")


def take_photos(app, page, paths: list[Path]) -> list[tuple[int, int, int]]:
    """Raise a finding with the photos on the on-site screen; each stored file's size, width and height."""
    from PIL import Image

    form = page.locator("#finding-form")
    form.locator("[name=title]").fill(FINDING_TITLE)
    form.locator("[name=description]").fill("Photos of a notice board, to measure their size")
    form.locator("[name=severity]").select_option("minor")
    form.locator("[name=remediation_required]").fill("None")
    for count, path in enumerate(paths, start=1):
        page.locator("#photos").set_input_files(str(path))
        page.locator("#draft-photos .thumb").nth(count - 1).wait_for()
    form.locator("button[type=submit]").click()
    saved = page.locator("#finding-list .finding", has_text=FINDING_TITLE).locator(".thumb[data-state=saved]")
    saved.nth(len(paths) - 1).wait_for()
    with app.app_context():
        finding = db.session.scalar(select(Finding).where(Finding.title == FINDING_TITLE))
        stored = []
        for file in sorted(finding.files, key=lambda file: file.id):
            with Image.open(stored_path(file.sha256)) as image:
                stored.append((stored_path(file.sha256).stat().st_size, *image.size))
        return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="inspector")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print("loading the demo province…", flush=True)
        app = demo_app(workdir)
        url = onsite_url(app, args.user)
        page_and_files(app, url, args.user)
        in_chromium(app, url, args.user, workdir)


if __name__ == "__main__":
    main()
