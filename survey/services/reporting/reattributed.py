"""The two views (docs/METHODOLOGY.md §10) for the reports that read their own grouped rows
rather than `cells.fetch_cells`: the cross-tabulation, the elements' α and importance, the
weighting's dossier volumes. Each reads one more set of grouping columns (the recorded unit,
year and month) and maps every row with `rows_in_view`, as `cells.ViewPlan` does for the
indices: on today's units a row goes to today's units inside the scope by their shares; as
recorded a unit counts only while it lay inside the scope's units, under the parent of its time.

It works on grouped rows (one per group and recorded unit-month), never on answers, so it costs
O(groups) like the rest of the reporting.
"""

from __future__ import annotations

from collections import defaultdict

from survey.services.reporting import views
from survey.services.reporting.scope import Scope

EXACT = 1 - 1e-9


class RowView:
    """Where a recorded (unit, year, month) row goes in the scope's view, and which of the
    report's groups hold part of a split unit's rows (estimated, not counted)."""

    def __init__(self, scope: Scope, refs, by_unit: bool = False, rollup: str | None = None):
        lineage = refs.lineage
        self.refs, self.rollup = refs, rollup
        # nothing to map: no event, or a report that neither filters nor groups by unit
        self.active = lineage is not None and (by_unit or refs.restricts_units(scope))
        self.today = self.active and scope.view == "today"
        self.mapping = views.Reattribution(lineage, refs, scope) if self.today else None
        self.moves = self.active and not self.today and views.has_moves(lineage)
        self.inside = views.recorded_inside(lineage, refs, scope) if self.moves else None
        self._parts: dict = defaultdict(lambda: defaultdict(set))
        self._recorded: dict[tuple, list] = {}

    @property
    def reads_units(self) -> bool:
        """Whether the report must read the recorded unit, year and month of its rows."""
        return self.today or self.moves

    def spread(self, unit_id: int, year: int, month: int | None) -> list[tuple[int, float, tuple]]:
        """(unit id in the view, share, source) of one recorded row; no pair: outside the
        scope. As recorded the unit is the recorded one (or its ancestor at the roll-up level
        of that month) and the share 1."""
        if not self.reads_units:
            return [(unit_id, 1.0, None)]
        source = (unit_id, year, month or 0)
        if self.today:
            spread = self.mapping.spread(unit_id, year, month)
            return [(target, share, source) for target, share in spread]
        found = self._recorded.get(source)
        if found is None:  # the ancestors walked once per unit-month, not per row
            day = views.day_of(year, month)
            if self.inside is not None and not self.inside(unit_id, day):
                found = []
            else:
                if self.rollup:
                    unit_id = views.ancestor_on(self.refs.lineage, self.refs, unit_id,
                                                self.rollup, day)
                found = [(unit_id, 1.0, None)]
            self._recorded[source] = found
        return found

    def weight(self, key, unit_id: int, year: int, month: int | None) -> float:
        """The part of the row that the report's group `key` holds (the sum of its shares
        inside the scope), noting the group as holding part of a split where it does."""
        total = 0.0
        for target, share, source in self.spread(unit_id, year, month):
            self.note(key, source, target)
            total += share
        return total

    def note(self, key, source, target: int) -> None:
        if self.today and source is not None:
            self._parts[key][source].add(target)

    def is_estimate(self, key) -> bool:
        """Whether the group holds less than a whole of some recorded unit's rows (the parts
        of a split that meet again in one group add back up to the whole, exactly)."""
        return self.today and any(self.mapping.is_estimate(source, targets)
                                  for source, targets in self._parts.get(key, {}).items())

    @property
    def estimated(self) -> bool:
        return any(self.is_estimate(key) for key in self._parts)
