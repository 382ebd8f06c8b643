"""Weighted shares for many domains at once (a league table of units or services).

The same estimator, variance, degrees of freedom and verdict as
:func:`analysis.design_share` (see ``survey_design``), computed for every domain in one pass:
the linearised variable of each domain is summed per PSU into a domains × PSUs matrix, so a
table of hundreds of units over thousands of PSUs costs a few array operations. Designs with
calibration margins fall back to one :func:`design_share` per domain (the projection is per
variable). Domains with no answer hold nan (``to_dict`` turns it into ``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._result import Result, as_float_array, check_confidence, check_probability
from .proportions import DEFAULT_TARGET, benchmark_verdict
from .survey_design import SurveyDesign, _codes, design_share


@dataclass(frozen=True, slots=True)
class DesignShareTable(Result):
    domains: tuple[str, ...]
    share: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n: np.ndarray
    weight_sum: np.ndarray
    deff: np.ndarray
    lower_one_sided: np.ndarray
    p_value: np.ndarray
    verdicts: tuple[str | None, ...]
    df: int
    confidence: float
    target: float


def _labels_and_codes(design: SurveyDesign, groups: Any) -> tuple[tuple[str, ...], np.ndarray]:
    codes = _codes(groups, "groups", design.n)
    arr = np.asarray(groups)
    labels = np.empty(int(codes.max()) + 1, dtype=object)
    labels[codes] = arr.astype(str) if arr.dtype.kind != "O" else [str(v) for v in arr]
    return tuple(str(v) for v in labels), codes


def design_share_by(
    design: SurveyDesign,
    y: Any,
    groups: Any,
    confidence: float = 0.95,
    target: float = DEFAULT_TARGET,
) -> DesignShareTable:
    """:func:`design_share` of *y* in each domain named by *groups* (one label per respondent)."""
    confidence = check_confidence(confidence)
    target = check_probability(target, "target")
    yv = as_float_array(y, "y")
    if yv.size != design.n:
        raise ValueError(f"y must have one value per respondent ({design.n}), got {yv.size}")
    ok = ~np.isnan(yv)
    if np.any((yv[ok] != 0) & (yv[ok] != 1)):
        raise ValueError("y must hold 0, 1 or nan (no answer) for a share")
    labels, g = _labels_and_codes(design, groups)
    if design.calibration:
        rows = [design_share(design, yv, g == k, confidence, target) for k in range(len(labels))]

        def col(field: str) -> np.ndarray:
            values = (getattr(r, field) for r in rows)
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        return DesignShareTable(
            labels, col("share"), col("se"), col("ci_low"), col("ci_high"),
            np.array([r.n for r in rows]), col("weight_sum"), col("deff"),
            col("lower_one_sided"), col("p_value"), tuple(r.verdict for r in rows),
            design.df, confidence, target,
        )
    n_g = len(labels)
    w = design.weights * ok
    y0 = np.where(ok, yv, 0.0)
    wsum = np.bincount(g, weights=w, minlength=n_g)
    count = np.bincount(g, weights=ok.astype(float), minlength=n_g)
    has = wsum > 0
    safe = np.where(has, wsum, 1.0)
    raw = np.bincount(g, weights=w * y0, minlength=n_g) / safe
    z = w * (y0 - raw[g]) / safe[g]
    # domains x PSUs matrix of linearised totals; PSUs without the domain hold 0.
    z_psu = np.bincount(g * design.n_psu + design.psu, weights=z,
                        minlength=n_g * design.n_psu).reshape(n_g, design.n_psu)
    n_h = design.psu_per_stratum
    st = design.psu_stratum
    onehot = np.zeros((design.n_psu, n_h.size))
    onehot[np.arange(design.n_psu), st] = 1.0
    centre = ((z_psu @ onehot) / n_h)[:, st]
    lonely = n_h[st] == 1
    if design.lonely_psu == "adjust":
        centre = np.where(lonely, z_psu.sum(axis=1, keepdims=True) / design.n_psu, centre)
    scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 1.0) * (1.0 - design.fraction)
    if design.lonely_psu == "remove":
        scale = np.where(n_h == 1, 0.0, scale)
    var = ((z_psu - centre) ** 2 * scale[st]).sum(axis=1)
    se = np.where(has, np.sqrt(var), np.nan)
    est = np.where(has, raw, np.nan)
    df = design.df
    nan = np.full(n_g, np.nan)
    if df > 0:
        t2 = stats.t.ppf(0.5 + confidence / 2.0, df)
        low = np.clip(est - t2 * se, 0.0, 1.0)
        high = np.clip(est + t2 * se, 0.0, 1.0)
        lower = np.maximum(est - stats.t.ppf(confidence, df) * se, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(se > 0, stats.t.sf((est - target) / np.where(se > 0, se, 1.0), df),
                         np.where(est > target, 0.0, 1.0))
        p = np.where(has, p, np.nan)
    else:
        low = high = lower = p = nan
    sq = np.bincount(g, weights=w * (y0 - raw[g]) ** 2, minlength=n_g)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = sq / safe * count / (count - 1)
        v_srs = (1.0 - count / safe) * s2 / count
        deff = np.where((count > 1) & (v_srs > 0), var / v_srs, np.nan)
    verdicts = tuple(
        benchmark_verdict(float(lo), float(hi), target) if np.isfinite(lo) else None
        for lo, hi in zip(lower, high, strict=True)
    )
    return DesignShareTable(
        labels, est, se, low, high, count.astype(np.int64), wsum, deff, lower, p, verdicts,
        df, confidence, target,
    )
