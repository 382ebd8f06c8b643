"""Early warnings on daily ratings: a binomial CUSUM per unit x service, and kiosk bursts.

**The rule** (docs/EARLY_WARNING.md). A unit's daily ratings are (x_t satisfied, n_t rated).
Its own baseline share p0 comes from a baseline window of at least `MIN_BASELINE_N` ratings.
The chart watches for a fall to p1 = p0 - `drop` with the log-likelihood-ratio CUSUM of the
binomial (Page 1954; the Bernoulli CUSUM of Reynolds & Stoumbos 1999 summed per day):

    W_t = x_t log(p1/p0) + (n_t - x_t) log((1 - p1)/(1 - p0))
    S_t = max(0, S_{t-1} + W_t),  S_0 = 0;  alarm when S_t > h, then S restarts at 0.

W_t is the sum of one term per rating, so a day's weight grows with its n: a quiet day with
two unhappy citizens adds little, a day of 0 ratings adds nothing, and no separate limit per n
is needed (a Shewhart p-chart would need one, and would shout at every small day).

**The limit** h is chosen so that, while the share stays at p0, the chart alarms once in
`arl0` days on average (the in-control average run length, 365 by default: one false alarm per
unit x service a year). The run length depends on how many ratings arrive per day, so h is
designed for the unit's own distribution of daily n (the baseline's days, zero days included),
with the Markov-chain approximation of Brook & Evans (1972): the statistic on [0, h] becomes
an atom at 0 plus `states` cells, and ARL = (I - Q)^-1 1 from the atom.

**Bursts** (an anti-gaming signal, separate from the chart): a kiosk's count in one hour
against its usual hourly rate, as the Poisson upper tail P(X >= count); flagged at `alpha` or below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ._result import Result, as_count_array, check_probability

MIN_BASELINE_N = 300  # ratings in the baseline window; fewer give no chart (p0 too uncertain)
DEFAULT_DROP = 0.10  # the fall to detect quickly, in share (10 points)
DEFAULT_ARL0 = 365.0  # days between false alarms while nothing changes
DEFAULT_STATES = 300  # cells of the Markov chain (ARL within 0.5 % of 1,600 cells', see tests)
BURST_ALPHA = 1e-4  # per kiosk-hour: about one false flag per 10,000 hours a kiosk is open
# the probability that an estimated baseline's chart keeps its false alarms at or under ARL0
DEFAULT_GUARANTEE = 0.9
MIN_HOURLY_RATE = 0.5  # a kiosk's usual rate is never taken below this (a new, quiet kiosk)


@dataclass(frozen=True, slots=True)
class Baseline(Result):
    """A unit's own in-control state: its share and how many ratings a day it gets."""

    p0: float
    n: int  # ratings in the baseline window
    days: int
    daily_n: np.ndarray  # distinct daily counts seen (0 included)
    daily_n_probability: np.ndarray  # their frequencies


@dataclass(frozen=True, slots=True)
class CusumDesign(Result):
    p0: float
    p1: float
    h: float
    arl0: float  # the in-control ARL of h by the Markov chain (days), at `in_control`
    target_arl0: float
    satisfied_weight: float  # log(p1/p0) < 0: what one satisfied rating adds
    dissatisfied_weight: float  # log((1-p1)/(1-p0)) > 0
    in_control: float  # the true share arl0 holds at (p0, or below it for an estimate)


@dataclass(frozen=True, slots=True)
class CusumChart(Result):
    statistic: np.ndarray  # S_t after each day (after a restart: from 0 again)
    alarms: np.ndarray  # indices of the days that alarmed
    h: float
    p0: float
    p1: float

    @property
    def first_alarm(self) -> int | None:
        return int(self.alarms[0]) if self.alarms.size else None


@dataclass(frozen=True, slots=True)
class BurstResult(Result):
    p_value: np.ndarray  # P(X >= count) under the usual rate
    flagged: np.ndarray  # p_value <= alpha
    critical_count: np.ndarray  # the smallest count that would be flagged
    alpha: float


def _daily(satisfied, n) -> tuple[np.ndarray, np.ndarray]:
    x = as_count_array(satisfied, "satisfied")
    m = as_count_array(n, "n")
    if x.shape != m.shape:
        raise ValueError(f"satisfied and n differ in shape: {x.shape} and {m.shape}")
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError("give at least one day")
    if np.any(x > m):
        day = int(np.argwhere(x > m)[0][-1])
        raise ValueError(f"day {day}: more satisfied ratings than ratings")
    return x, m


