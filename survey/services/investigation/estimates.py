"""Weighted results of a sampled investigation (issue #20; docs/METHODOLOGY.md §9,
docs/SAMPLING.md "Weighted results").

Read from what the draw and the fieldwork stored, never from a re-draw:

1. design weight 1/π, π the product of the stored stage probabilities (`design_weights`);
2. the cases found not eligible leave the sample; every other case is eligible (an issued case
   of unknown eligibility counts as eligible: the conservative choice, AAPOR's e = 1); the
   completed cases carry the weight of their cell's eligible non-respondents
   (`nonresponse_adjust`), cells the strata by default. A cell without a respondent cannot be
   adjusted: its cases are left out and the answer names it and the share of the frame it
   holds (`coverage`), rather than spreading its weight over people of other strata;
3. optionally raked to known dossiers by unit and by service area of the covered cells (the
   frame's own counts, or the records' resolved dossiers), with the variance of calibrated
   weights;
4. optionally trimmed at k × the median weight, the rule reported.

(`weighting.py` does these steps.)

The estimates use the same answers as the open-collection indices
(survey/services/reporting/cells.py): the overall-satisfaction item's satisfied codes
(`SCALES[scale].positive`: 4–5 of 5) for the satisfied share, and the SIPAS element items
(likert5 items with an element) for the element indices (mean of the items' shares) and the
overall index (mean of the element indices). Each is a smooth function of weighted means; its
Taylor-linearised variable is passed to `analysis.design_mean` as a pseudo-variable whose
weighted mean is the index, so the SE, interval and design effect respect the strata and PSUs
(communes in a two-stage design) exactly as for a single share. Domains (unit, service area)
are estimated by zeroing outside them, never by subsetting the design. The verdict is
`analysis.benchmark_verdict` on the one-sided lower bound and the upper end of the interval.

Published cells follow METHODOLOGY §6: a (domain, measure) cell where fewer than `SMALL_N`
respondents answered the measure (an element: any of its items) shows its n only, further
domains are hidden by `analysis.privacy.complementary_suppression` so that none follows from
the total by subtraction, and the overall index is shown only where every element is.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from scipy import stats
from sqlalchemy import func

import analysis
from analysis.privacy import complementary_suppression
from analysis.scales import SCALES
from analysis.survey_design import design_mean, design_share, survey_design
from survey.extensions import db
from survey.models import Answer, AuditEntry, Response, ServiceArea, Unit, VersionItem
from survey.models.investigation import CaseEvent, Investigation, SampleCase
from survey.services.investigation.weighting import (  # noqa: F401 - the module's API
    CELLS,
    RAKED_TO,
    RAKING,
    EstimateError,
    Options,
    Weights,
    sample_of,
    weigh,
)
from survey.services.reporting.cells import RATING_TYPES
from survey.services.reporting.suppression import SMALL_N

ELEMENTS = ("A", "B", "C", "D", "E")
MEASURES = ("overall", "index", *ELEMENTS)
DOMAINS = ("all", "service_area", "unit")
# What a suppressed row leaves empty (as reporting.indices.HIDDEN_FIELDS for the open stream).
HIDDEN = ("estimate", "se", "ci_low", "ci_high", "deff", "lower_one_sided", "verdict")


def _answers(investigation: Investigation) -> tuple[dict, dict]:
    """0/1/nan per (response, item), and each measured item's (element or None, is_overall).

    The same items and satisfied codes as the open collection's indices."""
    rows = db.session.execute(
        db.select(Answer.response_id, Answer.item_code, Answer.value_int, VersionItem.item_type,
                  VersionItem.element, VersionItem.is_overall)
        .join(SampleCase, SampleCase.response_id == Answer.response_id)
        .join(Response, Response.id == Answer.response_id)
        .join(VersionItem, (VersionItem.version_id == Response.version_id)
              & (VersionItem.code == Answer.item_code))
        .where(SampleCase.investigation_id == investigation.id)
        .where(VersionItem.is_overall.is_(True)
               | (VersionItem.element.is_not(None) & (VersionItem.item_type == "likert5")))
    ).all()
    values: dict[tuple[int, str], float] = {}
    items: dict[str, tuple[str | None, bool]] = {}
    for response_id, code, value, item_type, element, overall in rows:
        scale = RATING_TYPES.get(item_type)
        if scale is None:
            continue
        items[code] = (element if item_type == "likert5" else None, bool(overall))
        if value is not None and 1 <= value <= SCALES[scale].points:  # 97/98/99: no answer
            values[(response_id, code)] = 1.0 if value in SCALES[scale].positive else 0.0
    return values, items


