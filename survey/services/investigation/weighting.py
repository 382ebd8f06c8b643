"""The weights of a sampled investigation, from what the draw and the fieldwork stored
(docs/METHODOLOGY.md §9; the steps are described in `estimates`): design weights over every
stage, non-response within cells, optional raking to known totals, optional trimming."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import func

from analysis.survey_weights import design_weights, nonresponse_adjust, rake, trim_weights
from survey.extensions import db
from survey.models import DossierStat, Response
from survey.models.investigation import FrameDossier, Investigation, SampleCase

CELLS = ("stratum", "service_area", "unit", "all")
RAKING = ("none", "frame", "records")
RAKED_TO = {"frame": "frame's dossiers",
            "records": "dossiers resolved in the records' yearly statistics of its years"}


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
class Sample:
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


def sample_of(investigation: Investigation) -> Sample:
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
    return Sample(
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



@dataclass
class Weights:
    keep: np.ndarray          # eligible cases kept (their cell has a respondent)
    weights: np.ndarray       # final weight of each respondent (cases kept and responded)
    uncovered: list[str]      # cells left out (no respondent)
    coverage: float           # share of the frame's dossiers in the kept cells
    trim_rule: str | None
    raked: bool
    frame_rows: int
    population: np.ndarray | None  # N_h per respondent (one stage: the fpc), else None


def weigh(investigation: Investigation, sample: Sample, options: Options) -> Weights:
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
    return Weights(keep, w, uncovered, coverage, rule, raked, frame_total, population)
