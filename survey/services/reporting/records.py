"""Dossier statistics per group with their exact rates (docs/METHODOLOGY.md §7).

These are counts of the whole population, so the rates carry no interval. A period may be
reported yearly, quarterly or monthly; a request uses, for each unit, group and year, the
coarsest rows that are fine enough for its grouping, so nothing is counted twice.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

import analysis
from survey.extensions import db
from survey.models import DossierStat, ProcedureGroup
from survey.models.records import COUNT_COLUMNS
from survey.services.reporting.cells import References
from survey.services.reporting.scope import Grouping, Scope, ScopeError

DIMENSIONS = ("year", "quarter", "month", "service_area", "procedure_group", "level", "unit")
FINENESS = {"year": 0, "quarter": 1, "month": 2}


def _needed_kind(grouping: Grouping) -> int:
    if "month" in grouping.dimensions:
        return FINENESS["month"]
    if "quarter" in grouping.dimensions:
        return FINENESS["quarter"]
    return FINENESS["year"]


def _rows(scope: Scope, refs: References) -> list:
    query = select(
        DossierStat.period_kind, DossierStat.year, DossierStat.period_number,
        DossierStat.unit_id, DossierStat.service_area_id, DossierStat.procedure_group_id,
        *(func.sum(getattr(DossierStat, c)) for c in COUNT_COLUMNS),
    ).group_by(DossierStat.period_kind, DossierStat.year, DossierStat.period_number,
               DossierStat.unit_id, DossierStat.service_area_id, DossierStat.procedure_group_id)
    query = query.where(*refs.unit_conditions(scope, DossierStat.unit_id))
    if scope.service_areas:
        query = query.where(DossierStat.service_area_id.in_(
            [i for i, c in refs.areas.items() if c in scope.service_areas] or [-1]))
    if scope.year_from:
        query = query.where(DossierStat.year >= scope.year_from)
    if scope.year_to:
        query = query.where(DossierStat.year <= scope.year_to)
    return db.session.execute(query).all()


def _choose(rows: list, needed: int) -> list:
    """Per (unit, area, group, year): the coarsest kind at least as fine as `needed`."""
    kinds: dict[tuple, set[int]] = defaultdict(set)
    for row in rows:
        kinds[(row[3], row[4], row[5], row[1])].add(FINENESS[row[0]])
    chosen = {key: min((k for k in present if k >= needed), default=None)
              for key, present in kinds.items()}
    return [row for row in rows if chosen[(row[3], row[4], row[5], row[1])] == FINENESS[row[0]]]


def _key(dimension: str, row, refs: References, groups: dict, grouping: Grouping):
    kind, year, number = row[0], row[1], row[2]
    if dimension == "year":
        return year
    if dimension == "quarter":
        return number if kind == "quarter" else (number - 1) // 3 + 1
    if dimension == "month":
        return number
    if dimension == "service_area":
        return refs.areas.get(row[4])
    if dimension == "procedure_group":
        return groups.get(row[5]) or refs.areas.get(row[4])
    unit = refs.units[row[3]]
    if grouping.unit_rollup:
        unit = refs.ancestor_at(unit, grouping.unit_rollup)
    return unit.code if dimension == "unit" else unit.level


def records(scope: Scope, grouping: Grouping, refs: References | None = None) -> dict:
    for dimension in grouping.dimensions:
        if dimension not in DIMENSIONS:
            raise ScopeError("by", f"dossier statistics cannot be grouped by {dimension!r}",
                             DIMENSIONS)
    refs = refs or References.load()
    groups = dict(db.session.execute(select(ProcedureGroup.id, ProcedureGroup.code)).all())
    needed = _needed_kind(grouping)
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNT_COLUMNS))
    for row in _choose(_rows(scope, refs), needed):
        key = tuple(_key(d, row, refs, groups, grouping) for d in grouping.dimensions)
        for i, value in enumerate(row[6:]):
            totals[key][i] += int(value or 0)
    out = []
    for key in sorted(totals, key=lambda k: tuple(map(str, k))):
        counts = dict(zip(COUNT_COLUMNS, totals[key], strict=True))
        stats = analysis.dossier_statistics(
            received=counts["received_online"] + counts["received_direct"],
            carried_over=counts["carried_over"], resolved_early=counts["resolved_early"],
            resolved_on_time=counts["resolved_on_time"], resolved_late=counts["resolved_late"],
            pending_within_deadline=counts["pending_within"],
            pending_overdue=counts["pending_overdue"])
        row = dict(zip(grouping.dimensions, key, strict=True))
        row.update(counts)
        row.update(received=stats.received, resolved=stats.resolved, pending=stats.pending,
                   resolved_share=stats.resolved_share, on_time_rate=stats.on_time_rate,
                   late_rate=stats.late_rate, overdue_share=stats.overdue_share)
        out.append(row)
    return {
        "method": {
            "source": "dossier statistics (report 'tình hình, kết quả giải quyết TTHC')",
            "rates": "exact (whole population, no sampling interval): resolved_share = "
                     "resolved / (received + carried over); on_time_rate = (early + on time) / "
                     "resolved; late_rate = late / resolved; overdue_share = overdue / pending",
            "periods": "per unit, group and year the coarsest reported period that is fine "
                       "enough for the grouping; finer rows are summed",
        },
        "rows": out,
    }
