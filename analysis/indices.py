"""Satisfaction indices (docs/METHODOLOGY.md §1–§2).

* :func:`satisfaction_share` – % satisfied of one item: k = answers in the scale's positive codes
  (likert5: 4, 5; rating3: 2, 3), n = valid answers; 97/98/99 are excluded from n and reported
  beside it. n = 0 (nobody answered, or everyone chose "no answer") gives share ``None``.
* :func:`element_index` – an element (SIPAS A–E) from its items: the mean of the item shares
  (default, ``"mean_of_items"``) or the pooled share Σk/Σn (``"pooled"``).
* :func:`overall_index` – the mean of the element indices (default, ``"mean_of_elements"``) or
  the overall-satisfaction item alone (``"overall_item"``). The method is stored in the result.
* :func:`expectation_index` – share answering 3 or 4 on a 4-level expectation item.

Components with no valid answers are left out of a mean (and listed in ``skipped``); an index
with no usable component is ``None``. Means of shares carry no sampling interval because the
items share respondents; only single-item shares get a Wilson interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._result import Result, check_confidence, opt_float
from .proportions import wilson_bounds
from .scales import EXPECTATION4, LIKERT5, Missing, Scale, frequency_table, get_scale

Table = Sequence[Any] | Mapping[int, Any] | np.ndarray


@dataclass(frozen=True, slots=True)
class ShareResult(Result):
    """Share of positive answers; ``counts`` are the valid answers by code 1..K."""

    scale: str
    counts: tuple[int, ...]
    k: int
    n: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    missing: Missing

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def satisfaction_share(
    table: Table,
    scale: str | Scale = LIKERT5,
    *,
    missing: Mapping[int, Any] | None = None,
    confidence: float = 0.95,
) -> ShareResult:
    """% satisfied of one frequency table, with its Wilson interval."""
    confidence = check_confidence(confidence)
    sc = get_scale(scale)
    counts, miss = frequency_table(table, sc.points, missing)
    k = int(sum(counts[c - 1] for c in sc.positive))
    n = int(counts.sum())
    low, high = wilson_bounds(np.asarray(k), np.asarray(n), confidence)
    return ShareResult(
        sc.name, tuple(int(c) for c in counts), k, n, k / n if n else None,
        opt_float(low), opt_float(high), confidence, miss,
    )


def expectation_index(
    table: Table, *, missing: Mapping[int, Any] | None = None, confidence: float = 0.95
) -> ShareResult:
    """Share answering "Mong muốn" (3) or "Rất mong muốn" (4) on a 4-level expectation item."""
    return satisfaction_share(table, EXPECTATION4, missing=missing, confidence=confidence)


ElementMethod = Literal["mean_of_items", "pooled"]


@dataclass(frozen=True, slots=True)
class ElementIndex(Result):
    value: float | None
    method: str
    item_shares: tuple[float | None, ...]
    n_items_used: int
    k: int
    n: int
    skipped: tuple[int, ...]


def _as_share(item: Table | ShareResult, scale: str | Scale) -> ShareResult:
    return item if isinstance(item, ShareResult) else satisfaction_share(item, scale)


def element_index(
    items: Sequence[Table | ShareResult],
    scale: str | Scale = LIKERT5,
    method: ElementMethod = "mean_of_items",
) -> ElementIndex:
    """Element index from its items' frequency tables (or already computed shares).

    ``k`` and ``n`` are the pooled totals whatever the method; ``skipped`` lists the positions of
    items without valid answers.
    """
    if method not in ("mean_of_items", "pooled"):
        raise ValueError("method must be 'mean_of_items' or 'pooled'")
    if isinstance(items, Mapping | str | bytes) or not isinstance(items, Sequence):
        raise TypeError("items must be a sequence of frequency tables")
    shares = [_as_share(item, scale) for item in items]
    used = [s.share for s in shares if s.share is not None]
    skipped = tuple(i for i, s in enumerate(shares) if s.share is None)
    k = sum(s.k for s in shares)
    n = sum(s.n for s in shares)
    if method == "pooled":
        value = k / n if n else None
    else:
        value = float(np.mean(used)) if used else None
    return ElementIndex(
        value, method, tuple(s.share for s in shares), len(used), k, n, skipped
    )


OverallMethod = Literal["mean_of_elements", "overall_item"]


@dataclass(frozen=True, slots=True)
class OverallIndex(Result):
    """The overall index; ``ci_low``/``ci_high`` exist only for the single-item method."""

    value: float | None
    method: str
    element_values: dict[str, float | None]
    skipped: tuple[str, ...]
    ci_low: float | None
    ci_high: float | None
    n: int | None

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def overall_index(
    elements: Mapping[str, ElementIndex | float | None] | None = None,
    overall_item: Table | ShareResult | None = None,
    method: OverallMethod = "mean_of_elements",
    *,
    scale: str | Scale = LIKERT5,
) -> OverallIndex:
    """Overall index: equal-weight mean of element indices, or the overall item's share."""
    if method == "mean_of_elements":
        if elements is None or not isinstance(elements, Mapping):
            raise TypeError("method 'mean_of_elements' needs a mapping of element indices")
        values: dict[str, float | None] = {}
        for name, e in elements.items():
            v = e.value if isinstance(e, ElementIndex) else opt_float(e)
            if v is not None and not 0.0 <= v <= 1.0:
                raise ValueError(f"element {name!r} index {v} is not a share in [0, 1]")
            values[str(name)] = v
        used = [v for v in values.values() if v is not None]
        skipped = tuple(name for name, v in values.items() if v is None)
        value = float(np.mean(used)) if used else None
        return OverallIndex(value, method, values, skipped, None, None, None)
    if method == "overall_item":
        if overall_item is None:
            raise TypeError("method 'overall_item' needs the overall item's frequency table")
        share = _as_share(overall_item, scale)
        return OverallIndex(
            share.share, method, {}, (), share.ci_low, share.ci_high, share.n
        )
    raise ValueError("method must be 'mean_of_elements' or 'overall_item'")
