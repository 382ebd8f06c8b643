"""A figure drawn on the server as static SVG: the chart a page shows before Plotly arrives.

The dashboards' figures (charts.py) are drawn in the page's HTML at once, so a cold load shows
every chart without waiting for Plotly's 390 kB; charts.js loads Plotly after the page's load
event and redraws each chart interactive in place (hover, zoom, the toolbar). On a slow link
that is seconds earlier; printed or offline, the static chart is what is seen.

Only what charts.py uses is drawn: scatter traces (lines, markers with Plotly's symbols,
text, vertical error bars) and bars (single or stacked), horizontal and vertical lines
(`add_hline`/`add_vline`), annotations, linear and categorical axes with Plotly's tick formats
".0%" and the layout's separators. Horizontal positions are percentages of the plotting area
and vertical ones pixels of its fixed height, so one drawing fits any width with text at its
real size; the legend is HTML and wraps. Every label goes through `escape` (labels arrive
escaped for Plotly's HTML subset by `charts.plain` and are decoded first), and each point
carries its hover text as a <title>.
"""

from __future__ import annotations

import html
import math
import re

from markupsafe import Markup, escape

FONT = "#2a3f5f"  # plotly_white's
GRID = "#EBF0F8"
PALETTE = ("#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207")
DASHES = {"dash": "6 4", "dot": "2 3", "dashdot": "6 3 2 3", "longdash": "10 4"}
LEGEND_ROW = 22
FIELD = re.compile(r"%\{(\w+)(?::([^}]*))?\}")


def figure_svg(figure: dict) -> Markup:
    """The static drawing of `figure` (a charts.py dict), as HTML to put in its chart div."""
    return _Drawing(figure).render()


