"""Design-based means and shares against the R survey package's saved outputs and closed forms."""

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis import MEETS, NOT_ESTABLISHED, design_mean, design_share, survey_design

DATA = Path(__file__).parent / "data"


def load(name):
    with open(DATA / f"{name}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {k: [r[k] for r in rows] for k in rows[0]}


def num(col):
    return np.array(col, dtype=float)


@pytest.fixture(scope="module")
def apistrat():
    return load("apistrat")


@pytest.fixture(scope="module")
def apiclus1():
    return load("apiclus1")


def close(value, published, decimals):
    """Equal at the published precision (half a unit of the last printed digit)."""
    assert value == pytest.approx(published, abs=0.5 * 10.0**-decimals)


def test_stratified_with_fpc_matches_r(apistrat):
    # tests/testoutput/api.Rout.saved: svymean(~api00, dstrat) 662.29, SE 9.4089
    d = survey_design(num(apistrat["pw"]), apistrat["stype"], population=num(apistrat["fpc"]))
    r = design_mean(d, num(apistrat["api00"]))
    close(r.estimate, 662.29, 2)
    close(r.se, 9.4089, 4)
    assert (r.df, r.n, d.n_strata, d.n_psu) == (197, 200, 3, 200)
    assert r.weight_sum == pytest.approx(6194, abs=1e-9)


def test_stratified_with_replacement(apistrat):
    # svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat): SE 9.5361 (no fpc);
    # closed form: V = sum_h W_h^2 s_h^2 / n_h, the stratified-SRS variance without fpc.
    y, w, s = num(apistrat["api00"]), num(apistrat["pw"]), np.array(apistrat["stype"])
    r = design_mean(survey_design(w, s), y)
    close(r.se, 9.5361, 4)
    big_n = np.array([w[s == h].sum() for h in "EHM"])
    v = sum((big_n[i] / big_n.sum()) ** 2 * y[s == h].var(ddof=1) / (s == h).sum()
            for i, h in enumerate("EHM"))
    assert r.se == pytest.approx(np.sqrt(v), rel=1e-12)


def test_one_stage_cluster_matches_r(apiclus1):
    # api.Rout.saved: svymean(~api00, dclus1) 644.17, SE 23.542 (fpc = 757 districts)
    w, psu = num(apiclus1["pw"]), apiclus1["dnum"]
    d = survey_design(w, psu=psu, population=num(apiclus1["fpc"]))
    r = design_mean(d, num(apiclus1["api00"]))
    close(r.estimate, 644.17, 2)
    close(r.se, 23.542, 3)
    assert r.df == 14
    # without fpc: the with-replacement (ultimate cluster) SE, 23.779
    r = design_mean(survey_design(w, psu=psu), num(apiclus1["api00"]))
    close(r.se, 23.779, 3)


@pytest.mark.parametrize(("rule", "published"), [("adjust", 5.8281), ("remove", 5.8058)])
def test_lonely_psu_rules_match_r(apiclus1, rule, published):
    # tests/lonely.psu.Rout.save: strata = dnum (district 413 has one school)
    d = survey_design(num(apiclus1["pw"]), apiclus1["dnum"], lonely_psu=rule)
    close(design_mean(d, num(apiclus1["api00"])).se, published, 4)


def test_lonely_psu_fail_names_the_rule(apiclus1):
    with pytest.raises(ValueError, match=r"a stratum has only one PSU \(lonely_psu='fail'\)"):
        survey_design(num(apiclus1["pw"]), apiclus1["dnum"], lonely_psu="fail")


def test_domains_match_r_and_are_not_subsets():
    # tests/domain.Rout.save: svyby(~x, ~I(x>4), dfpc, svymean)
    f = load("fpc")
    x = num(f["x"])
    d = survey_design(num(f["weight"]), f["stratid"], f["psuid"])
    hi, lo = design_mean(d, x, domain=x > 4), design_mean(d, x, domain=x <= 4)
    close(hi.estimate, 6.195, 3)
    close(hi.se, 0.7555129, 7)
    close(lo.estimate, 3.314286, 6)
    close(lo.se, 0.3117042, 7)
    # Subsetting the design instead would drop PSUs and strata: no degrees of freedom left.
    keep = x <= 4
    sub = survey_design(num(f["weight"])[keep], np.array(f["stratid"])[keep],
                        np.array(f["psuid"])[keep])
    assert (lo.df, design_mean(sub, x[keep]).df) == (6, 0)
    assert lo.ci_low is not None and design_mean(sub, x[keep]).ci_low is None


def test_missing_answers_are_outside_the_domain():
    d = survey_design([1.0, 2.0, 3.0, 4.0])
    assert design_mean(d, [1, None, 3, float("nan")]).estimate == pytest.approx(10 / 4)
    r = design_mean(d, [None] * 4)
    assert (r.estimate, r.se, r.n, r.deff) == (None, None, 0, None)


def test_srs_deff_matches_r():
    # tests/deff.Rout.save: SRS of 10 from 1000, mean 113.700 SE 35.626 DEff 1.0101
    y = [15, 143, 21, 51, 337, 50, 274, 145, 15, 86]
    r = design_mean(survey_design([100] * 10), y)
    close(r.estimate, 113.7, 3)
    close(r.se, 35.626, 3)
    assert r.deff == pytest.approx(1 / 0.99, rel=1e-12)  # (1 - n/N)^-1 exactly, as R shows
    assert r.deff_weights == pytest.approx(1.0)


def test_srs_share_is_the_classical_se():
    # Equal weights, one stratum, no clusters: SE = sqrt(p(1-p)/(n-1)) (Cochran 3.9 without fpc)
    y = np.r_[np.ones(170), np.zeros(30)]
    r = design_share(survey_design(np.full(200, 5.0)), y)
    assert r.share == pytest.approx(0.85)
    assert r.se == pytest.approx(np.sqrt(0.85 * 0.15 / 199), rel=1e-12)
    assert r.df == 199


def test_stratified_proportional_share_closed_form():
    # Proportional allocation: equal weights, V = sum W_h^2 p_h q_h/(n_h-1) (1 - n_h/N_h)
    n_h, big_n, k_h = np.array([60, 40]), np.array([600, 400]), np.array([54, 28])
    strata = np.repeat([0, 1], n_h)
    y = np.concatenate([np.r_[np.ones(k), np.zeros(n - k)] for k, n in zip(k_h, n_h, strict=True)])
    d = survey_design(np.full(100, 10.0), strata, population=np.repeat(big_n, n_h))
    r = design_share(d, y)
    p, wh = k_h / n_h, big_n / big_n.sum()
    v = np.sum(wh**2 * p * (1 - p) / (n_h - 1) * (1 - n_h / big_n))
    assert r.share == pytest.approx(0.82, abs=1e-12)
    assert r.se == pytest.approx(np.sqrt(v), rel=1e-12)


def test_share_verdict_and_one_sided_test(apiclus1):
    y = (np.array(apiclus1["sch.wide"]) == "Yes").astype(float)
    r = design_share(survey_design(num(apiclus1["pw"]), psu=apiclus1["dnum"]), y)
    from scipy import stats

    t = stats.t(r.df)
    assert r.lower_one_sided == pytest.approx(r.share - t.ppf(0.95) * r.se, rel=1e-12)
    assert r.ci_high == pytest.approx(r.share + t.ppf(0.975) * r.se, rel=1e-12)
    assert r.p_value == pytest.approx(t.sf((r.share - 0.8) / r.se), rel=1e-12)
    assert r.verdict == MEETS
    assert design_share(survey_design(num(apiclus1["pw"]), psu=apiclus1["dnum"]), y,
                        target=0.86).verdict == NOT_ESTABLISHED
    assert r.to_dict()["verdict"] == "meets"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": []}, "a design needs at least one respondent"),
        ({"weights": [1.0, 0.0]}, "weights must be positive numbers"),
        ({"weights": [1.0, 2.0], "strata": ["a"]},
         r"strata must have one label per respondent \(2\), got 1"),
        ({"weights": [1.0, 2.0], "psu": ["a", None]}, "psu must not contain missing labels"),
        ({"weights": [1.0, 2.0], "lonely_psu": "average"},
         "lonely_psu must be one of adjust, remove, fail"),
        ({"weights": [1.0, 2.0], "population": [5, 6]},
         "population must be the same for every respondent of a stratum"),
        ({"weights": [1.0, 2.0], "population": [1, 1]},
         r"population \(1\) is smaller than the PSUs sampled \(2\) in a stratum"),
    ],
)
def test_design_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        survey_design(**kwargs)


def test_estimate_errors():
    d = survey_design([1.0, 1.0])
    with pytest.raises(ValueError, match=r"y must have one value per respondent \(2\), got 3"):
        design_mean(d, [1, 2, 3])
    with pytest.raises(ValueError, match="domain must be a boolean array"):
        design_mean(d, [1, 2], domain=[1, 0])
    with pytest.raises(ValueError, match=r"y must hold 0, 1 or nan \(no answer\) for a share"):
        design_share(d, [0, 2])
