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
3. optionally raked to the frame's own counts of dossiers by unit and by service area (the
   covered cells' dossiers), with the variance of calibrated weights;
4. optionally trimmed at k × the median weight, the rule reported.

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

Published cells follow METHODOLOGY §6: a domain of fewer than `SMALL_N` respondents shows its
n only, and further domains are hidden by `analysis.privacy.complementary_suppression` so that
none follows from the total by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from sqlalchemy import func

import analysis
from analysis.privacy import complementary_suppression
from analysis.scales import SCALES
from analysis.survey_design import design_mean, design_share, survey_design
from analysis.survey_weights import design_weights, nonresponse_adjust, rake, trim_weights
from survey.extensions import db
from survey.models import Answer, DossierStat, Response, ServiceArea, Unit, VersionItem
from survey.models.investigation import FrameDossier, Investigation, SampleCase
from survey.services.reporting.cells import RATING_TYPES
from survey.services.reporting.suppression import SMALL_N

CELLS = ("stratum", "service_area", "unit", "all")
RAKING = ("none", "frame", "records")
ELEMENTS = ("A", "B", "C", "D", "E")
MEASURES = ("overall", "index", *ELEMENTS)
DOMAINS = ("all", "service_area", "unit")
RAKED_TO = {"frame": "frame's dossiers",
            "records": "dossiers resolved in the records' yearly statistics of its years"}
# What a suppressed row leaves empty (as reporting.indices.HIDDEN_FIELDS for the open stream).
HIDDEN = ("n", "estimate", "se", "ci_low", "ci_high", "deff", "lower_one_sided", "verdict")


class EstimateError(ValueError):
    """A bad option, named: `parameter` is the option's name."""

    def __init__(self, parameter: str, message: str, allowed: tuple = ()):
        super().__init__(message)
        self.parameter, self.allowed = parameter, list(allowed)


@dataclass(frozen=True, slots=True)
class Options:
    cells: str = "stratum"
    raking: str = "none"
    trim: float | None = None  # k: cap at k × median weight
    confidence: float = 0.95
    benchmark: float = 0.8

    def check(self) -> Options:
        if self.cells not in CELLS:
            raise EstimateError("cells", f"unknown cells {self.cells!r}", CELLS)
        if self.raking not in RAKING:
            raise EstimateError("raking", f"unknown raking {self.raking!r}", RAKING)
        if self.trim is not None and not 1 < self.trim <= 100:
            raise EstimateError("trim", "trim must be a number above 1 and at most 100")
        return self


@dataclass
class _Sample:
    """One row per eligible sampled case, in case order, as numpy arrays."""

    stratum: np.ndarray
    psu: np.ndarray
    pi1: np.ndarray
    pi2: np.ndarray
    unit: np.ndarray          # unit id
    area: np.ndarray          # service area id
    responded: np.ndarray     # bool
    response: np.ndarray      # response id (0 when none)
    sampled: int
    not_eligible: int


def _sample(investigation: Investigation) -> _Sample:
    rows = db.session.execute(
        db.select(SampleCase.stratum_key, SampleCase.psu_key, SampleCase.psu_probability,
                  SampleCase.unit_probability, FrameDossier.unit_id,
                  FrameDossier.service_area_id, SampleCase.status, SampleCase.response_id,
                  Response.quarantine_id)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .outerjoin(Response, Response.id == SampleCase.response_id)
        .where(SampleCase.investigation_id == investigation.id)
        .order_by(SampleCase.id)).all()
    eligible = [r for r in rows if r.status != "not_eligible"]
    # A response set aside (quarantined) is in no figure, so its case counts as unanswered.
    done = [r.status == "completed" and r.response_id is not None and r.quarantine_id is None
            for r in eligible]
    return _Sample(
        np.array([r.stratum_key for r in eligible], dtype=object),
        np.array([r.psu_key for r in eligible], dtype=object),
        np.array([r.psu_probability for r in eligible], dtype=float),
        np.array([r.unit_probability for r in eligible], dtype=float),
        np.array([r.unit_id for r in eligible], dtype=np.int64),
        np.array([r.service_area_id for r in eligible], dtype=np.int64),
        np.array(done, dtype=bool),
        np.array([r.response_id or 0 for r in eligible], dtype=np.int64),
        len(rows), len(rows) - len(eligible))


