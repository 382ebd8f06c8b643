"""Comparability across questionnaire versions (docs/METHODOLOGY.md §8).

A year-over-year comparison uses only items that share a stable item code *and* the same scale;
a reworded or rescaled item carries a new code, so its series breaks instead of joining. The
PAR INDEX is an external yearly series whose method changed in 2016 and 2017: it is split into
segments at those years and never mixed with survey percentages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._result import Result, as_float_array, opt_float

PAR_INDEX_BREAK_YEARS = (2016, 2017)


def comparable_items(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    """Item codes present in both versions with the same scale name (sorted)."""
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        raise TypeError("before and after must map item code -> scale name")
    return tuple(sorted(code for code in before.keys() & after.keys()
                        if before[code] == after[code]))


@dataclass(frozen=True, slots=True)
class SeriesSegment(Result):
    years: tuple[int, ...]
    values: tuple[float | None, ...]
    break_before: bool


def split_series(
    years: Sequence[int], values: Sequence[float | None], break_years: Sequence[int]
) -> tuple[SeriesSegment, ...]:
    """Cut a yearly series so that each break year starts a new segment (break-in-series)."""
    y = as_float_array(years, "years")
    v = as_float_array(values, "values")
    if y.shape != v.shape:
        raise ValueError("years and values must have the same length")
    if y.size and (any(a != round(a) for a in y) or len(set(y)) != y.size):
        raise ValueError("years must be distinct whole numbers")
    pairs = sorted(zip((int(a) for a in y), (opt_float(b) for b in v), strict=True))
    breaks = set(int(b) for b in break_years)
    segments: list[tuple[list[int], list[float | None], bool]] = []
    for year, value in pairs:
        if not segments or year in breaks:
            segments.append(([], [], bool(segments) and year in breaks))
        segments[-1][0].append(year)
        segments[-1][1].append(value)
    return tuple(SeriesSegment(tuple(a), tuple(b), c) for a, b, c in segments)
