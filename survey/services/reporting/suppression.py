"""Which cells a report may show, the same in every answer that shows them (METHODOLOGY §6).

A cell under 30 respondents shows its n and nothing else. So that no hidden cell can be
recovered by subtracting what is shown beside it, a table is protected together with every
coarser table the same user can ask for with the same filters: the same groups with fewer
dimensions (by=year,unit → by=year, by=unit, the total), units folded to an ancestor or a
level (rollup=, by=level), months to quarters, procedures to their group, and the tables a
procedure implies (its service area, the level of the units handling it). Tables are
protected coarse to fine: a table's hidden cells depend only on its own cells and on the
coarser tables they add up to, never on the request that asked for it, so by=unit hides the
same units whether asked alone or on the way to by=year,unit.

`analysis.privacy.complementary_suppression` chooses the cells; this module says which
tables exist and which cells add up to which, from the report's own grouped counts
(O(groups): never one row per answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from analysis.privacy import FREE, complementary_suppression
from analysis.scales import SCALES
from survey.models.units import UNIT_LEVELS
from survey.services.reporting.cache import remembered
from survey.services.reporting.cells import Cells, References, fetch_cells
from survey.services.reporting.scope import Grouping, Measure, Scope

SMALL_N = 30  # respondents; below it a cell shows n only
# Tests switch this off to show that the differencing attack works without it.
COMPLEMENTARY = True

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
# Families whose tables depend on each other's: protected in one layer (see Layer). A
# department handles one service area; a procedure belongs to one and to one level of units.
COMPANIONS = {"unit": ("service_area",), "service_area": ("unit",),
              "procedure": ("service_area", "unit")}
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


def _options(name: str) -> tuple[str, ...]:
    return (name,) if name.startswith("demographic:") else FAMILIES[name]


class _Values:
    """Each attribute's value per base cell, and its rank in the order groups are listed."""

    def __init__(self, raw_dims: tuple[str, ...], keys: list[tuple], refs: References):
        self.raw = {d: [k[i] for k in keys] for i, d in enumerate(raw_dims)}
        self.refs = refs
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
        if level:
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



