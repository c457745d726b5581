"""A real browser (Debian's Chromium driven by Playwright) against the app served from a thread of the test process."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The probe's flags: headless as root, and no background traffic to hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="needs Debian's Chromium (apt-get install chromium); .ci/run installs it")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Two test workers and Chromium share two cores in CI: waits are guards against a hang, never a measure of speed.
WAIT_MS = 20_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def open_page(browser, server_url):
    """A new page of the given viewport size that records every request leaving this machine.

    Every page the test opens must keep to the Content-Security-Policy: a violation (an inline script or handler
    the browser refused) fails the test when it ends."""
    contexts, violations = [], []

    def open_(width: int = 768, height: int = 1024, locale: str = "vi-VN", touch: bool = False):
        # touch: a touch screen, as a tablet has (CSS `pointer: coarse`, taps)
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, has_touch=touch)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.external_requests = []
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith((server_url, "data:")) else page.external_requests.append(request.url)
            ),
        )
        page.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.base_url = server_url
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not violations, f"the page broke the Content-Security-Policy: {violations}"


def save_screenshot(page, name: str) -> None:
    """Keep a picture of the screen for people reviewing the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