def estimate_baseline(satisfied, n, *, min_n: int = MIN_BASELINE_N) -> Baseline:
    """p0 and the daily-n distribution from the baseline window's days.

    p0 = (x + 1/2)/(n + 1): a baseline with every rating satisfied would give p0 = 1, where a
    single dissatisfied rating is infinitely surprising; the half keeps the weights finite and
    moves p0 by less than 0.2 points at the minimum n."""
    x, m = _daily(satisfied, n)
    if x.ndim != 1:
        raise ValueError("the baseline is one series of days")
    total = int(m.sum())
    if total < min_n:
        raise ValueError(f"the baseline holds {total} ratings; at least {min_n} are needed "
                         "for a unit's own share")
    values, counts = np.unique(m, return_counts=True)
    return Baseline((int(x.sum()) + 0.5) / (total + 1), total, int(m.size), values,
                    counts / counts.sum())


def _weights(p0: float, p1: float) -> tuple[float, float]:
    return float(np.log(p1 / p0)), float(np.log((1 - p1) / (1 - p0)))


def _increments(p: float, a: float, b: float, n_values, n_probs) -> tuple[np.ndarray, np.ndarray]:
    """Every possible day's W with its probability when the true share is p."""
    steps, probs = [], []
    for n_day, weight in zip(n_values, n_probs, strict=True):
        x = np.arange(int(n_day) + 1)
        steps.append(x * a + (n_day - x) * b)
        probs.append(weight * stats.binom.pmf(x, int(n_day), p))
    w, q = np.concatenate(steps), np.concatenate(probs)
    keep = q > 1e-15  # far tails change nothing but the cost
    return w[keep], q[keep] / q[keep].sum()


def cusum_arl(p: float, p0: float, p1: float, h: float, n_values, n_probs,
              *, states: int = DEFAULT_STATES) -> float:
    """Average run length in days of the chart (p0, p1, h) when the true share is p and the
    daily n follows (n_values, n_probs): Brook & Evans' Markov chain. p = p0 gives ARL0,
    p = p1 the mean delay to detect the designed fall."""
    a, b = _weights(p0, p1)
    w, q = _increments(p, a, b, np.asarray(n_values), np.asarray(n_probs, dtype=float))
    return _chain_arl(w, q, h, states)


def _chain_arl(w: np.ndarray, q: np.ndarray, h: float, states: int) -> float:
    if h <= 0:
        return 1.0 / max(float(q[w > 0].sum()), 1e-300)
    width = h / states
    # state 0: S = 0 exactly (a day that pulls below 0 lands there); state j: S in
    # ((j-1)w, jw], represented by its midpoint
    values = np.concatenate([[0.0], (np.arange(1, states + 1) - 0.5) * width])
    after = np.maximum(values[:, None] + w[None, :], 0.0)
    target = np.where(after <= 0.0, 0, np.ceil(after / width).astype(np.int64))
    inside = after <= h
    cell = np.arange(states + 1)[:, None] * (states + 1) + np.minimum(target, states)
    transition = np.bincount(cell[inside], weights=np.broadcast_to(q, after.shape)[inside],
                             minlength=(states + 1) ** 2).reshape(states + 1, states + 1)
    visits = np.linalg.solve(np.eye(states + 1) - transition, np.ones(states + 1))
    return float(visits[0])


def design_cusum(p0: float, n_values, n_probs=None, *, drop: float = DEFAULT_DROP,
                 arl0: float = DEFAULT_ARL0, states: int = DEFAULT_STATES,
                 in_control: float | None = None) -> CusumDesign:
    """The limit h whose in-control ARL is `arl0` days for a unit with share p0 and daily n
    drawn from `n_values` (with `n_probs`, or equally often).

    p1 = p0 - drop, but never below p0/2 (a unit at 15 % cannot fall 10 points more than
    halfway to nothing and still be told apart from noise). `in_control`: the true share the
    ARL is designed at, when it may lie below the chart's p0 (an estimated baseline)."""
    p0 = check_probability(p0, "p0")
    in_control = p0 if in_control is None else check_probability(in_control, "in_control")
    drop = check_probability(drop, "drop")
    if arl0 < 2:
        raise ValueError("arl0 must be at least 2 days")
    n_values = as_count_array(n_values, "n_values", ndim=1)
    if n_values.size == 0:
        raise ValueError("n_values is empty")
    if n_probs is None:
        n_probs = np.full(n_values.size, 1 / n_values.size)
    n_probs = np.asarray(n_probs, dtype=float)
    if n_probs.shape != n_values.shape or np.any(n_probs < 0) or n_probs.sum() <= 0:
        raise ValueError("n_probs must be non-negative weights, one per n value")
    n_probs = n_probs / n_probs.sum()
    if float(n_values @ n_probs) <= 0:
        raise ValueError("no ratings at all: there is nothing to watch")
    p1 = max(p0 - drop, p0 / 2)
    a, b = _weights(p0, p1)
    w, q = _increments(in_control, a, b, n_values, n_probs)

    def arl(h: float) -> float:
        return _chain_arl(w, q, h, states)

    low, high = 0.0, 1.0
    while arl(high) < arl0:  # ARL grows with h (roughly like e^h): a few doublings
        low, high = high, high * 2
        if high > 1e4:
            raise ValueError("no limit reaches that ARL0")
    # log ARL is close to linear in h, so Brent's method needs a handful of chains
    h = optimize.brentq(lambda v: np.log(arl(v) / arl0), low, high, xtol=1e-4)
    return CusumDesign(p0, p1, float(h), arl(h), float(arl0), a, b, in_control)


