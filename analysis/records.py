"""Dossier statistics and per-dossier ratings (docs/METHODOLOGY.md §7).

Dossier counts are the whole population: their rates are exact, with no interval. A rate whose
denominator is 0 is ``None``. Per-dossier ratings (kiosk, 3-level: 1 Không hài lòng, 2 Hài
lòng, 3 Rất hài lòng) are self-selected: counts and percentages only, plus the response rate,
never pooled with the survey stream. Satisfaction by on-time status compares % satisfied of
linked responses between dossiers resolved on time (early or on time) and late ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._result import Result, as_count
from .change import proportion_change
from .crosstab import crosstab
from .scales import RATING3, Missing, frequency_table


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True, slots=True)
class DossierStatistics(Result):
    received: int
    carried_over: int
    total_to_handle: int
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    pending: int
    pending_within_deadline: int
    pending_overdue: int
    on_time_rate: float | None
    late_rate: float | None
    resolved_share: float | None
    overdue_share: float | None


def dossier_statistics(
    *,
    received: int,
    carried_over: int = 0,
    resolved_early: int,
    resolved_on_time: int,
    resolved_late: int,
    pending_within_deadline: int = 0,
    pending_overdue: int = 0,
) -> DossierStatistics:
    """Exact rates: on-time = (early + on time)/resolved, late = late/resolved,
    resolved share = resolved/(received + carried over), overdue share = overdue/pending."""
    rec = as_count(received, "received")
    car = as_count(carried_over, "carried_over")
    early = as_count(resolved_early, "resolved_early")
    on_time = as_count(resolved_on_time, "resolved_on_time")
    late = as_count(resolved_late, "resolved_late")
    within = as_count(pending_within_deadline, "pending_within_deadline")
    overdue = as_count(pending_overdue, "pending_overdue")
    resolved = early + on_time + late
    pending = within + overdue
    total = rec + car
    if resolved > total:
        raise ValueError("more dossiers resolved than received plus carried over")
    return DossierStatistics(
        rec, car, total, resolved, early, on_time, late, pending, within, overdue,
        _rate(early + on_time, resolved), _rate(late, resolved), _rate(resolved, total),
        _rate(overdue, pending),
    )


@dataclass(frozen=True, slots=True)
class RatingSummary(Result):
    """Counts and shares by code 1..3; ``satisfied`` = Hài lòng + Rất hài lòng."""

    counts: tuple[int, ...]
    percentages: tuple[float | None, ...]
    n: int
    satisfied: int
    satisfied_share: float | None
    returned: int | None
    response_rate: float | None
    missing: Missing


def rating_summary(
    table: Sequence[Any] | Mapping[int, Any], returned: int | None = None
) -> RatingSummary:
    """Per-dossier 3-level ratings; *returned* = dossiers whose result was handed back."""
    counts, miss = frequency_table(table, RATING3.points)
    n = int(counts.sum())
    sat = int(sum(counts[c - 1] for c in RATING3.positive))
    ret = None if returned is None else as_count(returned, "returned")
    # A rating implies a returned dossier, so more ratings than returns means bad input.
    if ret is not None and n + miss.total > ret:
        raise ValueError("more rated dossiers than returned dossiers")
    rated = n + miss.total
    return RatingSummary(
        tuple(int(c) for c in counts), tuple(_rate(int(c), n) for c in counts), n, sat,
        _rate(sat, n), ret, None if ret is None else _rate(rated, ret), miss,
    )


@dataclass(frozen=True, slots=True)
class OnTimeSatisfaction(Result):
    k_on_time: int
    n_on_time: int
    share_on_time: float | None
    k_late: int
    n_late: int
    share_late: float | None
    difference: float | None
    difference_points: float | None
    ci_low: float | None
    ci_high: float | None
    chi2: float | None
    p_value: float | None
    warning: str | None

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def satisfaction_by_on_time(
    k_on_time: int, n_on_time: int, k_late: int, n_late: int
) -> OnTimeSatisfaction:
    """% satisfied on time − late with its Newcombe interval and the 2 × 2 χ² test."""
    ch = proportion_change(k_late, n_late, k_on_time, n_on_time)
    warning = None
    if ch.difference is not None:
        ct = crosstab([[k_on_time, n_on_time - k_on_time], [k_late, n_late - k_late]])
        if ct.shape_tested != (2, 2):
            warning = "everyone or no one satisfied in both groups: no variation to test"
        else:
            warning = ct.warning
    return OnTimeSatisfaction(
        ch.k_after, ch.n_after, ch.share_after, ch.k_before, ch.n_before, ch.share_before,
        ch.difference, ch.difference_points, ch.ci_low, ch.ci_high, ch.chi2, ch.p_value, warning,
    )
