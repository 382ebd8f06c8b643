"""0–100 scores from K-point frequency tables (docs/METHODOLOGY.md §2).

An answer x on a K-point scale scores (x − 1)/(K − 1)·100 (5-point: 0, 25, 50, 75, 100). The
score of a group is the mean over respondents, with the t interval mean ± t(n−1)·s/√n
(clipped to [0, 100], which only matters for tiny or extreme groups).
n = 0 gives ``None`` for mean, sd and interval; n = 1 gives the mean but no sd or interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._result import Result, as_count_array, check_confidence, opt_float
from .scales import Missing, Scale, frequency_table, get_scale


def item_scores(points: int) -> np.ndarray:
    """Score of each code 1..points on the 0–100 scale."""
    return np.arange(points, dtype=float) / (points - 1) * 100.0


@dataclass(frozen=True, slots=True)
class ScoreResult(Result):
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    points: int
    missing: Missing

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def _moments(counts: np.ndarray, points: int, confidence: float):
    """Vectorised n, mean, sd, t bounds over the last axis of *counts*."""
    x = item_scores(points)
    n = counts.sum(axis=-1)
    has = n > 0
    safe_n = np.where(has, n, 1)
    mean = (counts * x).sum(axis=-1) / safe_n
    dev2 = (counts * (x - mean[..., None]) ** 2).sum(axis=-1)
    two = n > 1
    dof = np.where(two, n - 1, 1)
    sd = np.where(two, np.sqrt(dev2 / dof), np.nan)
    t = stats.t.ppf(0.5 + confidence / 2.0, dof)
    half = t * np.where(two, sd, 0.0) / np.sqrt(safe_n)
    mean = np.where(has, mean, np.nan)
    low = np.where(two, np.clip(mean - half, 0.0, 100.0), np.nan)
    high = np.where(two, np.clip(mean + half, 0.0, 100.0), np.nan)
    return n, mean, sd, low, high


def score(
    table: Sequence[Any] | Mapping[int, Any] | np.ndarray,
    scale: str | Scale | None = None,
    *,
    missing: Mapping[int, Any] | None = None,
    confidence: float = 0.95,
) -> ScoreResult:
    """Mean 0–100 score of one frequency table.

    *scale* may be omitted for a sequence table, whose length is then the number of points.
    """
    confidence = check_confidence(confidence)
    if scale is None:
        if isinstance(table, Mapping):
            raise ValueError("a mapping table needs an explicit scale")
        points = len(table)
    else:
        points = get_scale(scale).points
    counts, miss = frequency_table(table, points, missing)
    n, mean, sd, low, high = _moments(counts, points, confidence)
    return ScoreResult(
        int(n), opt_float(mean), opt_float(sd), opt_float(low), opt_float(high),
        confidence, points, miss,
    )


@dataclass(frozen=True, slots=True)
class ScoreTable(Result):
    """Vectorised :class:`ScoreResult` (nan where undefined, ``None`` in ``to_dict``)."""

    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float
    points: int


def score_many(counts: Any, confidence: float = 0.95) -> ScoreTable:
    """Scores for a (cells × K) array of frequency tables, one row per cell."""
    confidence = check_confidence(confidence)
    arr = as_count_array(counts, "counts", ndim=2)
    points = arr.shape[1]
    if points < 2:
        raise ValueError("a scale needs at least 2 points")
    n, mean, sd, low, high = _moments(arr, points, confidence)
    return ScoreTable(n, mean, sd, low, high, confidence, points)
