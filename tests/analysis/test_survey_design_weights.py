"""Design weights, non-response adjustment, raking and trimming."""

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis import (
    design_mean,
    design_weights,
    nonresponse_adjust,
    post_stratify,
    rake,
    survey_design,
    trim_weights,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def apiclus1():
    with open(DATA / "apiclus1.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def test_design_weights_multiply_stages():
    # commune drawn with pi = 0.2, then 10 of 50 dossiers: w = 1/(0.2*0.2) = 25
    assert design_weights([0.2, 0.5], [0.2, 1.0]).tolist() == pytest.approx([25.0, 2.0])
    with pytest.raises(ValueError, match=r"stage 2 probabilities must be in \(0, 1\]"):
        design_weights([0.5], [1.5])
    with pytest.raises(ValueError,
                       match=r"stage 2 probabilities must have one value per unit \(2\)"):
        design_weights([0.5, 0.5], [0.5])
    with pytest.raises(ValueError, match="at least one stage"):
        design_weights()


def test_nonresponse_keeps_cell_totals():
    w = np.array([10.0, 10.0, 10.0, 20.0, 20.0])
    adj = nonresponse_adjust(w, np.array([True, False, True, True, False]), list("aaabb"))
    assert adj.tolist() == pytest.approx([15.0, 0.0, 15.0, 40.0, 0.0])
    with pytest.raises(ValueError, match="cell 'b' has no respondents; merge it"):
        nonresponse_adjust(w, np.array([True, True, True, False, False]), list("aaabb"))
    with pytest.raises(ValueError, match="responded must be a boolean array"):
        nonresponse_adjust(w, [1, 0, 1, 1, 0], list("aaabb"))


def test_rake_matches_r_survey_point_estimate(apiclus1):
    # tests/rakecheck.Rout.save: rake(dclus1, ~stype, ~sch.wide) -> svymean(~api00) 641.23
    res = rake(apiclus1["pw"].astype(float),
               [(apiclus1["stype"], {"E": 4421, "H": 755, "M": 1018}),
                (apiclus1["sch.wide"], {"No": 1072, "Yes": 5122})], tol=1e-10)
    d = survey_design(res.weights, psu=apiclus1["dnum"])
    assert design_mean(d, apiclus1["api00"].astype(float)).estimate == pytest.approx(
        641.23, abs=0.005)
    # with the raking margins declared, the SE is R's: svymean(~api00, dclus1r) SE 23.704
    d = survey_design(res.weights, psu=apiclus1["dnum"], population=apiclus1["fpc"].astype(float),
                      calibrated_on=[apiclus1["stype"], apiclus1["sch.wide"]])
    r = design_mean(d, apiclus1["api00"].astype(float))
    assert r.estimate == pytest.approx(641.23, abs=0.005)
    assert r.se == pytest.approx(23.704, abs=0.0005)
    for labels, totals in [(apiclus1["stype"], {"E": 4421, "H": 755, "M": 1018}),
                           (apiclus1["sch.wide"], {"No": 1072, "Yes": 5122})]:
        for cat, t in totals.items():
            assert res.weights[labels == cat].sum() == pytest.approx(t, rel=1e-10)
    assert res.max_relative_error <= 1e-10


def test_post_stratified_cluster_sample_matches_r(apiclus1):
    # tests/testoutput/api.Rout.saved: postStratify(dclus1, ~stype, pop.types);
    # svymean(~api00, dclus1p) 642.31, SE 23.921
    res = rake(apiclus1["pw"].astype(float),
               [(apiclus1["stype"], {"E": 4421, "H": 755, "M": 1018})])
    d = survey_design(res.weights, psu=apiclus1["dnum"], population=apiclus1["fpc"].astype(float),
                      calibrated_on=[apiclus1["stype"]])
    r = design_mean(d, apiclus1["api00"].astype(float))
    assert r.estimate == pytest.approx(642.31, abs=0.005)
    # That output dates from survey 3.30 (R 3.1.0, 2014); this gives 23.9205, one unit off in
    # the last printed digit. The same projection reproduces R 4.5.2's raked SE (23.704) above.
    assert r.se == pytest.approx(23.921, abs=0.001)


def test_rake_reproduces_kalton_flores_cervantes_table_b():
    # Kalton & Flores-Cervantes (2003) Table B, as in the survey package's tests/kalton.Rout.save:
    # raking weights (relative to 1) of a 4 x 3 table to its population margins, 2 decimals.
    sample = np.array([20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70])  # a varies fastest
    pop = np.array([80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125])
    a = np.tile(np.arange(4), 3)
    b = np.repeat(np.arange(3), 4)
    units_a, units_b = np.repeat(a, sample), np.repeat(b, sample)
    res = rake(np.ones(sample.sum()),
               [(units_a, {k: pop[a == k].sum() for k in range(4)}),
                (units_b, {k: pop[b == k].sum() for k in range(3)})])
    cell = np.repeat(np.arange(12), sample)
    ratio = np.array([res.weights[cell == c][0] for c in range(12)]).reshape(3, 4).T
    table_b = np.array([[1.81, 1.45, 2.02], [1.08, 0.87, 1.21],
                        [2.20, 1.76, 2.45], [1.83, 1.47, 2.04]])
    assert np.array_equal(np.round(ratio, 2), table_b)


def test_rake_on_one_margin_is_post_stratification():
    # one margin: one sweep gives N_h/n_h weights, the post-stratified share of
    # docs/METHODOLOGY.md §4
    strata = np.repeat(["a", "b"], [30, 70])
    y = np.r_[np.ones(24), np.zeros(6), np.ones(49), np.zeros(21)]
    res = rake(np.ones(100), [(strata, {"a": 500, "b": 500})])
    assert res.iterations == 1
    est = float(np.sum(res.weights * y) / res.weights.sum())
    assert est == pytest.approx(post_stratify([24, 49], [30, 70], [500, 500]).share, rel=1e-12)


def test_rake_errors():
    lab = ["a", "b", "a", "b"]
    with pytest.raises(ValueError, match="margin 1 has no total for category 'b'"):
        rake(np.ones(4), [(lab, {"a": 2})])
    with pytest.raises(ValueError, match="margin 1 category 'c' has no respondents"):
        rake(np.ones(4), [(lab, {"a": 2, "b": 2, "c": 1})])
    with pytest.raises(ValueError, match="margin 2 totals sum to 5, not 4 like margin 1"):
        rake(np.ones(4), [(lab, {"a": 2, "b": 2}), (lab, {"a": 2, "b": 3})])
    # the same units in both margins with contradicting totals of equal sums cannot converge
    with pytest.raises(ValueError, match=r"raking did not converge in 20 iterations \(largest"):
        rake(np.ones(4), [(lab, {"a": 1, "b": 3}), (["x", "y", "x", "y"], {"x": 3, "y": 1})],
             max_iter=20)


def test_trim_caps_and_keeps_the_total():
    w = np.array([1.0, 1, 1, 1, 1, 1, 1, 1, 2, 6])
    res = trim_weights(w, k=3.0)
    assert res.cap == pytest.approx(3.0)
    assert res.weights.max() == pytest.approx(3.0)
    assert res.weights.sum() == pytest.approx(w.sum())
    assert res.n_trimmed == 1
    # the excess 3 is spread over the other nine weights (sum 10): each times 1.3
    assert res.weights[:9].tolist() == pytest.approx([1.3] * 8 + [2.6])
    assert "3 × median weight (3)" in res.rule
    # untrimmed weights keep their ratios
    free = res.weights < 3.0 - 1e-9
    assert np.allclose(res.weights[free] / w[free], (res.weights[free] / w[free])[0])
    with pytest.raises(ValueError, match="k must be a number greater than 1"):
        trim_weights(w, k=1)
    with pytest.raises(ValueError, match="a cap of 1.5 × median cannot keep the weights' total"):
        trim_weights(np.array([1.0, 1, 1, 10]), k=1.5)