class _Drawing:
    def __init__(self, figure: dict):
        self.traces = [t for t in figure.get("data", ()) if t.get("visible", True) is True]
        self.layout = figure.get("layout", {})
        separators = self.layout.get("separators") or ".,"
        self.decimal, self.thousands = separators[0], separators[1:2]
        margin = self.layout.get("margin", {})
        self.left, self.right = margin.get("l", 56), margin.get("r", 16)
        self.top = margin.get("t", 16)
        self.legend = self._legend_entries()
        # a guess at the legend's rows (it wraps in HTML), to leave the plot its room
        rows = math.ceil(sum(len(name) * 7 + 44 for name, _ in self.legend) / 560)
        self.legend_height = LEGEND_ROW * min(rows, 3)
        x_title = _title(self.layout.get("xaxis", {}))
        self.bottom = 34 + (18 if x_title else 0) + self.legend_height
        self.categories = self._categories()
        self.slanted = bool(self.categories) and max(
            len(self._category_label(c)) for c in self.categories) > 8
        if self.slanted:  # long names slanted by 30°, as Plotly draws them: half their length
            self.bottom += min(max(len(self._category_label(c)) for c in self.categories)
                               * 3.3, 110)
        self.height = self.layout.get("height", 380)
        self.plot_height = max(self.height - self.top - self.bottom, 80)
        self.x_range, self.y_range = self._x_range(), self._y_range()

    # ---- scales -------------------------------------------------------------------------
    def _categories(self) -> list | None:
        if not any(t.get("type") == "bar" for t in self.traces):
            return None
        seen = []
        for trace in self.traces:
            seen += [x for x in trace.get("x") or () if x not in seen]
        return sorted(seen) if all(isinstance(x, int | float) for x in seen) else seen

    def _x_range(self) -> tuple[float, float]:
        if self.categories is not None:
            return 0.0, float(len(self.categories))
        axis = self.layout.get("xaxis", {})
        if axis.get("range"):
            return tuple(axis["range"])
        values = [x for t in self.traces for x in t.get("x") or () if x is not None]
        values += [s["x0"] for s in self._shapes("x")]
        return _padded(values, 0.06)

    def _y_range(self) -> tuple[float, float]:
        axis = self.layout.get("yaxis", {})
        if axis.get("range"):
            return tuple(axis["range"])
        values = [s["y0"] for s in self._shapes("y")]
        for trace in self.traces:
            ys = [y for y in trace.get("y") or () if y is not None]
            values += ys
            error = trace.get("error_y") or {}
            if error.get("array") is not None:
                values += [y + e for y, e in zip(trace["y"], error["array"], strict=False)
                           if y is not None]
                values += [y - e for y, e in zip(trace["y"], error.get("arrayminus") or
                                                 error["array"], strict=False) if y is not None]
        if any(t.get("type") == "bar" for t in self.traces):
            values += [0.0, max(self._stack_tops().values(), default=0.0)]
        return _padded(values, 0.06)

    def x(self, value) -> str:
        if self.categories is not None:
            value = self.categories.index(value) + 0.5
        low, high = self.x_range
        return f"{(value - low) / ((high - low) or 1) * 100:.3f}%"

    def y(self, value: float) -> float:
        low, high = self.y_range
        return round(self.plot_height * (1 - (value - low) / ((high - low) or 1)), 2)

    def _shapes(self, axis: str) -> list[dict]:
        return [s for s in self.layout.get("shapes", ()) if s.get(f"{axis}ref") == axis]

    def _stack_tops(self) -> dict:
        tops: dict = {}
        if self.layout.get("barmode") == "stack":
            for trace in self.traces:
                for x, y in zip(trace.get("x") or (), trace.get("y") or (), strict=False):
                    tops[x] = tops.get(x, 0.0) + (y or 0.0)
        else:
            for trace in self.traces:
                for x, y in zip(trace.get("x") or (), trace.get("y") or (), strict=False):
                    tops[x] = max(tops.get(x, 0.0), y or 0.0)
        return tops

    # ---- numbers ------------------------------------------------------------------------
    def number(self, value: float, spec: str | None) -> str:
        match = re.fullmatch(r"\.(\d+)([%f])", spec or "")
        if match:
            digits, kind = int(match.group(1)), match.group(2)
            text = f"{value * (100 if kind == '%' else 1):,.{digits}f}"
            suffix = "%" if kind == "%" else ""
        elif float(value).is_integer():
            text, suffix = f"{int(value):,}" if abs(value) >= 10000 else str(int(value)), ""
        else:
            text, suffix = f"{value:g}", ""
        text = text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)
        return text + suffix

    def hover(self, trace: dict, i: int) -> str:
        template = trace.get("hovertemplate")
        if not template:
            return _decode(_item(trace.get("hovertext"), i) or _item(trace.get("text"), i) or "")

        def field(match: re.Match) -> str:
            name, spec = match.group(1), match.group(2)
            value = trace.get(name) if name == "meta" else _item(trace.get(name), i)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return self.number(value, spec)
            return "" if value is None else str(value)

        text = re.sub(r"<extra>.*?</extra>", "", template)
        return _decode(FIELD.sub(field, text).replace("<br>", "\n"))

    # ---- drawing ------------------------------------------------------------------------
    def render(self) -> Markup:
        parts = [self._grid(), *self._shape_lines(), *self._bars(), *self._scatters(),
                 *self._annotations()]
        svg = (f'<svg class="chart-static-plot" width="100%" height="{self.plot_height}" '
               f'overflow="visible" fill="{FONT}" font-size="12" '
               f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')
        legend = "".join(
            f'<span style="white-space:nowrap;margin:0 8px">{swatch}&nbsp;{escape(name)}</span>'
            for name, swatch in self.legend)
        return Markup(
            f'<div class="chart-static" aria-hidden="true" style="box-sizing:border-box;'
            f"min-height:{self.height}px;padding:{self.top}px {self.right}px 0 {self.left}px;"
            f'font:13px system-ui,Segoe UI,Roboto,Arial,sans-serif;color:{FONT}">{svg}'
            f'<div style="text-align:center;margin-top:{self.bottom - self.legend_height}px;'
            f'line-height:{LEGEND_ROW}px">{legend}</div></div>')

    def _grid(self) -> str:
        out = []
        y_axis, x_axis = self.layout.get("yaxis", {}), self.layout.get("xaxis", {})
        for tick in _ticks(*self.y_range):
            y = self.y(tick)
            out.append(f'<line x1="0" x2="100%" y1="{y}" y2="{y}" stroke="{GRID}"/>'
                       f'<text x="-6" y="{y}" text-anchor="end" dominant-baseline="middle">'
                       f'{escape(self.number(tick, y_axis.get("tickformat")))}</text>')
        base = self.plot_height + 16
        if self.categories is not None:
            for category in self.categories:
                label = escape(self._category_label(category))
                if self.slanted:
                    out.append(f'<svg x="{self.x(category)}" y="{base - 10}" overflow="visible">'
                               f'<text transform="rotate(-30)" text-anchor="end" '
                               f'dominant-baseline="middle">{label}</text></svg>')
                else:
                    out.append(f'<text x="{self.x(category)}" y="{base}" '
                               f'text-anchor="middle">{label}</text>')
        else:
            dtick = x_axis.get("dtick")
            low, high = self.x_range
            ticks = [v for v in range(math.ceil(low), math.floor(high) + 1)] if dtick == 1 \
                else _ticks(low, high)
            for tick in ticks:
                x = self.x(tick)
                out.append(f'<line x1="{x}" x2="{x}" y1="0" y2="{self.plot_height}" '
                           f'stroke="{GRID}"/><text x="{x}" y="{base}" text-anchor="middle">'
                           f'{escape(self.number(tick, x_axis.get("tickformat")))}</text>')
        x_title, y_title = _title(x_axis), _title(y_axis)
        if x_title:
            out.append(f'<text x="50%" y="{base + 20}" text-anchor="middle" font-size="13">'
                       f"{escape(x_title)}</text>")
        if y_title:
            out.append(f'<text transform="translate({8 - self.left} {self.plot_height / 2}) '
                       f'rotate(-90)" text-anchor="middle" font-size="13">{escape(y_title)}'
                       "</text>")
        return "".join(out)

    def _category_label(self, category) -> str:
        if isinstance(category, int | float):
            return self.number(category, None)
        return _decode(str(category))

    def _shape_lines(self) -> list[str]:
        out = []
        for shape in self.layout.get("shapes", ()):
            if shape.get("type", "line") != "line":
                continue
            line = shape.get("line", {})
            x0, x1 = (self._x_at(shape, k) for k in ("x0", "x1"))
            y0, y1 = (self._y_at(shape, k) for k in ("y0", "y1"))
            stroke = _stroke(line.get("color", FONT), line.get("width", 2), line.get("dash"))
            out.append(f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y1}" {stroke}/>')
        return out

    def _x_at(self, item: dict, key: str) -> str:
        if item.get("xref", "x") == "x":
            return self.x(item[key])
        return f"{item[key] * 100:.3f}%"  # "x domain" or "paper": a share of the width

    def _y_at(self, item: dict, key: str) -> float:
        if item.get("yref", "y") == "y":
            return self.y(item[key])
        return round(self.plot_height * (1 - item[key]), 2)

    def _annotations(self) -> list[str]:
        out = []
        for note in self.layout.get("annotations", ()):
            anchor = {"left": "start", "right": "end"}.get(note.get("xanchor"), "middle")
            y = self._y_at(note, "y")
            baseline = {"bottom": -4, "top": 12}.get(note.get("yanchor"), 4)
            colour = (note.get("font") or {}).get("color", FONT)
            out.append(f'<text x="{self._x_at(note, "x")}" y="{y + baseline}" '
                       f'text-anchor="{anchor}" fill="{escape(colour)}">'
                       f'{escape(_decode(note.get("text", "")))}</text>')
        return out

    def _bars(self) -> list[str]:
        bars = [t for t in self.traces if t.get("type") == "bar"]
        if not bars:
            return []
        out, bottoms = [], {}
        stacked = self.layout.get("barmode") == "stack"
        slot = 80 / len(self.categories) / (1 if stacked else len(bars))
        for n, trace in enumerate(bars):
            colour = (trace.get("marker") or {}).get("color") or PALETTE[n % len(PALETTE)]
            for i, (x, y) in enumerate(zip(trace.get("x") or (), trace.get("y") or (),
                                           strict=False)):
                if y is None:
                    continue
                base = bottoms.get(x, 0.0) if stacked else 0.0
                top = base + y
                if stacked:
                    bottoms[x] = top
                centre = float(self.x(x)[:-1])
                left = centre - (slot / 2 if stacked else 40 / len(self.categories) - n * slot)
                y_top, y_base = self.y(max(top, base)), self.y(min(top, base))
                out.append(f'<rect x="{left:.3f}%" width="{slot:.3f}%" y="{y_top}" '
                           f'height="{max(y_base - y_top, 0):.2f}" fill="{escape(colour)}" '
                           f'stroke="#fff" stroke-width="0.5"><title>'
                           f"{escape(self.hover(trace, i))}</title></rect>")
        return out

    def _scatters(self) -> list[str]:
        out = []
        for n, trace in enumerate(self.traces):
            if trace.get("type", "scatter") != "scatter":
                continue
            mode = trace.get("mode", "lines+markers")
            line = trace.get("line") or {}
            colour = line.get("color") or PALETTE[n % len(PALETTE)]
            points = [(i, x, y) for i, (x, y) in enumerate(zip(
                trace.get("x") or (), trace.get("y") or (), strict=False))
                if x is not None and y is not None]
            if "lines" in mode:
                stroke = _stroke(colour, line.get("width", 2), line.get("dash"))
                out += [f'<line x1="{self.x(a[1])}" x2="{self.x(b[1])}" y1="{self.y(a[2])}" '
                        f'y2="{self.y(b[2])}" {stroke}/>' for a, b in zip(points[:-1], points[1:],
                                                                          strict=True)]
            out += self._error_bars(trace, points, colour)
            if "markers" in mode:
                out += self._markers(trace, points, colour)
            if "text" in mode:
                out += self._texts(trace, points)
        return out

    def _error_bars(self, trace: dict, points: list, colour: str) -> list[str]:
        error = trace.get("error_y") or {}
        if error.get("array") is None:
            return []
        plus, minus = error["array"], error.get("arrayminus") or error["array"]
        out = []
        for i, x, y in points:
            top, bottom = self.y(y + (plus[i] or 0)), self.y(y - (minus[i] or 0))
            out.append(f'<svg x="{self.x(x)}" overflow="visible"><path d="M-4,{top}h8M0,{top}'
                       f'V{bottom}M-4,{bottom}h8" stroke="{escape(colour)}" stroke-width="1.5"'
                       ' fill="none"/></svg>')
        return out

    def _markers(self, trace: dict, points: list, colour: str) -> list[str]:
        marker = trace.get("marker") or {}
        edge = marker.get("line") or {}
        outline = (f' stroke="{escape(edge["color"])}" stroke-width="{edge.get("width", 1)}"'
                   if edge.get("color") else "")
        out = []
        for i, x, y in points:
            fill = _item(marker.get("color"), i) or colour
            symbol = _item(marker.get("symbol"), i) or "circle"
            size = _item(marker.get("size"), i) or 6
            out.append(f'<svg x="{self.x(x)}" y="{self.y(y)}" overflow="visible">'
                       f"{_symbol(symbol, size, fill, outline)}"
                       f"<title>{escape(self.hover(trace, i))}</title></svg>")
        return out

    def _texts(self, trace: dict, points: list) -> list[str]:
        font = trace.get("textfont") or {}
        size = (trace.get("marker") or {}).get("size", 6)
        out = []
        for i, x, y in points:
            text = _decode(str(_item(trace.get("text"), i) or ""))
            if not text:
                continue
            below = "bottom" in (_item(trace.get("textposition"), i) or "top center")
            dy = size / 2 + 13 if below else -(size / 2 + 4)
            out.append(f'<text x="{self.x(x)}" y="{self.y(y) + dy}" text-anchor="middle" '
                       f'font-size="{font.get("size", 12)}" '
                       f'fill="{escape(font.get("color", FONT))}">{escape(text)}</text>')
        return out

    def _legend_entries(self) -> list[tuple[str, str]]:
        if self.layout.get("showlegend") is False or len(self.traces) < 2:
            return []
        entries, groups = [], set()
        for n, trace in enumerate(self.traces):
            name, group = trace.get("name"), trace.get("legendgroup")
            if not name or trace.get("showlegend") is False or (group and group in groups):
                continue
            groups.add(group)
            entries.append((_decode(name), _swatch(trace, n)))
        return entries


def _swatch(trace: dict, n: int) -> str:
    line = trace.get("line") or {}
    marker = trace.get("marker") or {}
    colour = line.get("color") or _item(marker.get("color"), 0) or PALETTE[n % len(PALETTE)]
    if trace.get("type") == "bar":
        inner = f'<rect x="4" y="2" width="16" height="10" fill="{escape(colour)}"/>'
    else:
        mode = trace.get("mode", "lines+markers")
        inner = (f'<line x1="0" x2="24" y1="7" y2="7" '
                 f'{_stroke(colour, min(line.get("width", 2), 3), line.get("dash"))}/>'
                 if "lines" in mode else "")
        if "markers" in mode:
            symbol = _item(marker.get("symbol"), 0) or "circle"
            inner += f'<svg x="12" y="7" overflow="visible">{_symbol(symbol, 8, colour, "")}</svg>'
    return (f'<svg width="24" height="14" style="vertical-align:middle" '
            f'xmlns="http://www.w3.org/2000/svg">{inner}</svg>')


def _symbol(name: str, size: float, fill: str, outline: str) -> str:
    r = size / 2
    paths = {
        "square": f"M{-r},{-r}H{r}V{r}H{-r}Z",
        "diamond": f"M{-r * 1.3},0L0,{-r * 1.3}L{r * 1.3},0L0,{r * 1.3}Z",
        "triangle-up": f"M{-r * 1.15},{r * 0.85}L0,{-r * 1.15}L{r * 1.15},{r * 0.85}Z",
        "star": "M" + "L".join(
            f"{(r * 1.3 if k % 2 == 0 else r * 0.55) * math.sin(k * math.pi / 5):.2f},"
            f"{-(r * 1.3 if k % 2 == 0 else r * 0.55) * math.cos(k * math.pi / 5):.2f}"
            for k in range(10)) + "Z",
    }
    if name in ("x", "cross"):
        d = (f"M{-r},{-r}L{r},{r}M{-r},{r}L{r},{-r}" if name == "x"
             else f"M{-r},0H{r}M0,{-r}V{r}")
        return f'<path d="{d}" stroke="{escape(fill)}" stroke-width="2.5" fill="none"/>'
    if name in paths:
        return f'<path d="{paths[name]}" fill="{escape(fill)}"{outline}/>'
    return f'<circle r="{r}" fill="{escape(fill)}"{outline}/>'


def _stroke(colour: str, width: float, dash: str | None) -> str:
    pattern = f' stroke-dasharray="{DASHES[dash]}"' if dash in DASHES else ""
    return f'stroke="{escape(colour)}" stroke-width="{width}"{pattern} fill="none"'


def _title(axis: dict) -> str:
    title = axis.get("title") or {}
    return _decode(title.get("text", "") if isinstance(title, dict) else str(title))


def _decode(text: str) -> str:
    """A Plotly label as the reader sees it: Plotly decodes the entities charts.plain wrote."""
    return html.unescape(re.sub(r"<br\s*/?>", "\n", str(text)))


def _item(value, i: int):
    if isinstance(value, list | tuple):
        return value[i] if i < len(value) else None
    return value


def _padded(values: list[float], share: float) -> tuple[float, float]:
    values = [float(v) for v in values if isinstance(v, int | float)]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = (high - low) * share or (abs(high) * 0.1 or 0.5)
    return low - pad, high + pad


def _ticks(low: float, high: float, target: int = 5) -> list[float]:
    """About `target` round values (1, 2, 2.5 or 5 times a power of ten) inside low..high."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(high / step + 1e-9) + 1)]
