"""Cronbach's α per element (docs/METHODOLOGY.md §3): α = K/(K−1)·(1 − Σσ²ᵢ/σ²ₜ), flagged below 0.7.

Three entry points give the same number:

* :func:`cronbach_alpha` – a respondents × items matrix (rows with any nan are dropped:
  α needs complete cases);
* :func:`cronbach_alpha_from_sums` – sufficient statistics a database computes in one pass over
  complete cases: n, Σxᵢ and Σxᵢ² per item, ΣT and ΣT² for the total T = Σᵢxᵢ;
* :func:`cronbach_alpha_from_covariance` – the K × K item covariance matrix (σ²ₜ is the sum of
  all its entries).

The divisor of the variances (n or n − 1) cancels, so any consistent choice gives the same α.
α is ``None`` when it is undefined: fewer than 2 items, fewer than 2 respondents, or a total
score with zero variance. ``low`` is then ``None`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._result import Result, as_count, as_float_array

ALPHA_THRESHOLD = 0.7


@dataclass(frozen=True, slots=True)
class AlphaResult(Result):
    alpha: float | None
    n_items: int
    n_respondents: int | None
    threshold: float
    low: bool | None


def _result(k: int, sum_item_var: float, total_var: float, n: int | None, threshold: float):
    if k < 2 or (n is not None and n < 2) or not total_var > 1e-12 * max(1.0, sum_item_var):
        return AlphaResult(None, k, n, threshold, None)
    alpha = k / (k - 1) * (1.0 - sum_item_var / total_var)
    return AlphaResult(float(alpha), k, n, threshold, bool(alpha < threshold))


def cronbach_alpha(matrix: Any, *, threshold: float = ALPHA_THRESHOLD) -> AlphaResult:
    """α from raw answers, one row per respondent, one column per item."""
    x = as_float_array(matrix, "matrix", ndim=2)
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if n < 2:
        return AlphaResult(None, k, n, threshold, None)
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return _result(k, float(item_var), float(total_var), n, threshold)


def cronbach_alpha_from_variances(
    item_variances: Sequence[float] | np.ndarray,
    total_variance: float,
    n_respondents: int | None = None,
    *,
    threshold: float = ALPHA_THRESHOLD,
) -> AlphaResult:
    """α from per-item variances and the variance of the total score (same divisor)."""
    v = as_float_array(item_variances, "item_variances")
    if np.any(np.isnan(v)) or np.any(v < 0) or not total_variance >= 0:
        raise ValueError("variances must be non-negative numbers")
    n = None if n_respondents is None else as_count(n_respondents, "n_respondents")
    return _result(v.size, float(v.sum()), float(total_variance), n, threshold)


def cronbach_alpha_from_sums(
    n: int,
    item_sums: Sequence[float] | np.ndarray,
    item_sums_of_squares: Sequence[float] | np.ndarray,
    total_sum: float,
    total_sum_of_squares: float,
    *,
    threshold: float = ALPHA_THRESHOLD,
) -> AlphaResult:
    """α from one-pass sums over complete cases (``SUM(x)``, ``SUM(x*x)`` in SQL)."""
    n = as_count(n, "n")
    s = as_float_array(item_sums, "item_sums")
    ss = as_float_array(item_sums_of_squares, "item_sums_of_squares")
    if s.shape != ss.shape or np.any(np.isnan(s)) or np.any(np.isnan(ss)):
        raise ValueError("item_sums and item_sums_of_squares must be complete and equally long")
    if n < 2:
        return AlphaResult(None, s.size, n, threshold, None)
    # Divisor n on both sides (it cancels); clip tiny negative rounding residue.
    item_var = np.maximum(ss / n - (s / n) ** 2, 0.0).sum()
    total_var = max(float(total_sum_of_squares) / n - (float(total_sum) / n) ** 2, 0.0)
    return _result(s.size, float(item_var), total_var, n, threshold)


def cronbach_alpha_from_covariance(
    covariance: Any, n_respondents: int | None = None, *, threshold: float = ALPHA_THRESHOLD
) -> AlphaResult:
    """α from the item covariance matrix (σ²ₜ = sum of all entries)."""
    c = as_float_array(covariance, "covariance", ndim=2)
    if c.shape[0] != c.shape[1] or np.any(np.isnan(c)):
        raise ValueError("covariance must be a complete square matrix")
    if not np.allclose(c, c.T):
        raise ValueError("covariance must be symmetric")
    if np.any(np.diag(c) < 0):
        raise ValueError("variances on the diagonal must be non-negative")
    n = None if n_respondents is None else as_count(n_respondents, "n_respondents")
    return _result(c.shape[0], float(np.trace(c)), float(c.sum()), n, threshold)


def covariance_from_sums(n: int, sums: Any, cross_products: Any, ddof: int = 1) -> np.ndarray:
    """Item covariance from n, Σxᵢ and the K × K matrix Σxᵢxⱼ (diagonal Σxᵢ²)."""
    n = as_count(n, "n")
    s = as_float_array(sums, "sums")
    cp = as_float_array(cross_products, "cross_products", ndim=2)
    if cp.shape != (s.size, s.size):
        raise ValueError("cross_products must be K × K for K sums")
    if n - ddof <= 0:
        raise ValueError("n must exceed ddof")
    return (cp - np.outer(s, s) / n) / (n - ddof)
