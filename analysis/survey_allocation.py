"""Stratum allocation and AAPOR outcome rates for sampled investigations (issue #20).

Allocation (Cochran 1977, §5.5 proportional, §5.9 Neyman): the sample size n is shared over
strata in proportion to a_h = N_h (proportional), N_h·S_h (Neyman, S_h the prior standard
deviation, e.g. √(p_h(1 − p_h)) from last year's share) or 1 (equal). Each stratum gets at least
``minimum`` (or all of it when smaller) and never more than N_h; strata pinned at a bound are
fixed and the rest re-shared until none is pinned, then the real quotas are rounded by the
largest-remainder (Hamilton) method so the sizes add up to n exactly.

Outcome rates follow AAPOR, *Standard Definitions: Final Dispositions of Case Codes and Outcome
Rates for Surveys* (10th ed., 2023; the same formulas since the 2000 edition), section
"Calculating rates", with I complete, P partial, R refusal and break-off, NC non-contact,
O other eligible non-interview, UH/UO unknown eligibility (here one count, U):

* RR1 = I / ((I + P) + (R + NC + O) + (UH + UO))           minimum response rate
* COOP1 = I / ((I + P) + R + O)                             minimum cooperation rate
* REF1 = R / ((I + P) + (R + NC + O) + (UH + UO))           refusal rate
* CON1 = ((I + P) + R + O) / ((I + P) + R + O + NC + (UH + UO))   contact rate

Known ineligible cases (NE) are outside every denominator; they are carried for the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._result import Result, as_count, as_count_array, as_float_array, opt_float

ALLOCATIONS = ("proportional", "neyman", "equal")


@dataclass(frozen=True, slots=True)
class AllocationResult(Result):
    sizes: tuple[int, ...]
    quotas: tuple[float, ...]   # the real-valued allocation before rounding
    method: str
    minimum: int
    total: int


def _share_out(n: int, a: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Real quotas ∝ a within [low, high] summing to n (bounds pinned until none binds)."""
    fixed = np.zeros(a.size, dtype=bool)
    q = np.zeros(a.size)
    for _ in range(a.size + 1):
        free = ~fixed
        rest = n - q[fixed].sum()
        weight = a[free].sum()
        q[free] = rest * a[free] / weight if weight > 0 else rest / free.sum()
        below = free & (q < low)
        above = free & (q > high)
        if not below.any() and not above.any():
            return q
        # Pin the side that is violated: raising the lowest strata frees budget last.
        pin = below if below.any() else above
        q[pin] = np.where(below[pin], low[pin], high[pin])
        fixed |= pin
        if fixed.all():
            return q
    return q  # pragma: no cover - each pass pins at least one stratum


def allocate(
    total: int,
    population: Sequence[int] | np.ndarray,
    method: str = "proportional",
    sds: Sequence[float] | np.ndarray | None = None,
    minimum: int = 0,
) -> AllocationResult:
    """Sizes per stratum adding up to *total* (see the module docstring for the rules)."""
    n = as_count(total, "total")
    big_n = as_count_array(population, "population")
    if big_n.ndim != 1 or big_n.size == 0 or np.any(big_n == 0):
        raise ValueError("population must list at least one stratum, each with N_h > 0")
    minimum = as_count(minimum, "minimum")
    if method not in ALLOCATIONS:
        raise ValueError(f"method must be one of {', '.join(ALLOCATIONS)}")
    if n > big_n.sum():
        raise ValueError(f"total ({n}) exceeds the population ({int(big_n.sum())})")
    low = np.minimum(minimum, big_n).astype(float)
    if low.sum() > n:
        raise ValueError(
            f"a minimum of {minimum} per stratum needs {int(low.sum())}, more than the total {n}"
        )
    if method == "neyman":
        if sds is None:
            raise ValueError("neyman allocation needs the prior standard deviation of each stratum")
        s = as_float_array(sds, "sds")
        if s.shape != big_n.shape:
            raise ValueError(f"sds must have one value per stratum ({big_n.size})")
        if np.any(np.isnan(s)) or np.any(s < 0):
            raise ValueError("sds must be non-negative numbers")
        a = big_n * s
    elif method == "proportional":
        a = big_n.astype(float)
    else:
        a = np.ones(big_n.size)
    q = _share_out(n, a, low, big_n.astype(float))
    sizes = np.floor(q + 1e-9).astype(np.int64)
    short = n - int(sizes.sum())
    if short > 0:
        # Largest remainder; ties go to the larger stratum, then the first listed.
        order = np.lexsort((np.arange(q.size), -big_n, -(q - sizes)))
        order = [i for i in order if sizes[i] < big_n[i]]
        sizes[order[:short]] += 1
    return AllocationResult(
        tuple(int(v) for v in sizes), tuple(float(v) for v in q), method, minimum, n
    )


@dataclass(frozen=True, slots=True)
class OutcomeRates(Result):
    rr1: float | None
    coop1: float | None
    ref1: float | None
    con1: float | None
    complete: int
    partial: int
    refused: int
    non_contact: int
    other: int
    unknown: int
    not_eligible: int


def aapor_rates(
    complete: int,
    refused: int = 0,
    non_contact: int = 0,
    unknown: int = 0,
    not_eligible: int = 0,
    partial: int = 0,
    other: int = 0,
) -> OutcomeRates:
    """AAPOR RR1, COOP1, REF1 and CON1 from final disposition counts (None when 0/0)."""
    i, r, nc, u, ne, p, o = (
        as_count(v, name) for v, name in (
            (complete, "complete"), (refused, "refused"), (non_contact, "non_contact"),
            (unknown, "unknown"), (not_eligible, "not_eligible"), (partial, "partial"),
            (other, "other"),
        )
    )

    def ratio(num: int, den: int) -> float | None:
        return opt_float(num / den) if den else None

    everyone = (i + p) + (r + nc + o) + u
    contacted = (i + p) + r + o
    return OutcomeRates(
        ratio(i, everyone), ratio(i, contacted), ratio(r, everyone),
        ratio(contacted, contacted + nc + u), i, p, r, nc, o, u, ne,
    )