def design_for(baseline: Baseline, *, drop: float = DEFAULT_DROP, arl0: float = DEFAULT_ARL0,
               guarantee: float | None = DEFAULT_GUARANTEE,
               states: int = DEFAULT_STATES) -> CusumDesign:
    """The chart for an estimated baseline. An overestimated p0 makes ordinary days look like
    a fall (with 300 baseline ratings at 90 %, p0 one standard error too high cuts ARL0 from
    365 to about 80 days), so h is designed at the one-sided Wilson lower bound of p0 at the
    `guarantee` level: the ARL0 reaches `arl0` with that probability over baselines (the
    guaranteed conditional performance of Gandy & Kvaloy 2013, by the score test's normal
    approximation; Wilson rather than p0 - z SE because the bound that holds is the one whose
    SE is taken at the true share). `guarantee=None` designs at p0 itself."""
    in_control = None
    if guarantee is not None:
        z = stats.norm.ppf(check_probability(guarantee, "guarantee"))
        p, n = baseline.p0, baseline.n
        wilson = (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) \
            / (1 + z * z / n)
        in_control = max(float(wilson), p / 2)
    return design_cusum(baseline.p0, baseline.daily_n, baseline.daily_n_probability,
                        drop=drop, arl0=arl0, states=states, in_control=in_control)


def cusum_chart(satisfied, n, design: CusumDesign, *, restart: bool = True) -> CusumChart:
    """The chart over days (the last axis; leading axes are independent series, as in a
    simulation). After an alarm S restarts at 0 (`restart=False` keeps it running)."""
    x, m = _daily(satisfied, n)
    w = x * design.satisfied_weight + (m - x) * design.dissatisfied_weight
    statistic = np.empty(w.shape)
    s = np.zeros(w.shape[:-1])
    for t in range(w.shape[-1]):  # the recursion is sequential in time only
        s = np.maximum(s + w[..., t], 0.0)
        statistic[..., t] = s
        if restart:
            s = np.where(s > design.h, 0.0, s)
    alarms = np.argwhere(statistic > design.h)
    return CusumChart(statistic, alarms[:, -1] if x.ndim == 1 else alarms, design.h,
                      design.p0, design.p1)


def watch(satisfied, n, *, baseline_days: int, min_baseline_n: int = MIN_BASELINE_N,
          drop: float = DEFAULT_DROP, arl0: float = DEFAULT_ARL0,
          guarantee: float | None = DEFAULT_GUARANTEE) -> tuple[CusumDesign, CusumChart]:
    """The whole rule on one series: the first `baseline_days` days are the baseline, the
    chart runs over the days after them (alarm indices count from the first watched day)."""
    x, m = _daily(satisfied, n)
    if not 0 < baseline_days < x.size:
        raise ValueError("baseline_days must leave days both to learn from and to watch")
    base = estimate_baseline(x[:baseline_days], m[:baseline_days], min_n=min_baseline_n)
    design = design_for(base, drop=drop, arl0=arl0, guarantee=guarantee)
    return design, cusum_chart(x[baseline_days:], m[baseline_days:], design)


