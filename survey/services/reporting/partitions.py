"""Groupings as partitions of a report's finest groups: the attributes a table can group by,
their families, and the arithmetic on partitions that the suppression layers use.

A report's finest groups (its "base cells") come from one GROUP BY; every table a user can
ask for with the same filters is a partition of them, described by the attributes it groups
by (`unit@district` is a unit folded to its district, `level@admin` a unit's level as the
procedure catalogue names it).
"""

from __future__ import annotations

import numpy as np

from survey.models.units import UNIT_LEVELS
from survey.services.reporting.cells import References
from survey.services.reporting.views import Eras, ancestor_on, has_moves

# The council's appendix reads departments at the province level of the catalogue.
ADMIN_LEVEL = {"province": "province", "department": "province", "district": "district",
               "commune": "commune"}

# A table takes at most one attribute of each family: the others are functions of it
# (a unit's level, a month's quarter, a procedure's group), or not publishable together.
FAMILIES = {
    "year": ("year",),
    "month": ("month", "quarter"),
    "service_area": ("service_area",),
    "procedure": ("procedure", "procedure_group"),
    "unit": ("unit", *(f"unit@{lv}" for lv in UNIT_LEVELS), "level",
             *(f"level@{lv}" for lv in UNIT_LEVELS), "level@admin"),
    "channel": ("channel",),
    "respondent_type": ("respondent_type",),
    "item": ("item", "element"),
}
FAMILY_OF = {attr: family for family, attrs in FAMILIES.items() for attr in attrs}
# Families whose tables depend on another's: protected in one layer with it (see Layer). A
# department handles one service area, so a unit's cell can equal a unit × service area
# cell; a procedure belongs to one service area and is handled at one level of units. (The
# service area alone stays in its own small layer: the unit tables beside it can always be
# hidden instead, which keeps the overview off the unit-level roll-up.)
COMPANIONS = {"unit": ("service_area",), "procedure": ("service_area", "unit")}
RAW = {"item": ("item", "element")}  # an item's element is read, not assumed


def sort_key(key: tuple) -> tuple:
    """The order of groups in every answer (None last, numbers by value)."""
    return tuple((value is None, str(value) if not isinstance(value, int) else f"{value:012d}")
                 for value in key)


def attribute(dimension: str, rollup: str | None) -> str:
    if dimension in ("unit", "level") and rollup:
        return f"{dimension}@{rollup}"
    return dimension


def family(attr: str) -> str:
    return attr if attr.startswith("demographic:") else FAMILY_OF[attr]


def family_attributes(name: str) -> tuple[str, ...]:
    return (name,) if name.startswith("demographic:") else FAMILIES[name]


class Values:
    """Each attribute's value per base cell, and its rank in the order groups are listed."""

    def __init__(self, raw_dims: tuple[str, ...], keys: list[tuple], refs: References,
                 view: str = "today"):
        self.raw = {d: [k[i] for k in keys] for i, d in enumerate(raw_dims)}
        self.refs = refs
        self.view = view
        self.size = len(keys)
        self._ranks: dict[str, tuple[np.ndarray, list]] = {}

    def values(self, attr: str) -> list:
        if attr in self.raw:
            return self.raw[attr]
        if attr == "quarter":
            return [None if m is None else (m - 1) // 3 + 1 for m in self.raw["month"]]
        if attr == "procedure_group":
            groups = {code: group for code, group in self.refs.procedures.values()}
            return [groups.get(p) for p in self.raw["procedure"]]
        units = [self.refs.unit_by_code[c] for c in self.raw["unit"]]
        kind, _, level = attr.partition("@")
        if level == "admin":
            return [ADMIN_LEVEL.get(u.level, u.level) for u in units]
        if level and self.view == "recorded" and "era" in self.raw and has_moves(
                self.refs.lineage):
            # as recorded: the ancestor of the era (see suppression.era_dimensions)
            eras = Eras.of(self.refs.lineage)
            memo = {(u.id, e): ancestor_on(self.refs.lineage, self.refs, u.id, level,
                                           eras.day(e))
                    for u, e in set(zip(units, self.raw["era"], strict=True))}
            units = [self.refs.units[memo[(u.id, e)]]
                     for u, e in zip(units, self.raw["era"], strict=True)]
        elif level:
            units = [self.refs.ancestor_at(u, level) for u in units]
        return [u.code if kind == "unit" else u.level for u in units]

    def rank(self, attr: str) -> tuple[np.ndarray, list]:
        if attr not in self._ranks:
            values = self.values(attr)
            ordered = sorted(set(values), key=lambda v: sort_key((v,)))
            position = {v: i for i, v in enumerate(ordered)}
            self._ranks[attr] = (np.array([position[v] for v in values], dtype=np.int64),
                                 ordered)
        return self._ranks[attr]



def cells_of(values: Values, attrs: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
    """The cell of each base cell, and the cells' keys in the listing order."""
    if not attrs or not values.size:
        return np.zeros(values.size, dtype=np.int64), [()]
    ranks = np.stack([values.rank(a)[0] for a in attrs], axis=1)
    unique, inverse = np.unique(ranks, axis=0, return_inverse=True)
    keys = [tuple(values.rank(a)[1][r] for a, r in zip(attrs, row, strict=True))
            for row in unique]
    return inverse.reshape(-1), keys


def coarser(fine: np.ndarray, coarse: np.ndarray, n_fine: int) -> bool:
    """Whether each cell of `fine` lies inside one cell of `coarse`."""
    return len(set(zip(fine.tolist(), coarse.tolist(), strict=True))) == n_fine


def signature(labels: np.ndarray) -> bytes:
    """The partition itself, whatever its labels: cells numbered by first appearance."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse.reshape(-1)].tobytes()


def one_inside(labels: np.ndarray, n_cells: int) -> np.ndarray:
    """One base cell inside each cell."""
    first = np.zeros(n_cells, dtype=np.int64)
    first[labels[::-1]] = np.arange(labels.size)[::-1]
    return first


def closure(families) -> tuple[str, ...]:
    """The families and, repeatedly, their companions: the layer that protects them."""
    found = set(families)
    while True:
        more = {c for f in found for c in COMPANIONS.get(f, ())} - found
        if not more:
            return tuple(sorted(found))
        found |= more
