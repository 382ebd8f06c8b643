"""Funnel-plot control limits for a proportion (Spiegelhalter 2005, normal approximation).

Each unit's share is plotted against its n; the limits p0 ± z·√(p0(1 − p0)/n) around the
benchmark p0 narrow as n grows, so a small commune outside the wide band is noise only when
it stays inside. 95 % (z = 1.96) and 99.8 % (z = 3.09) are the conventional two bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._result import Result, as_count_array, check_probability

LEVELS = (0.95, 0.998)


@dataclass(frozen=True, slots=True)
class FunnelLimits(Result):
    n: np.ndarray
    low: dict  # confidence -> array of lower limits
    high: dict


def funnel_limits(p0: float, n, levels=LEVELS) -> FunnelLimits:
    """Two-sided limits at each confidence in `levels`, clipped to [0, 1]; n must be > 0."""
    p0 = check_probability(p0, "p0")
    n_arr = as_count_array(n, "n").astype(float)
    if (n_arr <= 0).any():
        raise ValueError("n must be positive")
    se = np.sqrt(p0 * (1 - p0) / n_arr)
    low, high = {}, {}
    for level in levels:
        z = stats.norm.ppf(1 - (1 - check_probability(level, "level")) / 2)
        low[level] = np.clip(p0 - z * se, 0.0, 1.0)
        high[level] = np.clip(p0 + z * se, 0.0, 1.0)
    return FunnelLimits(n_arr, low, high)


def funnel_position(share: float, n: int, p0: float, levels=LEVELS) -> str:
    """"inside", "above_95", "below_95", "above_998" or "below_998" (the widest band crossed)."""
    limits = funnel_limits(p0, [n], levels)
    verdict = "inside"
    for level in sorted(levels):
        tag = f"{level * 100:g}".replace(".", "")
        if share < limits.low[level][0]:
            verdict = f"below_{tag}"
        elif share > limits.high[level][0]:
            verdict = f"above_{tag}"
    return verdict
