"""Sample size planner (docs/METHODOLOGY.md §5).

One proportion: n₀ = z²p(1 − p)/e², finite-population correction n = n₀/(1 + (n₀ − 1)/N),
times the design effect, rounded up once at the end (z = Φ⁻¹(1 − α/2) unrounded).
±3 % at 95 %: 1,068 (p = 0.5), 683 (p = 0.8); with N = 2,000: 697.

Two proportions (respondents per year to detect p₁ → p₂, two-sided α, power 1 − β):

    n = [z_{1−α/2}·√(2·p̄(1 − p̄)) + z_{1−β}·√(p₁(1 − p₁) + p₂(1 − p₂))]² / (p₂ − p₁)²,

p̄ = (p₁ + p₂)/2, rounded up: the variance under H0 uses the pooled share, the one under H1 the
two shares separately (the usual normal-approximation formula, as in Fleiss, Levin & Paik,
*Statistical Methods for Rates and Proportions*, without their continuity correction).
80 % → 85 %, α = 0.05, power 0.80 gives 905.4 → 906 per year, times deff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special

from ._result import Result, check_confidence, check_probability

# Floating-point residue must not push an exact integer up by one when rounding up.
_EPS = 1e-9


def _ceil(x: float) -> int:
    return math.ceil(x - _EPS)


def _check_deff(deff: float) -> float:
    if isinstance(deff, bool) or not isinstance(deff, int | float):
        raise TypeError("deff must be a number")
    if not (math.isfinite(deff) and deff >= 1.0):
        raise ValueError("deff must be a finite number >= 1")
    return float(deff)


@dataclass(frozen=True, slots=True)
class SampleSizeResult(Result):
    n: int
    n0: float
    n_fpc: float
    margin: float
    p: float
    confidence: float
    population: int | None
    deff: float


def sample_size_proportion(
    margin: float,
    p: float = 0.5,
    confidence: float = 0.95,
    population: int | None = None,
    deff: float = 1.0,
) -> SampleSizeResult:
    """Respondents needed to estimate a share to ±*margin*."""
    margin = check_probability(margin, "margin")
    p = check_probability(p, "p")
    confidence = check_confidence(confidence)
    deff = _check_deff(deff)
    z = float(special.ndtri(0.5 + confidence / 2.0))
    n0 = z * z * p * (1 - p) / (margin * margin)
    n_fpc = n0
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, int) or population < 1:
            raise ValueError("population must be a positive integer")
        n_fpc = n0 / (1.0 + (n0 - 1.0) / population)
    return SampleSizeResult(_ceil(n_fpc * deff), n0, n_fpc, margin, p, confidence, population,
                            deff)


@dataclass(frozen=True, slots=True)
class TwoSampleSizeResult(Result):
    n_per_group: int
    n_exact: float
    p1: float
    p2: float
    alpha: float
    power: float
    deff: float


def sample_size_two_proportions(
    p1: float, p2: float, alpha: float = 0.05, power: float = 0.80, deff: float = 1.0
) -> TwoSampleSizeResult:
    """Respondents per year to detect a change from *p1* to *p2* (two-sided test)."""
    p1 = check_probability(p1, "p1")
    p2 = check_probability(p2, "p2")
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    deff = _check_deff(deff)
    if p1 == p2:
        raise ValueError("p1 and p2 must differ")
    z_a = float(special.ndtri(1.0 - alpha / 2.0))
    z_b = float(special.ndtri(power))
    pbar = (p1 + p2) / 2.0
    root = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    n = root * root / (p2 - p1) ** 2 * deff
    return TwoSampleSizeResult(_ceil(n), n, p1, p2, alpha, power, deff)
