"""The report's charts as PNG images (matplotlib, Agg: no display, no browser).

matplotlib's bundled DejaVu Sans carries Vietnamese diacritics, so no system font is needed.
"""

from __future__ import annotations

import io
import textwrap
import warnings

# Figures are built with the object API (Figure and its Agg canvas), never pyplot: no global
# state shared between a server's threads, no display needed.
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis.comparability import split_series
from survey.services.council_report import numbers as fmt

WIDTH, HEIGHT, DPI = 6.3, 3.0, 150  # inches: the text width of an A4 page with Decree 30 margins
LEGEND_CHARS = 28  # a service area's name in the legend, shortened beyond this
TARGET_COLOUR, LINE_COLOUR = "#b2182b", "#2166ac"
LABELS = {"vi": {"index": "Chỉ số hài lòng", "target": "Mục tiêu", "ci": "khoảng tin cậy 95 %",
                 "year": "Năm", "score": "Điểm", "break": "thay đổi phương pháp"},
          "en": {"index": "Satisfaction index", "target": "Target", "ci": "95 % interval",
                 "year": "Year", "score": "Score", "break": "change of method"}}


def _label(name: str) -> str:
    """A legend entry: shortened, and with "$" escaped (matplotlib would read "$…$" as
    mathematics, and a malformed formula in a unit's name would stop the report)."""
    return textwrap.shorten(fmt.clean(name), LEGEND_CHARS, placeholder="…").replace("$", r"\$")


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        # A layout that cannot fit every label (a very long name) is drawn as it is: a chart
        # a little cramped is better than no report.
        warnings.filterwarnings("ignore", "Tight layout not applied", UserWarning)
        figure.tight_layout()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _percent_axis(axes, lang: str) -> None:
    axes.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: f"{fmt.number(v * 100, 0, lang)} %"))


def _years_axis(axes, years: list[int]) -> None:
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_xlim(min(years) - 0.5, max(years) + 0.5)


def _shown(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("share") is not None and r.get("ci_low") is not None]


def _limits(axes, rows: list[dict], benchmark: float) -> None:
    """From a little under the lowest bound to 100 %: never clip a point or the target."""
    low = min([r["ci_low"] for r in rows] + [benchmark])
    axes.set_ylim(max(0.0, low - 0.05), 1.0)


def series_chart(rows: list[dict], benchmark: float, lang: str = "vi") -> bytes | None:
    """The overall index per year with its 95 % interval and the target line."""
    shown = _shown(rows)
    if not shown:
        return None
    words = LABELS.get(lang, LABELS["vi"])
    figure, axes = _figure()
    years = [r["year"] for r in shown]
    shares = [r["share"] for r in shown]
    errors = [[r["share"] - r["ci_low"] for r in shown], [r["ci_high"] - r["share"] for r in shown]]
    axes.errorbar(years, shares, yerr=errors, fmt="o-", color=LINE_COLOUR, capsize=4,
                  label=f"{words['index']} ({words['ci']})")
    for year, share in zip(years, shares, strict=True):
        axes.annotate(fmt.pct(share, lang), (year, share), textcoords="offset points",
                      xytext=(8, 4), fontsize=8)
    axes.axhline(benchmark, color=TARGET_COLOUR, linestyle="--", linewidth=1.2,
                 label=f"{words['target']} {fmt.pct(benchmark, lang, 0)}")
    _years_axis(axes, sorted({r["year"] for r in rows}))
    _percent_axis(axes, lang)
    _limits(axes, shown, benchmark)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(figure)


def areas_chart(rows: list[dict], names: dict[str, str], benchmark: float,
                lang: str = "vi") -> bytes | None:
    """One line per service area (intervals as bars, shifted a little so they don't overlap)."""
    shown = _shown(rows)
    areas = sorted({r["service_area"] for r in shown if r.get("service_area")})
    if not areas:
        return None
    words = LABELS.get(lang, LABELS["vi"])
    figure, axes = _figure()
    step = 0.5 / max(len(areas), 1)
    for i, area in enumerate(areas):
        mine = sorted((r for r in shown if r["service_area"] == area), key=lambda r: r["year"])
        offset = (i - (len(areas) - 1) / 2) * step
        axes.errorbar([r["year"] + offset for r in mine], [r["share"] for r in mine],
                      yerr=[[r["share"] - r["ci_low"] for r in mine],
                            [r["ci_high"] - r["share"] for r in mine]],
                      fmt="o-", capsize=2, markersize=4, linewidth=1,
                      label=_label(names.get(area, area)))
    axes.axhline(benchmark, color=TARGET_COLOUR, linestyle="--", linewidth=1.2,
                 label=f"{words['target']} {fmt.pct(benchmark, lang, 0)}")
    _years_axis(axes, sorted({r["year"] for r in rows}))
    _percent_axis(axes, lang)
    _limits(axes, shown, benchmark)
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    return _png(figure)


def par_chart(par: list[dict], lang: str = "vi") -> bytes | None:
    """PAR INDEX scores, one line per segment between method breaks (never joined across)."""
    if not par:
        return None
    words = LABELS.get(lang, LABELS["vi"])
    segments = split_series([p["year"] for p in par], [p["score"] for p in par],
                            [p["year"] for p in par if p["method_break"]])
    figure, axes = _figure()
    for segment in segments:
        axes.plot(segment.years, segment.values, "o-", color=LINE_COLOUR, markersize=4)
        if segment.break_before:
            axes.axvline(segment.years[0] - 0.5, color="#999999", linestyle=":", linewidth=1)
    axes.set_xticks([p["year"] for p in par], [str(p["year"]) for p in par], fontsize=7)
    axes.set_ylabel(words["score"])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, 0, lang)))
    axes.text(0.01, 0.98, f"┊ {words['break']}", transform=axes.transAxes, va="top",
              fontsize=7, color="#666666")
    return _png(figure)
