"""The daily watch: bring the roll-ups up to date, run the rule on each unit x service, look
for kiosk bursts, store the alerts, and tell their recipients.

**CUSUM** (analysis.early_warning, docs/EARLY_WARNING.md). For the watched local day D and a
unit x service area, the chart's window starts on the Monday `WINDOW_WEEKS` weeks before D's
week (22 to 28 days before D) and the baseline is the `BASELINE_DAYS` days before it (at
least MIN_BASELINE_N ratings, or the series is skipped: too few to know its share). Anchoring
both on weeks keeps a series' baseline, and so its designed limit h, the same all week: the
design (a few dozen Markov-chain solves) is made once per series and week in a process. The
chart runs from the window's start, or from the day after the series' last alert in it (S
restarts at 0 after an alarm, as the rule says), to D. An alert is raised when S on D
itself exceeds h: each day is judged once, by the run that watches it, so watching the same
day again finds the alert already there and adds nothing (the `once` key), and a persisting
fall alerts again only after S has climbed back over h from 0.

**Bursts** (a separate alert type): each hour of D at each kiosk against the kiosk's usual
rate, the mean of its open hours over the `BURST_HISTORY_DAYS` before D
(analysis.early_warning.burst_signal, alpha = BURST_ALPHA per kiosk-hour).

Everything reads the roll-ups `rating_day` and `kiosk_hour` only; the answers are read by
`daily.refresh`, for the days that may have changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from analysis import early_warning as ew
from survey.database import begin_write
from survey.extensions import db
from survey.models import Alert, Kiosk, KioskHour, RatingDay, Unit, now_utc
from survey.services import audit
from survey.services.alerts import daily
from survey.services.periods import LOCAL_TZ

BASELINE_DAYS = 90  # the unit's own share and daily volume: a season of ordinary days
WINDOW_WEEKS = 3  # the chart starts this many weeks before D's Monday (22-28 days of chart)
BURST_HISTORY_DAYS = 28


@dataclass
class Watched:
    day: date
    series: int = 0  # unit x service areas with ratings in the window
    charted: int = 0  # of which with a baseline large enough for a chart
    kiosks: int = 0
    created: list[Alert] = field(default_factory=list)
    existing: int = 0  # alarms found already stored (a second run)
    refreshed: daily.Refreshed | None = None


def _dense(rows: dict[date, tuple[int, int]], first: date, last: date):
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    x = np.array([rows.get(d, (0, 0))[1] for d in days], dtype=np.int64)
    n = np.array([rows.get(d, (0, 0))[0] for d in days], dtype=np.int64)
    return days, x, n


def _store(alert: Alert, watched: Watched) -> None:
    """Insert unless the same alarm is stored (idempotent under re-runs)."""
    found = db.session.execute(select(Alert.id).where(
        Alert.kind == alert.kind, Alert.unit_id == alert.unit_id,
        Alert.service_area_id == alert.service_area_id, Alert.kiosk_id == alert.kiosk_id,
        Alert.day == alert.day, Alert.hour == alert.hour)).scalar()
    if found is not None:
        watched.existing += 1
        return
    db.session.add(alert)
    watched.created.append(alert)


def window_start(day: date) -> date:
    """The first day of the chart that watches `day`: a Monday, 22 to 28 days before it."""
    return day - timedelta(days=day.weekday() + 7 * WINDOW_WEEKS)


_DESIGNS: dict[tuple, ew.CusumDesign] = {}


def _design(baseline: ew.Baseline) -> ew.CusumDesign:
    """design_for, remembered for equal baselines (the same series all week)."""
    key = (baseline.p0, baseline.n, tuple(baseline.daily_n.tolist()),
           tuple(baseline.daily_n_probability.tolist()))
    if key not in _DESIGNS:
        if len(_DESIGNS) > 20_000:
            _DESIGNS.clear()
        _DESIGNS[key] = ew.design_for(baseline)
    return _DESIGNS[key]


def _cusum(day: date, watched: Watched) -> None:
    first = window_start(day)
    base_start = first - timedelta(days=BASELINE_DAYS)
    series: dict[tuple[int, int], dict[date, tuple[int, int]]] = {}
    for unit_id, area_id, d, n, x in db.session.execute(
            select(RatingDay.unit_id, RatingDay.service_area_id, RatingDay.day, RatingDay.n,
                   RatingDay.satisfied).where(RatingDay.day.between(base_start, day))):
        series.setdefault((unit_id, area_id), {})[d] = (n, x)
    previous: dict[tuple[int, int], date] = {}
    for unit_id, area_id, d in db.session.execute(
            select(Alert.unit_id, Alert.service_area_id, Alert.day)
            .where(Alert.kind == "cusum", Alert.day >= first, Alert.day < day)):
        key = (unit_id, area_id)
        previous[key] = max(previous.get(key, d), d)
    for (unit_id, area_id), rows in sorted(series.items()):
        if not any(first <= d <= day for d in rows):
            continue
        watched.series += 1
        _, bx, bn = _dense(rows, base_start, first - timedelta(days=1))
        try:
            baseline = ew.estimate_baseline(bx, bn)
        except ValueError:  # too few ratings to know the unit's own share
            continue
        watched.charted += 1
        design = _design(baseline)
        start = max(first, previous.get((unit_id, area_id), base_start)
                    + timedelta(days=1))
        days, x, n = _dense(rows, start, day)
        chart = ew.cusum_chart(x, n, design)
        s_today = float(chart.statistic[-1])
        if s_today <= design.h:
            continue
        _store(Alert(kind="cusum", unit_id=unit_id, service_area_id=area_id, kiosk_id=0,
                     day=day, hour=0, statistic=s_today, threshold=design.h, chart={
                         "days": [d.isoformat() for d in days],
                         "s": [round(float(v), 4) for v in chart.statistic],
                         "n": n.tolist(), "x": x.tolist(), "h": round(design.h, 4),
                         "p0": round(design.p0, 4), "p1": round(design.p1, 4),
                         "baseline_n": baseline.n, "baseline_days": baseline.days}),
               watched)


def _hour_start(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(UTC)


def _bursts(day: date, watched: Watched) -> None:
    start, end = daily.day_bounds(day, day)
    history_start = start - timedelta(days=BURST_HISTORY_DAYS)
    today: dict[int, list[int]] = {}
    for kiosk_id, hour, n in db.session.execute(
            select(KioskHour.kiosk_id, KioskHour.hour, KioskHour.n)
            .where(KioskHour.hour >= start, KioskHour.hour < end)):
        today.setdefault(kiosk_id, [0] * 24)[hour.astimezone(LOCAL_TZ).hour] += n
    if not today:
        return
    history: dict[int, list[int]] = {}
    for kiosk_id, n in db.session.execute(
            select(KioskHour.kiosk_id, KioskHour.n)
            .where(KioskHour.kiosk_id.in_(today), KioskHour.hour >= history_start,
                   KioskHour.hour < start)):
        history.setdefault(kiosk_id, []).append(n)  # open hours only: rows exist when n > 0
    units = dict(db.session.execute(select(Kiosk.id, Kiosk.unit_id)
                                    .where(Kiosk.id.in_(today))).all())
    for kiosk_id, counts in sorted(today.items()):
        watched.kiosks += 1
        usual = ew.usual_hourly_rate(history.get(kiosk_id, []))
        signal = ew.burst_signal(counts, usual)
        for hour in np.flatnonzero(signal.flagged):
            hour = int(hour)
            _store(Alert(kind="burst", unit_id=units[kiosk_id], service_area_id=0,
                         kiosk_id=kiosk_id, day=day, hour=hour, statistic=float(counts[hour]),
                         threshold=float(signal.critical_count[hour]), chart={
                             "hours": counts, "hour": hour, "usual": round(usual, 4),
                             "critical": int(signal.critical_count[hour]),
                             "p_value": float(signal.p_value[hour])}), watched)


def watch(day: date | None = None, *, now: datetime | None = None,
          actor: str = "system") -> Watched:
    """Watch one local day (default: yesterday, the last whole day). Flushes; the caller
    commits. Notifying the recipients is `mail.notify(watched.created)`, after the commit."""
    begin_write()
    now = now or now_utc()
    day = day or (daily.local_day(now) - timedelta(days=1))
    watched = Watched(day)
    watched.refreshed = daily.refresh(now)
    _cusum(day, watched)
    _bursts(day, watched)
    db.session.flush()
    for alert in watched.created:
        audit.record(actor, "alert.raise", "alert", str(alert.id),
                     new={"kind": alert.kind, "unit_id": alert.unit_id, "day": day.isoformat(),
                          "statistic": round(alert.statistic, 4),
                          "threshold": round(alert.threshold, 4)})
    return watched


def unit_of(alert: Alert) -> Unit:
    return db.session.get(Unit, alert.unit_id)
