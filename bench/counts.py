"""The roll-ups of the generated answers, computed with numpy while they are generated.

`aggregates.rebuild()` recomputes them with one GROUP BY over every answer; at 2,000,000
responses that takes minutes on this machine and is not what the benchmarks measure. The
generator knows every answer it writes, so it counts them itself: each answer's roll-up key is
packed into one int64 (mixed radix, in the order of the tables' primary keys, so sorting the
packed keys sorts the rows as the primary key does and the inserts append). `aggregates.
differences()` against the raw answers is empty (checked at small sizes by
`python -m bench.counts`).
"""

from __future__ import annotations

import numpy as np

from survey.models.aggregates import (
    AnswerCount,
    AnswerCountUnit,
    AnswerCountYear,
    ElementItemUnit,
    ElementItemYear,
    ElementPairUnit,
    ElementPairYear,
)
from survey.models.responses import CHANNELS

VALUES = (1, 2, 3, 4, 5, 97, 98, 99)  # stored values and missing codes, in key order
RESPONDENTS = ("", "individual", "organisation")  # '' is "none" in the counts' keys
CHANNEL_ORDER = tuple(sorted(CHANNELS))
FIRST_YEAR = 2000


class KeyCounter:
    """Counts of keys packed into one int64 (mixed radix, in the order of `key`), added chunk
    by chunk; `rows(model)` sums them into any roll-up whose KEY is a subset of `key`."""

    def __init__(self, key: tuple[str, ...], radix: dict[str, int], names: dict):
        self.key, self.radix, self.names = key, radix, names
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.keys: np.ndarray | None = None
        self.counts: np.ndarray | None = None

    def add(self, columns: dict[str, np.ndarray]) -> None:
        """One entry per counted row: every key part as an index array (0 when absent)."""
        size = len(next(iter(columns.values())))
        key = np.zeros(size, dtype=np.int64)
        for name in self.key:
            key = key * self.radix[name] + columns.get(name, 0)
        keys, counts = np.unique(key, return_counts=True)
        self.parts.append((keys, counts))
        if len(self.parts) >= 8:  # keep memory to about the number of distinct keys
            self.keys = None
            self._merge()
            self.parts, self.keys = [(self.keys, self.counts)], None

    def _merge(self) -> None:
        if self.keys is None:
            if not self.parts:
                self.keys, self.counts = np.zeros(0, np.int64), np.zeros(0, np.int64)
                return
            keys = np.concatenate([k for k, _ in self.parts])
            counts = np.concatenate([n for _, n in self.parts])
            self.keys, inverse = np.unique(keys, return_inverse=True)
            self.counts = np.bincount(inverse, weights=counts).astype(np.int64)
            self.parts = []

    def _decode(self) -> dict[str, np.ndarray]:
        rest, out = self.keys.copy(), {}
        for name in reversed(self.key):
            rest, out[name] = np.divmod(rest, self.radix[name])
        return out

    def rows(self, model) -> list[tuple]:
        """The rows of a roll-up table (its KEY columns, then n), in primary-key order."""
        self._merge()
        parts = self._decode()
        key = np.zeros(len(self.keys), dtype=np.int64)
        for name in model.KEY:
            key = key * self.radix[name] + parts[name]
        keys, inverse = np.unique(key, return_inverse=True)
        counts = np.bincount(inverse, weights=self.counts).astype(np.int64)
        first = np.zeros(len(keys), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse))[::-1]  # a source row of each key
        columns = [self.names.get(name, lambda a: a)(parts[name][first]).tolist()
                   for name in model.KEY]
        return list(zip(*columns, counts.tolist(), strict=True))


def _labels(values) -> callable:
    table = np.array(values, dtype=object)
    return lambda a: table[a]


class RollupCounter(KeyCounter):
    """The answer counts' finest key, and the element roll-ups' counters beside it."""

    def __init__(self, item_codes: list[str], max_unit: int, max_version: int, max_area: int,
                 elements: ElementCounter | None = None):
        self.items = sorted(item_codes)
        # radix of each key part, most significant first (the primary key's column order)
        radix = {"year": 200, "month": 13, "unit_id": max_unit + 1,
                 "version_id": max_version + 1, "service_area_id": max_area + 1,
                 "procedure_id": 1, "channel": len(CHANNEL_ORDER),
                 "respondent_type": len(RESPONDENTS), "item_code": len(self.items),
                 "value": len(VALUES)}
        names = {"year": lambda a: a + FIRST_YEAR, "channel": _labels(CHANNEL_ORDER),
                 "respondent_type": _labels(RESPONDENTS), "item_code": _labels(self.items),
                 "value": _labels(VALUES)}
        super().__init__(AnswerCount.KEY, radix, names)
        self.elements = elements

    def index_of_items(self, codes: list[str]) -> np.ndarray:
        position = {code: i for i, code in enumerate(self.items)}
        return np.array([position[c] for c in codes])


