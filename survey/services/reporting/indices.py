"""Satisfaction indices per group, and year-over-year trends (METHODOLOGY §2, §3, §6)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

import analysis
from analysis.scales import SCALES
from survey.services.reporting.cache import cached
from survey.services.reporting.cells import Cells, References, fetch_cells
from survey.services.reporting.scope import Grouping, Measure, Scope

SMALL_N = 30  # below it the count is shown but not the percentage (METHODOLOGY §6)
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
        "small_n": f"share hidden when n < {SMALL_N}",
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


def index_rows(cells: Cells, benchmark: float, inference: bool) -> list[dict]:
    """One row per group with n, share, Wilson CI, 0-100 score, benchmark test, suppression."""
    keys = sorted(cells.counts, key=_sort_key)
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
        suppressed = bool(n[i] < SMALL_N)
        row = dict(zip(cells.dimensions, key, strict=True))
        row.update(n=int(n[i]), satisfied=int(k[i]), no_answer=cells.no_answer.get(key, 0),
                   share=None, ci_low=None, ci_high=None, score=None, score_ci_low=None,
                   score_ci_high=None, benchmark=benchmark, benchmark_p=None,
                   benchmark_lower=None, meets_benchmark=None, suppressed=suppressed)
        if not suppressed:
            row.update(share=_num(wilson.share[i]), score=_num(scores.mean[i]))
            if inference:
                row.update(
                    ci_low=_num(wilson.ci_low[i]), ci_high=_num(wilson.ci_high[i]),
                    score_ci_low=_num(scores.ci_low[i]), score_ci_high=_num(scores.ci_high[i]),
                    benchmark_p=_num(test.p_value[i]), benchmark_lower=_num(test.ci_low[i]),
                    meets_benchmark=bool(test.meets_benchmark[i]),
                )
        rows.append(row)
    return rows


def composite_rows(cells: Cells, dimensions: tuple[str, ...], benchmark: float) -> list[dict]:
    """The SIPAS composite: element indices (mean of item shares) and their mean."""
    groups: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    no_answer: dict[tuple, int] = defaultdict(int)
    width = len(dimensions)
    for key, counts in cells.counts.items():
        group, element = key[:width], key[width]
        groups[group][element].append(counts)
        no_answer[group] += cells.no_answer.get(key, 0)
    rows = []
    for group in sorted(groups, key=_sort_key):
        elements = {e: analysis.element_index(tables)
                    for e, tables in sorted(groups[group].items())}
        overall = analysis.overall_index(elements)
        n = max(int(t.sum()) for tables in groups[group].values() for t in tables)
        suppressed = n < SMALL_N
        row = dict(zip(dimensions, group, strict=True))
        row.update(
            n=n, satisfied=None, no_answer=no_answer[group],
            share=None if suppressed else overall.value,
            ci_low=None, ci_high=None, score=None, score_ci_low=None, score_ci_high=None,
            benchmark=benchmark, benchmark_p=None, benchmark_lower=None, meets_benchmark=None,
            suppressed=suppressed,
            elements={e: (None if suppressed else v.value) for e, v in elements.items()},
        )
        rows.append(row)
    return rows


@cached
def indices(scope: Scope, grouping: Grouping, measure: Measure, benchmark: float,
            stream: str, refs: References | None = None) -> dict:
    refs = refs or References.load()
    if measure.kind == "elements":
        cells = fetch_cells(scope, grouping, measure, refs, extra=("element", "item"))
        rows = composite_rows(cells, grouping.dimensions, benchmark)
    else:
        cells = fetch_cells(scope, grouping, measure, refs)
        rows = index_rows(cells, benchmark, inference=stream == "survey")
    return {"method": method_note(stream, measure, benchmark, cells.scale), "rows": rows}


def _sort_key(key: tuple) -> tuple:
    return tuple((value is None, str(value) if not isinstance(value, int) else f"{value:012d}")
                 for value in key)
