"""The lineage of units: where a unit's recorded figures go on today's units, and when a unit's
territory changed (docs/METHODOLOGY.md §10). Pure: plain rows in, plain answers out.

A unit's figures recorded on a day d are re-attributed through the events of that unit that took
effect after d: a merge hands everything to its successor, a split hands each successor its share,
and the successors' own later events apply in turn, until only units that still exist are left.
A merge therefore adds exactly; anything that went through a split is an estimate.

Days are compared with the events' effective dates: an event effective on day e changed the
state from e on, so a figure recorded on a day before e is re-attributed by it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

# Shares below this are rounding, not territory (shares come from CSV text like 0.333).
EPSILON = 1e-9
TERRITORY_KINDS = ("merge", "split", "abolish")


@dataclass(frozen=True, slots=True)
class UnitRow:
    id: int
    parent_id: int | None
    valid_from: date | None = None
    valid_to: date | None = None

    def exists_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day < self.valid_to))

    def exists_during(self, start: date, end: date) -> bool:
        """Whether the unit existed on some day of [start, end]."""
        return ((self.valid_from is None or self.valid_from <= end)
                and (self.valid_to is None or start < self.valid_to))


@dataclass(frozen=True, slots=True)
class EventRow:
    unit_id: int
    kind: str
    effective: date
    successors: tuple[tuple[int, float], ...] = ()  # (unit id, share)
    old_parent_id: int | None = None
    new_parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Where one recorded unit's figures go: today's unit id -> share, and whether any share
    came through a split (an estimate, not a count)."""

    shares: dict[int, float] = field(default_factory=dict)

    def is_estimate(self, target: int) -> bool:
        # a whole unit's figures add exactly; anything less came through a split (two parts of
        # a split that meet again in one unit add back up to a whole, hence exact)
        return abs(self.shares.get(target, 0.0) - 1) > EPSILON

    @property
    def estimated(self) -> bool:
        return any(self.is_estimate(target) for target in self.shares)


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


