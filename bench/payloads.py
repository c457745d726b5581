"""Benchmark: what the on-site screen costs to load on a tablet, without photos: its page and every script, style
sheet and icon it names, raw and compressed as a server would send them (gzip level 6, nginx's usual).

Run by hand: `.venv/bin/python bench/payloads.py [--user inspector]`
The demo province is loaded into a temporary SQLite file (about half a minute); the user signs in and opens the
on-site screen of the case they are inspecting today, as the tablet does. The goal in issue 15 is at most 100 KB
compressed. Fonts are the device's own (the app ships none), so they do not count.
"""

import argparse
import gzip
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.core.config import TestConfig  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.migrations import upgrade  # noqa: E402
from inspect_app.models import HumanTask, TaskState, User  # noqa: E402

DEMO_PASSWORD = "inspect-demo"
# Same-site files a page names: scripts, style sheets, icons and the manifest.
ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(/[^"]+)"')


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


def sizes(body: bytes) -> tuple[int, int]:
    return len(body), len(gzip.compress(body, compresslevel=6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="inspector")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print("loading the demo province…", flush=True)
        app = demo_app(workdir)
        url = onsite_url(app, args.user)
        client = app.test_client()
        signed_in = client.post("/login", data={"username": args.user, "password": DEMO_PASSWORD})
        if signed_in.status_code != 302:
            sys.exit(f"could not sign in as {args.user} ({signed_in.status_code})")
        page = client.get(url)
        if page.status_code != 200:
            sys.exit(f"{url} answered {page.status_code}")
        rows = [(url, *sizes(page.data))]
        for asset in dict.fromkeys(ASSET.findall(page.get_data(as_text=True))):
            answer = client.get(asset)
            if answer.status_code == 200:
                rows.append((asset, *sizes(answer.data)))
        width = max(len(name) for name, *_ in rows)
        print(f"\n| {'file':<{width}} | raw bytes | gzip bytes |\n|{'-' * (width + 2)}|----------:|-----------:|")
        for name, raw, packed in rows:
            print(f"| {name:<{width}} | {raw:>9,} | {packed:>10,} |")
        raw, packed = sum(row[1] for row in rows), sum(row[2] for row in rows)
        print(f"| {'total':<{width}} | {raw:>9,} | {packed:>10,} |")
        print(f"\n{packed / 1024:.1f} KB compressed (goal: at most 100 KB), {raw / 1024:.1f} KB raw; no photos.")


if __name__ == "__main__":
    main()
