"""Answer scales and frequency tables (docs/METHODOLOGY.md §1–§2).

A frequency table is either

* a sequence of counts, index 0 = code 1 (length = number of scale points), or
* a mapping ``{code: count}`` as produced by ``GROUP BY answer`` in SQL; it may also contain the
  missing codes 97 (not applicable), 98 (don't know) and 99 (refused), which are kept beside n.

Codes absent from a mapping count as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._result import Result, as_count, as_count_array

NOT_APPLICABLE = 97
DONT_KNOW = 98
REFUSED = 99
MISSING_CODES = (NOT_APPLICABLE, DONT_KNOW, REFUSED)


@dataclass(frozen=True, slots=True)
class Scale(Result):
    """An ordinal answer scale with codes 1..points; *positive* codes count as "satisfied"."""

    name: str
    points: int
    positive: tuple[int, ...]


LIKERT5 = Scale("likert5", 5, (4, 5))
RATING3 = Scale("rating3", 3, (2, 3))
EXPECTATION4 = Scale("expectation4", 4, (3, 4))
SCALES: dict[str, Scale] = {s.name: s for s in (LIKERT5, RATING3, EXPECTATION4)}


def get_scale(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    if not isinstance(scale, str):
        raise TypeError("scale must be a scale name or a Scale")
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; known: {sorted(SCALES)}") from None


@dataclass(frozen=True, slots=True)
class Missing(Result):
    """Answers excluded from n, reported beside it (SDG 16.6.2)."""

    not_applicable: int = 0
    dont_know: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.not_applicable + self.dont_know + self.refused


def frequency_table(
    table: Sequence[Any] | Mapping[int, Any] | np.ndarray,
    points: int,
    missing: Mapping[int, Any] | None = None,
) -> tuple[np.ndarray, Missing]:
    """Normalise *table* to ``(counts for codes 1..points, Missing)``.

    *missing* (``{97: c, 98: c, 99: c}``) may be given separately when *table* is a sequence.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError("a scale needs at least 2 points")
    miss = {code: 0 for code in MISSING_CODES}
    if isinstance(table, Mapping):
        counts = np.zeros(points, dtype=np.int64)
        for code, count in table.items():
            if isinstance(code, bool) or not isinstance(code, int | np.integer):
                raise TypeError(f"answer codes must be integers, got {code!r}")
            c = as_count(count, f"count of code {code}")
            if 1 <= code <= points:
                counts[code - 1] += c
            elif code in miss:
                miss[int(code)] += c
            else:
                raise ValueError(f"code {code} is not on a {points}-point scale nor a missing code")
    else:
        if isinstance(table, str | bytes):
            raise TypeError("a frequency table must be a sequence of counts or a mapping")
        counts = as_count_array(table, "frequency table", ndim=1)
        if counts.shape[0] != points:
            raise ValueError(f"expected {points} counts (codes 1..{points}), got {counts.shape[0]}")
    if missing is not None:
        if not isinstance(missing, Mapping):
            raise TypeError("missing must be a mapping {97|98|99: count}")
        for code, count in missing.items():
            if code not in miss:
                raise ValueError(f"{code!r} is not a missing code (97, 98, 99)")
            miss[code] += as_count(count, f"count of code {code}")
    return counts, Missing(miss[NOT_APPLICABLE], miss[DONT_KNOW], miss[REFUSED])
