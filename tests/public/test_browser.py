"""The public pages in headless Chromium on a phone: no console error (the CSP allows no
inline script, and there is none), nothing wider than the screen but the tables' own
scrolling boxes, the chart drawn; a screenshot of each for a reviewer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import launched_chromium
from tests.dashboard.conftest import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(os.environ.get("HAILONG_ARTIFACTS")
                 or Path(__file__).resolve().parents[2] / "test-artifacts")
PAGES = {"home": "/public/", "districts": "/public/units/district",
         "unit": "/public/unit/ST-H01", "service": "/public/service/land",
         "data": "/public/data"}


@pytest.fixture(scope="module")
def server(demo_db):
    from tests.public.conftest import new_app

    yield from serve(new_app(demo_db[0]))


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_fits_a_phone(server, browser, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    answer = page.goto(server + PAGES[name])
    assert answer.status == 200
    assert page.locator("h1").first.is_visible()
    # the page itself never scrolls sideways; a wide table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if name in ("home", "unit", "service"):
        assert page.locator("svg.trend circle.share").count() >= 2
    page.screenshot(path=str(ARTIFACTS / f"public-{name}-phone.png"), full_page=True)
    context.close()
    assert not [p for p in problems if "/favicon.ico" not in p], problems  # browsers ask
