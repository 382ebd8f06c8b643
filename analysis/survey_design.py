"""Design-based estimation for sampled investigations (docs/METHODOLOGY.md §9).

A :class:`SurveyDesign` holds, per respondent, the stratum, the primary sampling unit (PSU) and
the final weight, with an optional population count of PSUs per stratum for the finite
population correction. Estimates follow the R survey package (Lumley 2004, 2010) so they can be
checked against its published examples (``tests/analysis/data/README.md``):

* **Estimator.** The weighted mean ŷ = Σ wᵢdᵢyᵢ / Σ wᵢdᵢ (a ratio estimator); a share is the
  mean of a 0/1 variable. dᵢ is the domain indicator.
* **Variance: Taylor linearisation, "ultimate cluster"** (with replacement of PSUs, R's
  ``svydesign(id=~psu, strata=~stratum, weights=~w)`` default). The linearised variable is
  zᵢ = wᵢdᵢ(yᵢ − ŷ)/Σ wᵢdᵢ; its PSU totals z_hj give
  V = Σ_h (1 − f_h)·n_h/(n_h − 1)·Σ_j (z_hj − z̄_h)², with n_h the PSUs of stratum h in the
  *whole* sample and f_h = n_h/N_h when the population count N_h is given (else 0).
* **Domains** (a unit, a service, a respondent group) are estimated by zeroing dᵢ outside the
  domain, never by dropping rows, so every stratum keeps its n_h PSUs (Cochran 1977 §2.13;
  R's ``subset(design, ...)``). A missing answer (nan) is outside every domain.
* **Singleton strata** (one PSU in the sample) have no within-stratum variance. The default rule
  ``"adjust"`` (R's ``options(survey.lonely.psu = "adjust")``) centres that PSU at the mean of
  all PSU totals of the sample (Σz/ n_PSU, which is 0 for a mean) instead of its own stratum
  mean; ``"remove"`` lets it contribute nothing; ``"fail"`` raises.
* **Calibrated weights** (raked or post-stratified with :func:`analysis.rake`): pass the margin
  labels as ``calibrated_on`` and the linearised variable is replaced by its residual from the
  (unweighted) least-squares projection of zᵢ/wᵢ on the margins' category indicators, times wᵢ
  (R survey's variance after ``rake``/``postStratify``; Deville & Särndal 1992), computed by
  alternating projections until they settle.
* **Degrees of freedom** df = number of PSUs − number of strata (R's ``degf``). Intervals are
  ŷ ± t_{df}·SE (shares clipped to [0, 1]).
* **Design effect** ``deff`` = V / V_srs with V_srs = (1 − n/N̂)·s²/n, s² the weighted variance
  estimate of y in the domain and N̂ = Σ wᵢdᵢ (Kish 1965; R's ``svymean(..., deff = TRUE)``).
  ``deff_weights`` = n·Σw²/(Σw)² is Kish's design effect due to unequal weights alone.
* **The 80 % benchmark** on a weighted share is a one-sided t test of H₀: p ≤ target on the
  linearised estimate with df design degrees of freedom: the verdict word is
  :func:`analysis.benchmark_verdict` fed the one-sided lower bound ŷ − t_{df, confidence}·SE
  and the upper end of the two-sided interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._result import Result, as_float_array, check_confidence, check_probability, opt_float
from .proportions import DEFAULT_TARGET, benchmark_verdict

LONELY_PSU_RULES = ("adjust", "remove", "fail")


def _codes(values: Any, name: str, n: int) -> np.ndarray:
    """Integer codes 0..k-1 for any hashable labels (stratum names, PSU ids)."""
    if values is None:
        return np.zeros(n, dtype=np.int64)
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, one per respondent")
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"{name} must have one label per respondent ({n}), got {arr.size}")
    if arr.dtype.kind in "iubU":
        # Plain integer or string labels: no per-element Python work (frames of millions).
        _, codes = np.unique(arr, return_inverse=True)
        return codes.astype(np.int64)
    arr = arr.astype(object)
    if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in arr):
        raise ValueError(f"{name} must not contain missing labels")
    _, codes = np.unique(arr.astype(str), return_inverse=True)
    return codes.astype(np.int64)


@dataclass(frozen=True, slots=True)
class SurveyDesign:
    """A validated stratified, clustered design; build it with :func:`survey_design`."""

    weights: np.ndarray
    stratum: np.ndarray      # code per respondent
    psu: np.ndarray          # code per respondent, unique across strata (nested)
    psu_stratum: np.ndarray  # stratum code per PSU code
    psu_per_stratum: np.ndarray  # n_h
    fraction: np.ndarray     # f_h = n_h / N_h (0 without a population count)
    lonely_psu: str
    calibration: tuple[np.ndarray, ...] = ()  # category codes per calibration margin

    @property
    def n(self) -> int:
        return int(self.weights.size)

    @property
    def n_strata(self) -> int:
        return int(self.psu_per_stratum.size)

    @property
    def n_psu(self) -> int:
        return int(self.psu_stratum.size)

    @property
    def df(self) -> int:
        return self.n_psu - self.n_strata


def survey_design(
    weights: Any,
    strata: Any = None,
    psu: Any = None,
    population: Any = None,
    lonely_psu: str = "adjust",
    calibrated_on: Any = (),
) -> SurveyDesign:
    """Validate a design: one weight (and stratum, PSU label) per respondent.

    *strata* None means one stratum; *psu* None means each respondent is its own PSU. PSU
    labels are nested in strata (the same label in two strata is two PSUs). *population* is the
    number of PSUs in the population of the respondent's stratum (R's ``fpc`` as a count), the
    same for every respondent of a stratum; None samples with replacement (no correction).
    *calibrated_on* lists the label arrays the weights were raked or post-stratified to.
    """
    w = as_float_array(weights, "weights")
    n = int(w.size)
    if n == 0:
        raise ValueError("a design needs at least one respondent")
    if np.any(np.isnan(w)) or np.any(w <= 0):
        raise ValueError("weights must be positive numbers")
    if lonely_psu not in LONELY_PSU_RULES:
        raise ValueError(f"lonely_psu must be one of {', '.join(LONELY_PSU_RULES)}")
    st = _codes(strata, "strata", n)
    if psu is None:
        local = np.arange(n, dtype=np.int64)
    else:
        local = _codes(psu, "psu", n)
    # Nest PSUs in strata: a PSU is the pair (stratum, label).
    pairs = st * (int(local.max()) + 1) + local
    _, first, psu_code = np.unique(pairs, return_index=True, return_inverse=True)
    psu_stratum = st[first]
    n_h = np.bincount(psu_stratum, minlength=int(st.max()) + 1)
    fraction = np.zeros(n_h.size)
    if population is not None:
        pop = as_float_array(population, "population")
        if pop.size != n:
            raise ValueError(f"population must have one value per respondent ({n}), got {pop.size}")
        if np.any(np.isnan(pop)):
            raise ValueError("population must not contain missing values")
        lo = np.full(n_h.size, np.inf)
        hi = np.full(n_h.size, -np.inf)
        np.minimum.at(lo, st, pop)
        np.maximum.at(hi, st, pop)
        if np.any(lo != hi):
            raise ValueError("population must be the same for every respondent of a stratum")
        if np.any(lo < n_h):
            h = int(np.flatnonzero(lo < n_h)[0])
            raise ValueError(
                f"population ({lo[h]:g}) is smaller than the PSUs sampled ({n_h[h]}) in a stratum"
            )
        fraction = n_h / lo
    if lonely_psu == "fail" and np.any(n_h == 1):
        raise ValueError("a stratum has only one PSU (lonely_psu='fail')")
    if isinstance(calibrated_on, str | bytes):
        raise TypeError("calibrated_on must be a sequence of label arrays, one per margin")
    margins = tuple(
        _codes(labels, f"calibration margin {i}", n)
        for i, labels in enumerate(calibrated_on, start=1)
    )
    return SurveyDesign(
        w, st, psu_code.astype(np.int64), psu_stratum, n_h, fraction, lonely_psu, margins
    )


def _calibration_residual(design: SurveyDesign, z: np.ndarray) -> np.ndarray:
    """z with the margins' category means of z/w removed (projection onto their complement)."""
    if not design.calibration:
        return z
    w = design.weights
    u = z / w
    counts = [np.bincount(c) for c in design.calibration]
    scale = float(np.max(np.abs(u))) or 1.0
    for _ in range(1000):
        shift = 0.0
        for codes, cnt in zip(design.calibration, counts, strict=True):
            means = np.bincount(codes, weights=u, minlength=cnt.size) / np.maximum(cnt, 1)
            u = u - means[codes]
            shift = max(shift, float(np.max(np.abs(means))))
        if shift <= 1e-14 * scale:
            break
    return u * w


