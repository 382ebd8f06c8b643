"""The worked examples of docs/METHODOLOGY.md, recomputed independently with numpy/scipy.

Each test computes an example from its definition (not through `analysis`), checks that the
code gives the same number, and that the number printed in the document is that number, so
the document cannot drift from the code.
"""

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import analysis

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "METHODOLOGY.md").read_text(encoding="utf-8")
# Line breaks in the Markdown source are not part of a number's context.
FLAT = " ".join(DOC.split())


def shown(text: str) -> None:
    assert text in FLAT, f"docs/METHODOLOGY.md does not show {text!r}"


def f4(x: float) -> str:
    return f"{x:.4f}"


def wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    return ci.low, ci.high


# §1–§2: one 5-point item with missing answers.
ITEM = {1: 3, 2: 5, 3: 12, 4: 40, 5: 30, 97: 4, 98: 5, 99: 1}


def test_valid_answers_and_share():
    valid = {c: v for c, v in ITEM.items() if c <= 5}
    n, k = sum(valid.values()), valid[4] + valid[5]
    missing = sum(v for c, v in ITEM.items() if c >= 97)
    res = analysis.satisfaction_share(ITEM)
    assert (res.n, res.k, res.missing.total) == (n, k, missing)
    shown(f"n = {n} (not 100), {missing} missing answers")
    shown(f"k = 40 + 30 = {k}")
    shown(f"{k}/{n} = {f4(k / n)} satisfied")


