"""Cross-check of the design-based estimator against svy (dev dependency only; docs/SAMPLING.md).

The product computes its own estimates (analysis.survey_design); svy, the maintained successor
of samplics, is an independent implementation validated against R's survey package. Both must
agree to 1e-9 on the api examples and on random stratified, clustered designs with fpc.
"""

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import svy

from analysis import design_mean, design_share, rake, survey_design

DATA = Path(__file__).parent / "data"


def svy_mean(df, y, **design):
    est = svy.Sample(df, svy.Design(**design)).estimation.mean(y).to_polars()
    return est["est"][0], est["se"][0]


@pytest.fixture(scope="module")
def apistrat():
    return pl.read_csv(DATA / "apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1():
    return pl.read_csv(DATA / "apiclus1.csv")


@pytest.mark.parametrize("fpc", [True, False])
def test_stratified_api(apistrat, fpc):
    d = survey_design(apistrat["pw"].to_numpy(), apistrat["stype"].to_list(),
                      population=apistrat["fpc"].to_numpy() if fpc else None)
    ours = design_mean(d, apistrat["api00"].to_numpy())
    est, se = svy_mean(apistrat, "api00", stratum="stype", wgt="pw",
                       **({"pop_size": "fpc"} if fpc else {}))
    assert (ours.estimate, ours.se) == pytest.approx((est, se), rel=1e-9)


def test_cluster_api_share(apiclus1):
    df = apiclus1.with_columns((pl.col("sch.wide") == "Yes").cast(pl.Float64).alias("yes"))
    d = survey_design(df["pw"].to_numpy(), psu=df["dnum"].to_list(),
                      population=df["fpc"].to_numpy())
    ours = design_share(d, df["yes"].to_numpy())
    est, se = svy_mean(df, "yes", psu="dnum", wgt="pw", pop_size="fpc")
    assert (ours.share, ours.se) == pytest.approx((est, se), rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_stratified_cluster_designs(seed):
    rng = np.random.default_rng(seed)
    n_strata = 6
    rows = []
    for h in range(n_strata):
        n_psu = int(rng.integers(2, 7))
        big_n = n_psu + int(rng.integers(0, 40))
        for j in range(n_psu):
            for _ in range(int(rng.integers(1, 12))):
                rows.append((f"s{h}", f"p{j}", big_n, float(rng.uniform(1, 20)),
                             float(rng.random() < 0.8)))
    df = pl.DataFrame(rows, schema=["st", "psu", "big_n", "w", "y"], orient="row")
    df = df.with_columns((pl.col("st") + "-" + pl.col("psu")).alias("psu_id"))
    d = survey_design(df["w"].to_numpy(), df["st"].to_list(), df["psu"].to_list(),
                      population=df["big_n"].to_numpy())
    ours = design_mean(d, df["y"].to_numpy())
    est, se = svy_mean(df, "y", stratum="st", psu="psu_id", wgt="w", pop_size="big_n")
    assert (ours.estimate, ours.se) == pytest.approx((est, se), rel=1e-9)


RAKE_MARGINS = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}


def test_raking_weights_and_calibrated_se(apiclus1):
    s = svy.Sample(apiclus1, svy.Design(psu="dnum", wgt="pw", pop_size="fpc"))
    raked = s.weighting.rake(controls=RAKE_MARGINS, tol=1e-12, max_iter=200)
    res = rake(apiclus1["pw"].to_numpy(),
               [(apiclus1[m].to_list(), t) for m, t in RAKE_MARGINS.items()], tol=1e-12)
    assert res.weights == pytest.approx(raked.data["rk_wgt"].to_numpy(), rel=1e-10)
    d = survey_design(res.weights, psu=apiclus1["dnum"].to_list(),
                      population=apiclus1["fpc"].to_numpy(),
                      calibrated_on=[apiclus1[m].to_list() for m in RAKE_MARGINS])
    ours = design_mean(d, apiclus1["api00"].to_numpy())
    est = raked.estimation.mean("api00").to_polars()
    assert (ours.estimate, ours.se) == pytest.approx((est["est"][0], est["se"][0]), rel=1e-9)


def test_post_stratified_se(apiclus1):
    # svy gives 23.920486 as hailong does (R's 2014 saved output prints 23.921)
    s = svy.Sample(apiclus1, svy.Design(psu="dnum", wgt="pw", pop_size="fpc"))
    post = s.weighting.poststratify(controls=RAKE_MARGINS["stype"], cells="stype")
    res = rake(apiclus1["pw"].to_numpy(), [(apiclus1["stype"].to_list(), RAKE_MARGINS["stype"])])
    d = survey_design(res.weights, psu=apiclus1["dnum"].to_list(),
                      population=apiclus1["fpc"].to_numpy(),
                      calibrated_on=[apiclus1["stype"].to_list()])
    ours = design_mean(d, apiclus1["api00"].to_numpy())
    est = post.estimation.mean("api00").to_polars()
    assert (ours.estimate, ours.se) == pytest.approx((est["est"][0], est["se"][0]), rel=1e-9)
