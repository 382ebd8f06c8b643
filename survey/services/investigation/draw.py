"""Drawing an investigation's sample from its frame, by its design, from a recorded seed.

The statistics are analysis/: `planned_size` (planner.py) sizes n, `analysis.allocate` shares
it over the strata, `analysis.draw_stratified` or `analysis.draw_two_stage` select and give
each unit's inclusion probability. This module reads the frame in its file order, calls them,
and stores the cases with their probabilities (π per stage, overall π and 1/π), the seed and
what the draw made of the design.

* One stage: stratified simple random sampling; every stratum gets at least the design's
  minimum (all of it when smaller), so n is raised to the sum of those minimums when the size
  option gives less (recorded as `raised_to_minimum`).
* Two stages, within each stratum: communes (PSUs) by randomized systematic PPS on their
  number of frame dossiers, then `dossiers_per_psu` dossiers by SRS in each drawn commune.
  The PSUs to draw, ceil(n / dossiers_per_psu), are shared over the strata with
  `analysis.allocate` in proportion to the strata's dossiers (× S_h for Neyman; equal: the same
  number each), at least max(2, ceil(minimum / dossiers_per_psu)) per stratum (two PSUs are
  the fewest a stratum's variance can be estimated from), never more than it has.
  Each stratum's two-stage draw has its own seed, derived from the investigation's seed and the
  stratum key (`stratum_seed`), so strata are drawn independently and reproducibly.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis import allocate
from analysis.survey_draw import draw_stratified, draw_two_stage
from survey.database import begin_write, bind_processors, insert_rows
from survey.extensions import db
from survey.models import now_utc
from survey.models.investigation import CaseEvent, FrameDossier, Investigation, SampleCase
from survey.services import audit
from survey.services.investigation import contacts
from survey.services.investigation.design import Design, parse_design
from survey.services.investigation.frame_import import collector_paused
from survey.services.investigation.investigations import InvestigationError
from survey.services.investigation.planner import planned_size

CASE_COLUMNS = ("investigation_id", "frame_dossier_id", "stratum_key", "psu_key",
                "psu_probability", "unit_probability", "inclusion", "design_weight", "status",
                "status_at")
Progress = Callable[[int, int], None]


def _silent(done: int, total: int) -> None:
    pass


def stratum_seed(seed: int, stratum: str) -> int:
    """A 63-bit seed for one stratum's two-stage draw: SHA-256 of "seed:stratum"."""
    digest = hashlib.sha256(f"{seed}:{stratum}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True, slots=True)
class Frame:
    ids: np.ndarray       # frame_dossier ids, in file order
    strata: np.ndarray    # stratum key of each (object array)
    psus: np.ndarray | None  # PSU key of each (object array); None: not read (one stage)


@dataclass(frozen=True, slots=True)
class Drawn:
    """The selected frame positions and their probabilities, aligned."""

    positions: np.ndarray
    psu_probability: np.ndarray
    unit_probability: np.ndarray
    inclusion: np.ndarray
    strata: dict          # the record per stratum: N, n (and PSUs for two stages)
    n_target: int
    raised: bool


@dataclass(frozen=True, slots=True)
class DrawResult:
    cases: int
    seed: int
    strata: int
    contacts_deleted: int


def load_frame(investigation_id: int, psus: bool = True) -> Frame:
    """The frame's ids, strata and (with `psus`) PSUs in file order, read on the driver's own
    cursor (a SQLAlchemy Row per dossier costs more than the draw at 2,000,000 dossiers) and
    put in file order here: a database sort of the frame by line cost more than the draw
    too. A one-stage draw needs no PSUs but the drawn cases' (`_psus_of`)."""
    connection = db.session.connection()
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"SELECT line, id, stratum_key{', psu_key' if psus else ''} "
                       f"FROM frame_dossier WHERE investigation_id = {mark}", (investigation_id,))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return Frame(np.empty(0, np.int64), np.empty(0, object),
                     np.empty(0, object) if psus else None)
    lines, ids, strata, *psu = zip(*rows, strict=True)
    del rows
    order = np.argsort(np.fromiter(lines, np.int64, len(lines)), kind="stable")
    return Frame(np.fromiter(ids, np.int64, len(ids))[order],
                 np.array(strata, dtype=object)[order],
                 np.array(psu[0], dtype=object)[order] if psus else None)