def _index_variable(matrices: list[np.ndarray], w: np.ndarray, domain: np.ndarray):
    """(u, answered): the linearised pseudo-variable of the mean of element indices, each the
    mean of its items' weighted shares, in `domain`; `answered` marks the respondents who
    answered at least one item. Σw·u/Σw over `answered` is the index itself, and
    w·(u − index)/Σw its Taylor linearisation (a sum over items of w(y − p_j)/W_j)."""
    answered = domain.copy()
    any_item = np.zeros(domain.size, dtype=bool)
    for y in matrices:
        any_item |= (~np.isnan(y)).any(axis=1)
    answered &= any_item
    total = float(w[answered].sum())
    parts = []
    for y in matrices:
        ok = ~np.isnan(y) & answered[:, None]
        w_item = (w[:, None] * ok).sum(axis=0)
        use = w_item > 0
        if not use.any():
            continue
        y0 = np.where(ok, y, 0.0)[:, use]
        share = (w[:, None] * y0).sum(axis=0) / w_item[use]
        dev = np.where(ok[:, use], y0 - share, 0.0) / w_item[use]
        parts.append(float(share.mean()) + total * dev.sum(axis=1) / use.sum())
    if not parts or total == 0:
        return None, answered & False
    return np.where(answered, np.mean(parts, axis=0), np.nan), answered


def _figures(result, df: int, confidence: float, benchmark: float, share: bool) -> dict:
    if share:
        return {"estimate": result.share, "se": result.se, "ci_low": result.ci_low,
                "ci_high": result.ci_high, "deff": result.deff,
                "lower_one_sided": result.lower_one_sided, "verdict": result.verdict}
    est, se = result.estimate, result.se
    low = high = lower = verdict = None
    if est is not None and df > 0:
        low, high = max(result.ci_low, 0.0), min(result.ci_high, 1.0)
        lower = max(est - float(stats.t.ppf(confidence, df)) * se, 0.0)
        verdict = analysis.benchmark_verdict(lower, high, benchmark)
    return {"estimate": est, "se": se, "ci_low": low, "ci_high": high, "deff": result.deff,
            "lower_one_sided": lower, "verdict": verdict}


def _suppressed(domains: list[tuple[str, Any, np.ndarray]], units, areas,
                answered: list[np.ndarray]) -> list[bool]:
    """METHODOLOGY §6 on the published domains of one measure: a domain where fewer than
    SMALL_N respondents answered (each of `answered`: an item, all of an element's) shows its
    counts only, and complementary cells so that no hidden domain follows from the total by
    subtraction (the units and the service areas both add up to the total; base cells unit ×
    service area)."""
    pairs = sorted(set(zip(units.tolist(), areas.tolist(), strict=True)))
    index = {p: i for i, p in enumerate(pairs)}
    base = np.array([index[p] for p in zip(units.tolist(), areas.tolist(), strict=True)])
    n = [min(int((mask & a).sum()) for a in answered) for _, _, mask in domains]
    members = [sorted(set(base[mask].tolist())) for _, _, mask in domains]
    unit_cells = [i for i, (kind, _, _) in enumerate(domains) if kind == "unit"]
    area_cells = [i for i, (kind, _, _) in enumerate(domains) if kind == "service_area"]
    totals = [(0, cells) for cells in (unit_cells, area_cells) if cells]
    result = complementary_suppression(n, totals, min_n=SMALL_N, members=members)
    return [bool(h) for h in result.hidden]


