"""Weighting by dossier volume (docs/METHODOLOGY.md §4).

Post-stratification: stratum h has k_h satisfied of n_h respondents and N_h dossiers resolved.
W_h = N_h/N, p_st = Σ W_h p_h, Var(p_st) = Σ W_h² p_h(1 − p_h)/(n_h − 1)·(1 − n_h/N_h); the
interval is p_st ± z·SE clipped to [0, 1]. The unweighted k/n (with its Wilson interval) is
returned beside it, with Kish's n_eff = (Σw)²/Σw² and deff = n·Σw²/(Σw)² for the respondent
weights w = N_h/n_h.

Conventions: strata with no respondents cannot be estimated; they are left out and the weights
renormalised over the covered strata, whose share of the dossiers is ``coverage``. A stratum
with one respondent has no variance estimate, so the variance (and interval) is ``None`` while
p_st is still given. The finite population correction is floored at 0 when more people answered
than dossiers were counted (a census of that stratum).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ._result import Result, as_count_array, as_float_array, check_confidence, opt_float
from .proportions import _counts_pair, wilson_bounds


@dataclass(frozen=True, slots=True)
class KishResult(Result):
    n: int
    n_eff: float | None
    deff: float | None


def kish(weights: Sequence[float] | np.ndarray) -> KishResult:
    """Kish's effective sample size and design effect of respondent weights."""
    w = as_float_array(weights, "weights")
    if np.any(np.isnan(w)) or np.any(w < 0):
        raise ValueError("weights must be non-negative numbers")
    s, s2 = float(w.sum()), float((w * w).sum())
    if s2 == 0:
        return KishResult(int(w.size), None, None)
    return KishResult(int(w.size), s * s / s2, w.size * s2 / (s * s))


@dataclass(frozen=True, slots=True)
class PostStratifiedResult(Result):
    share: float | None
    variance: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    unweighted_share: float | None
    unweighted_ci_low: float | None
    unweighted_ci_high: float | None
    k: int
    n: int
    n_strata: int
    n_strata_used: int
    coverage: float | None
    n_eff: float | None
    deff: float | None

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def post_stratify(
    k: Any, n: Any, population: Any, confidence: float = 0.95
) -> PostStratifiedResult:
    """Post-stratified share from per-stratum counts and dossier volumes N_h."""
    confidence = check_confidence(confidence)
    k_h, n_h = _counts_pair(k, n)
    big_n = as_count_array(population, "population")
    if k_h.ndim != 1 or big_n.shape != k_h.shape:
        raise ValueError("k, n and population must be 1-D arrays of the same length")
    k_tot, n_tot = int(k_h.sum()), int(n_h.sum())
    ul, uh = wilson_bounds(np.asarray(k_tot), np.asarray(n_tot), confidence)
    unweighted = (k_tot / n_tot if n_tot else None, opt_float(ul), opt_float(uh))
    used = (n_h > 0) & (big_n > 0)
    covered = float(big_n[used].sum())
    total = float(big_n.sum())
    if not used.any():
        return PostStratifiedResult(None, None, None, None, None, confidence, *unweighted,
                                    k_tot, n_tot, k_h.size, 0, None if total == 0 else 0.0,
                                    None, None)
    kk, nn, NN = k_h[used].astype(float), n_h[used].astype(float), big_n[used].astype(float)
    W = NN / covered
    p = kk / nn
    share = float((W * p).sum())
    var = se = low = high = None
    if np.all(nn > 1):
        fpc = np.maximum(1.0 - nn / NN, 0.0)
        var = float((W**2 * p * (1 - p) / (nn - 1) * fpc).sum())
        se = var**0.5
        z = special.ndtri(0.5 + confidence / 2.0)
        low, high = max(0.0, share - float(z) * se), min(1.0, share + float(z) * se)
    # Respondent weights N_h/n_h; the n_h respondents of a stratum share one weight.
    w = NN / nn
    sw, sw2, n_used = float((nn * w).sum()), float((nn * w * w).sum()), float(nn.sum())
    return PostStratifiedResult(
        share, var, se, low, high, confidence, *unweighted, k_tot, n_tot, k_h.size,
        int(used.sum()), covered / total, sw * sw / sw2, n_used * sw2 / (sw * sw),
    )
