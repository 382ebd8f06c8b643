"""Plotly figures, built on the server as JSON and drawn in the browser by charts.js.

Figures carry data only: labels from the database travel inside JSON (rendered with `tojson`,
which escapes `<` and `&`), never inside script text. Plotly reads a small HTML subset in every
label (<b>, <br>, <a href>), so each label from the database goes through `plain` first: a unit
named `<a href="https://…">` shows that text instead of becoming a link. Every figure has a
fixed height and plain colours that print legibly in black and white too (markers differ by
shape).

The figures are plain dicts in the form Plotly's own JSON takes, written directly: building them
through plotly.graph_objects validated every property on every request and was over half of the
overview page's server time. tests/dashboard/test_chart_code.py has Plotly validate each one
and checks the target lines against `add_hline`/`add_vline`.
"""

from __future__ import annotations

import numpy as np
import plotly.io as pio
from flask_babel import gettext as _

import analysis
from analysis.funnel import funnel_limits

# plotly_white as these charts read it (cartesian axes, fonts, colours, the bar and scatter
# defaults), without its polar, ternary, 3-D, map and colour-scale parts, which only other chart
# kinds read: they were 5 of every figure's 7 kB in each page's HTML, sent uncompressed to
# logged-in staff. The browser draws with Plotly's basic bundle (survey/assets.py,
# PLOTLY_TRACES), so a figure may hold scatter and bar traces only.
_CARTESIAN = ("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel", "paper_bgcolor",
              "plot_bgcolor", "xaxis", "yaxis", "shapedefaults", "annotationdefaults", "title")
TRACES = ("scatter", "bar")


def _white_template() -> dict:
    full = pio.templates["plotly_white"].to_plotly_json()
    return {"data": {k: full["data"][k] for k in TRACES},
            "layout": {k: full["layout"][k] for k in _CARTESIAN}}


TEMPLATE = _white_template()
PALETTE = ("#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star")


def plain(text: object) -> str:
    """`text` shown as typed in a Plotly label: its HTML subset escaped (Plotly decodes these
    three entities back for display)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def has_data(figure: dict) -> bool:
    """Whether a figure has a point to draw: an empty one would show bare axes that Plotly
    scales to nonsense (−1…6, 0–150 %), so the page says in words that data are lacking."""
    return any(len(trace.get("x") or ()) for trace in figure.get("data", ()))


def _figure(traces: list[dict], y_title: str, height: int = 380, percent: bool = True,
            **layout) -> dict:
    from survey.dashboard.labels import english

    yaxis = {"title": {"text": y_title}, **({"tickformat": ".0%"} if percent else {}),
             **layout.pop("yaxis", {})}
    return {"data": traces, "layout": {
        # Vietnamese writes 80,5 % and 38.855: Plotly's ticks and hovers follow
        "separators": ".," if english() else ",.",
        "height": height, "margin": {"l": 56, "r": 16, "t": 16, "b": 48},
        "template": TEMPLATE,
        "font": {"family": "system-ui, Segoe UI, Roboto, Arial, sans-serif", "size": 13},
        "legend": {"orientation": "h", "y": -0.18}, "hovermode": "closest", "yaxis": yaxis,
        **layout}}


def _hline(y: float, colour: str, dash: str) -> dict:
    """A horizontal line across the plot, as Plotly's add_hline writes it."""
    return {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
            "line": {"color": colour, "dash": dash}}


def _vline(x: float, colour: str, dash: str) -> dict:
    return {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0, "y1": 1,
            "line": {"color": colour, "dash": dash}}


def _benchmark(benchmark: float) -> dict:
    """The target's dashed line and its label above the line's left end."""
    return {"shapes": [_hline(benchmark, "#b00020", "dash")], "annotations": [{
        "text": _("Target %(pct)s", pct=f"{benchmark:.0%}"), "showarrow": False,
        "xref": "x domain", "x": 0, "xanchor": "left", "yref": "y", "y": benchmark,
        "yanchor": "bottom"}]}


def trend_figure(overall: list[dict], series: dict[str, list[dict]], benchmark: float) -> dict:
    """The overall index per year with its 95 % CI, one line per group, and the target."""
    shown = [r for r in overall if r["share"] is not None]
    traces = [{
        "type": "scatter", "x": [r["year"] for r in shown], "y": [r["share"] for r in shown],
        "name": _("Overall"), "mode": "lines+markers", "line": {"color": "#111", "width": 3},
        "error_y": {"type": "data", "symmetric": False,
                    "array": [(r["ci_high"] or r["share"]) - r["share"] for r in shown],
                    "arrayminus": [r["share"] - (r["ci_low"] or r["share"]) for r in shown]},
        "customdata": [r["n"] for r in shown],
        "hovertemplate": "%{x}: %{y:.1%} (n=%{customdata})<extra></extra>",
    }]
    for i, (label, rows) in enumerate(series.items()):
        shown = [r for r in rows if r["share"] is not None]
        traces.append({
            "type": "scatter", "x": [r["year"] for r in shown],
            "y": [r["share"] for r in shown], "name": plain(label), "mode": "lines+markers",
            "line": {"color": PALETTE[i % 7], "width": 1.5, "dash": "dot"},
            "marker": {"symbol": SYMBOLS[i % 7], "size": 8},
            "customdata": [r["n"] for r in shown],
            # the label goes in as data: "%{…}" typed in a name is not a template here
            "meta": plain(label),
            "hovertemplate": "%{meta} %{x}: %{y:.1%} (n=%{customdata})<extra></extra>",
        })
    return _figure(traces, _("Share satisfied"), xaxis={"dtick": 1, "title": {"text": _("Year")}},
                   **_benchmark(benchmark))