def _hidden(published, measures, units, areas, y_overall, matrices) -> dict[str, list[bool]]:
    """Which published domains each measure hides: the overall item's by its answers, an
    element's by the least answered of its items, and the index wherever an element is hidden
    (a composite is shown only when all its parts are, METHODOLOGY §6)."""
    if not published:
        return {m: [] for m in measures}
    out: dict[str, list[bool]] = {}
    if "overall" in measures:
        out["overall"] = _suppressed(published, units, areas, [~np.isnan(y_overall)])
    for element, y in matrices.items():
        out[element] = _suppressed(published, units, areas,
                                   [~np.isnan(y[:, j]) for j in range(y.shape[1])])
    if "index" in measures:
        out["index"] = [any(out[e][i] for e in matrices) for i in range(len(published))]
    return out


def _names(model, ids) -> dict[int, str]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    return dict(db.session.execute(db.select(model.id, model.code).where(model.id.in_(ids))).all())


def method(options: Options, weights: Weights | None, stages: str) -> dict:
    """How the figures were computed, in words (the API's and the page's method note)."""
    note = {
        "design": ("two stages: communes (PSUs) by PPS, then dossiers by simple random "
                   "sampling within each stratum" if stages == "two" else
                   "one stage: stratified simple random sampling of dossiers"),
        "weights": "design weight 1/π, π the product of the stored inclusion probabilities "
                   "of every stage",
        "eligibility": "cases found not eligible are left out; every other case (issued ones "
                       "of unknown eligibility included) counts as eligible",
        "nonresponse": f"respondents carry the weight of the eligible non-respondents of "
                       f"their cell (cells: {options.cells}); a cell without a respondent "
                       "is left out and named (coverage)",
        "raking": (f"raked to the {RAKED_TO[options.raking]} by unit and by service area; "
                   "variance of calibrated weights (residuals on the margins)"
                   if options.raking != "none" else "none"),
        "trimming": (weights.trim_rule if weights and weights.trim_rule else "none"),
        "variance": "Taylor linearisation, ultimate cluster (PSUs with replacement within "
                    "strata)" + ("; PSUs are the communes" if stages == "two" else
                             "; finite-population correction n_h/N_h") + "; df = PSUs − strata;"
                    " intervals ŷ ± t_df·SE; deff = V / V_srs (Kish)",
        "satisfied": "the open collection's definitions: the overall item's satisfied codes "
                     "(4–5 of 5); element index = mean of its items' weighted % satisfied; "
                     "overall index = mean of the element indices",
        "benchmark": f"{options.benchmark:g}: meets when the one-sided {options.confidence:g} "
                     "lower bound ŷ − t_df·SE reaches it, below when the interval's upper end "
                     "is under it, otherwise not established (analysis.benchmark_verdict)",
        "small_n": f"a domain where fewer than {SMALL_N} respondents answered a measure (for an "
                   "element: any of its items) shows n only for it, and further domains are "
                   "hidden so that none follows from the others by subtraction; the overall "
                   "index is shown only where every element is",
        "pooling": "the sampled investigation's results are never pooled with the open "
                   "collection's figures",
    }
    return note


