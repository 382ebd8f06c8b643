"""The picture of the chart that triggered an alert, as a small self-contained SVG.

Drawn on the server from the numbers stored with the alert, so the e-mail (as an attachment)
and the in-app page show the same picture, without plotly or kaleido and without scripts:

- CUSUM: the statistic S day by day with its limit h (dashed), the alarm day marked;
- burst: the kiosk's responses per hour of the day, the smallest flagged count (dashed), the
  flagged hour marked.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 36


def _frame(title: str, y_max: float, y_label: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             'font-family="sans-serif" font-size="11">',
             f'<title>{escape(title)}</title>',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
             f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#444"/>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
             'stroke="#444"/>']
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{y_max * fraction:.1f}</text>')
    parts.append(f'<text x="12" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 12 '
                 f'{TOP + plot_h / 2:.1f})" text-anchor="middle">{escape(y_label)}</text>')
    return parts


def _y(value: float, y_max: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h * (1 - min(value, y_max) / y_max)


def cusum_svg(chart: dict, title: str, limit_label: str = "h") -> str:
    """`chart`: days (ISO dates), s (the statistic), h."""
    days, s, h = chart["days"], chart["s"], float(chart["h"])
    y_max = max([h * 1.25, *s]) or 1.0
    parts = _frame(title, y_max, "S")
    step = (WIDTH - LEFT - RIGHT) / max(len(s) - 1, 1)
    points = " ".join(f"{LEFT + i * step:.1f},{_y(v, y_max):.1f}" for i, v in enumerate(s))
    parts.append(f'<line x1="{LEFT}" y1="{_y(h, y_max):.1f}" x2="{WIDTH - RIGHT}" '
                 f'y2="{_y(h, y_max):.1f}" stroke="#b00" stroke-dasharray="6 4"/>')
    # at the left, where S is usually low: the alarm's points are at the right
    parts.append(f'<text x="{LEFT + 6}" y="{_y(h, y_max) - 4:.1f}" '
                 f'fill="#b00">{escape(limit_label)} = {h:.2f}</text>')
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for i, v in enumerate(s):
        if v > h:
            parts.append(f'<circle cx="{LEFT + i * step:.1f}" cy="{_y(v, y_max):.1f}" r="4" '
                         'fill="#b00"/>')
    if days:
        base = HEIGHT - BOTTOM + 16
        parts.append(f'<text x="{LEFT}" y="{base}">{escape(_dmy(days[0]))}</text>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{base}" text-anchor="end">'
                     f'{escape(_dmy(days[-1]))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def burst_svg(chart: dict, title: str, limit_label: str = "") -> str:
    """`chart`: hours (24 counts, local hours 0-23), critical, hour (the flagged one)."""
    counts, critical, flagged = chart["hours"], float(chart["critical"]), chart["hour"]
    y_max = max([critical * 1.25, *counts]) or 1.0
    parts = _frame(title, y_max, "n")
    width = (WIDTH - LEFT - RIGHT) / 24
    for hour, n in enumerate(counts):
        y = _y(n, y_max)
        colour = "#b00" if hour == flagged else "#1f5fa8"
        parts.append(f'<rect x="{LEFT + hour * width + 1:.1f}" y="{y:.1f}" '
                     f'width="{width - 2:.1f}" height="{HEIGHT - BOTTOM - y:.1f}" '
                     f'fill="{colour}"/>')
        if hour % 3 == 0:
            parts.append(f'<text x="{LEFT + hour * width + width / 2:.1f}" '
                         f'y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{hour}h</text>')
    parts.append(f'<line x1="{LEFT}" y1="{_y(critical, y_max):.1f}" x2="{WIDTH - RIGHT}" '
                 f'y2="{_y(critical, y_max):.1f}" stroke="#b00" stroke-dasharray="6 4"/>')
    parts.append(f'<text x="{LEFT + 6}" y="{_y(critical, y_max) - 4:.1f}" '
                 f'fill="#b00">{escape(limit_label)} {critical:.0f}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def svg_for(alert, title: str, limit_label: str = "") -> str:
    if alert.kind == "cusum":
        return cusum_svg(alert.chart, title, limit_label or "h")
    return burst_svg(alert.chart, title, limit_label)
