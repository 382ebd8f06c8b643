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
from survey.services.reporting import views
from survey.services.reporting.cells import References
from survey.services.reporting.indices import view_note
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


def _first_month(row) -> int | None:
    kind, number = row[0], row[2]
    return number if kind == "month" else (number - 1) * 3 + 1 if kind == "quarter" else None


def _in_view(rows: list, scope: Scope, grouping: Grouping, refs: References):
    """(row, unit id, share, source) per row in the scope's view (`views`): on today's units a
    row's unit becomes today's units by their shares; as recorded a moved unit rolls up to
    the parent of the period's first day and a unit filter holds it only while inside."""
    lineage = refs.lineage
    units = {"unit", "level"} & set(grouping.dimensions)
    if lineage is None or not (units or refs.restricts_units(scope)):
        return [(row, row[3], 1.0, None) for row in rows]
    out = []
    if scope.view == "today":
        mapping = views.Reattribution(lineage, refs, scope)
        for row in rows:
            spread = mapping.spread(row[3], row[1], _first_month(row))
            source = (row[3], row[1], _first_month(row) or 0)
            for target, share in spread:
                out.append((row, target, share, (source, mapping) if len(spread) > 1
                            or share < 1 - 1e-9 else None))
        return out
    inside = views.recorded_inside(lineage, refs, scope) if views.has_moves(lineage) else None
    for row in rows:
        day = views.day_of(row[1], _first_month(row))
        if inside is not None and not inside(row[3], day):
            continue
        unit_id = row[3]
        if grouping.unit_rollup and views.has_moves(lineage):
            unit_id = views.ancestor_on(lineage, refs, unit_id, grouping.unit_rollup, day)
        out.append((row, unit_id, 1.0, None))
    return out


def _key(dimension: str, row, refs: References, groups: dict, grouping: Grouping,
         unit_id: int | None = None):
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
    unit = refs.units[row[3] if unit_id is None else unit_id]
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
    totals: dict[tuple, list[float]] = defaultdict(lambda: [0] * len(COUNT_COLUMNS))
    parts: dict[tuple, dict] = defaultdict(lambda: defaultdict(set))
    for row, unit_id, share, source in _in_view(_choose(_rows(scope, refs), needed), scope,
                                                grouping, refs):
        key = tuple(_key(d, row, refs, groups, grouping, unit_id)
                    for d in grouping.dimensions)
        for i, value in enumerate(row[6:]):
            totals[key][i] += int(value or 0) * share
        if source is not None:
            parts[key][source[0]].add(unit_id)
            mapping = source[1]
    out = []
    for key in sorted(totals, key=lambda k: tuple(map(str, k))):
        # a split's share of a count is an estimate, shown in whole dossiers
        counts = dict(zip(COUNT_COLUMNS, (int(round(v)) for v in totals[key]), strict=True))
        stats = analysis.dossier_statistics(
            received=counts["received_online"] + counts["received_direct"],
            carried_over=counts["carried_over"], resolved_early=counts["resolved_early"],
            resolved_on_time=counts["resolved_on_time"], resolved_late=counts["resolved_late"],
            pending_within_deadline=counts["pending_within"],
            pending_overdue=counts["pending_overdue"])
        row = dict(zip(grouping.dimensions, key, strict=True))
        row.update(counts)
        row["estimated"] = any(mapping.is_estimate(source, targets)
                               for source, targets in parts.get(key, {}).items())
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
            **view_note(scope, refs),
        },
        "rows": out,
    }