class ElementCounter:
    """The element roll-ups of generated survey answers: per respondent and element, the
    score total, the items answered and the overall answer; and the answers of respondents
    who left some of the element's items unanswered."""

    def __init__(self, likert_codes: list[str], element_of: dict[str, str], overall: str,
                 max_unit: int, max_version: int, max_area: int):
        self.codes = likert_codes  # the columns of the generated value matrix
        self.elements = sorted(set(element_of.values()))
        self.columns = {e: [i for i, c in enumerate(likert_codes) if element_of.get(c) == e]
                        for e in self.elements}
        self.overall = likert_codes.index(overall)
        items = sorted(element_of)
        self.item_index = {c: i for i, c in enumerate(items)}
        most = max(len(c) for c in self.columns.values())
        envelope = {"year": 200, "unit_id": max_unit + 1, "version_id": max_version + 1,
                    "service_area_id": max_area + 1, "element": len(self.elements)}
        names = {"year": lambda a: a + FIRST_YEAR, "element": _labels(self.elements)}
        self.pairs = KeyCounter(ElementPairUnit.KEY, {
            **envelope, "total": 5 * most + 1, "answered": most + 1, "overall": 6}, names)
        self.items = KeyCounter(ElementItemUnit.KEY, {
            **envelope, "item_code": len(items), "value": 6},
            {**names, "item_code": _labels(items)})

    def add(self, envelope: dict[str, np.ndarray], values: np.ndarray,
            missing: np.ndarray) -> None:
        """`values`: respondents × likert items (1–5); `missing`: where none was given."""
        given = np.where(missing, 0, values)
        overall = given[:, self.overall]
        base = {k: envelope[k] for k in ("year", "unit_id", "version_id", "service_area_id")}
        for e, element in enumerate(self.elements):
            columns = self.columns[element]
            answered = (~missing[:, columns]).sum(axis=1)
            total = given[:, columns].sum(axis=1)
            some = answered > 0
            self.pairs.add({**{k: v[some] for k, v in base.items()},
                            "element": np.full(some.sum(), e), "total": total[some],
                            "answered": answered[some], "overall": overall[some]})
            partial = some & (answered < len(columns))
            rows, item = np.nonzero(~missing[partial][:, columns])  # their answered items
            self.items.add({**{k: v[partial][rows] for k, v in base.items()},
                            "element": np.full(len(rows), e),
                            "item_code": np.array([self.item_index[self.codes[c]]
                                                   for c in columns])[item],
                            "value": given[partial][:, columns][rows, item]})

    def rows(self, model) -> list[tuple]:
        return (self.pairs if model in PAIR_ROLLUPS else self.items).rows(model)


ROLLUPS = (AnswerCount, AnswerCountUnit, AnswerCountYear)
PAIR_ROLLUPS = (ElementPairUnit, ElementPairYear)
ELEMENT_ROLLUPS = (*PAIR_ROLLUPS, ElementItemUnit, ElementItemYear)


def channel_index(channels: list[str]) -> np.ndarray:
    position = {c: i for i, c in enumerate(CHANNEL_ORDER)}
    return np.array([position[c] for c in channels])


def respondent_index(types: list[str | None]) -> np.ndarray:
    position = {r: i for i, r in enumerate(RESPONDENTS)}
    return np.array([position[t or ""] for t in types])


def value_index(values: np.ndarray) -> np.ndarray:
    lookup = np.zeros(max(VALUES) + 1, dtype=np.int64)
    lookup[list(VALUES)] = np.arange(len(VALUES))
    return lookup[values]


def _check(size: int) -> None:
    """Generate `size` responses into a scratch SQLite file and compare with a rebuild."""
    import tempfile
    from pathlib import Path

    from flask_migrate import upgrade

    from bench.app import app_for
    from bench.generate import generate
    from survey.services import aggregates

    with tempfile.TemporaryDirectory() as directory:
        app = app_for(f"sqlite:///{Path(directory) / 'check.db'}")
        with app.app_context():
            upgrade()
            generate(size)
            wrong = aggregates.differences()
            print(f"{size} responses: {len(wrong)} roll-up rows differ from the raw answers")
            if wrong:
                raise SystemExit(str(wrong[:5]))


if __name__ == "__main__":
    import sys

    _check(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
