"""The dashboards ship only the chart code they use: Plotly's basic bundle, on chart pages only.

The bundle (survey/static/vendor, built by `make vendor` from package-lock.json) must be the
plotly.js that the plotly Python package writes figures for, and draw every trace type
survey/dashboard/charts.py makes: a figure of another type would be drawn as nothing at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest

from survey.assets import PLOTLY_NAME, PLOTLY_TRACES
from tests.dashboard.conftest import login

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "survey" / "static" / PLOTLY_NAME
FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
VERSION = re.compile(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")
SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"?]+)')
CHART_CODE = re.compile(r'<meta name="chart-code" content="([^"?]+)\?v=[0-9a-f]{12}">')


def _header_version(path: Path) -> str:
    with path.open(encoding="utf-8") as source:
        match = VERSION.search(source.read(300))
    assert match, f"{path} names no plotly.js version"
    return match.group(1)


def test_the_bundle_is_the_plotly_js_of_the_python_package():
    assert _header_version(BUNDLE) == _header_version(FULL)
    lock = (ROOT / "package-lock.json").read_text()
    assert f'"version": "{_header_version(BUNDLE)}"' in lock
    assert "(basic - minified)" in BUNDLE.read_text(encoding="utf-8")[:200]
    assert BUNDLE.stat().st_size < FULL.stat().st_size / 3


def test_every_trace_the_charts_make_is_in_the_bundle(app):
    from survey.dashboard import charts

    rows = [{"year": 2020 + i, "share": 0.7 + i / 100, "ci_low": 0.6, "ci_high": 0.8, "n": 90}
            for i in range(3)]
    elements = [{"element": "E1", "share": 0.8, "n": 90, "importance": 0.4},
                {"element": "E2", "share": 0.7, "n": 90, "importance": 0.2}]
    units = [{"name": "A", "n": 80, "raw_share": 0.7, "funnel": "below"},
             {"name": "B", "n": 200, "raw_share": 0.85, "funnel": "inside"}]
    with app.test_request_context("/?lang=en"):
        figures = [charts.trend_figure(rows, {"Đất đai": rows}, 0.8),
                   charts.elements_figure(elements, {}, 0.8),
                   charts.quadrant_figure(elements, {}, 0.3, 0.75),
                   charts.funnel_figure(units, 0.8),
                   charts.ratings_figure([2024, 2025], [(0.1, 0.3, 0.6), (0.2, 0.3, 0.5)],
                                         ("bad", "fair", "good"))]
    for figure in figures:  # Plotly's own validation: a misspelt property raises here
        assert json.loads(go.Figure(figure).to_json()) == figure
    used = {trace.get("type", "scatter") for figure in figures for trace in figure["data"]}
    assert used and used <= PLOTLY_TRACES, used - PLOTLY_TRACES
    assert set(charts.TRACES) <= PLOTLY_TRACES
    # the trimmed template still carries plotly_white's look for these charts
    template = figures[0]["layout"]["template"]
    assert template["layout"]["plot_bgcolor"] == "white"
    assert template["layout"]["xaxis"]["gridcolor"] == "#EBF0F8"
    assert "polar" not in template["layout"] and "heatmap" not in template["data"]


def test_target_and_mean_lines_are_what_plotly_draws_for_them(app):
    """The figures write their lines directly; Plotly's add_hline/add_vline are the reference."""
    from survey.dashboard import charts

    elements = [{"element": "E1", "share": 0.8, "n": 90, "importance": 0.4}]
    with app.test_request_context("/?lang=en"):
        figure = charts.quadrant_figure(elements, {}, 0.3, 0.75)
        target = charts.elements_figure(elements, {}, 0.8)["layout"]
    reference = go.Figure()
    reference.add_vline(x=0.75, line_color="#888", line_dash="dot")
    reference.add_hline(y=0.3, line_color="#888", line_dash="dot")
    assert figure["layout"]["shapes"] == json.loads(reference.to_json())["layout"]["shapes"]
    reference = go.Figure()
    reference.add_hline(y=0.8, line_dash="dash", line_color="#b00020",
                        annotation_text="Target 80%", annotation_position="top left")
    drawn = json.loads(reference.to_json())["layout"]
    assert target["shapes"] == drawn["shapes"] and target["annotations"] == drawn["annotations"]


@pytest.fixture(scope="module")
def analyst(demo):
    return login(demo[0])


@pytest.mark.parametrize(("url", "draws"), [
    ("/dashboard/", True), ("/dashboard/service/land", True), ("/dashboard/unit/ST-H01", True),
    ("/dashboard/league?at=district", True), ("/dashboard/ratings", True),
    ("/dashboard/crosstab", False), ("/dashboard/comments", False),
    ("/dashboard/export", False), ("/dashboard/report", False),
])
def test_only_pages_with_charts_load_the_chart_code(analyst, url, draws):
    """A chart page names the bundle for charts.js to fetch after the load event, and draws
    each chart as static SVG meanwhile; no page loads Plotly as a script of its own."""
    answer = analyst.get(url)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    scripts = SCRIPT_SRC.findall(html)
    assert ("data-figure" in html) == draws
    assert CHART_CODE.findall(html) == ([f"/static/{PLOTLY_NAME}"] if draws else [])
    assert "/static/dashboard/charts.js" in scripts
    assert not any("plotly" in s for s in scripts), scripts
    charts = re.findall(r'<div class="chart" id="(\w+)" data-figure="[^"]*"[^>]*>(.{0,60})', html)
    assert bool(charts) == draws
    for name, start in charts:
        assert start.startswith('<div class="chart-static"'), name