def _psus_of(ids: np.ndarray) -> list[str]:
    """The PSU keys of the frame dossiers `ids`, in their order, found by id alone (with the
    investigation too, SQLite scanned its whole frame by that index for every query); a few
    hundred ids a query: SQLite's oldest builds take 999 parameters."""
    found: dict[int, str] = {}
    wanted = ids.tolist()
    for start in range(0, len(wanted), 500):
        found.update(db.session.execute(
            db.select(FrameDossier.id, FrameDossier.psu_key).where(
                FrameDossier.id.in_(wanted[start:start + 500]))).all())
    return [found[i] for i in wanted]


def _sds(design: Design, keys: list[str]) -> np.ndarray:
    missing = [k for k in keys if k not in design.prior_shares]
    if missing:
        raise InvestigationError("design.prior_shares",
                                 f"no share of last year for stratum {missing[0]!r}")
    return np.array([math.sqrt(design.prior_shares[k] * (1 - design.prior_shares[k]))
                     for k in keys])


def _allocate(design: Design, total: int, population: list[int], keys: list[str],
              minimum: int, weights: np.ndarray | None = None):
    """analysis.allocate, raising the total to the sum of the minimums when it is below."""
    floor = sum(min(minimum, p) for p in population)
    target = min(max(total, floor), sum(population))
    method, sds = design.allocation, None
    if method == "neyman":
        sds = _sds(design, keys) * (1.0 if weights is None else weights)
    elif method == "proportional" and weights is not None:
        # a_h = P_h × N_h/P_h = N_h: PSUs in proportion to the stratum's dossiers, capped at P_h
        method, sds = "neyman", weights
    try:
        result = allocate(target, population, method, sds, minimum)
    except ValueError as error:
        raise InvestigationError("design", str(error)) from None
    return result.sizes, target, target > total


def _one_stage(design: Design, frame: Frame, n: int, seed: int) -> Drawn:
    counts = Counter(frame.strata.tolist())
    keys = sorted(counts)
    population = [counts[k] for k in keys]
    sizes, target, raised = _allocate(design, n, population, keys, design.minimum)
    draw = draw_stratified(frame.strata, dict(zip(keys, sizes, strict=True)), seed)
    pi = draw.inclusion[draw.selected]
    record = {k: {"N": big, "n": small} for k, big, small in zip(keys, population, sizes,
                                                                 strict=True)}
    return Drawn(draw.selected, np.ones(pi.size), pi, pi, record, target, raised)


def _two_stage(design: Design, frame: Frame, n: int, seed: int) -> Drawn:
    m = design.dossiers_per_psu
    order = np.argsort(frame.strata, kind="stable")  # each stratum's units, in file order
    keys, starts, counts = np.unique(frame.strata[order], return_index=True,
                                     return_counts=True)
    members = [order[s:s + c] for s, c in zip(starts, counts, strict=True)]
    psu_sizes = [Counter(frame.psus[idx].tolist()) for idx in members]
    psu_counts = [len(sizes) for sizes in psu_sizes]
    per_psu = np.array([c / p for c, p in zip(counts, psu_counts, strict=True)])
    min_psu = max(2, math.ceil(design.minimum / m))
    sizes, target, raised = _allocate(design, math.ceil(n / m), psu_counts, list(keys),
                                      min_psu, weights=per_psu)
    parts, record = [], {}
    for key, idx, psu_size, n_psu in zip(keys, members, psu_sizes, sizes, strict=True):
        record[key] = {"N": int(idx.size), "psus": len(psu_size), "psus_drawn": int(n_psu),
                       "n": 0}
        if n_psu == 0:
            continue
        draw = draw_two_stage(frame.psus[idx], dict(psu_size), n_psu, m, stratum_seed(seed, key))
        record[key]["n"] = int(draw.selected.size)
        parts.append((idx[draw.selected], draw.psu_inclusion[draw.selected],
                      draw.unit_inclusion[draw.selected], draw.inclusion[draw.selected]))
    joined = [np.concatenate(column) for column in zip(*parts, strict=True)]
    return Drawn(*joined, strata=record, n_target=target * m, raised=raised)


