"""The province index post-stratified by dossier volume (docs/METHODOLOGY.md §4).

Respondents are not spread over services in proportion to the dossiers handled, so a province
total weights each stratum (service area × level) by the dossiers resolved in it: W_h = N_h/N.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import func, select

import analysis
from analysis.scales import SCALES
from survey.extensions import db
from survey.models import DossierStat, Response
from survey.services.reporting.cache import cached
from survey.services.reporting.cells import References
from survey.services.reporting.indices import view_note
from survey.services.reporting.reattributed import RowView
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError
from survey.services.reporting.suppression import SMALL_N, protected_cells


def latest_year(scope: Scope) -> int | None:
    # the open collection's latest year: an investigation's fieldwork (answered the year after
    # its period) or a quarantined burst does not make a year of figures
    query = select(func.max(Response.year)).where(Response.in_figures)
    if scope.year_to:
        query = query.where(Response.year <= scope.year_to)
    return db.session.execute(query).scalar()


def dossier_volumes(scope: Scope, refs: References, years: tuple[int, int],
                    view: RowView | None = None) -> dict:
    """Dossiers resolved per (service area, level) in the years, from the yearly statistics,
    in the scope's view: on today's units a unit's dossiers go to today's units by the
    lineage's shares (a split's share is an estimate, noted in `view`), and a stratum's level
    is that of today's unit; as recorded a unit counts under its own level, inside a unit
    filter only while it lay there."""
    view = view or RowView(scope, refs, by_unit=True)
    resolved = DossierStat.resolved_early + DossierStat.resolved_on_time + DossierStat.resolved_late
    query = (
        select(DossierStat.service_area_id, DossierStat.unit_id, DossierStat.year,
               func.sum(resolved))
        .where(DossierStat.period_kind == "year", DossierStat.year.between(*years))
        .where(*refs.unit_conditions(scope, DossierStat.unit_id))
        .group_by(DossierStat.service_area_id, DossierStat.unit_id, DossierStat.year)
    )
    if scope.service_areas:
        ids = [i for i, c in refs.areas.items() if c in scope.service_areas]
        query = query.where(DossierStat.service_area_id.in_(ids or [-1]))
    volumes: dict[tuple[str, str], float] = defaultdict(float)
    for area_id, unit_id, year, total in db.session.execute(query).all():
        for target, share, source in view.spread(unit_id, year, None):
            key = (refs.areas[area_id], refs.units[target].level)
            view.note(key, source, target)
            volumes[key] += int(total or 0) * share
    # a split's share of the dossiers is an estimate, in whole dossiers
    return {key: int(round(n)) for key, n in volumes.items()}


@cached
def weighted(scope: Scope, benchmark: float, refs: References | None = None) -> dict:
    if scope.stream != "survey":
        raise ScopeError("stream", "post-stratification applies to the sample survey only")
    refs = refs or References.load()
    year_to = scope.year_to or latest_year(scope)
    year_from = scope.year_from or year_to
    if year_to is None:
        raise ScopeError("to", "there are no responses to weight")
    bounded = Scope(**{**scope.__dict__, "year_from": year_from, "year_to": year_to})
    table = protected_cells(bounded, Grouping(("service_area", "level")), Measure("overall"),
                            refs)
    cells = table.cells
    view = RowView(bounded, refs, by_unit=True)
    volumes = dossier_volumes(bounded, refs, (year_from, year_to), view)
    positive = [c - 1 for c in SCALES[cells.scale].positive]
    strata = sorted(set(cells.counts) | set(volumes), key=lambda s: tuple(map(str, s)))
    k = np.array([int(cells.counts[s][positive].sum()) if s in cells.counts else 0
                  for s in strata])
    n = np.array([int(cells.counts[s].sum()) if s in cells.counts else 0 for s in strata])
    population = np.array([volumes.get(s, 0) for s in strata])
    hidden = np.array([table.is_hidden(s) for s in strata], dtype=bool)
    total = population.sum()
    return {
        "method": {
            "strata": "service area x level of the unit",
            "weights": "W_h = N_h / N, N_h = dossiers resolved in the period (dossier "
                       "statistics); strata without respondents or dossiers are left out and "
                       "reported in coverage",
            "variance": "sum of W_h^2 p_h (1 - p_h) / (n_h - 1) (1 - n_h / N_h)",
            "small_n": f"a stratum of fewer than {SMALL_N} respondents shows n only, as do "
                       "the strata hidden beside it; the hidden strata are collapsed into one "
                       "stratum for the estimate, which then reveals only their sum (known "
                       "already from the total); no estimate when the total is under "
                       f"{SMALL_N}",
            "benchmark": benchmark,
            "units": "on today's units a unit's dossiers and answers go to today's units "
                     "through the lineage and a stratum's level is today's unit's; as recorded "
                     "the level of the unit that recorded them",
            **view_note(scope, refs),
        },
        "year_from": year_from,
        "year_to": year_to,
        "suppressed": bool(n.sum() < SMALL_N),
        "result": _estimate(k, n, population, hidden),
        "strata": [
            {"service_area": s[0], "level": s[1], "n": int(n[i]), "suppressed": bool(hidden[i]),
             "satisfied": None if hidden[i] else int(k[i]),
             "share": float(k[i] / n[i]) if n[i] and not hidden[i] else None,
             "dossiers_resolved": int(population[i]),
             "weight": float(population[i] / total) if total else None,
             # the stratum holds part of a split unit's answers or dossiers (METHODOLOGY §10)
             "estimated": cells.is_estimate(s) or view.is_estimate(s)}
            for i, s in enumerate(strata)
        ],
    }


def _estimate(k, n, population, hidden) -> dict | None:
    """The post-stratified share with the hidden strata collapsed into one (their pooled
    share follows from the total anyway); nothing when the total itself is small."""
    if not k.size or n.sum() < SMALL_N:
        return None
    shown = ~hidden
    if hidden.any():
        k = np.append(k[shown], k[hidden].sum())
        n = np.append(n[shown], n[hidden].sum())
        population = np.append(population[shown], population[hidden].sum())
    return analysis.post_stratify(k, n, population).to_dict()
