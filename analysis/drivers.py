"""Importance–performance analysis of the elements (docs/METHODOLOGY.md §3; Martilla & James 1977).

Importance of element e = Spearman's ρ between respondents' element score and their answer to
the overall-satisfaction item (pairs with a missing value on either side are dropped).
Performance = the element's % satisfied. Quadrants split at the mean importance and mean
performance over the elements whose importance is defined; a value equal to the mean counts as
high. An element whose ρ is undefined (fewer than 3 pairs, or no variation on either side) gets
importance ``None`` and quadrant ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._result import Result, as_float_array, opt_float

CONCENTRATE_HERE = "concentrate here"
KEEP_UP = "keep up the good work"
LOW_PRIORITY = "low priority"
POSSIBLE_OVERKILL = "possible overkill"


@dataclass(frozen=True, slots=True)
class DriverElement(Result):
    element: str
    importance: float | None
    importance_p_value: float | None
    n_pairs: int
    performance: float | None
    quadrant: str | None


@dataclass(frozen=True, slots=True)
class DriversResult(Result):
    elements: tuple[DriverElement, ...]
    mean_importance: float | None
    mean_performance: float | None


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, int]:
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    n = int(x.size)
    if n < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return None, None, n
    res = stats.spearmanr(x, y)
    return opt_float(res.statistic), opt_float(res.pvalue), n


def quadrant(high_importance: bool, high_performance: bool) -> str:
    if high_importance:
        return KEEP_UP if high_performance else CONCENTRATE_HERE
    return POSSIBLE_OVERKILL if high_performance else LOW_PRIORITY


def importance_performance(
    element_scores: Mapping[str, Sequence[float | None] | np.ndarray],
    overall: Sequence[float | None] | np.ndarray,
    performance: Mapping[str, float | None],
) -> DriversResult:
    """Importance (ρ), performance and quadrant per element.

    *element_scores* maps an element to per-respondent scores aligned with *overall* (the
    overall item's code per respondent); ``None``/nan marks a missing value.
    """
    if not isinstance(element_scores, Mapping) or not isinstance(performance, Mapping):
        raise TypeError("element_scores and performance must be mappings keyed by element")
    if set(element_scores) != set(performance):
        raise ValueError("element_scores and performance must name the same elements")
    y = as_float_array(overall, "overall")
    rows = []
    for name, scores in element_scores.items():
        x = as_float_array(scores, f"element_scores[{name!r}]")
        if x.shape != y.shape:
            raise ValueError(f"element {name!r} has {x.size} scores for {y.size} respondents")
        perf = opt_float(performance[name])
        if perf is not None and not 0.0 <= perf <= 1.0:
            raise ValueError(f"performance of {name!r} must be a share in [0, 1]")
        rows.append((str(name), *_spearman(x, y), perf))
    return _classify(rows)


def _classify(rows: list[tuple]) -> DriversResult:
    """Quadrants from (element, rho, p, n, performance) rows, split at the means."""
    usable = [r for r in rows if r[1] is not None and r[4] is not None]
    mean_imp = float(np.mean([r[1] for r in usable])) if usable else None
    mean_perf = float(np.mean([r[4] for r in usable])) if usable else None
    out = []
    for name, rho, p, n, perf in rows:
        q = None
        if rho is not None and perf is not None:
            q = quadrant(rho >= mean_imp, perf >= mean_perf)
        out.append(DriverElement(name, rho, p, n, perf, q))
    return DriversResult(tuple(out), mean_imp, mean_perf)


def spearman_weighted(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
    counts: Sequence[int] | np.ndarray,
) -> tuple[float | None, float | None, int]:
    """Spearman's ρ of pairs given as a frequency table: pair (x[i], y[i]) occurs counts[i] times.

    A database can group respondents by (element score, overall answer) and send only the
    distinct pairs; the result equals ``scipy.stats.spearmanr`` on the expanded data (midranks
    for ties, and the same t-approximation for the two-sided p-value). Returns (ρ, p, n).
    """
    xs, ys = as_float_array(x, "x"), as_float_array(y, "y")
    w = as_float_array(counts, "counts")
    if not xs.shape == ys.shape == w.shape or xs.ndim != 1:
        raise ValueError("x, y and counts must be 1-D arrays of the same length")
    if np.any(w < 0) or np.any(np.isnan(w)):
        raise ValueError("counts must be non-negative")
    keep = (w > 0) & ~np.isnan(xs) & ~np.isnan(ys)
    xs, ys, w = xs[keep], ys[keep], w[keep]
    n = int(w.sum())
    rx, ry = _weighted_midranks(xs, w), _weighted_midranks(ys, w)
    if n < 3 or np.unique(xs).size < 2 or np.unique(ys).size < 2:
        return None, None, n
    mx, my = (w * rx).sum() / n, (w * ry).sum() / n
    cov = (w * (rx - mx) * (ry - my)).sum()
    rho = float(cov / np.sqrt((w * (rx - mx) ** 2).sum() * (w * (ry - my) ** 2).sum()))
    rho = max(-1.0, min(1.0, rho))
    if abs(rho) == 1.0 or n < 3:
        return rho, 0.0 if n > 2 else None, n
    t = rho * np.sqrt((n - 2) / ((1.0 - rho) * (1.0 + rho)))
    return rho, float(2 * stats.t.sf(abs(t), n - 2)), n


def _weighted_midranks(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    distinct, inverse = np.unique(values, return_inverse=True)
    per_value = np.bincount(inverse, weights=weights, minlength=distinct.size)
    below = np.concatenate(([0.0], np.cumsum(per_value)[:-1]))
    return (below + (per_value + 1.0) / 2.0)[inverse]


def importance_performance_from_tables(
    tables: Mapping[str, tuple[Any, Any, Any]],
    performance: Mapping[str, float | None],
) -> DriversResult:
    """`importance_performance` from per-element frequency tables of (score, overall, count)."""
    if set(tables) != set(performance):
        raise ValueError("tables and performance must name the same elements")
    rows = []
    for name, (x, y, w) in tables.items():
        perf = opt_float(performance[name])
        if perf is not None and not 0.0 <= perf <= 1.0:
            raise ValueError(f"performance of {name!r} must be a share in [0, 1]")
        rows.append((str(name), *spearman_weighted(x, y, w), perf))
    return _classify(rows)
