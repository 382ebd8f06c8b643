"""Every dashboard page in headless Chromium: no console errors, the traces, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import launched_chromium
from tests.dashboard.conftest import serve, signed_in_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("HAILONG_ARTIFACTS")
                 or Path(__file__).resolve().parents[2] / "test-artifacts")
# page, chart id -> expected number of points in its first trace (None: at least one;
# SHOWN: one per element of the table that is not suppressed, for the one year shown)
SHOWN = "shown"
PAGES = {
    "overview": ("/dashboard/", {"trend": 5, "elements": SHOWN, "quadrant": None}),
    "service": ("/dashboard/service/land", {"trend": 5, "elements": SHOWN}),
    "unit": ("/dashboard/unit/ST-H01", {"trend": 5}),
    "league": ("/dashboard/league?at=district", {"funnel": None}),
    "ratings": ("/dashboard/ratings", {"ratings": 5}),
    "crosstab": ("/dashboard/crosstab?row=sex&column=year", {}),
    "comments": ("/dashboard/comments", {}),
    "report": ("/dashboard/report", {}),
    "records": ("/records/", {}),
    "appendix": ("/records/appendix?year=2025", {}),
    "procedures": ("/records/procedures", {}),
}


@pytest.fixture(scope="module")
def server(demo):
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    yield from serve(demo[0])


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def signed_in(server, browser):
    """An analyst's cookies, logged in once for all pages and viewports."""
    return signed_in_state(browser, server)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_draws_its_charts(server, browser, signed_in, name):
    url, charts = PAGES[name]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      storage_state=signed_in)
        page = context.new_page()
        errors = []
        # the site has no favicon yet (not this page's doing): its 404 is not a page error
        page.on("console", lambda m, errors=errors: errors.append(m.text)
                if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(server + url + ("&" if "?" in url else "?") + "lang=en")
        for chart, points in charts.items():
            # Plotly draws after the load event (the static SVG stands in until then): wait
            # for its SVG without polling through eval, which the page's CSP refuses
            page.wait_for_selector(f"#{chart} svg.main-svg")
            count = page.evaluate(f"document.getElementById('{chart}').data.length")
            assert count >= 1
            shown = page.evaluate(f"""(() => {{ const d = document.getElementById('{chart}').data;
                return d[d.length - 1].x.length; }})()""") if chart == "funnel" else \
                page.evaluate(f"document.getElementById('{chart}').data[0].x.length")
            if points == SHOWN:
                points = page.evaluate("""document.querySelectorAll(
                    '#elements-table tbody tr').length - document.querySelectorAll(
                    '#elements-table tbody .small-n').length""")
                assert points >= 1
            if points is None:
                assert shown >= 1
            else:
                assert shown == points, (chart, shown)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}-{width}.png"), full_page=True)
        assert errors == []
        context.close()