class Lineage:
    def __init__(self, units: Iterable[UnitRow], events: Iterable[EventRow]):
        self.units = {u.id: u for u in units}
        by_unit: dict[int, list[EventRow]] = defaultdict(list)
        for event in events:
            by_unit[event.unit_id].append(event)
        self.events = {uid: sorted(evs, key=lambda e: e.effective) for uid, evs in by_unit.items()}
        self.moves = {uid: [e for e in evs if e.kind == "move"] for uid, evs in self.events.items()}
        self._attribute = cache(self._attribute_uncached)
        self._contributors: dict[int, set[int]] | None = None

    @property
    def has_events(self) -> bool:
        return bool(self.events)

    def is_today(self, unit_id: int) -> bool:
        unit = self.units.get(unit_id)
        return unit is not None and unit.valid_to is None

    # -- today's units ---------------------------------------------------------------------

    def attribute(self, unit_id: int, day: date) -> Attribution:
        """Where the figures `unit_id` recorded on `day` go on today's units."""
        return self._attribute(unit_id, day)

    def attribute_year(self, unit_id: int, year: int) -> Attribution:
        """`attribute` for a figure known only by its year: as if recorded on its first day, so
        an event of the unit within the year re-attributes the whole year (figures recorded
        after a split are then spread by its shares too, and marked estimated)."""
        return self._attribute(unit_id, date(year, 1, 1))

    def attribute_month(self, unit_id: int, year: int, month: int) -> Attribution:
        return self._attribute(unit_id, date(year, month, 1))

    def _attribute_uncached(self, unit_id: int, day: date) -> Attribution:
        event = next((e for e in self.events.get(unit_id, ())
                      if e.kind in TERRITORY_KINDS and e.effective > day), None)
        if event is None:
            return Attribution({unit_id: 1.0})
        shares: dict[int, float] = defaultdict(float)
        for successor, share in event.successors:
            # the successor's own events after this one carry the share on
            for target, part in self._attribute(successor, event.effective).shares.items():
                shares[target] += share * part
        return Attribution(dict(shares))

    def contributors(self, today_id: int) -> set[int]:
        """Every unit whose figures (on some day) go, at least in part, to `today_id`."""
        return {today_id} | self.contributors_map().get(today_id, set())

    def contributors_map(self) -> dict[int, set[int]]:
        """today's unit id -> the units that ended and whose figures go there in part (one pass
        over the events, kept: a report asks it for every unit of its scope)."""
        if self._contributors is None:
            found: dict[int, set[int]] = defaultdict(set)
            for uid, events in self.events.items():
                for event in events:
                    if event.kind in TERRITORY_KINDS:
                        day = event.effective - timedelta(days=1)
                        for target in self._attribute(uid, day).shares:
                            found[target].add(uid)
            self._contributors = dict(found)
        return self._contributors

    def estimated_in(self, today_id: int, year: int) -> bool:
        """Whether `today_id`'s figure of `year` on today's units includes an estimated share."""
        start, end = year_span(year)
        for uid in self.contributors(today_id):
            unit = self.units.get(uid)
            if unit is not None and not unit.exists_during(start, end):
                continue
            attribution = self.attribute_year(uid, year)
            if today_id in attribution.shares and attribution.is_estimate(today_id):
                return True
        return False

    # -- as recorded -------------------------------------------------------------------------

    def parent_on(self, unit_id: int, day: date) -> int | None:
        """The unit's parent on `day`: its parent today, unless a later move changed it."""
        unit = self.units.get(unit_id)
        parent = unit.parent_id if unit else None
        for move in reversed(self.moves.get(unit_id, ())):
            if move.effective > day:
                parent = move.old_parent_id
        return parent

    def ancestors_on(self, unit_id: int, day: date) -> list[int]:
        """The unit and its ancestors on `day`, nearest first."""
        chain, current, seen = [], unit_id, set()
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.parent_on(current, day)
        return chain

    def territory_changes(self, unit_id: int) -> list[date]:
        """The days on which the territory of `unit_id` (with everything under it) changed:
        an event moved territory across its boundary. A unit that simply ended (merged away,
        split up) keeps its territory while it exists, so its own end is not a change."""
        days = []
        unit = self.units.get(unit_id)
        born = unit.valid_from if unit is not None else None
        for uid, events in self.events.items():
            for event in events:
                before = event.effective - timedelta(days=1)
                was_in = self._inside(uid, unit_id, before)
                if event.kind == "move":
                    crossed = was_in != self._inside(uid, unit_id, event.effective)
                elif event.kind in TERRITORY_KINDS:
                    if uid == unit_id and all(s != unit_id for s, _ in event.successors):
                        crossed = False
                    else:
                        after = [self._inside(s, unit_id, event.effective)
                                 for s, _ in event.successors]
                        # an abolition without heirs moves no territory: the sub-units it
                        # held were moved or merged by their own events
                        crossed = any(a != was_in for a in after)
                else:
                    crossed = False
                # what made a new unit is its birth, not a change of its territory
                if crossed and (born is None or event.effective > born):
                    days.append(event.effective)
        return sorted(set(days))

    def _inside(self, unit_id: int, container: int, day: date) -> bool:
        return container in self.ancestors_on(unit_id, day)

    def changed_between(self, unit_id: int, year_a: int, year_b: int) -> bool:
        """As recorded: whether the unit's territory changed after the first day of the earlier
        year and on or before the last day of the later one (the two years' figures do not cover
        the same territory)."""
        first, last = min(year_a, year_b), max(year_a, year_b)
        start, end = date(first, 1, 1), date(last, 12, 31)
        return any(start < day <= end for day in self.territory_changes(unit_id))

    def today_changed_between(self, today_id: int, year_a: int, year_b: int) -> bool:
        """On today's units: a comparison is only sound when neither year's figure is an
        estimate (merges re-attribute exactly, so both years then cover the same territory)."""
        return self.estimated_in(today_id, year_a) or self.estimated_in(today_id, year_b)