def estimates(investigation: Investigation, options: Options | None = None,
              within: set[int] | None = None, domains: tuple[str, ...] = DOMAINS) -> dict:
    """The investigation's weighted estimates as plain data (JSON-ready).

    `within`: the unit ids a principal may see (an officer's subtree); None: every unit.
    `domains`: which kinds of rows to compute ("all", "service_area", "unit"), the
    suppression being applied to the rows published. Raises EstimateError for a bad option,
    or when raking cannot be done.
    """
    options = (options or Options()).check()
    stages = investigation.design.get("stages", "one")
    head = {"code": investigation.code, "name": investigation.name,
            "status": investigation.status,
            "period_from": investigation.period_from.isoformat(),
            "period_to": investigation.period_to.isoformat(),
            "questionnaire": investigation.questionnaire.code if investigation.questionnaire
            else None}
    sample = sample_of(investigation) if investigation.status != "draft" else None
    out = {"investigation": head, "options": {
        "cells": options.cells, "raking": options.raking, "trim": options.trim,
        "confidence": options.confidence, "benchmark": options.benchmark}, "rows": []}
    if sample is None or not sample.responded.any():
        out["method"] = method(options, None, stages)
        out["sample"] = {"sampled": sample.sampled if sample else 0,
                         "not_eligible": sample.not_eligible if sample else 0,
                         "eligible": int(sample.responded.size) if sample else 0,
                         "respondents": 0}
        out["weights"] = None
        return out
    weights = weigh(investigation, sample, options)
    mask = sample.responded & weights.keep
    w = weights.weights
    units, areas = sample.unit[mask], sample.area[mask]
    design = survey_design(
        w, strata=sample.stratum[mask].astype(str),
        psu=sample.psu[mask].astype(str) if stages == "two" else None,
        population=weights.population,
        calibrated_on=[units.astype(str), areas.astype(str)] if weights.raked else ())
    values, items = _answers(investigation)
    responses = sample.response[mask]

    def column(code: str) -> np.ndarray:
        return np.array([values.get((int(r), code), np.nan) for r in responses])

    overall_codes = sorted(c for c, (_, is_overall) in items.items() if is_overall)
    y_overall = column(overall_codes[0]) if overall_codes else np.full(w.size, np.nan)
    element_items = {e: sorted(c for c, (el, _) in items.items() if el == e) for e in ELEMENTS}
    matrices = {e: np.column_stack([column(c) for c in codes])
                for e, codes in element_items.items() if codes}
    # only the measures the questionnaire has items for
    measures = [m for m in MEASURES if (m == "overall" and overall_codes)
                or (m == "index" and matrices) or m in matrices]
    visible = np.ones(w.size, dtype=bool) if within is None else np.isin(units, list(within))
    unit_codes, area_codes = _names(Unit, units), _names(ServiceArea, areas)
    cells: list[tuple[str, Any, np.ndarray]] = [("all", None, visible)]
    cells += [("service_area", area_codes.get(int(a), str(a)), visible & (areas == a))
              for a in sorted(set(areas[visible].tolist()), key=lambda a: area_codes.get(a, ""))]
    cells += [("unit", unit_codes.get(int(u), str(u)), units == u)
              for u in sorted(set(units[visible].tolist()), key=lambda u: unit_codes.get(u, ""))]
    published = [d for d in cells if d[0] in domains]
    hidden = _hidden(published, measures, units, areas, y_overall, matrices)
    rows = []
    for i, (kind, code, dmask) in enumerate(published):
        respondents = int(dmask.sum())
        for measure in measures:
            suppressed = hidden[measure][i]
            row = {"domain": kind, "code": code, "measure": measure, "respondents": respondents,
                   "suppressed": suppressed, **dict.fromkeys(HIDDEN)}
            # n is always shown (METHODOLOGY §6); the figures only when the cell is published
            row.update(_answered(measure, y_overall, matrices, dmask) if suppressed else
                       _measure(design, measure, y_overall, matrices, w, dmask, options))
            rows.append(row)
    out.update(
        method=method(options, weights, stages),
        sample={"sampled": sample.sampled, "not_eligible": sample.not_eligible,
                "eligible": int(sample.responded.size), "respondents": int(mask.sum()),
                "response_rate": float(sample.responded.mean()) if sample.responded.size
                else None},
        weights={"sum": float(w.sum()), "frame_dossiers": weights.frame_rows,
                 "coverage": weights.coverage, "uncovered_cells": weights.uncovered,
                 "deff_weights": float(w.size * np.sum(w**2) / w.sum() ** 2),
                 "min": float(w.min()), "max": float(w.max()),
                 "trim_rule": weights.trim_rule, "raked": weights.raked},
        design={"stages": stages, "strata": design.n_strata, "psus": design.n_psu,
                "df": design.df, "fpc": weights.population is not None},
        rows=rows)
    return out


