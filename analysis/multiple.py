"""Multiple comparisons (docs/METHODOLOGY.md §3).

Benjamini–Hochberg for dashboards (scipy's ``false_discovery_control``), Holm for formal
"below target" lists (scipy has no Holm adjustment, so it is the step-down below).

``None`` (or nan) p-values – cells without a test, e.g. n = 0 – are left out of the family and
come back as ``None``; m is the number of real p-values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from ._result import Result, as_float_array, check_probability, opt_float

Method = Literal["bh", "holm"]


def _holm(p: np.ndarray) -> np.ndarray:
    m = p.size
    order = np.argsort(p)
    scaled = p[order] * (m - np.arange(m))
    # Step-down: adjusted values may not decrease along the sorted order.
    adj_sorted = np.maximum.accumulate(scaled)
    out = np.empty(m)
    out[order] = np.minimum(adj_sorted, 1.0)
    return out


@dataclass(frozen=True, slots=True)
class AdjustedPValues(Result):
    method: str
    alpha: float
    pvalues: tuple[float | None, ...]
    adjusted: tuple[float | None, ...]
    rejected: tuple[bool | None, ...]


def adjust_pvalues(
    pvalues: Sequence[float | None] | np.ndarray, method: Method = "bh", alpha: float = 0.05
) -> AdjustedPValues:
    """Adjusted p-values in input order; ``rejected`` is ``adjusted <= alpha``."""
    if method not in ("bh", "holm"):
        raise ValueError("method must be 'bh' or 'holm'")
    alpha = check_probability(alpha, "alpha")
    p = as_float_array(pvalues, "pvalues")
    real = ~np.isnan(p)
    if np.any((p[real] < 0) | (p[real] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    if real.any():
        adjusted[real] = (stats.false_discovery_control(p[real], method="bh")
                          if method == "bh" else _holm(p[real]))
    adj = tuple(opt_float(a) for a in adjusted)
    return AdjustedPValues(
        method, alpha, tuple(opt_float(v) for v in p), adj,
        tuple(None if a is None else a <= alpha for a in adj),
    )
