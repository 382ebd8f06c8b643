"""Satisfaction indices per group, and year-over-year trends (docs/METHODOLOGY.md §2, §3, §6)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

import analysis
from analysis.scales import SCALES
from survey.services.reporting import views
from survey.services.reporting.cache import cached
from survey.services.reporting.cells import Cells, References
from survey.services.reporting.scope import Grouping, Measure, Scope
from survey.services.reporting.suppression import (
    SMALL_N,
    protected_cells,
    protected_items,
    sort_key,
)

CONFIDENCE = 0.95


def _num(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def method_note(stream: str, measure: Measure, benchmark: float, scale: str) -> dict:
    note = {
        "stream": stream,
        "measure": measure.kind if measure.item is None else f"item:{measure.item}",
        "scale": scale,
        "satisfied": f"answers {', '.join(map(str, SCALES[scale].positive))} of "
                     f"{SCALES[scale].points}",
        "missing": "97/98/99 (no answer) are excluded from n and counted in no_answer",
        "small_n": f"a group of fewer than {SMALL_N} respondents shows n only (suppressed), "
                   "and further groups are suppressed so that no hidden one follows from the "
                   "others by subtraction (complementary suppression)",
        "benchmark": benchmark,
    }
    if stream == "dossier_rating":
        note["inference"] = ("none: per-dossier ratings are self-selected, so they are "
                             "reported as counts and percentages only (METHODOLOGY §7)")
    else:
        note["inference"] = ("Wilson 95% interval; one-sided exact binomial test against the "
                             "benchmark with the Clopper-Pearson lower bound")
    if measure.kind == "elements":
        note["composite"] = ("overall index = mean of the five SIPAS element indices, each the "
                             "mean of its items' % satisfied; no sampling interval")
    return note


def index_rows(cells: Cells, benchmark: float, inference: bool,
               hidden: set[tuple] | frozenset = frozenset()) -> list[dict]:
    """One row per group with n, share, Wilson CI, 0-100 score, benchmark test; a group in
    `hidden` shows its n only."""
    keys = sorted(cells.counts, key=sort_key)
    if not keys:
        return []
    table = np.array([cells.counts[k] for k in keys])
    positive = [c - 1 for c in SCALES[cells.scale].positive]
    k = table[:, positive].sum(axis=1)
    n = table.sum(axis=1)
    wilson = analysis.wilson_interval_many(k, n, CONFIDENCE)
    scores = analysis.score_many(table, CONFIDENCE)
    test = analysis.benchmark_test_many(k, n, benchmark, CONFIDENCE)
    rows = []
    for i, key in enumerate(keys):
        suppressed = key in hidden or bool(n[i] < SMALL_N)
        row = dict(zip(cells.dimensions, key, strict=True))
        row.update(n=int(n[i]), **dict.fromkeys(HIDDEN_FIELDS), benchmark=benchmark,
                   suppressed=suppressed, estimated=cells.is_estimate(key))
        if not suppressed:
            row.update(satisfied=int(k[i]), no_answer=cells.no_answer.get(key, 0),
                       share=_num(wilson.share[i]), score=_num(scores.mean[i]))
            if inference:
                row.update(
                    ci_low=_num(wilson.ci_low[i]), ci_high=_num(wilson.ci_high[i]),
                    score_ci_low=_num(scores.ci_low[i]), score_ci_high=_num(scores.ci_high[i]),
                    benchmark_p=_num(test.p_value[i]), benchmark_lower=_num(test.ci_low[i]),
                    meets_benchmark=bool(test.meets_benchmark[i]),
                    verdict=analysis.benchmark_verdict(test.ci_low[i], wilson.ci_high[i],
                                                       benchmark),
                )
        rows.append(row)
    return rows


# What a suppressed row leaves empty: everything but its keys, n, the benchmark and the flag.
HIDDEN_FIELDS = ("satisfied", "no_answer", "share", "ci_low", "ci_high", "score",
                 "score_ci_low", "score_ci_high", "benchmark_p", "benchmark_lower",
                 "meets_benchmark", "verdict")


def composite_rows(cells: Cells, dimensions: tuple[str, ...], benchmark: float,
                   hidden_items: set[tuple] | frozenset = frozenset()) -> list[dict]:
    """The SIPAS composite: element indices (mean of item shares) and their mean.

    An index is a function of its items' shares, so it is shown only when every item's cell
    is (`hidden_items` holds the (group..., item) cells that measure=item:<code> hides), and
    the overall index only when every element's index is.
    """
    groups: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    hidden_elements: dict[tuple, set[str]] = defaultdict(set)
    no_answer: dict[tuple, int] = defaultdict(int)
    estimated: dict[tuple, bool] = defaultdict(bool)
    width = len(dimensions)
    for key, counts in cells.counts.items():
        group, element = key[:width], key[width]
        estimated[group] |= cells.is_estimate(key)
        groups[group][element].append(counts)
        no_answer[group] += cells.no_answer.get(key, 0)
        if (*group, key[width + 1]) in hidden_items or counts.sum() < SMALL_N:
            hidden_elements[group].add(element)
    rows = []
    for group in sorted(groups, key=sort_key):
        elements = {e: analysis.element_index(tables)
                    for e, tables in sorted(groups[group].items())}
        overall = analysis.overall_index(elements)
        n = max(int(t.sum()) for tables in groups[group].values() for t in tables)
        suppressed = bool(hidden_elements[group]) or n < SMALL_N
        row = dict(zip(dimensions, group, strict=True))
        row.update(n=n, **dict.fromkeys(HIDDEN_FIELDS), benchmark=benchmark,
                   suppressed=suppressed, estimated=estimated[group],
                   elements={e: (None if e in hidden_elements[group] else v.value)
                             for e, v in elements.items()})
        if not suppressed:
            row.update(no_answer=no_answer[group], share=overall.value)
        rows.append(row)
    return rows


@cached
def indices(scope: Scope, grouping: Grouping, measure: Measure, benchmark: float,
            stream: str, refs: References | None = None) -> dict:
    refs = refs or References.load()
    if measure.kind == "elements":
        table = protected_items(scope, grouping, refs)
        rows = composite_rows(table.cells, grouping.dimensions, benchmark, table.hidden)
    else:
        table = protected_cells(scope, grouping, measure, refs)
        rows = index_rows(table.cells, benchmark, stream == "survey", table.hidden)
    note = method_note(stream, measure, benchmark, table.cells.scale)
    return {"method": {**note, **view_note(scope, refs)}, "rows": rows}


def view_note(scope: Scope, refs: References) -> dict:
    """The view a report shows, in words (every answer says which one it uses)."""
    note = {"view": scope.view, "view_label": views.view_label(scope.view, "en"),
            "view_note": views.VIEW_NOTES[scope.view]}
    if refs.lineage is None:
        note["view_note"] += "; no unit has changed, so both views are the same"
    return note


_sort_key = sort_key  # the name the other reports import
