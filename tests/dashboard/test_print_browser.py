"""Dashboards on A4 paper (#17), in headless Chromium against a real server.

Printing is checked two ways. Chromium's own PDF of the overview (page.pdf: the print layout,
`beforeprint` and the print media query, as the print dialog gives them) is read back with
pypdf: every year of the trend's x-axis must be drawn inside the sheet. Before the fix the
chart kept its 1,900 px screen width and the years from 2024 on fell off the paper. Then, under
print media in the page, the geometry is measured: the plotted area and the last point, every
cell of the wide tables, and the names of the funnel's outliers.

Screenshots go to $HAILONG_ARTIFACTS (default test-artifacts/ at the repository's root).
"""

from __future__ import annotations

import os
from collections import defaultdict
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import CHROMIUM, launched_chromium
from tests.dashboard.conftest import serve, signed_in_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
A4_WIDTH_PX = 794  # 210 mm at 96 CSS px per inch
A4_CONTENT_PX = 680  # less the 15 mm margins of dashboard.css
YEARS = ("2021", "2022", "2023", "2024", "2025")


def artifacts() -> Path:
    folder = Path(os.environ.get("HAILONG_ARTIFACTS") or ROOT / "test-artifacts") / "print"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(demo):
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium")
    yield from serve(demo[0])


@pytest.fixture(scope="module")
def browser(server):
    yield from launched_chromium()


@pytest.fixture(scope="module")
def signed_in(server, browser):
    return signed_in_state(browser, server)