def _labels(values: _Values, attrs: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
    """The cell of each base cell, and the cells' keys in the listing order."""
    if not attrs or not values.size:
        return np.zeros(values.size, dtype=np.int64), [()]
    ranks = np.stack([values.rank(a)[0] for a in attrs], axis=1)
    unique, inverse = np.unique(ranks, axis=0, return_inverse=True)
    keys = [tuple(values.rank(a)[1][r] for a, r in zip(attrs, row, strict=True))
            for row in unique]
    return inverse.reshape(-1), keys


def _coarser(fine: np.ndarray, coarse: np.ndarray, n_fine: int) -> bool:
    """Whether each cell of `fine` lies inside one cell of `coarse`."""
    return len(set(zip(fine.tolist(), coarse.tolist(), strict=True))) == n_fine


def _signature(labels: np.ndarray) -> bytes:
    """The partition itself, whatever its labels: cells numbered by first appearance."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse.reshape(-1)].tobytes()


def _first(labels: np.ndarray, n_cells: int) -> np.ndarray:
    """One base cell inside each cell."""
    first = np.zeros(n_cells, dtype=np.int64)
    first[labels[::-1]] = np.arange(labels.size)[::-1]
    return first


@dataclass
class _Group:
    """One partition of the base cells (a table), and whether each cell is hidden."""

    labels: np.ndarray
    n: np.ndarray
    hidden: np.ndarray | None = None  # set when fixed by another layer


def closure(families) -> tuple[str, ...]:
    """The families and, repeatedly, their companions: the layer that protects them."""
    found = set(families)
    while True:
        more = {c for f in found for c in COMPANIONS.get(f, ())} - found
        if not more:
            return tuple(sorted(found))
        found |= more


class Layer:
    """The tables of one or two families whose companions close to `families`, protected
    together; every coarser table is fixed by its own (smaller) layer, computed first.

    Families that depend on each other (a unit and the service areas it handles, a
    procedure and its service area and level, the levels and roll-ups of units) share a
    layer, so a total in one table and the parts in another form one system: by=unit and
    by=service_area,unit&rollup=district are protected together. A table of three or more
    families is protected on its own when asked for, on top of the tables it adds up to.
    """

    def __init__(self, scope, measure, families: tuple[str, ...], refs: References):
        self.key = (scope, measure, refs)
        self.families = families
        raw: list[str] = []
        for name in families:
            raw += [d for d in RAW.get(name, (name,)) if d not in raw]
        demographics = tuple(f.split(":", 1)[1] for f in families
                             if f.startswith("demographic:"))
        self.base = fetch_cells(scope, Grouping(tuple(raw), None, demographics), measure, refs)
        self.base_keys = sorted(self.base.counts, key=sort_key)
        self.values = _Values(tuple(raw), self.base_keys, refs)
        self.n = np.array([int(self.base.counts[k].sum()) for k in self.base_keys],
                          dtype=np.int64)
        self.unprotected: list[tuple] = []
        self._groups: dict[bytes, _Group] = {}
        self._flags: dict[tuple, dict] = {}
        self._labels: dict[tuple, tuple[np.ndarray, list[tuple]]] = {}
        self.choices, self.steps = self._options()
        if self.base_keys:
            free = [spec for spec in product(*self.choices)
                    if 0 < len(_present(self.families, spec)) <= 2
                    and closure(_present(self.families, spec)) == self.families]
            self._solve(free)

    def labels(self, attrs: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
        if attrs not in self._labels:
            self._labels[attrs] = _labels(self.values, attrs)
        return self._labels[attrs]

    def _options(self) -> tuple[list[list], dict]:
        """Per family: its distinct partitions (None first: the family left out), and for
        each partition the options one step coarser."""
        choices, steps = [], {}
        for name in self.families:
            seen: dict[bytes, str] = {}
            labels: dict[str | None, np.ndarray] = {None: np.zeros(self.values.size, int)}
            for attr in _options(name):
                own = self.labels((attr,))[0]
                if own.max(initial=0) > 0:  # one value everywhere: as if left out
                    labels[seen.setdefault(_signature(own), attr)] = own
            options = [None, *seen.values()]
            coarser = {o: {p for p in options if p != o and _coarser(
                labels[o], labels[p], int(labels[o].max()) + 1)} for o in options[1:]}
            for o, above in coarser.items():  # keep the steps: nothing strictly between
                steps[(name, o)] = [p for p in above
                                    if not any(p in coarser.get(q, ()) for q in above)]
            choices.append(options)
        return choices, steps

    def _group(self, spec: tuple) -> tuple[bytes, _Group]:
        labels, keys = self.labels(_attrs(spec))
        sig = _signature(labels)
        if sig not in self._groups:
            n = np.bincount(labels, weights=self.n, minlength=len(keys)).astype(np.int64)
            self._groups[sig] = _Group(labels, n)
        return sig, self._groups[sig]

    def _solve(self, free: list[tuple]) -> None:
        """Protect the tables `free` together, on top of the tables they add up to."""
        own = {}
        for spec in free:
            sig, group = self._group(spec)
            if group.hidden is None:
                own[sig] = group
        links = set()
        for spec in free:
            fine_sig, _ = self._group(spec)
            for i, option in enumerate(spec):
                if option is None:
                    continue
                for step in self.steps[(self.families[i], option)]:
                    coarse = (*spec[:i], step, *spec[i + 1:])
                    sig, group = self._group(coarse)
                    if sig == fine_sig:
                        continue
                    if sig not in own and group.hidden is None:
                        group.hidden = self._fixed(coarse, group)
                    links.add((fine_sig, sig))
        if not own:
            return
        order = list(own) + sorted({s for link in links for s in link} - set(own))
        offsets = dict(zip(order, np.cumsum([0] + [self._groups[s].n.size for s in order]),
                           strict=False))
        totals = set()
        for fine_sig, coarse_sig in links:
            fine, coarse = self._groups[fine_sig], self._groups[coarse_sig]
            inside: dict[int, set[int]] = {}
            for cell, outer in set(zip(fine.labels.tolist(), coarse.labels.tolist(),
                                       strict=True)):
                inside.setdefault(outer, set()).add(cell)
            totals |= {(int(offsets[coarse_sig]) + outer,
                        tuple(int(offsets[fine_sig]) + c for c in sorted(cells)))
                       for outer, cells in inside.items()}
        groups = [self._groups[s] for s in order]
        status = np.concatenate([np.full(g.n.size, FREE, dtype=np.int8) if s in own
                                 else g.hidden.astype(np.int8) for s, g in zip(order, groups,
                                                                              strict=True)])
        result = complementary_suppression(
            np.concatenate([g.n for g in groups]), sorted(totals), min_n=SMALL_N,
            fixed=status, complementary=COMPLEMENTARY)
        for sig, group in own.items():
            start = int(offsets[sig])
            group.hidden = result.hidden[start:start + group.n.size]
        self.unprotected += [int(i) for i in result.unprotected]

    def _fixed(self, spec: tuple, group: _Group) -> np.ndarray:
        """A table of another layer keeps that layer's cells; the total of the scope is
        hidden only when small, and never serves as a complement."""
        families = _present(self.families, spec)
        if not families:
            return group.n < SMALL_N
        attrs = _attrs(spec)
        flags = layer(*self.key[:2], closure(families), self.key[2]).flags(attrs)
        labels, keys = self.labels(attrs)
        return np.array([flags[keys[labels[b]]] for b in _first(group.labels, group.n.size)],
                        dtype=bool)

    def _spec(self, attrs: tuple[str, ...]) -> tuple | None:
        """The table `attrs` as one option (or None) per family, if there is one."""
        labels = self.labels(attrs)[0]
        sig = _signature(labels)
        wanted = {family(a) for a in attrs}
        choices = [c if name in wanted else [None] for name, c in zip(
            self.families, self.choices, strict=True)]
        for spec in product(*choices):
            if _signature(self.labels(_attrs(spec))[0]) == sig:
                return spec
        return None

    def flags(self, attrs: tuple[str, ...]) -> dict[tuple, bool]:
        """Hidden or not, per key of the table grouped by `attrs` (in that order)."""
        if attrs in self._flags:
            return self._flags[attrs]
        labels, keys = self.labels(attrs)
        group = self._groups.get(_signature(labels)) if self.base_keys else None
        if self.base_keys and (group is None or group.hidden is None):
            spec = self._spec(attrs)
            if spec is not None:
                group = self._groups[self._group(spec)[0]]
                home = closure(_present(self.families, spec))
                if home != self.families:  # a family with one value here: another layer's
                    group.hidden = self._fixed(spec, group)
                else:  # more than two families: on its own, on demand
                    self._solve([spec])
        if group is None or group.hidden is None:  # no such table: show nothing but n
            self._flags[attrs] = dict.fromkeys(keys, True)
        else:
            first = _first(labels, len(keys))
            self._flags[attrs] = {key: bool(group.hidden[group.labels[first[i]]])
                                  for i, key in enumerate(keys)}
        return self._flags[attrs]


def _present(families: tuple[str, ...], spec: tuple) -> tuple[str, ...]:
    return tuple(f for f, o in zip(families, spec, strict=True) if o is not None)


def _attrs(spec: tuple) -> tuple[str, ...]:
    return tuple(a for a in spec if a is not None)


def layer(scope: Scope, measure: Measure, families: tuple[str, ...],
          refs: References) -> Layer:
    return remembered(("suppression", scope, measure, families, COMPLEMENTARY),
                      lambda: Layer(scope, measure, families, refs))


@dataclass
class Protected:
    """A report's table (`cells`, keyed as the report groups) and the keys it hides."""

    cells: Cells
    hidden: set[tuple]

    def is_hidden(self, key: tuple) -> bool:
        return key in self.hidden


def _dims(grouping: Grouping, extra: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(grouping.dimensions) + tuple(d for d in extra if d not in grouping.dimensions)


def _layer_of(scope, measure, attrs, refs) -> Layer:
    return layer(scope, measure, closure({family(a) for a in attrs}), refs)


def _table(found: Layer, dims, attrs) -> Cells:
    """The report's frequency tables, summed from the layer's base cells."""
    labels, keys = _labels(found.values, attrs)
    points = SCALES[found.base.scale].points
    counts = {key: np.zeros(points, dtype=np.int64) for key in keys}
    no_answer = dict.fromkeys(keys, 0)
    for b, raw_key in enumerate(found.base_keys):
        key = keys[labels[b]]
        counts[key] += found.base.counts[raw_key]
        no_answer[key] += found.base.no_answer.get(raw_key, 0)
    return Cells(dims, found.base.scale, counts, {k: v for k, v in no_answer.items() if v})


def protected_cells(scope: Scope, grouping: Grouping, measure: Measure, refs: References,
                    extra: tuple[str, ...] = ()) -> Protected:
    """The report's frequency tables (as `fetch_cells` gives them) and its hidden groups."""
    dims = _dims(grouping, extra)
    return protected_table(scope, tuple(attribute(d, grouping.unit_rollup) for d in dims),
                           measure, refs, dims)


def protected_table(scope: Scope, attrs: tuple[str, ...], measure: Measure,
                    refs: References, dims: tuple[str, ...] | None = None) -> Protected:
    """A table grouped by attributes (`level@admin`, `unit@district`...), keyed in their
    order, and its hidden groups."""
    dims = dims or attrs
    found = _layer_of(scope, measure, attrs, refs)
    if not found.base_keys:
        return Protected(Cells(dims, found.base.scale, {}, {}), set())
    flags = found.flags(attrs)
    return Protected(_table(found, dims, attrs), {k for k, h in flags.items() if h})


def protected_items(scope: Scope, grouping: Grouping, refs: References) -> Protected:
    """measure=elements: the tables per group, element and item, and the (group..., item)
    cells hidden as measure=item:<code> hides them (each item is its own measure)."""
    cells = fetch_cells(scope, grouping, Measure("elements"), refs, extra=("element", "item"))
    group_attrs = tuple(attribute(d, grouping.unit_rollup) for d in grouping.dimensions)
    hidden: set[tuple] = set()
    for code in sorted({key[-1] for key in cells.counts}):
        flags = _layer_of(scope, Measure("item", code), group_attrs, refs).flags(group_attrs)
        hidden |= {(*key, code) for key, flag in flags.items() if flag}
    return Protected(cells, hidden)