def _answered(measure: str, y_overall, matrices, domain) -> dict:
    """n of a hidden cell: the respondents in the domain who answered the measure's items."""
    if measure == "overall":
        return {"n": int((domain & ~np.isnan(y_overall)).sum())}
    chosen = list(matrices.values()) if measure == "index" else [matrices[measure]]
    any_item = np.zeros(domain.size, dtype=bool)
    for y in chosen:
        any_item |= (~np.isnan(y)).any(axis=1)
    return {"n": int((domain & any_item).sum())}


def _measure(design, measure: str, y_overall, matrices, w, domain, options: Options) -> dict:
    if measure == "overall":
        result = design_share(design, y_overall, domain, options.confidence, options.benchmark)
        return {"n": result.n, **_figures(result, design.df, options.confidence,
                                          options.benchmark, True)}
    chosen = list(matrices.values()) if measure == "index" else (
        [matrices[measure]] if measure in matrices else [])
    u, answered = _index_variable(chosen, w, domain) if chosen else (None, None)
    if u is None or not answered.any():
        return {"n": 0}
    result = design_mean(design, u, answered, options.confidence)
    return {"n": result.n, **_figures(result, design.df, options.confidence,
                                      options.benchmark, False)}


def visible_units(scope: Unit | None) -> set[int] | None:
    """The unit ids of `scope`'s subtree (an officer's), or None for everything."""
    if scope is None:
        return None
    return set(db.session.execute(db.select(Unit.id).where(
        Unit.path.startswith(scope.path, autoescape=True))).scalars())


def options_from(args, benchmark: float) -> Options:
    """Options from a mapping of strings (a query: cells, raking, trim); empty = default.
    Every bad value is an EstimateError naming it."""
    trim = (args.get("trim") or "").strip()
    trim_k = None
    if trim:
        try:
            trim_k = float(trim)
        except ValueError:
            raise EstimateError("trim", f"'trim' must be a number, not {trim[:40]!r}") from None
    return Options(cells=args.get("cells") or "stratum", raking=args.get("raking") or "none",
                   trim=trim_k, benchmark=benchmark).check()


# Results kept per worker, keyed by what they depend on: the investigation's own fieldwork
# (every status change is a case_event; a response deleted for good clears its case's
# response_id) and, for raking to the records, the audit log that every records import writes.
# New open-collection answers do not touch them, so a dashboard keeps its panel while they
# arrive.
MAX_CACHED = 32
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _fieldwork_version(investigation: Investigation, options: Options) -> tuple:
    events = db.session.execute(
        db.select(func.max(CaseEvent.id)).join(SampleCase, SampleCase.id == CaseEvent.case_id)
        .where(SampleCase.investigation_id == investigation.id)).scalar()
    answered = tuple(db.session.execute(
        db.select(func.count(SampleCase.response_id), func.sum(SampleCase.response_id))
        .where(SampleCase.investigation_id == investigation.id)).one())
    records = db.session.execute(db.select(func.max(AuditEntry.id))).scalar() \
        if options.raking == "records" else None
    return (db.session.get_bind().url.render_as_string(), investigation.id,
            investigation.status, events, answered, records)


def cached_estimates(investigation: Investigation, options: Options | None = None,
                     within: set[int] | None = None,
                     domains: tuple[str, ...] = DOMAINS) -> dict:
    """`estimates`, computed once per state of the investigation's fieldwork (a copy each
    time, so a caller may change what it gets)."""
    options = (options or Options()).check()
    key = (_fieldwork_version(investigation, options), options,
           None if within is None else frozenset(within), tuple(domains))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return copy.deepcopy(_cache[key])
    result = estimates(investigation, options, within, domains)
    with _lock:
        _cache[key] = copy.deepcopy(result)
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return result