def draw_sample(investigation: Investigation, seed: int | None = None, actor: str = "cli",
                progress: Progress = _silent) -> DrawResult:
    """Draw and store the sample; the investigation becomes "drawn" (see the module doc)."""
    begin_write()
    if investigation.status != "draft":
        raise InvestigationError("status", f"is {investigation.status}: the sample is drawn "
                                           "once (a new draw needs a new investigation)")
    seed = secrets.randbits(63) if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InvestigationError("seed", "a whole number from 0 to 2^63 - 1")
    with collector_paused():
        return _draw(investigation, seed, actor, progress)


def _draw(investigation: Investigation, seed: int, actor: str,
          progress: Progress) -> DrawResult:
    progress(0, 3)
    design = parse_design(investigation.design)
    frame = load_frame(investigation.id, psus=design.stages != "one")
    if frame.ids.size == 0:
        raise InvestigationError("frame", "no frame imported: import the frame first")
    progress(1, 3)
    planned = planned_size(design.size, int(frame.ids.size))
    stage = _one_stage if design.stages == "one" else _two_stage
    drawn = stage(design, frame, planned.n, seed)
    progress(2, 3)
    _store_cases(investigation, frame, drawn, actor)
    deleted = contacts.delete_unsampled(investigation.id)
    investigation.seed = seed
    investigation.status = "drawn"
    investigation.drawn_at = now_utc()
    investigation.draw = {
        "planned": planned.as_json(), "n": int(drawn.positions.size),
        "n_target": drawn.n_target, "raised_to_minimum": drawn.raised,
        "stages": design.stages, "frame_rows": int(frame.ids.size), "strata": drawn.strata,
        "numpy": np.__version__,
    }
    audit.record(actor, "draw", "investigation", investigation.code,
                 new={"seed": seed, "cases": int(drawn.positions.size),
                      "contacts_deleted": deleted})
    db.session.flush()
    progress(3, 3)
    return DrawResult(int(drawn.positions.size), seed, len(drawn.strata), deleted)


def _store_cases(investigation: Investigation, frame: Frame, drawn: Drawn, actor: str) -> None:
    connection = db.session.connection()
    at = now_utc()
    stamp = bind_processors(connection.dialect, SampleCase.__table__).get("status_at")
    stamped = stamp(at) if stamp else at
    pos = drawn.positions
    psus = frame.psus[pos] if frame.psus is not None else _psus_of(frame.ids[pos])
    rows = [(investigation.id, int(fid), stratum, psu, float(p1), float(p2), float(pi),
             1.0 / float(pi), "issued", stamped)
            for fid, stratum, psu, p1, p2, pi in zip(
                frame.ids[pos], frame.strata[pos], psus, drawn.psu_probability,
                drawn.unit_probability, drawn.inclusion, strict=True)]
    insert_rows(connection, SampleCase.__table__, rows, columns=CASE_COLUMNS)
    # The history's first line: every case issued by the draw.
    db.session.execute(db.insert(CaseEvent).from_select(
        ["case_id", "from_status", "to_status", "at", "actor", "note"],
        db.select(SampleCase.id, db.null(), db.literal("issued"), db.literal(at, CaseEvent.at.type),
                  db.literal(actor[:80]), db.literal("drawn"))
        .where(SampleCase.investigation_id == investigation.id)))