@pytest.fixture
def wide_page(browser, signed_in):
    """A 1920 px wide screen, where the charts are first drawn."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080},
                                  storage_state=signed_in)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def open_drawn(page, url: str, charts: tuple[str, ...]) -> None:
    page.goto(url)
    for chart in charts:
        page.wait_for_function(
            f"() => document.querySelector('#{chart} svg.main-svg') !== null")


def year_rows(pdf: bytes) -> tuple[float, list[dict[str, float]]]:
    """The sheet's width and, per line of text on any page, the years written on it with
    their x positions (points): an independent reading of what reached the paper."""
    pages = PdfReader(BytesIO(pdf)).pages
    lines: dict[tuple[int, float], dict[str, float]] = defaultdict(dict)
    for number, page in enumerate(pages):

        def visit(text, cm, tm, _font, _size, number=number):
            word = text.strip()
            if word in YEARS:
                x = cm[4] + tm[4] * cm[0] + tm[5] * cm[2]
                y = cm[5] + tm[4] * cm[1] + tm[5] * cm[3]
                lines[(number, round(y, 0))][word] = x

        page.extract_text(visitor_text=visit)
    return float(pages[0].mediabox.width), list(lines.values())


def test_the_printed_overview_keeps_every_year_of_the_trend(server, wide_page):
    open_drawn(wide_page, server + "/dashboard/?lang=vi", ("trend",))
    screen = wide_page.evaluate(
        "document.querySelector('#trend svg.main-svg').getBoundingClientRect().width")
    assert screen > A4_WIDTH_PX  # drawn for the wide screen first
    pdf = wide_page.pdf(format="A4", print_background=True)
    (artifacts() / "overview-a4.pdf").write_bytes(pdf)
    width, lines = year_rows(pdf)
    # the axis: one line of text holding the five years left to right
    axes = [line for line in lines if len(line) == len(YEARS)
            and [line[y] for y in YEARS] == sorted(line.values())
            and len(set(line.values())) == len(YEARS)]
    assert axes, lines
    assert all(0 < x < width - 20 for x in axes[0].values()), (axes[0], width)


def test_under_print_media_the_chart_and_its_last_point_fit_the_page(server, wide_page):
    open_drawn(wide_page, server + "/dashboard/?lang=vi", ("trend", "elements", "quadrant"))
    titles = wide_page.evaluate("""() => Array.from(document.querySelectorAll(
        '#trend .modebar-btn')).map(b => b.getAttribute('data-title'))""")
    assert "Tải biểu đồ về (PNG)" in titles  # Plotly's toolbar speaks the page's language
    wide_page.emulate_media(media="print")
    wide_page.wait_for_function(
        "() => document.documentElement.getAttribute('data-charts-fit') === 'print'")
    wide_page.wait_for_function(f"""() => Array.from(
        document.querySelectorAll('.chart svg.main-svg'))
        .every(s => s.getBoundingClientRect().width <= {A4_CONTENT_PX})""")
    box = wide_page.evaluate("""() => {
        const chart = document.getElementById('trend');
        const svg = chart.querySelector('svg.main-svg').getBoundingClientRect();
        const plot = chart.querySelector('.draglayer .nsewdrag').getBoundingClientRect();
        const points = chart.querySelectorAll('.scatterlayer .trace')[0]
            .querySelectorAll('.points path');
        const last = points[points.length - 1].getBoundingClientRect();
        return {svg: [svg.left, svg.right], plot: [plot.left, plot.right],
                last: [last.left, last.right, last.top, last.bottom], n: points.length,
                x: chart.data[0].x};
    }""")
    assert box["x"] == [int(y) for y in YEARS] and box["n"] == len(YEARS)
    left = box["svg"][0]
    assert box["svg"][1] - left <= A4_CONTENT_PX
    assert left <= box["plot"][0] and box["plot"][1] <= left + A4_CONTENT_PX
    assert left <= box["last"][0] and box["last"][1] <= left + A4_CONTENT_PX, box
    wide_page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    wide_page.screenshot(path=str(artifacts() / "overview-print.png"), full_page=True)


def _cells_outside(page, selector: str, right: float) -> list[str]:
    cells = f"{selector} th, {selector} td"
    return page.evaluate(f"""() => Array.from(document.querySelectorAll('{cells}'))
        .filter(c => c.getBoundingClientRect().right > {right} + 0.5)
        .map(c => c.textContent.trim())""")


@pytest.mark.parametrize(("url", "tables"), [
    ("/dashboard/?lang=vi", ("#yoy", "#yoy-groups", "#elements-table")),
    ("/dashboard/league?at=commune&from=2021&to=2025&lang=vi", ("#league",)),
    ("/dashboard/crosstab?row=sex&column=service_area&lang=vi", ("#crosstab-table",)),
])
def test_wide_tables_use_the_screen_and_fit_the_paper(server, wide_page, url, tables):
    open_drawn(wide_page, server + url, ())
    for table in tables:
        if table == "#elements-table":
            continue  # half of a two-column grid on screen, by design
        width = wide_page.evaluate(
            f"document.querySelector('{table}').getBoundingClientRect().width")
        assert width > 0.9 * 1920 - 64, (table, width)  # not squeezed to ~940 px
    wide_page.emulate_media(media="print")
    wide_page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    for table in tables:
        assert _cells_outside(wide_page, table, A4_WIDTH_PX) == [], table
        overflow = wide_page.evaluate(
            f"""(() => {{ const t = document.querySelector('{table}');
                return t.scrollWidth - t.getBoundingClientRect().width; }})()""")
        assert overflow <= 1, (table, overflow)
    name = url.split("?")[0].strip("/").replace("/", "-")
    wide_page.screenshot(path=str(artifacts() / f"{name}-print.png"), full_page=True)


def test_funnel_names_the_units_outside_its_limits(server, wide_page):
    open_drawn(wide_page, server + "/dashboard/league?at=commune&from=2021&to=2025&lang=vi",
               ("funnel",))
    outside = wide_page.evaluate("""() => Array.from(document.querySelectorAll('#league tbody tr'))
        .filter(r => r.lastElementChild.querySelector('strong'))
        .map(r => r.querySelector('th').textContent.trim())""")
    assert outside, "the demo should have a unit outside the limits"
    for media in ("screen", "print"):
        wide_page.emulate_media(media=media)
        if media == "print":
            wide_page.wait_for_function(
                "() => document.documentElement.getAttribute('data-charts-fit') === 'print'")
        labels = wide_page.evaluate("""() => {
            const svg = document.querySelector('#funnel svg.main-svg').getBoundingClientRect();
            return Array.from(document.querySelectorAll('#funnel .textpoint text'))
                .filter(t => t.textContent.trim())
                .map(t => { const b = t.getBoundingClientRect();
                    return [t.textContent.trim(), b.width > 0 && b.left >= svg.left - 1
                            && b.right <= svg.right + 1 && b.top >= svg.top - 1
                            && b.bottom <= svg.bottom + 1]; });
        }""")
        assert sorted(name for name, _inside in labels) == sorted(outside), media
        assert all(inside for _name, inside in labels), (media, labels)
    wide_page.screenshot(path=str(artifacts() / "league-funnel-print.png"), full_page=True)


@pytest.mark.parametrize("url", [
    "/dashboard/", "/dashboard/service/land", "/dashboard/unit/ST-H01",
    "/dashboard/league?at=district", "/dashboard/ratings", "/dashboard/crosstab",
    "/dashboard/comments", "/dashboard/export",
])
def test_every_dashboard_page_fits_the_width_of_a4(server, wide_page, url):
    """Drawn on a wide screen, then printed: nothing reaches past the sheet's width."""
    wide_page.goto(server + url + ("&" if "?" in url else "?") + "lang=vi")
    wide_page.wait_for_function("""() => Array.from(document.querySelectorAll('[data-figure]'))
        .every(c => c.querySelector('svg.main-svg'))""")
    wide_page.emulate_media(media="print")
    wide_page.wait_for_function(
        "() => document.documentElement.getAttribute('data-charts-fit') === 'print'")
    wide_page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    past = wide_page.evaluate(f"""() => Array.from(document.querySelectorAll('main *'))
        .filter(e => e.getClientRects().length
                && e.getBoundingClientRect().right > {A4_WIDTH_PX} + 1
                && !e.closest('.no-print, .filters, .dash-tabs'))
        .map(e => e.tagName + '.' + e.className)""")
    assert past == [], past[:10]
    assert wide_page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    name = url.split("?")[0].strip("/").replace("/", "-")
    wide_page.screenshot(path=str(artifacts() / f"{name}-a4.png"), full_page=True)