def _cell_of(option: str, stratum, unit, area) -> str:
    if option == "stratum":
        return str(stratum)
    if option == "unit":
        return f"u{unit}"
    if option == "service_area":
        return f"s{area}"
    return "all"


def _frame_counts(investigation: Investigation) -> list[tuple[str, int, int, int]]:
    """(stratum, unit id, service area id, dossiers) over the investigation's frame."""
    return [tuple(r) for r in db.session.execute(
        db.select(FrameDossier.stratum_key, FrameDossier.unit_id, FrameDossier.service_area_id,
                  func.count())
        .where(FrameDossier.investigation_id == investigation.id)
        .group_by(FrameDossier.stratum_key, FrameDossier.unit_id,
                  FrameDossier.service_area_id)).all()]


def _known_totals(investigation: Investigation, source: str,
                  covered_frame: list[tuple[str, int, int, int]]) -> dict[tuple[int, int], float]:
    """Dossiers per (unit, service area) of the covered strata: counted in the frame, or the
    dossiers resolved (early, on time, late) in the records' yearly statistics of the
    investigation's years, for the same (unit, service area) pairs."""
    pairs: dict[tuple[int, int], float] = {}
    for _s, u, a, c in covered_frame:
        pairs[(u, a)] = pairs.get((u, a), 0) + c
    if source == "frame":
        return pairs
    resolved = (DossierStat.resolved_early + DossierStat.resolved_on_time
                + DossierStat.resolved_late)
    rows = db.session.execute(
        db.select(DossierStat.unit_id, DossierStat.service_area_id, func.sum(resolved))
        .where(DossierStat.period_kind == "year",
               DossierStat.year.between(investigation.period_from.year,
                                        investigation.period_to.year))
        .group_by(DossierStat.unit_id, DossierStat.service_area_id)).all()
    records = {(u, a): float(c) for u, a, c in rows if (u, a) in pairs and c}
    if not records:
        raise EstimateError("raking", "the records hold no resolved dossiers of the "
                                      "investigation's years for its units and service areas")
    return records


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


@dataclass
class _Weights:
    keep: np.ndarray          # eligible cases kept (their cell has a respondent)
    weights: np.ndarray       # final weight of each respondent (cases kept and responded)
    uncovered: list[str]      # cells left out (no respondent)
    coverage: float           # share of the frame's dossiers in the kept cells
    trim_rule: str | None
    raked: bool
    frame_rows: int
    population: np.ndarray | None  # N_h per respondent (one stage: the fpc), else None