def elements_figure(rows: list[dict], names: dict[str, str], benchmark: float) -> dict:
    shown = [r for r in rows if r["share"] is not None]
    return _figure([{
        "type": "bar", "x": [plain(names.get(r["element"], r["element"])) for r in shown],
        "y": [r["share"] for r in shown], "marker": {"color": PALETTE[0]},
        "name": _("Share satisfied"), "customdata": [r["n"] for r in shown],
        "hovertemplate": "%{x}: %{y:.1%} (n=%{customdata})<extra></extra>",
    }], _("Share satisfied"), height=320, yaxis={"range": [0, 1]}, **_benchmark(benchmark))


def quadrant_figure(rows: list[dict], names: dict[str, str], mean_importance, mean_performance):
    """Importance–performance (Martilla & James): the top-left quadrant is "concentrate here"."""
    shown = [r for r in rows if r["importance"] is not None and r["share"] is not None]
    trace = {
        "type": "scatter", "x": [r["share"] for r in shown],
        "y": [r["importance"] for r in shown], "text": [r["element"] for r in shown],
        "mode": "markers+text", "textposition": "top center",
        "marker": {"size": 14, "color": PALETTE[1]}, "name": _("Elements"),
        "hovertext": [plain(names.get(r["element"], r["element"])) for r in shown],
        "hovertemplate": "%{hovertext}<br>%{x:.1%}, ρ=%{y:.2f}<extra></extra>",
    }
    extra = {}
    if mean_importance is not None and mean_performance is not None:
        extra = {"shapes": [_vline(mean_performance, "#888", "dot"),
                            _hline(mean_importance, "#888", "dot")],
                 "annotations": [{"xref": "paper", "yref": "paper", "x": 0.01, "y": 0.99,
                                  "showarrow": False, "xanchor": "left",
                                  "text": _("Concentrate here"),
                                  "font": {"color": "#b00020"}}]}
    return _figure([trace], _("Importance (Spearman ρ with overall)"), height=360,
                   percent=False, xaxis={"title": {"text": _("Performance (share satisfied)")},
                                         "tickformat": ".0%"}, **extra)


def funnel_figure(units: list[dict], benchmark: float) -> dict:
    """Each unit's share against its n, inside 95 % and 99.8 % limits around the target."""
    shown = [u for u in units if u["n"] > 0 and u["raw_share"] is not None]
    traces = []
    if shown:
        top = max(u["n"] for u in shown) * 1.1
        grid = np.unique(np.geomspace(max(5, min(u["n"] for u in shown) * 0.8), top, 80)
                         .round().astype(int))
        limits = funnel_limits(benchmark, grid)
        for level, dash in ((0.95, "dash"), (0.998, "dot")):
            label = _("%(pct)s limits", pct=f"{level:.1%}".replace(".0%", "%"))
            for bound, show in ((limits.low[level], True), (limits.high[level], False)):
                traces.append({
                    "type": "scatter", "x": grid.tolist(), "y": bound.tolist(),
                    "mode": "lines", "name": label, "legendgroup": str(level),
                    "showlegend": show, "hoverinfo": "skip",
                    "line": {"color": "#666", "dash": dash, "width": 1}})
    # Units outside the limits are named on the chart itself: a printed page has no hover.
    outside = [u.get("funnel") not in (None, "inside") for u in shown]
    traces.append({
        "type": "scatter", "x": [u["n"] for u in shown], "y": [u["raw_share"] for u in shown],
        "mode": "markers+text", "name": _("Units"),
        "hovertext": [plain(u["name"]) for u in shown],
        "text": [plain(u["name"]) if out else "" for u, out in zip(shown, outside, strict=True)],
        "textposition": ["bottom center" if u["raw_share"] < benchmark else "top center"
                         for u in shown],
        "textfont": {"size": 11, "color": "#111"}, "cliponaxis": False,
        "marker": {"size": 10, "color": [PALETTE[1] if out else PALETTE[0] for out in outside],
                   "symbol": ["diamond" if out else "circle" for out in outside],
                   "line": {"color": "#fff", "width": 1}},
        "hovertemplate": "%{hovertext}<br>n=%{x}: %{y:.1%}<extra></extra>",
    })
    return _figure(traces, _("Share satisfied"), height=400,
                   xaxis={"title": {"text": _("Respondents (n)")}}, **_benchmark(benchmark))


def ratings_figure(years: list[int], shares: list[tuple], labels: tuple[str, ...]) -> dict:
    """Per-dossier ratings: percentages of each level per year (no interval: self-selected)."""
    colours = ("#b91c1c", "#60a5fa", "#0b5cad")
    traces = [{"type": "bar", "x": list(years), "y": [s[level] for s in shares],
               "name": plain(label), "meta": plain(label), "marker": {"color": colours[level]},
               "hovertemplate": "%{meta} %{x}: %{y:.1%}<extra></extra>"}
              for level, label in enumerate(labels)]
    return _figure(traces, _("Share of ratings"), height=340, barmode="stack",
                   xaxis={"dtick": 1})


def wilson(k: int, n: int) -> tuple[float | None, float | None]:
    if not n:
        return None, None
    result = analysis.wilson_interval(k, n)
    return result.ci_low, result.ci_high
