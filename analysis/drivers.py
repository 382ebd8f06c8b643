"""Importance–performance analysis of the elements (METHODOLOGY §3; Martilla & James 1977).

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