def _variance_of_total(design: SurveyDesign, z: np.ndarray) -> float:
    """Ultimate-cluster variance of Σz over PSUs within strata (see the module docstring)."""
    z_psu = np.bincount(design.psu, weights=z, minlength=design.n_psu)
    n_h = design.psu_per_stratum
    mean_h = np.bincount(design.psu_stratum, weights=z_psu, minlength=n_h.size) / n_h
    lonely = n_h[design.psu_stratum] == 1
    centre = mean_h[design.psu_stratum]
    if design.lonely_psu == "adjust":
        # R's "adjust": centre the lonely PSU at the mean PSU total of the whole sample.
        centre = np.where(lonely, z_psu.sum() / design.n_psu, centre)
    scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 1.0) * (1.0 - design.fraction)
    if design.lonely_psu == "remove":
        scale = np.where(n_h == 1, 0.0, scale)
    return float(np.sum(scale[design.psu_stratum] * (z_psu - centre) ** 2))


@dataclass(frozen=True, slots=True)
class DesignMeanResult(Result):
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    df: int
    n: int               # respondents in the domain with an answer
    weight_sum: float    # N̂ of the domain
    deff: float | None
    deff_weights: float | None

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


@dataclass(frozen=True, slots=True)
class DesignShareResult(Result):
    share: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    df: int
    n: int
    weight_sum: float
    deff: float | None
    deff_weights: float | None
    target: float
    lower_one_sided: float | None
    p_value: float | None   # one-sided, H0: share <= target
    verdict: str | None

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def _domain_values(design: SurveyDesign, y: Any, domain: Any) -> tuple[np.ndarray, np.ndarray]:
    yv = as_float_array(y, "y")
    if yv.size != design.n:
        raise ValueError(f"y must have one value per respondent ({design.n}), got {yv.size}")
    d = ~np.isnan(yv)
    if domain is not None:
        dm = np.asarray(domain)
        if dm.shape != yv.shape or dm.dtype != bool:
            raise ValueError("domain must be a boolean array with one value per respondent")
        d &= dm
    return np.where(d, yv, 0.0), d.astype(float)


