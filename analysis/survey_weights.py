"""Weights for sampled investigations (docs/METHODOLOGY.md §9), in the order they are applied.

1. :func:`design_weights`: d = 1/π with π the product of the per-stage inclusion probabilities
   (Särndal, Swensson & Wretman 1992, §4.3).
2. :func:`nonresponse_adjust`: weighting-class adjustment; within each cell the respondents'
   weights are multiplied by Σ_cell d(eligible sampled) / Σ_cell d(respondents), so the cell's
   weighted total is kept (Kalton & Flores-Cervantes 2003, §2.2).
3. :func:`rake`: iterative proportional fitting to known marginal totals (Deming & Stephan
   1940; R survey's ``rake``), stopping when every margin is within ``tol`` (relative).
4. :func:`trim_weights`: cap at k × median weight and redistribute the excess proportionally
   over the untrimmed weights, repeated until no weight exceeds the cap, so the total is kept
   (Potter 1990's "cap and redistribute"; the rule is returned as text for the report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._result import Result, as_float_array


def _labels(values: Any, name: str, n: int) -> np.ndarray:
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, one per unit")
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"{name} must have one label per unit ({n}), got {arr.size}")
    return arr


def _positive(values: Any, name: str) -> np.ndarray:
    w = as_float_array(values, name)
    if w.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(np.isnan(w)) or np.any(w <= 0):
        raise ValueError(f"{name} must be positive numbers")
    return w


def design_weights(*stage_probabilities: Any) -> np.ndarray:
    """1/π with π the product of the inclusion probabilities of each stage (each in (0, 1])."""
    if not stage_probabilities:
        raise ValueError("give the inclusion probabilities of at least one stage")
    pi = None
    for i, p in enumerate(stage_probabilities, start=1):
        arr = as_float_array(p, f"stage {i} probabilities")
        if np.any(np.isnan(arr)) or np.any(arr <= 0) or np.any(arr > 1):
            raise ValueError(f"stage {i} probabilities must be in (0, 1]")
        if pi is not None and arr.shape != pi.shape:
            raise ValueError(f"stage {i} probabilities must have one value per unit ({pi.size})")
        pi = arr if pi is None else pi * arr
    return 1.0 / pi


def nonresponse_adjust(weights: Any, responded: Any, cells: Any) -> np.ndarray:
    """Respondents' weights scaled up within cells; non-respondents get weight 0.

    *weights* are the design weights of all eligible sampled units (ineligible units are left
    out before this step), *responded* a boolean per unit, *cells* the adjustment cell labels.
    """
    w = _positive(weights, "weights")
    r = np.asarray(responded)
    if r.shape != w.shape or r.dtype != bool:
        raise ValueError("responded must be a boolean array with one value per unit")
    cell = _labels(cells, "cells", w.size)
    keys, code = np.unique(cell.astype(str), return_inverse=True)
    total = np.bincount(code, weights=w, minlength=keys.size)
    resp = np.bincount(code, weights=w * r, minlength=keys.size)
    empty = np.flatnonzero(resp == 0)
    if empty.size:
        raise ValueError(
            f"cell {str(keys[empty[0]])!r} has no respondents; merge it with a neighbouring cell"
        )
    return np.where(r, w * (total / resp)[code], 0.0)


@dataclass(frozen=True, slots=True)
class RakeResult(Result):
    weights: np.ndarray
    iterations: int
    max_relative_error: float


def rake(
    weights: Any,
    margins: Sequence[tuple[Any, Mapping[Any, float]]],
    tol: float = 1e-8,
    max_iter: int = 100,
) -> RakeResult:
    """Rake *weights* so each margin's weighted counts equal its known totals.

    *margins* is a sequence of ``(labels, {category: total})``, one label per unit. Every
    category seen in the sample needs a total and every total a respondent; the totals of all
    margins must agree on the grand total. Raises ``ValueError`` naming the margin when the
    fit does not reach *tol* within *max_iter* sweeps (margins that contradict each other).
    """
    w = _positive(weights, "weights").copy()
    if not margins:
        raise ValueError("give at least one margin to rake to")
    if not 0 < tol < 1 or int(max_iter) < 1:
        raise ValueError("tol must be in (0, 1) and max_iter at least 1")
    coded = []
    grand = None
    for m, (labels, totals) in enumerate(margins, start=1):
        lab = _labels(labels, f"margin {m} labels", w.size).astype(str)
        keys = [str(k) for k in totals]
        t = np.array([float(totals[k]) for k in totals])
        if np.any(~np.isfinite(t)) or np.any(t <= 0):
            raise ValueError(f"margin {m} totals must be positive numbers")
        missing = sorted({str(v) for v in lab} - set(keys))
        if missing:
            raise ValueError(f"margin {m} has no total for category {missing[0]!r}")
        idx = {k: i for i, k in enumerate(keys)}
        code = np.array([idx[v] for v in lab], dtype=np.int64)
        absent = np.flatnonzero(np.bincount(code, minlength=len(keys)) == 0)
        if absent.size:
            raise ValueError(f"margin {m} category {keys[absent[0]]!r} has no respondents")
        if grand is not None and abs(t.sum() - grand) > tol * grand:
            raise ValueError(f"margin {m} totals sum to {t.sum():g}, not {grand:g} like margin 1")
        grand = t.sum() if grand is None else grand
        coded.append((code, t))
    err = np.inf
    for it in range(1, int(max_iter) + 1):
        for code, t in coded:
            w *= (t / np.bincount(code, weights=w, minlength=t.size))[code]
        err = max(
            float(np.max(np.abs(np.bincount(c, weights=w, minlength=t.size) - t) / t))
            for c, t in coded
        )
        if err <= tol:
            return RakeResult(w, it, err)
    raise ValueError(
        f"raking did not converge in {int(max_iter)} iterations "
        f"(largest relative margin error {err:.3g} > {tol:g}); check that the margins agree"
    )


@dataclass(frozen=True, slots=True)
class TrimResult(Result):
    weights: np.ndarray
    cap: float
    n_trimmed: int
    rule: str


def trim_weights(weights: Any, k: float = 3.5, max_iter: int = 50) -> TrimResult:
    """Cap weights at k × median and spread the excess over the others (total kept).

    The cap is fixed from the median of the incoming weights; redistribution can lift an
    untrimmed weight above it, so the cap is applied again until none exceeds it.
    """
    w = _positive(weights, "weights").copy()
    if isinstance(k, bool) or not isinstance(k, int | float) or not k > 1:
        raise ValueError("k must be a number greater than 1")
    cap = float(k * np.median(w))
    total = float(w.sum())
    if cap * w.size < total:
        raise ValueError(f"a cap of {k:g} × median cannot keep the weights' total; raise k")
    trimmed = np.zeros(w.size, dtype=bool)
    for _ in range(int(max_iter)):
        over = (w > cap * (1 + 1e-12)) & ~trimmed
        if not over.any():
            break
        trimmed |= over
        w[trimmed] = cap
        free = ~trimmed
        w[free] *= (total - cap * trimmed.sum()) / w[free].sum()
    rule = (f"weights capped at {k:g} × median weight ({cap:.6g}); the excess of "
            f"{int(trimmed.sum())} weight(s) spread proportionally over the others")
    return TrimResult(w, cap, int(trimmed.sum()), rule)
