"""The trend as a small SVG drawn on the server: no script (the pages' CSP allows none inline,
and a phone on a slow line should not fetch Plotly for five points), readable at any width."""

from __future__ import annotations

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 34, 20, 10, 22
FLOOR = 0.4  # shares below 40 % are drawn at the floor's level: the 80 % target stays readable


def _y(share: float) -> float:
    share = max(min(share, 1.0), FLOOR)
    return round(TOP + (1.0 - share) / (1.0 - FLOOR) * (HEIGHT - TOP - BOTTOM), 1)


def trend(rows: list[dict], benchmark: float) -> dict | None:
    """Points (share), bars (the 95 % interval) and the target line, per shown year; None
    with fewer than two years to draw."""
    years = [r["year"] for r in rows]
    if len(years) < 2:
        return None
    first, last = min(years), max(years)
    span = WIDTH - LEFT - RIGHT

    def x(year: int) -> float:
        return round(LEFT + (year - first) / (last - first) * span, 1)

    shown = [r for r in rows if not r["suppressed"] and r.get("share") is not None]
    points = [{"x": x(r["year"]), "y": _y(r["share"]), "year": r["year"],
               "low": _y(r["ci_low"]) if r.get("ci_low") is not None else None,
               "high": _y(r["ci_high"]) if r.get("ci_high") is not None else None}
              for r in shown]
    # the line is broken where a year is hidden or missing
    segments, current = [], []
    for year in range(first, last + 1):
        point = next((p for p in points if p["year"] == year), None)
        if point is None:
            if len(current) > 1:
                segments.append(current)
            current = []
        else:
            current.append(point)
    if len(current) > 1:
        segments.append(current)
    return {
        "width": WIDTH, "height": HEIGHT, "points": points,
        "lines": [" ".join(f"{p['x']},{p['y']}" for p in s) for s in segments],
        "target_y": _y(benchmark), "target": benchmark, "left": LEFT, "right": WIDTH - RIGHT,
        "ticks": [{"y": _y(v), "label": f"{round(v * 100)}"} for v in (0.4, 0.6, 0.8, 1.0)],
        "years": [{"x": x(y), "label": y} for y in sorted(set(years))],
        "axis_y": HEIGHT - BOTTOM + 14,
    }
