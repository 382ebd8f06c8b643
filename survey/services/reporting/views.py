"""The two views of a figure when units merged, split or moved (docs/METHODOLOGY.md §10).

*On today's units* (the default) every aggregated row a report reads is re-attributed through
the lineage: the row's unit id becomes the ids of the units that exist today, its counts
multiplied by their shares. *As recorded* a row stays under the unit that recorded it, and a
roll-up to an ancestor uses the parent the unit had then. Both work on the rows of one GROUP BY
over the maintained roll-ups (one per group and answer value), never on answers: the mapping
costs O(groups). Without any unit event in the database `References.lineage` is None and none
of this runs.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta

from survey.services.lineage.graph import EPSILON, Attribution, Lineage
from survey.services.reporting.scope import Scope, ScopeError

# What pages, exports and the report say about the view they show.
VIEW_LABELS = {
    "today": ("Theo đơn vị hiện nay", "On today's units"),
    "recorded": ("Theo đơn vị lúc ghi nhận", "As recorded"),
}
VIEW_NOTES = {
    "today": "on today's units: figures recorded under units that were merged, split or moved "
             "are re-attributed to the units that exist today (a merge adds exactly; a split "
             "by its documented shares, marked estimated)",
    "recorded": "as recorded: figures stay under the units that recorded them; a roll-up to "
                "an ancestor uses the parent the unit had at the time",
}
BOUNDARY_REASON = ("boundary change: the two years do not cover the same territory, so no "
                   "test is computed (METHODOLOGY §10)")

Source = tuple[int, int, int]  # (recorded unit id, year, month or 0)


def view_label(view: str, language: str = "vi") -> str:
    vi, en = VIEW_LABELS[view]
    return vi if language == "vi" else en


def day_of(year: int, month: int | None) -> date:
    return date(year, month or 1, 1)


class Reattribution:
    """How one report maps recorded rows to today's units, inside its scope."""

    def __init__(self, lineage: Lineage, refs, scope: Scope):
        self.lineage = lineage
        self.refs = refs
        self.targets = today_targets(lineage, refs, scope)
        self._spread: dict[Source, list[tuple[int, float]]] = {}
        self.attributions: dict[Source, Attribution] = {}

    def source_ids(self) -> list[int] | None:
        """The recorded units whose rows the report reads (None: all of them)."""
        if self.targets is None:
            return None
        found = set(self.targets)
        reverse = self.lineage.contributors_map()
        for target in self.targets:
            found |= reverse.get(target, set())
        return sorted(found)

    def spread(self, unit_id: int, year: int, month: int | None) -> list[tuple[int, float]]:
        """(today's unit id, share) for the row `unit_id` recorded in the year (or month),
        keeping only the shares that land inside the scope."""
        source = (unit_id, year, month or 0)
        if source not in self._spread:
            attribution = self._attribute(unit_id, year, month)
            self.attributions[source] = attribution
            self._spread[source] = [(t, s) for t, s in sorted(attribution.shares.items())
                                    if s > EPSILON
                                    and (self.targets is None or t in self.targets)]
        return self._spread[source]

    def _attribute(self, unit_id: int, year: int, month: int | None) -> Attribution:
        lineage = self.lineage
        if month:
            attribution = lineage.attribute_month(unit_id, year, month)
        else:
            attribution = lineage.attribute_year(unit_id, year)
        unit = lineage.units.get(unit_id)
        if (unit is not None and unit.valid_to is not None
                and any(not lineage.is_today(t) for t in attribution.shares)):
            # a row dated after its unit ended (a late paper form): it goes where the unit went
            attribution = lineage.attribute(unit_id, unit.valid_to - timedelta(days=1))
        return attribution

    def year_dependent(self, unit_ids, years: list[int]) -> set[int]:
        """The units whose rows of a year map differently in some year (`probe_years`)."""
        return {u for u in unit_ids
                if len({tuple(self.spread(u, year, None)) for year in years}) > 1}

    def is_estimate(self, source: Source, targets) -> bool:
        """Whether the shares of `source` that one figure holds are less than a whole (the
        parts of a split that meet again in one figure add back up to the whole, exactly)."""
        shares = self.attributions[source].shares
        return abs(sum(shares.get(t, 0.0) for t in targets) - 1) > EPSILON


def today_targets(lineage: Lineage, refs, scope: Scope) -> frozenset[int] | None:
    """Today's units inside the scope's unit, visible unit and levels (None: every unit)."""
    if not refs.restricts_units(scope):
        return None
    ids = {uid for uid in refs.units if lineage.is_today(uid)}
    for code in (scope.unit, scope.visible_unit):
        if code is not None:
            unit = refs.unit_by_code.get(code)
            if unit is not None and code == scope.unit and not lineage.is_today(unit.id):
                raise ScopeError("unit", f"unit {code!r} no longer exists; its figures are "
                                         "on today's units, or ask view=recorded")
            ids &= set(refs.subtree_ids(code))
    if scope.levels:
        ids = {uid for uid in ids if refs.units[uid].level in scope.levels}
    return frozenset(ids)


