"""The static SVG a chart shows before Plotly arrives: points where the axes say, labels inert.

Positions are read back from the drawing and checked against its own tick labels (a point at
83 % must sit 3/10 of the way from the 80 % gridline to the 90 % one), not against the
renderer's internal scale.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from survey.dashboard import charts
from survey.dashboard.static_svg import figure_svg

SVG = "{http://www.w3.org/2000/svg}"
SHARES = [0.74, 0.78, 0.81, 0.79, 0.83]
YEARS = [2021, 2022, 2023, 2024, 2025]


def drawn(figure: dict) -> ET.Element:
    html = str(figure_svg(figure)).replace("&nbsp;", "\u00a0")
    return ET.fromstring(html)


def plot(root: ET.Element) -> ET.Element:
    return root.find(f"{SVG}svg")


def y_ticks(area: ET.Element) -> dict[float, float]:
    """Percent tick label -> its y in pixels (labels right-aligned left of the plot)."""
    return {float(t.text.rstrip("%").replace(",", ".")): float(t.get("y"))
            for t in area.findall(f"{SVG}text") if t.get("text-anchor") == "end"}


def x_ticks(area: ET.Element) -> dict[int, float]:
    return {int(t.text): float(t.get("x").rstrip("%"))
            for t in area.findall(f"{SVG}text")
            if t.get("text-anchor") == "middle" and (t.text or "").isdigit()}


def markers(area: ET.Element) -> list[tuple[float, float, str]]:
    """(x %, y px, hover text) of every marker."""
    return [(float(m.get("x").rstrip("%")), float(m.get("y")), m.find(f"{SVG}title").text)
            for m in area.findall(f"{SVG}svg") if m.get("y") is not None
            and m.find(f"{SVG}title") is not None]


@pytest.fixture
def trend(app):
    rows = [{"year": y, "share": s, "ci_low": s - 0.03, "ci_high": s + 0.02, "n": 900 + i}
            for i, (y, s) in enumerate(zip(YEARS, SHARES, strict=True))]
    with app.test_request_context("/?lang=vi"):
        return charts.trend_figure(rows, {}, 0.8)


def test_points_sit_where_the_axes_say(trend):
    area = plot(drawn(trend))
    ys, xs = y_ticks(area), x_ticks(area)
    assert sorted(xs) == YEARS
    (low, y_low), (high, y_high) = sorted(ys.items())[0], sorted(ys.items())[-1]
    points = markers(area)
    assert len(points) == len(SHARES)
    for (x, y, _title), year, share in zip(points, YEARS, SHARES, strict=True):
        assert x == pytest.approx(xs[year], abs=0.01)
        expected = y_low + (share * 100 - low) / (high - low) * (y_high - y_low)
        assert y == pytest.approx(expected, abs=0.05)


def test_the_target_line_and_the_hover_words_follow_the_language(trend):
    area = plot(drawn(trend))
    ys = y_ticks(area)
    (low, y_low), (high, y_high) = sorted(ys.items())[0], sorted(ys.items())[-1]
    target = y_low + (80 - low) / (high - low) * (y_high - y_low)
    dashed = [line for line in area.findall(f"{SVG}line")
              if line.get("stroke-dasharray") and line.get("x2") == "100.000%"]
    assert [float(line.get("y1")) for line in dashed] == [pytest.approx(target, abs=0.05)]
    assert markers(area)[-1][2] == "2025: 83,0% (n=904)"  # Vietnamese decimal comma
    assert any(t.text == "Mục tiêu 80%" for t in area.iter(f"{SVG}text"))


def test_stacked_bars_reach_the_sum_of_their_parts(app):
    shares = [(0.1, 0.3, 0.6), (0.2, 0.2, 0.4)]
    with app.test_request_context("/?lang=en"):
        figure = charts.ratings_figure([2024, 2025], shares, ("bad", "fair", "good"))
    area = plot(drawn(figure))
    ys = y_ticks(area)
    (low, y_low), (high, y_high) = sorted(ys.items())[0], sorted(ys.items())[-1]
    per_pixel = (high - low) / (y_low - y_high)
    bars = area.findall(f"{SVG}rect")
    assert len(bars) == 6
    tops: dict[str, float] = {}
    for bar in bars:
        tops[bar.get("x")] = min(tops.get(bar.get("x"), 1e9), float(bar.get("y")))
    heights = sorted((y_low - top) * per_pixel + low for top in tops.values())
    assert heights == [pytest.approx(80, abs=0.1), pytest.approx(100, abs=0.1)]


def test_labels_from_the_database_stay_text(app):
    hostile = '<img src=x onerror=alert(1)>"&'
    rows = [{"year": y, "share": s, "ci_low": None, "ci_high": None, "n": 50}
            for y, s in zip(YEARS, SHARES, strict=True)]
    with app.test_request_context("/?lang=en"):
        figure = charts.trend_figure(rows, {hostile: rows}, 0.8)
    html = str(figure_svg(figure))
    assert "<img" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;",
                                                                         "")
    root = drawn(figure)
    assert not [e for e in root.iter() if any(k.startswith("on") for k in e.attrib)]
    legend = "".join(root.itertext())
    assert hostile in legend  # shown as typed, as Plotly shows it
    assert not re.search(r"<(script|a|foreignObject)\b", html)
