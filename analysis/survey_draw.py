"""Drawing the sample of a sampled investigation (issue #20; docs/METHODOLOGY.md §9).

Three pure functions over a frame held as plain arrays (one entry per frame unit, i.e. per
resolved dossier); each returns the selected frame indices (sorted) and the inclusion
probability π of *every* frame unit, which the weighting (:func:`analysis.design_weights`)
turns into 1/π.

* :func:`draw_stratified` — simple random sampling without replacement of n_h of the N_h units
  of each stratum h (Cochran 1977, ch. 5); π = n_h / N_h.
* :func:`draw_pps_systematic` — probability proportional to size, systematic selection from a
  randomly ordered list (Madow 1949; the random order is Goodman & Kish 1950's "randomized
  systematic PPS", Hartley & Rao 1962; Särndal, Swensson & Wretman 1992, §3.6). With size
  measures x_i, π_i = n·x_i/Σx. Units with π_i ≥ 1 are *certainty units*: taken with π = 1 and
  removed, and π recomputed for the rest with the remaining sample size, until no π reaches 1
  (Cochran 1977, ch. 9A; Tillé 2006). The other units are put in a random order, their π
  cumulated, a start u ~ U(0, 1) drawn, and the unit whose interval [C_{i-1}, C_i) holds each
  point u, u + 1, ..., u + n' − 1 is taken. Every π < 1, so no unit is hit twice, and the
  realised inclusion probabilities are exactly π; Σπ = n. Units of size 0 have π = 0.
* :func:`draw_two_stage` — PSUs (communes) by that PPS method, then within each selected PSU i
  a simple random sample of m_i = min(m, M_i) of its M_i units (dossiers); π = π_i · m_i / M_i.

**Reproducibility.** Nothing uses global random state. Each random step has its own
``numpy.random.Generator(PCG64)`` seeded with ``SeedSequence([seed, tag, key])`` where tag
names the step (1 stratum SRS, 2 PPS, 3 second-stage SRS) and key is the label's UTF-8 text
(``str(label)``) read as a big-endian integer after a 0x01 byte (so leading zero bytes count).
A stratum's or PSU's sample therefore depends only on the seed, its label and its own units in
frame order: the same seed and frame give the same sample whatever the order of the dict of
sizes, and a change in one stratum leaves the others' samples unchanged. Labels are identified
by ``str(label)``: do not mix 1 and "1" in one frame. The record is (design, seed, numpy
version): numpy promises stable PCG64 streams but not a stable ``Generator.choice``
algorithm across major releases, so the stored π and sample, not a re-draw, are the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._result import Result, as_count

_TAG_STRATUM, _TAG_PPS, _TAG_PSU = 1, 2, 3


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, slots=True)
class StratifiedDraw(Result):
    selected: np.ndarray      # sorted frame indices of the sampled units
    inclusion: np.ndarray     # π of every frame unit (n_h / N_h of its stratum)
    strata: tuple[Any, ...]   # stratum labels, sorted
    sizes: tuple[int, ...]    # n_h, aligned with strata
    population: tuple[int, ...]  # N_h, aligned with strata
    seed: int


@dataclass(frozen=True, slots=True)
class PPSDraw(Result):
    selected: np.ndarray      # sorted indices of the sampled units
    inclusion: np.ndarray     # π of every unit
    certainty: np.ndarray     # sorted indices of the certainty units (π = 1), all selected
    n: int
    seed: int


@dataclass(frozen=True, slots=True)
class TwoStageDraw(Result):
    selected: np.ndarray      # sorted frame indices of the sampled units
    inclusion: np.ndarray     # overall π of every frame unit = π_psu × m_i / M_i
    psu_inclusion: np.ndarray    # first-stage π of every frame unit's PSU
    unit_inclusion: np.ndarray   # second-stage π of every frame unit, given its PSU is drawn
    psus: tuple[Any, ...]     # PSU labels, sorted
    psu_probabilities: np.ndarray  # first-stage π per PSU, aligned with psus
    selected_psus: tuple[Any, ...]  # labels of the drawn PSUs, sorted
    seed: int


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError("seed must be an integer")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return int(seed)


def _rng(seed: int, tag: int, label: Any = "") -> np.random.Generator:
    key = int.from_bytes(b"\x01" + str(label).encode("utf-8"), "big")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, tag, key])))


def _labels(values: Any, name: str) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Sorted distinct labels, their counts, and the frame indices grouped by label."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, one per frame unit")
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: the frame has no units")
    try:
        if arr.dtype == object:
            # np.unique sorts 2M Python objects in seconds; a dict factorises them in a pass.
            seen: dict[Any, int] = {}
            first = np.fromiter((seen.setdefault(v, len(seen)) for v in arr), np.int64, arr.size)
            keys = list(seen)
            rank = np.empty(len(keys), dtype=np.int64)
            rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
            uniq, inverse = sorted(keys), rank[first]
            counts = np.bincount(inverse, minlength=len(keys))
        else:
            uniq, inverse, counts = np.unique(arr, return_inverse=True, return_counts=True)
            uniq = uniq.tolist()
    except TypeError as exc:  # mixed label types cannot be sorted
        raise TypeError(f"{name} must hold labels of one type (all text or all numbers)") from exc
    # Stable sort keeps each group's units in frame order (the seeded draw relies on it).
    order = np.argsort(inverse.ravel(), kind="stable")
    return uniq, counts.astype(np.int64), order


def _srs(rng: np.random.Generator, members: np.ndarray, n: int) -> np.ndarray:
    if n == members.size:
        return members
    return members[rng.choice(members.size, size=n, replace=False)]


def _only_frame_keys(mapping: Mapping, labels, thing: str, value: str) -> None:
    """Refuse a key of `mapping` that no frame unit carries (a typo would draw nothing there)."""
    known = set(labels)
    for key in mapping:
        if key not in known:
            raise ValueError(f"{thing} {key!r} has {value} but no unit in the frame")


def draw_stratified(strata: Any, sizes: Mapping[Any, int], seed: int) -> StratifiedDraw:
    """Stratified simple random sample without replacement; see the module docstring."""
    seed = _seed(seed)
    if not isinstance(sizes, Mapping):
        raise TypeError("sizes must be a mapping stratum -> sample size")
    labels, counts, order = _labels(strata, "strata")
    _only_frame_keys(sizes, labels, "stratum", "a sample size")
    n_h = []
    for label, big_n in zip(labels, counts, strict=True):
        if label not in sizes:
            raise ValueError(f"stratum {label!r} of the frame has no sample size (give 0 to skip)")
        n = as_count(sizes[label], f"sample size of stratum {label!r}")
        if n > big_n:
            raise ValueError(f"stratum {label!r}: sample size {n} exceeds its {big_n} frame units")
        n_h.append(n)
    inclusion = np.empty(order.size)
    picked = []
    start = 0
    for label, big_n, n in zip(labels, counts, n_h, strict=True):
        members = order[start:start + big_n]
        start += big_n
        inclusion[members] = n / big_n
        if n:
            picked.append(_srs(_rng(seed, _TAG_STRATUM, label), members, n))
    selected = np.sort(np.concatenate(picked)) if picked else np.empty(0, dtype=np.int64)
    return StratifiedDraw(
        selected=_frozen(selected.astype(np.int64)), inclusion=_frozen(inclusion),
        strata=tuple(labels), sizes=tuple(n_h), population=tuple(int(c) for c in counts),
        seed=seed,
    )


def _name(i: int, names: list[Any] | None) -> str:
    return f"unit {i}" if names is None else f"PSU {names[i]!r}"


def _size_measures(sizes: Any, names: list[Any] | None = None) -> np.ndarray:
    if isinstance(sizes, str | bytes):
        raise TypeError("sizes must be an array of size measures")
    try:
        x = np.asarray(sizes, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("sizes must be an array of size measures") from exc
    if x.ndim != 1 or x.size == 0:
        raise ValueError("sizes must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(x)):
        bad = int(np.flatnonzero(~np.isfinite(x))[0])
        raise ValueError(f"size measure of {_name(bad, names)} is not a finite number")
    if np.any(x < 0):
        bad = int(np.flatnonzero(x < 0)[0])
        raise ValueError(f"size measure of {_name(bad, names)} is negative ({x[bad]})")
    return x


def pps_probabilities(sizes: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """π_i = n·x_i/Σx with certainty units (π ≥ 1) set to 1 iteratively; (π, certainty mask)."""
    x = _size_measures(sizes)
    n = as_count(n, "n")
    positive = int(np.count_nonzero(x))
    if n > positive:
        raise ValueError(f"n = {n} exceeds the {positive} units with a positive size measure")
    pi = np.zeros(x.size)
    certain = np.zeros(x.size, dtype=bool)
    while n > 0:
        rest = ~certain
        pi[rest] = (n - certain.sum()) * x[rest] / x[rest].sum()
        new = rest & (pi >= 1.0)
        if not new.any():
            break
        certain |= new
        pi[certain] = 1.0
        if certain.sum() == n:
            pi[~certain] = 0.0
            break
    return pi, certain


def _pps(rng: np.random.Generator, pi: np.ndarray, certain: np.ndarray) -> np.ndarray:
    rest = np.flatnonzero(~certain & (pi > 0))
    n_rest = round(float(pi[rest].sum()))
    if n_rest == 0:
        return np.flatnonzero(certain)
    order = rest[rng.permutation(rest.size)]
    cum = np.cumsum(pi[order])
    cum *= n_rest / cum[-1]  # the rounding error of the sum must not push the last point out
    points = rng.random() + np.arange(n_rest)
    hit = order[np.searchsorted(cum, points, side="right")]
    return np.sort(np.concatenate([np.flatnonzero(certain), hit]))


def draw_pps_systematic(sizes: Any, n: int, seed: int) -> PPSDraw:
    """Randomized systematic PPS sample of *n* units (Madow 1949); see the module docstring."""
    seed = _seed(seed)
    pi, certain = pps_probabilities(sizes, n)
    selected = _pps(_rng(seed, _TAG_PPS), pi, certain)
    return PPSDraw(
        selected=_frozen(selected.astype(np.int64)), inclusion=_frozen(pi),
        certainty=_frozen(np.flatnonzero(certain).astype(np.int64)), n=int(n), seed=seed,
    )


def draw_two_stage(
    psu_of_unit: Any, psu_sizes: Mapping[Any, float], n_psu: int, units_per_psu: int, seed: int,
) -> TwoStageDraw:
    """PPS of PSUs, then SRS of ``min(units_per_psu, M_i)`` units in each drawn PSU."""
    seed = _seed(seed)
    if not isinstance(psu_sizes, Mapping):
        raise TypeError("psu_sizes must be a mapping PSU -> size measure")
    m = as_count(units_per_psu, "units_per_psu")
    if m == 0:
        raise ValueError("units_per_psu must be at least 1")
    labels, counts, order = _labels(psu_of_unit, "psu_of_unit")
    _only_frame_keys(psu_sizes, labels, "PSU", "a size measure")
    missing = [label for label in labels if label not in psu_sizes]
    if missing:
        raise ValueError(f"PSU {missing[0]!r} of the frame has no size measure")
    x = _size_measures([psu_sizes[label] for label in labels], names=labels)
    pi_psu, certain = pps_probabilities(x, n_psu)
    drawn = _pps(_rng(seed, _TAG_PPS), pi_psu, certain)
    is_drawn = np.zeros(len(labels), dtype=bool)
    is_drawn[drawn] = True
    psu_pi_unit = np.empty(order.size)
    unit_pi = np.empty(order.size)
    picked = []
    start = 0
    for i, (label, big_m) in enumerate(zip(labels, counts, strict=True)):
        members = order[start:start + big_m]
        start += big_m
        take = min(m, int(big_m))
        psu_pi_unit[members] = pi_psu[i]
        unit_pi[members] = take / big_m
        if is_drawn[i]:
            picked.append(_srs(_rng(seed, _TAG_PSU, label), members, take))
    selected = np.sort(np.concatenate(picked)) if picked else np.empty(0, dtype=np.int64)
    return TwoStageDraw(
        selected=_frozen(selected.astype(np.int64)),
        inclusion=_frozen(psu_pi_unit * unit_pi),
        psu_inclusion=_frozen(psu_pi_unit), unit_inclusion=_frozen(unit_pi),
        psus=tuple(labels), psu_probabilities=_frozen(pi_psu),
        selected_psus=tuple(labels[i] for i in drawn), seed=seed,
    )
