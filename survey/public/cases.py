"""Feedback case figures for the public scoreboard (SIPAS element E in practice, issue #23):
per province, service area and unit, for the scoreboard's year, the share of cases answered
by their deadline and the median days to answer (survey/services/feedback/figures.py).

The same privacy rules as every published figure (METHODOLOGY §6): the number of cases is
always shown; the share answered on time (and the median) only when at least SMALL_N cases
are judged, and further cells are hidden by the complementary suppression so that no hidden
cell follows from the published ones by adding and subtracting. A unit's figures hold its
whole subtree and a service area's cross the units, so the cells are described by their base
cells (unit x service area, each unit's own cases) and the exact check solves for those. The
median is not additive, but it is shown only beside a share that is shown, and only over at
least SMALL_N answered cases (one citizen's case must never be readable from it).

A case is judged at the scoreboard's build: the scoreboard's version includes the day
(survey/public/board.py), so a case that passes its deadline unanswered counts the next day.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from analysis.privacy import complementary_suppression
from survey.extensions import db
from survey.models import Unit
from survey.services.feedback import figures
from survey.services.reporting.suppression import SMALL_N


def _cell(year: int, members: list[figures.CaseTimes], now: datetime) -> dict:
    if not members:
        return {"year": year, "cases": 0, "judged": 0, "suppressed": True}
    f = figures.case_figures(members, now, by=())[0]
    return {"year": year, "cases": f.cases, "judged": f.judged, "answered": f.answered,
            "on_time": f.on_time, "share_on_time": f.share_on_time,
            "median_days": f.median_days, "suppressed": False}


SHOWN_WHEN_SUPPRESSED = ("year", "cases", "judged", "suppressed")


def build(year: int | None, now: datetime) -> dict:
    """{"province": cell, "areas": {code: cell}, "units": {code: cell}} for the cases opened
    in `year`; each cell as `_cell` gives it, hidden fields removed."""
    empty = {"province": None, "areas": {}, "units": {}}
    if year is None:
        return empty
    rows = figures.year_rows(None, year)
    if not rows:
        return empty
    paths = dict(db.session.execute(db.select(Unit.code, Unit.path)).all())
    bases = sorted({(r.unit, r.service) for r in rows})
    base_index = {b: i for i, b in enumerate(bases)}
    by_base: dict[tuple[str, str], list] = {}
    for row in rows:
        by_base.setdefault((row.unit, row.service), []).append(row)

    root = next((c for c, p in paths.items() if p.count("/") == 2), None)
    cells: list[tuple[str, str | None, list[int]]] = [("province", None, list(range(len(bases))))]
    for area in sorted({s for _, s in bases} - {""}):
        cells.append(("areas", area, [base_index[b] for b in bases if b[1] == area]))
    above = sorted({code for unit, _ in bases for code in paths.get(unit, "").split("/")
                    if code} - {root})  # the root's subtree is the province's cell
    for code in above:
        prefix = paths[code]
        cells.append(("units", code, [base_index[b] for b in bases
                                      if paths.get(b[0], "").startswith(prefix)]))
    made = [_cell(year, [r for i in members for r in by_base[bases[i]]], now)
            for _, _, members in cells]
    judged = np.array([c["judged"] for c in made], dtype=np.int64)
    hidden = complementary_suppression(judged, _totals(cells, paths, root), min_n=SMALL_N,
                                       members=[m for _, _, m in cells]).hidden
    out: dict = {"province": None, "areas": {}, "units": {}}
    for (kind, code, _), cell, hide in zip(cells, made, hidden, strict=True):
        if hide:
            cell = {f: cell[f] for f in SHOWN_WHEN_SUPPRESSED} | {"suppressed": True}
        elif (cell.get("answered") or 0) < SMALL_N:
            cell = {**cell, "median_days": None}
        if kind == "province":
            out["province"] = cell
        else:
            out[kind][code] = cell
    return out


def _totals(cells, paths: dict[str, str], root: str | None) -> list[tuple[int, list[int]]]:
    """The (total, parts) relations that hold exactly: the province as the sum of the
    service areas, and a unit (or the province) as the sum of the units directly below it,
    when the parts cover all its cases (a unit with cases of its own is no sum of its
    children: the exact check over the base cells still protects it)."""
    index = {(kind, code): i for i, (kind, code, _) in enumerate(cells)}
    members = [set(m) for _, _, m in cells]
    children: dict[int, list[int]] = {}
    for i, (kind, code, _) in enumerate(cells):
        if kind == "units":
            parts = [c for c in paths[code].split("/") if c]
            parent = parts[-2] if len(parts) > 1 else None
            top = index[("province", None)] if parent in (None, root) else \
                index.get(("units", parent))
            if top is not None:
                children.setdefault(top, []).append(i)
    children.setdefault(index[("province", None)], [])
    areas = [i for i, (kind, _, _) in enumerate(cells) if kind == "areas"]
    found = []
    for total, parts in [*children.items(), (index[("province", None)], areas)]:
        if len(parts) > 1 and set().union(*(members[p] for p in parts)) == members[total]:
            found.append((total, sorted(parts)))
    return found
