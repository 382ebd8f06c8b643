"""The early-warning CUSUM and the burst signal (analysis/early_warning.py).

The chart's arithmetic is checked by hand on scripted series; its false-alarm rate (the
designed in-control ARL, from a Markov chain) is checked by running the chart itself on
simulated stable data, an independent computation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.early_warning import (
    Baseline,
    burst_signal,
    cusum_arl,
    cusum_chart,
    design_cusum,
    design_for,
    estimate_baseline,
    simulate_run_lengths,
    usual_hourly_rate,
    watch,
)

BASELINE_DAYS = 60


def _stable(days: int, pattern=(18, 17, 19, 18, 20, 16, 18)) -> tuple[list, list]:
    """About 90 % satisfied of 20 a day, with day-to-day noise."""
    return [pattern[d % len(pattern)] for d in range(days)], [20] * days


def test_a_fall_from_90_to_70_percent_alarms_on_the_day_the_arithmetic_says():
    x, n = _stable(BASELINE_DAYS + 10)
    change = len(x)  # the first day at 70 %
    x += [14] * 20
    n += [20] * 20
    design, chart = watch(x, n, baseline_days=BASELINE_DAYS)

    p0 = (sum(x[:BASELINE_DAYS]) + 0.5) / (20 * BASELINE_DAYS + 1)
    assert design.p0 == pytest.approx(p0, abs=1e-12)
    assert design.p1 == pytest.approx(p0 - 0.10, abs=1e-12)
    # by hand: each day at 70 % adds 14 log(p1/p0) + 6 log((1-p1)/(1-p0)); the stable days
    # before it leave S at 0 (each of them pulls it down)
    step = 14 * math.log(design.p1 / p0) + 6 * math.log((1 - design.p1) / (1 - p0))
    assert step > 0
    days_needed = math.floor(design.h / step) + 1
    expected = change - BASELINE_DAYS + days_needed - 1  # index among the watched days
    assert chart.first_alarm == expected
    assert np.all(chart.statistic[:change - BASELINE_DAYS] < design.h)
    # and it keeps alarming while the share stays low (restarting each time)
    assert len(chart.alarms) >= 20 // days_needed - 1


def test_a_stable_unit_does_not_alarm_and_small_unhappy_days_weigh_little():
    x, n = _stable(BASELINE_DAYS + 365)
    # five quiet days with two ratings, both unhappy: 0 % satisfied, n = 2
    for day in range(BASELINE_DAYS + 100, BASELINE_DAYS + 300, 40):
        x[day], n[day] = 0, 2
    design, chart = watch(x, n, baseline_days=BASELINE_DAYS)
    assert chart.first_alarm is None
    # each such day adds two dissatisfied ratings' weight, a third of the limit
    small = 2 * math.log((1 - design.p1) / (1 - design.p0))
    assert small < design.h / 3
    day = 100
    assert chart.statistic[day] == pytest.approx(chart.statistic[day - 1] + small)
    # the same 0 % on a full day (20 ratings) is an alarm at once: the weight follows n
    x_full, n_full = list(x), list(n)
    x_full[BASELINE_DAYS + 100], n_full[BASELINE_DAYS + 100] = 0, 20
    _, full = watch(x_full, n_full, baseline_days=BASELINE_DAYS)
    assert full.first_alarm == 100


def test_the_designed_false_alarm_rate_holds_on_simulated_stable_data():
    """Run the chart (with restarts) on 800 stable series of 4,000 days: by renewal theory the
    days per alarm estimate the in-control ARL, which must match the Markov chain's 365."""
    p0, mean_n = 0.85, 8
    n_values = np.arange(0, 41)
    n_probs = stats.poisson.pmf(n_values, mean_n)
    design = design_cusum(p0, n_values, n_probs)
    assert design.arl0 == pytest.approx(365, rel=0.01)

    rng = np.random.Generator(np.random.PCG64(20261202))
    n = rng.choice(n_values, size=(800, 4000), p=n_probs / n_probs.sum())
    x = rng.binomial(n, p0)
    chart = cusum_chart(x, n, design)
    alarms = len(chart.alarms)
    measured = n.size / alarms
    # about 8,800 alarms: the estimate's relative SE is ~1 %
    assert measured == pytest.approx(365, rel=0.05), measured
    # and without the design a lower limit would alarm far more often
    looser = design_cusum(p0, n_values, n_probs, arl0=60)
    assert looser.h < design.h
    assert len(cusum_chart(x[:100], n[:100], looser).alarms) > 3 * alarms / 8