def simulate_run_lengths(p: float, design: CusumDesign, n_values, n_probs, *, runs: int,
                         rng: np.random.Generator, max_days: int | None = None) -> np.ndarray:
    """Days to the first alarm of `runs` independent series with true share p (censored at
    `max_days`, default 50 x the design's ARL0): the measurement the docs quote."""
    max_days = max_days or int(50 * design.arl0)
    n_values = np.asarray(n_values)
    n_probs = np.asarray(n_probs, dtype=float) / np.sum(n_probs)
    lengths = np.full(runs, max_days)
    s = np.zeros(runs)
    alive = np.arange(runs)
    for day in range(1, max_days + 1):
        m = rng.choice(n_values, size=alive.size, p=n_probs)
        x = rng.binomial(m, p)
        s = np.maximum(s + x * design.satisfied_weight
                       + (m - x) * design.dissatisfied_weight, 0.0)
        alarmed = s > design.h
        lengths[alive[alarmed]] = day
        alive, s = alive[~alarmed], s[~alarmed]
        if alive.size == 0:
            break
    return lengths


def usual_hourly_rate(history_counts, *, floor: float = MIN_HOURLY_RATE) -> float:
    """A kiosk's usual ratings per open hour: the mean over its past open hours, at least
    `floor` (a kiosk without history must not flag its first busy hour)."""
    counts = as_count_array(history_counts, "history_counts", ndim=1)
    return max(float(counts.mean()) if counts.size else 0.0, floor)


def burst_signal(counts, expected, *, alpha: float = BURST_ALPHA) -> BurstResult:
    """Each hour's count against the kiosk's usual rate (`expected`, one number or one per
    hour): Poisson upper tail P(X >= count), flagged when at most `alpha`."""
    counts = as_count_array(counts, "counts")
    expected = np.broadcast_to(np.asarray(expected, dtype=float), counts.shape)
    if not np.all(np.isfinite(expected)) or np.any(expected <= 0):
        raise ValueError("expected rates must be positive")
    alpha = check_probability(alpha, "alpha")
    p_value = stats.poisson.sf(counts - 1, expected)
    # isf gives the smallest k with P(X > k) <= alpha, so k + 1 is the smallest flagged count
    critical = stats.poisson.isf(alpha, expected) + 1
    return BurstResult(p_value, p_value <= alpha, critical.astype(np.int64), alpha)


def _report() -> None:  # python -m analysis.early_warning
    """Design the rule for a few typical units and measure its false-alarm rate by
    simulation (seeded): the figures of docs/EARLY_WARNING.md."""
    rng = np.random.default_rng(20261202)
    print("p0    mean n/day  h       ARL0 (Markov)  ARL0 (simulated, 4000 runs)  "
          "false alarms/yr  ARL1 (p0-0.10)")
    for p0, mean_n in ((0.90, 20), (0.85, 5), (0.75, 60)):
        n_values = np.arange(0, int(mean_n * 4) + 10)
        n_probs = stats.poisson.pmf(n_values, mean_n)
        design = design_cusum(p0, n_values, n_probs)
        lengths = simulate_run_lengths(p0, design, n_values, n_probs, runs=4000, rng=rng)
        arl, se = lengths.mean(), lengths.std(ddof=1) / np.sqrt(lengths.size)
        arl1 = cusum_arl(design.p1, p0, design.p1, design.h, n_values, n_probs)
        print(f"{p0:.2f}  {mean_n:10d}  {design.h:6.3f}  {design.arl0:13.1f}  "
              f"{arl:8.1f} ± {1.96 * se:5.1f} (95 %)        {365 / arl:15.2f}  {arl1:10.1f}")

    print("\nestimated baseline (true share 0.90, 20 ratings a day): the in-control ARL in days "
          "when the baseline's share comes out z standard errors off")
    n_values = np.arange(0, 90)
    n_probs = stats.poisson.pmf(n_values, 20)
    for base_n in (300, 1800):
        se = np.sqrt(0.9 * 0.1 / base_n)
        for guarantee in (None, DEFAULT_GUARANTEE):
            cells = []
            for z in (-1, 0, 1, 1.28, 2):
                p_hat = 0.9 + z * se
                base = Baseline(p_hat, base_n, 90, n_values, n_probs)
                design = design_for(base, guarantee=guarantee)
                arl = cusum_arl(0.9, design.p0, design.p1, design.h, n_values, n_probs)
                arl1 = cusum_arl(0.8, design.p0, design.p1, design.h, n_values, n_probs)
                cells.append(f"z={z:+.2f}: {arl:6.0f} ({arl1:.1f})")
            print(f"baseline of {base_n:4d}, guarantee {guarantee}: " + "  ".join(cells))
    print("(in brackets: the mean days to alarm after a fall to 0.80)")


if __name__ == "__main__":
    _report()
