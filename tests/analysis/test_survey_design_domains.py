"""design_share_by (all domains at once) against one design_share per domain."""

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis import design_share, design_share_by, rake, survey_design

DATA = Path(__file__).parent / "data"
FIELDS = ("share", "se", "ci_low", "ci_high", "weight_sum", "deff", "lower_one_sided", "p_value")


def assert_same_as_loop(design, y, groups, **kw):
    table = design_share_by(design, y, groups, **kw)
    groups = np.asarray(groups).astype(str)
    for i, label in enumerate(table.domains):
        one = design_share(design, y, domain=groups == label, **kw)
        for f in FIELDS:
            want = getattr(one, f)
            got = getattr(table, f)[i]
            if want is None:
                assert np.isnan(got), (label, f)
            else:
                assert got == pytest.approx(want, rel=1e-10, abs=1e-15), (label, f)
        assert table.n[i] == one.n
        assert table.verdicts[i] == one.verdict
    return table


@pytest.fixture(scope="module")
def apiclus1():
    with open(DATA / "apiclus1.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def test_cluster_sample_by_school_type(apiclus1):
    y = (apiclus1["sch.wide"] == "Yes").astype(float)
    d = survey_design(apiclus1["pw"].astype(float), psu=apiclus1["dnum"],
                      population=apiclus1["fpc"].astype(float))
    table = assert_same_as_loop(d, y, apiclus1["stype"])
    assert table.domains == ("E", "H", "M")
    assert table.to_dict()["domains"] == ["E", "H", "M"]


@pytest.mark.parametrize(("seed", "rule"), [(1, "adjust"), (2, "remove"), (3, "adjust")])
def test_random_designs_with_lonely_psus_and_missing(seed, rule):
    rng = np.random.default_rng(seed)
    n = 600
    strata = rng.integers(0, 8, n)
    psu = rng.integers(0, 5, n)
    psu[strata == 7] = 0  # one stratum with a single PSU
    y = (rng.random(n) < 0.8).astype(float)
    y[rng.random(n) < 0.1] = np.nan
    groups = rng.choice(["u1", "u2", "u3", "u4"], n)
    groups[(groups == "u4") & (rng.random(n) < 0.9)] = "u3"
    d = survey_design(rng.uniform(1, 30, n), strata, psu, lonely_psu=rule)
    assert_same_as_loop(d, y, groups)


def test_empty_domain_and_calibrated_fallback(apiclus1):
    y = (apiclus1["sch.wide"] == "Yes").astype(float)
    y[apiclus1["stype"] == "H"] = np.nan
    res = rake(apiclus1["pw"].astype(float),
               [(apiclus1["stype"], {"E": 4421, "H": 755, "M": 1018})])
    d = survey_design(res.weights, psu=apiclus1["dnum"], calibrated_on=[apiclus1["stype"]])
    table = assert_same_as_loop(d, y, apiclus1["stype"])
    assert np.isnan(table.share[1]) and table.verdicts[1] is None and table.n[1] == 0
    plain = survey_design(apiclus1["pw"].astype(float), psu=apiclus1["dnum"])
    table = assert_same_as_loop(plain, y, apiclus1["stype"])
    assert table.to_dict()["share"][1] is None


def test_errors():
    d = survey_design([1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"groups must have one label per respondent \(3\), got 2"):
        design_share_by(d, [1, 0, 1], ["a", "b"])
    with pytest.raises(ValueError, match=r"y must hold 0, 1 or nan \(no answer\) for a share"):
        design_share_by(d, [1, 0, 3], ["a", "b", "a"])