def probe_years(lineage: Lineage) -> list[int]:
    """A year of each period between the events' days as seen from 1 January (a figure known
    by its year is dated on its first day): a year before them all, and each event's year
    and the next. Every other year maps a unit's figures as the probe year before it does."""
    days = {e.effective for events in lineage.events.values() for e in events}
    if not days:
        return [date.today().year]
    return sorted({min(days).year - 1} | {d.year + k for d in days for k in (0, 1)})


def has_moves(lineage: Lineage | None) -> bool:
    return lineage is not None and any(lineage.moves.values())


class Eras:
    """As recorded, the periods between the days units moved: a unit's figures of one era roll
    up to the same ancestors. A report's finest groups keep the era (not the month) of the
    units whose chain of parents changed, so a moved unit's halves go to the parents of their
    time while every other unit stays in one group (era 0)."""

    def __init__(self, lineage: Lineage):
        self.lineage = lineage
        self.days = sorted({e.effective for evs in lineage.moves.values() for e in evs})
        # a day inside each era: the day before the first move, then each move's day
        self.probes = [self.days[0] - timedelta(days=1), *self.days] if self.days else []
        self._moved: dict[int, bool] = {}

    @classmethod
    def of(cls, lineage: Lineage) -> Eras:
        found = getattr(lineage, "_reporting_eras", None)
        if found is None:
            found = lineage._reporting_eras = cls(lineage)
        return found

    def moved(self, unit_id: int) -> bool:
        """Whether the unit's chain of parents changed (itself or an ancestor moved)."""
        if unit_id not in self._moved:
            chains = {tuple(self.lineage.ancestors_on(unit_id, p)) for p in self.probes}
            self._moved[unit_id] = len(chains) > 1
        return self._moved[unit_id]

    def era(self, unit_id: int, day: date) -> int:
        return bisect_right(self.days, day) if self.moved(unit_id) else 0

    def by_month(self, unit_ids) -> tuple[list[int], list[int]]:
        """The rows that must be read month by month: those of the units whose chain of
        parents changed, in the years a move took effect after 1 January. Every other row
        has one chain of parents all year, so the yearly roll-up (a fraction of the monthly
        one's rows) places it as well: (unit ids, years), empty when no row needs months."""
        years = sorted({d.year for d in self.days if (d.month, d.day) != (1, 1)})
        units = sorted(u for u in unit_ids if self.moved(u)) if years else []
        return (units, years) if units else ([], [])

    def day(self, era: int) -> date:
        return self.probes[era] if self.probes else date.today()


def recorded_inside(lineage: Lineage, refs, scope: Scope):
    """As recorded: the containers (unit ids) a row's unit must lie under on its day, or None
    when the scope keeps every unit. Parents at the time decide, so a commune that moved out
    of a district counts in it before the move only."""
    containers = [refs.unit_by_code[c].id for c in (scope.unit, scope.visible_unit)
                  if c is not None and c in refs.unit_by_code]
    if not containers and not scope.levels:
        return None

    def inside(unit_id: int, day: date) -> bool:
        if scope.levels and refs.units[unit_id].level not in scope.levels:
            return False
        chain = lineage.ancestors_on(unit_id, day)
        return all(c in chain for c in containers)

    return inside


def recorded_source_ids(lineage: Lineage, refs, scope: Scope) -> list[int] | None:
    """As recorded: every unit that was, on some day, inside the scope's units."""
    containers = [refs.unit_by_code[c] for c in (scope.unit, scope.visible_unit)
                  if c is not None]
    if not containers:
        return None
    days = sorted({e.effective for evs in lineage.moves.values() for e in evs})
    probes = [d - timedelta(days=1) for d in days] + days
    subtrees = [(c.id, set(refs.subtree_ids(c.code))) for c in containers]
    return sorted(uid for uid in refs.units if all(
        uid in subtree or any(cid in lineage.ancestors_on(uid, d) for d in probes)
        for cid, subtree in subtrees))


def weigh(scope: Scope, refs, unit_id: int, year: int, month: int | None) -> float:
    """The part of a row (a unit's answers of a month) that a scope restricted to some units
    holds in its view: on today's units the shares landing inside, as recorded 1 or 0 by
    where the unit lay that month."""
    lineage = refs.lineage
    if scope.view == "today":
        mapping = refs.__dict__.setdefault("_weigh", {}).get(scope)
        if mapping is None:
            mapping = refs.__dict__["_weigh"][scope] = Reattribution(lineage, refs, scope)
        return sum(share for _, share in mapping.spread(unit_id, year, month))
    inside = recorded_inside(lineage, refs, scope) if has_moves(lineage) else None
    return 1.0 if inside is None or inside(unit_id, day_of(year, month)) else 0.0


def ancestor_on(lineage: Lineage, refs, unit_id: int, level: str, day: date) -> int:
    """The unit's ancestor at `level` on `day` (the unit itself when it had none)."""
    for uid in lineage.ancestors_on(unit_id, day):
        if refs.units[uid].level == level:
            return uid
    return unit_id


def changed(lineage: Lineage, view: str, unit_id: int, year_a: int, year_b: int) -> bool:
    """Whether the unit's two years cover different territory, in the view's terms."""
    if view == "today":
        return lineage.today_changed_between(unit_id, year_a, year_b)
    return lineage.changed_between(unit_id, year_a, year_b)
