"""The pure statistics at scale: `python -m bench.analysis` (part of `make bench`).

Two figures that used to be wall-clock assertions inside unit tests, where a busy machine made
them fail for no fault of the code:

* the league table's intervals and benchmark tests for 5,000 units at once
  (`wilson_interval_many`, `benchmark_test_many`), beside the same figures computed unit by
  unit with the scalar functions (the baseline);
* a stratified draw of 2,000,000 frame units in 20 strata (`draw_stratified`), beside numpy
  shuffling the same 2,000,000 labels once (the baseline: the least any draw must do).

Results: bench/results/analysis.{json,md}.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import numpy as np

from analysis import benchmark_test, benchmark_test_many, wilson_interval, wilson_interval_many
from analysis.survey_draw import draw_stratified
from bench.app import RESULTS

TARGETS = {"league_table": 0.5, "draw_2m": 10.0}  # seconds


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def league_table(units: int = 5000) -> dict:
    rng = np.random.default_rng(81)
    n = rng.integers(0, 500, size=units)
    k = rng.binomial(n, 0.82)

    def vectorised():
        wilson_interval_many(k, n)
        benchmark_test_many(k, n)

    def one_by_one():
        for ki, ni in zip(k.tolist(), n.tolist(), strict=True):
            wilson_interval(ki, ni)
            benchmark_test(ki, ni)

    return {"units": units, "seconds": _timed(vectorised), "baseline": _timed(one_by_one)}


def draw(frame: int = 2_000_000) -> dict:
    rng = np.random.default_rng(20)
    labels = np.array([f"commune-{i:02d}|service-{i % 4}" for i in range(20)])
    strata = labels[rng.integers(0, 20, frame)]
    sizes = {label: 50 + 10 * k for k, label in enumerate(labels)}
    drawn = {}
    seconds = _timed(lambda: drawn.setdefault("r", draw_stratified(strata, sizes, seed=2026)))
    baseline = _timed(lambda: np.random.default_rng(1).permutation(strata))
    counts = Counter(strata[drawn["r"].selected].tolist())
    if counts != Counter(sizes):  # a fast wrong draw is no figure
        raise SystemExit(f"the draw took {dict(counts)}, not {sizes}")
    return {"frame": frame, "seconds": seconds, "baseline": baseline}


def markdown(results: dict) -> str:
    rows = ["| what | measured | baseline in the same run | ratio | target |",
            "|---|---|---|---|---|"]
    league, drawn = results["league_table"], results["draw_2m"]
    rows.append(f"| league table, {league['units']:,} units (intervals + benchmark tests) | "
                f"{league['seconds'] * 1000:.0f} ms | one by one {league['baseline'] * 1000:.0f} ms"
                f" | {league['baseline'] / league['seconds']:.0f}× faster | "
                f"≤ {TARGETS['league_table'] * 1000:.0f} ms |")
    rows.append(f"| stratified draw, {drawn['frame']:,} frame units, 20 strata | "
                f"{drawn['seconds']:.2f} s | one shuffle {drawn['baseline']:.2f} s | "
                f"{drawn['seconds'] / drawn['baseline']:.1f}× | ≤ {TARGETS['draw_2m']:.0f} s |")
    return "\n".join(rows) + "\n"


def main() -> None:
    results = {"league_table": league_table(), "draw_2m": draw()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "analysis.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (RESULTS / "analysis.md").write_text(table)
    print(table)
    missed = [name for name, target in TARGETS.items() if results[name]["seconds"] > target]
    if missed:
        print("targets missed: " + ", ".join(missed))


if __name__ == "__main__":
    main()
