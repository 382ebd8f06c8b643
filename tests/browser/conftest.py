"""Browser tests: Debian's headless Chromium (never a Playwright download) against a real server."""

from __future__ import annotations

import os

import pytest

from tests import live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
# Short kiosk timers so that the reset paths run in seconds; the idle time leaves a loaded
# machine room to take the next step of a flow before the screen resets (at 2 s a busy CI
# run once reset the kiosk between two steps of the amend test).
KIOSK_CONFIG = {"KIOSK_IDLE_SECONDS": 5, "KIOSK_COUNTDOWN_SECONDS": 2,
                "KIOSK_THANKS_SECONDS": 1, "KIOSK_PRESS_INTERVAL_MS": 150}


def past_the_press_guard(page) -> None:
    """Let the kiosk's next press count: presses closer than KIOSK_PRESS_INTERVAL_MS are
    ignored, judged by Date.now(). The page's clock (`page.clock.install()` before the page
    loaded; it runs in real time otherwise) jumps past the interval, so a test never sleeps
    through it and a loaded machine cannot make the pause too short."""
    page.clock.fast_forward(KIOSK_CONFIG["KIOSK_PRESS_INTERVAL_MS"] + 1)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def launched_chromium():
    """Debian's headless Chromium for one fixture, closed with it; skips when it is missing.

    Playwright's sync API allows one instance at a time, so every browser fixture is scoped to
    its own package or module and ends before the next one starts (`yield from` this).
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


# Package scope: other browser tests (tests/dashboard) start their own after this package.
@pytest.fixture(scope="package")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    yield from live_server.start(tmp_path_factory.mktemp("live"), **KIOSK_CONFIG)


@pytest.fixture
def phone(browser, live):
    """A 360 px wide touch phone."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2, base_url=live.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def kiosk_page(browser, live):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=live.url)
    page = context.new_page()
    yield page
    context.close()