def test_markov_chain_and_simulation_agree_on_the_delay_to_detect_a_fall():
    p0, n_values, n_probs = 0.9, np.array([0, 5, 10, 30]), np.array([0.2, 0.3, 0.3, 0.2])
    design = design_cusum(p0, n_values, n_probs)
    markov = cusum_arl(design.p1, p0, design.p1, design.h, n_values, n_probs)
    lengths = simulate_run_lengths(design.p1, design, n_values, n_probs, runs=4000,
                                   rng=np.random.default_rng(7))
    se = lengths.std(ddof=1) / math.sqrt(lengths.size)
    assert abs(lengths.mean() - markov) < 4 * se + 0.02 * markov
    assert markov < 30  # a 10-point fall is seen within weeks at ~10 ratings a day


def test_the_chain_has_converged_at_the_default_number_of_cells():
    p0, n_values, n_probs = 0.8, np.arange(0, 30), stats.poisson.pmf(np.arange(0, 30), 10)
    design = design_cusum(p0, n_values, n_probs)
    fine = cusum_arl(p0, p0, design.p1, design.h, n_values, n_probs, states=1600)
    assert design.arl0 == pytest.approx(fine, rel=0.005)


def test_baseline_needs_enough_ratings_and_keeps_weights_finite():
    with pytest.raises(ValueError, match="at least 300"):
        estimate_baseline([10] * 20, [10] * 20)
    base = estimate_baseline([20] * 20, [20] * 20)  # every rating satisfied
    assert base.p0 == pytest.approx(400.5 / 401)
    design = design_cusum(base.p0, base.daily_n, base.daily_n_probability)
    assert math.isfinite(design.dissatisfied_weight)
    base = estimate_baseline([5, 0, 7] * 40, [10, 0, 10] * 40)
    assert base.daily_n.tolist() == [0, 10]
    assert base.daily_n_probability.tolist() == pytest.approx([1 / 3, 2 / 3])


@pytest.mark.parametrize(("x", "n", "message"), [
    ([5, 11], [10, 10], "day 1: more satisfied"),
    ([5, 5], [10], "differ in shape"),
    ([-1], [3], "non-negative"),
])
def test_bad_series_are_refused_with_the_day(x, n, message):
    design = design_cusum(0.9, [10])
    with pytest.raises(ValueError, match=message):
        cusum_chart(x, n, design)


def test_a_low_baseline_falls_to_half_at_most():
    assert design_cusum(0.12, [20]).p1 == pytest.approx(0.06)


def _poisson_tail(count: int, rate: float) -> float:
    """P(X >= count), summed term by term (an independent computation)."""
    below = math.fsum(math.exp(k * math.log(rate) - rate - math.lgamma(k + 1))
                      for k in range(count))
    return 1.0 - below


def test_burst_p_values_and_critical_counts_match_a_direct_sum():
    counts = np.array([0, 3, 9, 14, 20, 60])
    result = burst_signal(counts, 5.0)
    assert result.p_value == pytest.approx([_poisson_tail(int(c), 5.0) for c in counts],
                                           rel=1e-9, abs=1e-15)
    assert result.flagged.tolist() == [False, False, False, False, True, True]
    critical = int(result.critical_count[0])
    assert _poisson_tail(critical, 5.0) <= 1e-4 < _poisson_tail(critical - 1, 5.0)


def test_burst_rate_per_hour_and_false_flags_on_quiet_data():
    assert usual_hourly_rate([]) == 0.5
    assert usual_hourly_rate([4, 6, 5, 5]) == 5.0
    rng = np.random.default_rng(11)
    rates = rng.uniform(0.5, 12, size=200_000)
    quiet = burst_signal(rng.poisson(rates), rates, alpha=1e-3)
    # a discrete tail can only be at or below alpha: flags stay within alpha (+ noise)
    assert quiet.flagged.mean() <= 1e-3 + 3 * math.sqrt(1e-3 / rates.size)
    with pytest.raises(ValueError, match="positive"):
        burst_signal([1], 0.0)


def test_an_estimated_baseline_keeps_its_false_alarms_with_the_guaranteed_probability():
    """Over every baseline of 300 ratings a unit truly at 90 % can produce (X ~ Bin(300, 0.9),
    15 days of 20), the share whose chart keeps ARL0 >= 365 days at the true 90 %."""
    n_values, n_probs = np.array([20]), np.array([1.0])
    held, plain_held = 0.0, 0.0
    for total in range(250, 296):
        weight = stats.binom.pmf(total, 300, 0.9)
        base = Baseline((total + 0.5) / 301, 300, 15, n_values, n_probs)
        for guarantee in (0.9, None):
            design = design_for(base, guarantee=guarantee, states=150)
            arl = cusum_arl(0.9, design.p0, design.p1, design.h, n_values, n_probs, states=150)
            if arl >= 365 * 0.98:  # the chain's own error is ~1 % at 150 cells
                if guarantee:
                    held += weight
                else:
                    plain_held += weight
    assert held == pytest.approx(0.9, abs=0.04)
    assert plain_held < 0.6  # designed at the estimate itself: about half the units