def _mean_core(design: SurveyDesign, y: Any, domain: Any, confidence: float):
    confidence = check_confidence(confidence)
    yv, d = _domain_values(design, y, domain)
    wd = design.weights * d
    n_dom = int(d.sum())
    total_w = float(wd.sum())
    df = design.df
    if n_dom == 0:
        return None, None, None, None, confidence, df, 0, 0.0, None, None
    est = float(np.sum(wd * yv) / total_w)
    z = _calibration_residual(design, wd * (yv - est) / total_w)
    var = _variance_of_total(design, z)
    se = float(np.sqrt(var))
    if df > 0:
        t = float(stats.t.ppf(0.5 + confidence / 2.0, df))
        low, high = est - t * se, est + t * se
    else:
        low = high = None
    deff = None
    if n_dom > 1:
        s2 = float(np.sum(wd * (yv - est) ** 2) / total_w) * n_dom / (n_dom - 1)
        v_srs = (1.0 - n_dom / total_w) * s2 / n_dom
        deff = var / v_srs if v_srs > 0 else None
    wdom = design.weights[d > 0]
    deff_w = float(wdom.size * np.sum(wdom**2) / wdom.sum() ** 2)
    return est, se, low, high, confidence, df, n_dom, total_w, deff, deff_w


def design_mean(
    design: SurveyDesign, y: Any, domain: Any = None, confidence: float = 0.95
) -> DesignMeanResult:
    """Weighted mean of *y* (nan = no answer) in *domain* with its linearised SE and t interval."""
    est, se, low, high, conf, df, n, wsum, deff, deff_w = _mean_core(design, y, domain, confidence)
    return DesignMeanResult(
        opt_float(est), opt_float(se), opt_float(low), opt_float(high), conf, df, n, wsum,
        opt_float(deff), opt_float(deff_w),
    )


def design_share(
    design: SurveyDesign,
    y: Any,
    domain: Any = None,
    confidence: float = 0.95,
    target: float = DEFAULT_TARGET,
) -> DesignShareResult:
    """Weighted share of a 0/1 variable (nan = no answer) with the 80 % benchmark verdict."""
    target = check_probability(target, "target")
    yv = as_float_array(y, "y")
    ok = yv[~np.isnan(yv)]
    if np.any((ok != 0) & (ok != 1)):
        raise ValueError("y must hold 0, 1 or nan (no answer) for a share")
    est, se, low, high, conf, df, n, wsum, deff, deff_w = _mean_core(design, yv, domain, confidence)
    lower = p_value = verdict = None
    if est is not None and low is not None:
        low, high = max(low, 0.0), min(high, 1.0)
        t1 = float(stats.t.ppf(conf, df))
        lower = max(est - t1 * se, 0.0)
        if se > 0:
            p_value = float(stats.t.sf((est - target) / se, df))
        else:
            p_value = 0.0 if est > target else 1.0
        verdict = benchmark_verdict(lower, high, target)
    return DesignShareResult(
        opt_float(est), opt_float(se), opt_float(low), opt_float(high), conf, df, n, wsum,
        opt_float(deff), opt_float(deff_w), target, opt_float(lower), opt_float(p_value), verdict,
    )
