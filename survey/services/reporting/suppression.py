"""Which cells a report may show, the same in every answer that shows them (docs/METHODOLOGY.md §6).

A group of fewer than 30 respondents shows its n and nothing else. So that no hidden group
can be recovered by subtracting what is shown beside it, a table is protected together with
the tables the same user can ask for with the same filters: the same groups with fewer
dimensions (by=year,unit → by=year, by=unit, the total), units folded to an ancestor or a
level (rollup=, by=level), months to quarters, procedures to their group, and the tables the
data tie to it (a procedure's service area and level, a department's single service area).

Tables are protected in layers. A layer holds every table of one or two families whose
companions close to the same set (see `partitions.closure`): by=unit, by=service_area,unit
and by=service_area,unit&rollup=district share one, so a total in one table and parts in
another are one system. The tables of smaller layers are fixed first, and every table of at
most two families in the layer's families joins the exact check as a sum of the layer's
finest groups, so records two tables share count even where neither is a total of the
other. A table's hidden cells thus depend only on the data and its layer, never on the
request: by=unit hides the same units alone or on the way to by=year,unit. A table of three
or more families is protected on its own when asked for, on top of the tables it adds up to.

`analysis.privacy.complementary_suppression` chooses the cells; the layers come from one
GROUP BY on the roll-ups each (O(groups): never one row per answer), cached per data version.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
from scipy import sparse

from analysis.privacy import FREE, complementary_suppression
from analysis.scales import SCALES
from survey.services.reporting.cache import remembered
from survey.services.reporting.cells import Cells, References, fetch_cells
from survey.services.reporting.partitions import (
    ADMIN_LEVEL,
    RAW,
    Values,
    attribute,
    cells_of,
    closure,
    coarser,
    family,
    family_attributes,
    one_inside,
    signature,
    sort_key,
)
from survey.services.reporting.scope import Grouping, Measure, Scope
from survey.services.reporting.views import has_moves

__all__ = ["ADMIN_LEVEL", "COMPLEMENTARY", "SMALL_N", "Layer", "Protected", "layer",
           "protected_cells", "protected_items", "protected_table", "sort_key"]

SMALL_N = 30  # respondents; below it a cell shows n only
# Tests switch this off to show that the differencing attack works without it.
COMPLEMENTARY = True

@dataclass
class _Group:
    """One partition of the base cells (a table), and whether each cell is hidden."""

    labels: np.ndarray
    n: np.ndarray
    hidden: np.ndarray | None = None  # set when fixed by another layer


class Layer:
    """The tables of one or two families whose companions close to `families`, protected
    together on top of the smaller layers (see the module's description)."""

    def __init__(self, scope, measure, families: tuple[str, ...], refs: References):
        self.key = (scope, measure, refs)
        self.families = families
        raw: list[str] = []
        for name in families:
            raw += [d for d in RAW.get(name, (name,)) if d not in raw]
        demographics = tuple(f.split(":", 1)[1] for f in families
                             if f.startswith("demographic:"))
        # as recorded, a moved unit's ancestor depends on the era of its figures
        raw += era_dimensions(scope, refs, raw)
        self.base = fetch_cells(scope, Grouping(tuple(raw), None, demographics), measure, refs)
        self.base_keys = sorted(self.base.counts, key=sort_key)
        self.values = Values(tuple(raw), self.base_keys, refs, scope.view)
        # on today's units a split's share makes n fractional; a cell's respondents are then
        # the whole part of its sum (`_group`)
        self.n = np.array([self.base.counts[k].sum() for k in self.base_keys],
                          dtype=np.float64)
        self.unprotected: list[tuple] = []
        self._groups: dict[bytes, _Group] = {}
        self._flags: dict[tuple, dict] = {}
        self._labels: dict[tuple, tuple[np.ndarray, list[tuple]]] = {}
        self._small: list[tuple] | None = None
        self.choices, self.steps = self._options()
        if self.base_keys:
            free = [spec for spec in product(*self.choices)
                    if 0 < len(_present(self.families, spec)) <= 2
                    and closure(_present(self.families, spec)) == self.families]
            self._solve(free)

    def labels(self, attrs: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
        if attrs not in self._labels:
            self._labels[attrs] = cells_of(self.values, attrs)
        return self._labels[attrs]

    def _options(self) -> tuple[list[list], dict]:
        """Per family: its distinct partitions (None first: the family left out), and for
        each partition the options one step coarser."""
        choices, steps = [], {}
        for name in self.families:
            seen: dict[bytes, str] = {}
            labels: dict[str | None, np.ndarray] = {None: np.zeros(self.values.size, int)}
            for attr in family_attributes(name):
                own = self.labels((attr,))[0]
                if own.max(initial=0) > 0:  # one value everywhere: as if left out
                    labels[seen.setdefault(signature(own), attr)] = own
            options = [None, *seen.values()]
            above = {o: {p for p in options if p != o and coarser(
                labels[o], labels[p], int(labels[o].max()) + 1)} for o in options[1:]}
            for o, over in above.items():  # keep the steps: nothing strictly between
                steps[(name, o)] = [p for p in over
                                    if not any(p in above.get(q, ()) for q in over)]
            choices.append(options)
        return choices, steps

    def _group(self, spec: tuple) -> tuple[bytes, _Group]:
        labels, keys = self.labels(_attrs(spec))
        sig = signature(labels)
        if sig not in self._groups:
            n = np.floor(np.bincount(labels, weights=self.n, minlength=len(keys))
                         + 1e-9).astype(np.int64)
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
            fine_sig, fine = self._group(spec)
            # the tables one step coarser within a family, and every table of one or two
            # families that the data make coarser (a procedure's level, a department's
            # service area): each is a total of this one's cells
            for coarse in self._steps(spec) | {c for c in self._small_specs()
                                               if self._inside(fine, self._group(c)[1])}:
                sig, group = self._group(coarse)
                if sig == fine_sig:
                    continue
                if sig not in own and group.hidden is None:
                    group.hidden = self._fixed(coarse, group)
                links.add((fine_sig, sig))
        if not own:
            return
        # Every other table of one or two families here joins the exact check: tables that
        # are not totals of each other can still share records (a procedure handled by a
        # single unit is that unit's cell too).
        for spec in self._small_specs():
            sig, group = self._group(spec)
            if sig not in own and group.hidden is None:
                group.hidden = self._fixed(spec, group)
        context = {self._group(spec)[0] for spec in self._small_specs()}
        order = list(own) + sorted(({s for link in links for s in link} | context) - set(own))
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
        # each cell as the sum of the base cells (the finest groups of this layer) inside it
        members = sparse.csr_matrix(
            (np.ones(self.n.size * len(groups), dtype=np.int64),
             (np.concatenate([int(offsets[sig]) + g.labels for sig, g in zip(
                 order, groups, strict=True)]), np.tile(np.arange(self.n.size), len(groups)))),
            shape=(int(sum(g.n.size for g in groups)), self.n.size))
        result = complementary_suppression(
            np.concatenate([g.n for g in groups]), sorted(totals), min_n=SMALL_N,
            fixed=status, complementary=COMPLEMENTARY, members=members)
        for sig, group in own.items():
            start = int(offsets[sig])
            group.hidden = result.hidden[start:start + group.n.size]
        self.unprotected += [int(i) for i in result.unprotected]

    def _steps(self, spec: tuple) -> set[tuple]:
        return {(*spec[:i], step, *spec[i + 1:]) for i, option in enumerate(spec)
                if option is not None for step in self.steps[(self.families[i], option)]}

    def _small_specs(self) -> list[tuple]:
        """Every table of at most two families (all published the same way everywhere)."""
        if self._small is None:
            self._small = [spec for spec in product(*self.choices)
                           if len(_present(self.families, spec)) <= 2]
        return self._small

    @staticmethod
    def _inside(fine: _Group, coarse: _Group) -> bool:
        if coarse.n.size >= fine.n.size:
            return False
        pairs = fine.labels * coarse.n.size + coarse.labels
        return np.unique(pairs).size == fine.n.size

    def _fixed(self, spec: tuple, group: _Group) -> np.ndarray:
        """A table of another layer keeps that layer's cells; the total of the scope is
        hidden only when small, and never serves as a complement."""
        families = _present(self.families, spec)
        if not families:
            return group.n < SMALL_N
        attrs = _attrs(spec)
        flags = layer(*self.key[:2], closure(families), self.key[2]).flags(attrs)
        labels, keys = self.labels(attrs)
        return np.array([flags[keys[labels[b]]] for b in one_inside(group.labels, group.n.size)],
                        dtype=bool)

    def _spec(self, attrs: tuple[str, ...]) -> tuple | None:
        """The table `attrs` as one option (or None) per family, if there is one."""
        labels = self.labels(attrs)[0]
        sig = signature(labels)
        wanted = {family(a) for a in attrs}
        choices = [c if name in wanted else [None] for name, c in zip(
            self.families, self.choices, strict=True)]
        for spec in product(*choices):
            if signature(self.labels(_attrs(spec))[0]) == sig:
                return spec
        return None

    def flags(self, attrs: tuple[str, ...]) -> dict[tuple, bool]:
        """Hidden or not, per key of the table grouped by `attrs` (in that order)."""
        if attrs in self._flags:
            return self._flags[attrs]
        labels, keys = self.labels(attrs)
        group = self._groups.get(signature(labels)) if self.base_keys else None
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
            first = one_inside(labels, len(keys))
            self._flags[attrs] = {key: bool(group.hidden[group.labels[first[i]]])
                                  for i, key in enumerate(keys)}
        return self._flags[attrs]


def era_dimensions(scope: Scope, refs: References, raw: list[str]) -> list[str]:
    """What the base cells must keep so that, as recorded, a moved unit's figures roll up to
    the parent it had then (`views.Eras`, read by `Values`): nothing unless a unit moved."""
    if scope.view != "recorded" or "unit" not in raw or not has_moves(refs.lineage):
        return []
    return ["era"]


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
    """The report's frequency tables, summed from the layer's base cells (in whole answers:
    a re-attributed share is rounded once the groups are summed)."""
    labels, keys = cells_of(found.values, attrs)
    base = found.base
    points = SCALES[base.scale].points
    kind = np.float64 if base.reattribution is not None else np.int64
    counts = {key: np.zeros(points, dtype=kind) for key in keys}
    no_answer = dict.fromkeys(keys, 0)
    parts: dict[tuple, dict[tuple, frozenset[int]]] = {}
    for b, raw_key in enumerate(found.base_keys):
        key = keys[labels[b]]
        counts[key] += base.counts[raw_key]
        no_answer[key] += base.no_answer.get(raw_key, 0)
        for source, targets in base.parts.get(raw_key, {}).items():
            group = parts.setdefault(key, {})
            group[source] = group.get(source, frozenset()) | targets
    return Cells(dims, base.scale, counts, {k: v for k, v in no_answer.items() if v},
                 parts, base.reattribution).whole()


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
    cells = fetch_cells(scope, grouping, Measure("elements"), refs,
                        extra=("element", "item")).whole()
    group_attrs = tuple(attribute(d, grouping.unit_rollup) for d in grouping.dimensions)
    hidden: set[tuple] = set()
    for code in sorted({key[-1] for key in cells.counts}):
        flags = _layer_of(scope, Measure("item", code), group_attrs, refs).flags(group_attrs)
        hidden |= {(*key, code) for key, flag in flags.items() if flag}
    return Protected(cells, hidden)