def test_score_of_the_item():
    answers = np.repeat([1, 2, 3, 4, 5], [ITEM[c] for c in range(1, 6)])
    x = (answers - 1) / 4 * 100
    mean, sd = x.mean(), x.std(ddof=1)
    low, high = stats.t.interval(0.95, x.size - 1, loc=mean, scale=sd / math.sqrt(x.size))
    res = analysis.score(ITEM, "likert5")
    assert res.mean == pytest.approx(mean, rel=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((low, high), rel=1e-12)
    shown(f"= {mean:.2f}, s = {sd:.2f}, 95 % interval [{low:.2f}, {high:.2f}]")


def test_element_overall_and_expectation_indices():
    items = [[2, 3, 15, 50, 30], [5, 5, 5, 20, 15]]
    shares = [(t[3] + t[4]) / sum(t) for t in items]
    mean_items = sum(shares) / 2
    pooled = sum(t[3] + t[4] for t in items) / sum(map(sum, items))
    assert analysis.element_index(items).value == pytest.approx(mean_items)
    assert analysis.element_index(items, method="pooled").value == pytest.approx(pooled)
    shown(f"(0.80 + 0.70)/2 = {f4(mean_items)}; pooled 115/150 = {f4(pooled)}")

    elements = [0.82, 0.76, 0.90, 0.71, 0.86]
    overall = float(np.mean(elements))
    got = analysis.overall_index(dict(zip("ABCDE", elements, strict=True)))
    assert got.value == pytest.approx(overall)
    shown(f"give the overall index {f4(overall)}")

    table = [10, 20, 40, 30]
    expectation = (table[2] + table[3]) / sum(table)
    assert analysis.expectation_index(table).share == pytest.approx(expectation)
    shown(f"expectation index {f4(expectation)}")


# §3
def test_wilson_benchmark_and_verdicts():
    low, high = wilson(430, 500)
    assert analysis.wilson_interval(430, 500).confidence_interval() == pytest.approx((low, high))
    shown(f"Wilson 95 % interval [{f4(low)}, {f4(high)}]")

    test = stats.binomtest(430, 500, p=0.8, alternative="greater")
    lower = test.proportion_ci(0.95).low  # exact: Clopper–Pearson
    ours = analysis.benchmark_test(430, 500)
    assert ours.p_value == pytest.approx(test.pvalue, rel=1e-9)
    assert ours.ci_low == pytest.approx(lower, rel=1e-9)
    mantissa, exponent = f"{test.pvalue:.1e}".split("e")
    shown(f"p = {mantissa}e{int(exponent)}")
    shown(f"lower bound {f4(lower)}, so it **meets**")
    assert lower >= 0.8

    lower400 = stats.binomtest(400, 500, p=0.8, alternative="greater").proportion_ci(0.95).low
    high400 = wilson(400, 500)[1]
    assert lower400 < 0.8 <= high400
    shown(f"lower bound {f4(lower400)}, Wilson upper end {f4(high400)}: **not established**")
    high370 = wilson(370, 500)[1]
    assert high370 < 0.8
    shown(f"370/500: Wilson upper end {f4(high370)} < 0.80: **below**")
    for k, word in ((430, "meets"), (400, "not_established"), (370, "below")):
        b = analysis.benchmark_test(k, 500)
        assert analysis.benchmark_verdict(b.ci_low, wilson(k, 500)[1]) == word


def test_year_over_year_change():
    p1, p2 = 400 / 500, 430 / 500
    l1, u1 = wilson(400, 500)
    l2, u2 = wilson(430, 500)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    chi2, p, _, _ = stats.chi2_contingency([[400, 100], [430, 70]], correction=False)
    ours = analysis.proportion_change(400, 500, 430, 500)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert ours.chi2 == pytest.approx(chi2, rel=1e-9)
    assert ours.p_value == pytest.approx(p, rel=1e-9)
    shown(f"+{100 * d:.1f} points, Newcombe interval [+{100 * low:.2f}, +{100 * high:.2f}] "
          f"points, z = {f4(math.sqrt(chi2))} (χ² = {f4(chi2)}), p = {f4(p)}")


def test_rank_shift():
    now, before = [5, 10, 20, 40, 25], [10, 15, 25, 35, 15]
    a = np.repeat(np.arange(1, 6), now)
    b = np.repeat(np.arange(1, 6), before)
    mw = stats.mannwhitneyu(a, b, alternative="two-sided")
    r = 2 * mw.statistic / (a.size * b.size) - 1
    ours = analysis.rank_shift(now, before)
    assert ours.u == pytest.approx(mw.statistic)
    assert ours.p_value == pytest.approx(mw.pvalue, rel=1e-9)
    shown(f"U = {mw.statistic:.1f}, p = {f4(mw.pvalue)}, rank-biserial r = {f4(r)}")


def test_multiple_comparisons():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    bh = stats.false_discovery_control(p, method="bh")
    order = np.argsort(p)
    holm = np.empty(p.size)
    holm[order] = np.minimum(np.maximum.accumulate(p[order] * (p.size - np.arange(p.size))), 1)
    assert analysis.adjust_pvalues(p, "bh").adjusted == pytest.approx(tuple(bh))
    assert analysis.adjust_pvalues(p, "holm").adjusted == pytest.approx(tuple(holm))

    def fmt(values):
        return "(" + ", ".join(f"{v:.2f}".lstrip("0") for v in values) + ")"
    shown(f"Benjamini–Hochberg {fmt(bh)}; Holm {fmt(holm)}")


def test_trend():
    years, shares = [2019, 2020, 2021, 2022, 2023], [0.78, 0.795, 0.81, 0.825, 0.84]
    tau = stats.kendalltau(years, shares)
    slope = stats.theilslopes(shares, years).slope
    ours = analysis.trend(years, shares)
    assert ours.tau == pytest.approx(tau.statistic)
    assert ours.p_value == pytest.approx(tau.pvalue)
    assert ours.slope_points == pytest.approx(100 * slope)
    shown(f"τ = {tau.statistic:.1f}, p = {f4(tau.pvalue)}, Theil–Sen slope "
          f"{100 * slope:.2f} points per year")


def test_cronbach_alpha():
    x = np.array([[4, 5, 4], [3, 3, 2], [5, 5, 5], [2, 3, 3], [4, 4, 5], [3, 2, 3]], float)
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert analysis.cronbach_alpha(x).alpha == pytest.approx(alpha, rel=1e-12)
    assert alpha >= 0.7
    shown(f"α = {f4(alpha)}, not flagged")


# §4
def test_post_stratification_and_kish():
    k, n, big_n = np.array([40, 45]), np.array([50, 60]), np.array([1000, 3000])
    w_h, p_h = big_n / big_n.sum(), k / n
    share = (w_h * p_h).sum()
    se = math.sqrt((w_h**2 * p_h * (1 - p_h) / (n - 1) * (1 - n / big_n)).sum())
    z = stats.norm.ppf(0.975)
    w = np.repeat(big_n / n, n)
    n_eff, deff = w.sum() ** 2 / (w**2).sum(), w.size * (w**2).sum() / w.sum() ** 2
    ours = analysis.post_stratify(k, n, big_n)
    assert (ours.share, ours.se) == pytest.approx((share, se), rel=1e-12)
    assert (ours.n_eff, ours.deff) == pytest.approx((n_eff, deff), rel=1e-12)
    shown(f"p_st = 0.25·0.80 + 0.75·0.75 = {share:.4f}, SE {f4(se)}, 95 % interval "
          f"[{f4(share - z * se)}, {f4(share + z * se)}]")
    shown(f"the unweighted 85/110 = {f4(85 / 110)}; n_eff = {n_eff:.2f}, deff = {deff:.3f}")

    w6 = np.array([1, 1, 2, 2, 4, 4], float)
    n_eff6, deff6 = w6.sum() ** 2 / (w6**2).sum(), 6 * (w6**2).sum() / w6.sum() ** 2
    assert analysis.kish(w6).n_eff == pytest.approx(n_eff6)
    shown(f"n_eff = {n_eff6:.2f}, deff = {deff6:.2f}")


# §5
def test_sample_sizes():
    z = stats.norm.ppf(0.975)

    def one(p, population=None, deff=1.0):
        n0 = z * z * p * (1 - p) / 0.03**2
        if population:
            n0 = n0 / (1 + (n0 - 1) / population)
        return math.ceil(n0 * deff)
    cases = [(0.5, None, 1.0), (0.8, None, 1.0), (0.5, 2000, 1.0), (0.5, 2000, 1.5)]
    expected = [one(*c) for c in cases]
    assert [analysis.sample_size_proportion(0.03, p, population=pop, deff=d).n
            for p, pop, d in cases] == expected
    shown(f"±3 % at 95 %: {expected[0]:,} respondents for p = 0.5, {expected[1]:,} for p = 0.8")
    shown(f"N = 2,000 dossiers: {expected[2]:,}; the same with deff = 1.5: {expected[3]:,}")

    p1, p2, zb = 0.80, 0.85, stats.norm.ppf(0.80)
    pbar = (p1 + p2) / 2
    n2 = math.ceil((z * math.sqrt(2 * pbar * (1 - pbar))
                    + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2)
    assert analysis.sample_size_two_proportions(p1, p2).n_per_group == n2
    shown(f"power 80 %): {n2} per year")


# §6
def test_small_cells():
    assert analysis.cell_display(20, 25).share is None
    low, high = wilson(45, 60)
    half = (high - low) / 2
    assert half > 0.10
    assert analysis.cell_display(45, 60).half_width == pytest.approx(half)
    shown(f"half-width {f4(half)} is over 10 points")
    # Units of 25, 40, 50 under their total: hiding the 25 alone would leave it as
    # 115 − 40 − 50, so the smallest other part must go too.
    from analysis.privacy import complementary_suppression
    res = complementary_suppression([25, 40, 50, 115], [(3, (0, 1, 2))])
    assert res.hidden.tolist() == [True, True, False, False]
    shown("the unit of 25 is hidden, and so is the unit of 40")


# §7
def test_dossier_statistics_and_ratings():
    early, on_time, late, pending_ok, overdue = 100, 650, 50, 180, 20
    resolved = early + on_time + late
    stats_ = analysis.dossier_statistics(
        received=900, carried_over=100, resolved_early=early, resolved_on_time=on_time,
        resolved_late=late, pending_within_deadline=pending_ok, pending_overdue=overdue)
    expected = ((early + on_time) / resolved, late / resolved, resolved / 1000,
                overdue / (pending_ok + overdue))
    assert (stats_.on_time_rate, stats_.late_rate, stats_.resolved_share,
            stats_.overdue_share) == pytest.approx(expected)
    shown(f"on-time rate 750/800 = {f4(expected[0])}, late rate {f4(expected[1])}, resolved "
          f"share 800/1000 = {expected[2]:.2f}, overdue share 20/200 = {expected[3]:.2f}")

    ratings = analysis.rating_summary({1: 30, 2: 120, 3: 150}, returned=1200)
    assert ratings.satisfied_share == pytest.approx(270 / 300)
    assert ratings.response_rate == pytest.approx(300 / 1200)
    shown(f"{270 / 300:.0%} satisfied, response rate {300 / 1200:.0%}".replace("%", " %"))


# §8
def test_comparable_items():
    before = {"Q1": "likert5", "Q2": "likert5", "Q3": "rating3"}
    after = {"Q1": "likert5", "Q2": "rating3", "Q4": "likert5"}
    same = sorted(c for c in before if c in after and before[c] == after[c])
    assert analysis.comparable_items(before, after) == tuple(same)
    shown(f"only {', '.join(same)} is compared")


# §9
def test_stratified_design_mean_by_hand():
    with (ROOT / "tests/analysis/data/apistrat.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r["api00"]) for r in rows])
    w = np.array([float(r["pw"]) for r in rows])
    strata = np.array([r["stype"] for r in rows])
    pop = np.array([float(r["fpc"]) for r in rows])
    mean = (w * y).sum() / w.sum()
    z = w * (y - mean) / w.sum()  # linearised variable; each school is its own PSU
    var = 0.0
    for h in np.unique(strata):
        zh = z[strata == h]
        nh = zh.size
        var += (1 - nh / pop[strata == h][0]) * nh / (nh - 1) * ((zh - zh.mean()) ** 2).sum()
    ours = analysis.design_mean(analysis.survey_design(w, strata=strata, population=pop), y)
    assert (ours.estimate, ours.se) == pytest.approx((mean, math.sqrt(var)), rel=1e-10)
    # The R survey package's published svymean(~api00, dstrat): 662.29, SE 9.4089.
    assert (round(mean, 2), round(math.sqrt(var), 4)) == (662.29, 9.4089)
    shown(f"mean `api00` = {mean:.2f} with SE {math.sqrt(var):.4f}")
    # deff (Kish): V over simple random sampling of n from N̂ = Σw, with the weighted
    # variance estimate s² = Σw(y − ȳ)²/Σw · n/(n − 1), as R's svymean(deff = TRUE).
    n = y.size
    s2 = (w * (y - mean) ** 2).sum() / w.sum() * n / (n - 1)
    deff = var / ((1 - n / w.sum()) * s2 / n)
    assert ours.deff == pytest.approx(deff, rel=1e-10)
    shown(f"design effect {f4(deff)}")


def test_aapor_rates_by_hand():
    i, r, nc, u, ne = 600, 150, 200, 50, 40
    rr1, coop1 = i / (i + r + nc + u), i / (i + r)
    ref1, con1 = r / (i + r + nc + u), (i + r) / (i + r + nc + u)
    ours = analysis.aapor_rates(complete=i, refused=r, non_contact=nc, unknown=u,
                                not_eligible=ne)
    assert (ours.rr1, ours.coop1, ours.ref1, ours.con1) == pytest.approx((rr1, coop1, ref1, con1))
    shown(f"RR1 = {rr1:.2f}, COOP1 = {coop1:.2f}, REF1 = {ref1:.2f}, CON1 = {con1:.2f}")