def _weigh(investigation: Investigation, sample: _Sample, options: Options) -> _Weights:
    counts = _frame_counts(investigation)
    frame_total = sum(c for *_, c in counts)
    cells = np.array([_cell_of(options.cells, s, u, a)
                      for s, u, a in zip(sample.stratum, sample.unit, sample.area, strict=True)],
                     dtype=object)
    answered = set(cells[sample.responded])
    keep = np.array([c in answered for c in cells], dtype=bool)
    uncovered = sorted(set(cells) - answered)
    covered_frame = [(s, u, a, c) for s, u, a, c in counts
                     if _cell_of(options.cells, s, u, a) in answered]
    coverage = sum(c for *_, c in covered_frame) / frame_total if frame_total else 0.0
    w = design_weights(sample.pi1[keep], sample.pi2[keep])
    w = nonresponse_adjust(w, sample.responded[keep], cells[keep])
    responded = sample.responded[keep]
    w = w[responded]
    raked = False
    if options.raking != "none":
        totals = _known_totals(investigation, options.raking, covered_frame)
        by_unit: dict[str, float] = {}
        by_area: dict[str, float] = {}
        for (u, a), c in totals.items():
            by_unit[str(u)] = by_unit.get(str(u), 0) + c
            by_area[str(a)] = by_area.get(str(a), 0) + c
        mask = keep.copy()
        mask[keep] = responded
        margins = [(sample.unit[mask].astype(str), by_unit),
                   (sample.area[mask].astype(str), by_area)]
        # Units or areas with a total but no respondent (or the reverse) cannot be raked.
        have_u, have_a = set(margins[0][0]), set(margins[1][0])
        if set(by_unit) ^ have_u or set(by_area) ^ have_a:
            raise EstimateError(
                "raking", f"raking to the {options.raking} needs a total and a respondent for "
                "every unit and service area of the covered strata; estimate without raking, "
                "or with broader cells")
        try:
            w = rake(w, margins).weights
        except ValueError as error:
            raise EstimateError("raking", str(error)) from error
        raked = True
    rule = None
    if options.trim is not None:
        try:
            result = trim_weights(w, options.trim)
        except ValueError as error:
            raise EstimateError("trim", str(error)) from error
        w, rule = result.weights, result.rule
    population = None
    if investigation.design.get("stages", "one") == "one":
        # One stage: simple random sampling within strata, so the finite-population
        # correction n_h/N_h applies (N_h the stratum's dossiers in the frame).
        size: dict[str, int] = {}
        for s, _u, _a, c in counts:
            size[str(s)] = size.get(str(s), 0) + c
        mask = keep.copy()
        mask[keep] = responded
        population = np.array([size[str(s)] for s in sample.stratum[mask]], dtype=float)
    return _Weights(keep, w, uncovered, coverage, rule, raked, frame_total, population)


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


def _suppressed(domains: list[tuple[str, Any, np.ndarray]], units, areas) -> list[bool]:
    """METHODOLOGY §6 on the published domains: under SMALL_N respondents shows n only, and
    complementary cells so that no hidden domain follows from the total by subtraction (the
    units and the service areas both add up to the total; base cells unit × service area)."""
    pairs = sorted(set(zip(units.tolist(), areas.tolist(), strict=True)))
    index = {p: i for i, p in enumerate(pairs)}
    base = np.array([index[p] for p in zip(units.tolist(), areas.tolist(), strict=True)])
    n = [int(mask.sum()) for _, _, mask in domains]
    members = [sorted(set(base[mask].tolist())) for _, _, mask in domains]
    unit_cells = [i for i, (kind, _, _) in enumerate(domains) if kind == "unit"]
    area_cells = [i for i, (kind, _, _) in enumerate(domains) if kind == "service_area"]
    totals = [(0, cells) for cells in (unit_cells, area_cells) if cells]
    result = complementary_suppression(n, totals, min_n=SMALL_N, members=members)
    return [bool(h) for h in result.hidden]


def _names(model, ids) -> dict[int, str]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    return dict(db.session.execute(db.select(model.id, model.code).where(model.id.in_(ids))).all())


def method(options: Options, weights: _Weights | None, stages: str) -> dict:
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
        "small_n": f"a domain of fewer than {SMALL_N} respondents shows n only, and further "
                   "domains are hidden so that none follows from the others by subtraction",
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
    sample = _sample(investigation) if investigation.status != "draft" else None
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
    weights = _weigh(investigation, sample, options)
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
    hidden = _suppressed(published, units, areas) if published else []
    rows = []
    for (kind, code, dmask), suppressed in zip(published, hidden, strict=True):
        respondents = int(dmask.sum())
        for measure in measures:
            row = {"domain": kind, "code": code, "measure": measure, "respondents": respondents,
                   "suppressed": suppressed, **dict.fromkeys(HIDDEN)}
            if not suppressed:
                row.update(_measure(design, measure, y_overall, matrices, w, dmask, options))
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
