"""The analysis API against independent computations from the raw answers (scipy)."""

import math

import numpy as np
import pytest
from scipy import stats

from tests.conftest import make_app
from tests.survey import reporting_data as data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('rep') / 'rep.db'}")
    from survey.extensions import db

    with app.app_context():
        db.create_all()
    keys = data.build(app)
    yield app, keys, data.raw_rows(app)
    with app.app_context():
        db.engine.dispose()


def get(demo, url, role="analyst"):
    app, keys, _ = demo
    headers = {"Authorization": f"Bearer {keys[role]}"} if role else {}
    return app.test_client().get(url, headers=headers)


def test_indices_by_year_and_area_equal_scipy(demo):
    answer = get(demo, "/api/v1/indices?by=year,service_area")
    assert answer.status_code == 200
    rows = answer.json["rows"]
    expected = data.overall_counts(demo[2], lambda r: (r["year"], r["area"]))
    assert {(r["year"], r["service_area"]) for r in rows} == set(expected)
    for row in rows:
        counts = expected[(row["year"], row["service_area"])]
        n = sum(v for code, v in counts.items() if code != "missing")
        k = counts[4] + counts[5]
        assert row["n"] == n
        assert row["suppressed"] or n >= 30  # and more may hide beside a small group
        if row["suppressed"]:
            assert row["share"] is None and row["ci_low"] is None
            assert row["satisfied"] is None and row["no_answer"] is None
            continue
        assert (row["satisfied"], row["no_answer"]) == (k, counts["missing"])
        test = stats.binomtest(k, n)
        ci = test.proportion_ci(0.95, method="wilson")
        assert row["share"] == pytest.approx(k / n, abs=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-9)
        bench = stats.binomtest(k, n, p=0.8, alternative="greater")
        assert row["benchmark_p"] == pytest.approx(bench.pvalue, rel=1e-6, abs=1e-12)
        lower = bench.proportion_ci(0.95).low
        assert row["benchmark_lower"] == pytest.approx(lower, abs=1e-9)
        assert row["meets_benchmark"] is (lower >= 0.8)
        scores = np.repeat([0, 25, 50, 75, 100], [counts[c] for c in range(1, 6)])
        assert row["score"] == pytest.approx(scores.mean(), abs=1e-9)
        t_ci = stats.t.interval(0.95, n - 1, scores.mean(), stats.sem(scores))
        assert (row["score_ci_low"], row["score_ci_high"]) == pytest.approx(t_ci, abs=1e-9)


def test_trends_equal_chi_square_and_bh(demo):
    rows = get(demo, "/api/v1/trends?by=service_area").json["rows"]
    expected = data.overall_counts(demo[2], lambda r: (r["area"], r["year"]))
    tested = [r for r in rows if r["p_value"] is not None]
    assert len(tested) >= 8
    for row in tested:
        now, before = expected[(row["service_area"], row["year"])], \
            expected[(row["service_area"], row["year"] - 1)]
        k1, n1 = before[4] + before[5], sum(v for c, v in before.items() if c != "missing")
        k2, n2 = now[4] + now[5], sum(v for c, v in now.items() if c != "missing")
        chi2 = stats.chi2_contingency([[k1, n1 - k1], [k2, n2 - k2]], correction=False)
        assert row["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)
        assert row["delta"] == pytest.approx(k2 / n2 - k1 / n1, abs=1e-12)
        assert row["delta_ci_low"] < row["delta"] < row["delta_ci_high"]
        raw1 = np.repeat(range(1, 6), [before[c] for c in range(1, 6)])
        raw2 = np.repeat(range(1, 6), [now[c] for c in range(1, 6)])
        u = stats.mannwhitneyu(raw2, raw1).statistic
        assert row["mw_r"] == pytest.approx(2 * u / (n1 * n2) - 1, abs=1e-9)
    adjusted = stats.false_discovery_control([r["p_value"] for r in tested], method="bh")
    assert [r["p_adjusted"] for r in tested] == pytest.approx(list(adjusted), rel=1e-9)
    assert all(r["significant"] is (r["p_adjusted"] <= 0.05) for r in tested)


def test_long_run_trend_equals_kendall_and_theil_sen(demo):
    answer = get(demo, "/api/v1/trends?by=service_area").json
    rows, trends = answer["rows"], answer["trends"]
    assert trends, "five demo years give a Mann-Kendall trend per service area"
    for trend in trends:
        series = [r for r in rows if r["service_area"] == trend["service_area"]]
        years = [r["year"] for r in series]
        shares = [r["share"] for r in series]
        assert trend["years"] == years
        tau = stats.kendalltau(years, shares)
        assert trend["tau"] == pytest.approx(tau.statistic, abs=1e-12)
        assert trend["p_value"] == pytest.approx(tau.pvalue, rel=1e-9)
        slope = stats.theilslopes(np.array(shares) * 100, years).slope
        assert trend["slope_per_year"] == pytest.approx(slope, abs=1e-9)


def test_elements_alpha_and_importance_equal_raw_computations(demo):
    answer = get(demo, "/api/v1/elements").json
    by_response: dict[int, dict[str, int]] = {}
    for r in demo[2]:
        if r["kind"] == "survey" and r["value_int"] is not None:
            by_response.setdefault(r["id"], {})[r["item_code"]] = r["value_int"]
    overall = {rid: items.get("overall_satisfaction") for rid, items in by_response.items()}
    for element in answer["elements"]:
        codes = element["items"]
        matrix = np.array([[items[c] for c in codes] for items in by_response.values()
                           if all(c in items for c in codes)], dtype=float)
        k = len(codes)
        alpha = k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum()
                               / matrix.sum(axis=1).var(ddof=1))
        assert element["alpha_n"] == len(matrix)
        assert element["alpha"] == pytest.approx(alpha, abs=1e-9)
        pairs = [(np.mean([items[c] for c in codes if c in items]), overall[rid])
                 for rid, items in by_response.items()
                 if overall[rid] is not None and any(c in items for c in codes)]
        rho = stats.spearmanr(*zip(*pairs, strict=True)).statistic
        assert element["importance"] == pytest.approx(rho, abs=1e-9)
    quadrants = {e["quadrant"] for e in answer["elements"]}
    assert quadrants <= {"concentrate here", "keep up the good work", "low priority",
                         "possible overkill"}


def test_unit_officer_sees_only_their_subtree(demo):
    mine = get(demo, "/api/v1/indices?by=unit", role="officer").json["rows"]
    everyone = get(demo, "/api/v1/indices?by=unit").json["rows"]
    assert {r["unit"] for r in mine} and all(r["unit"].startswith("ST-H01") for r in mine)
    assert len(everyone) > len(mine)
    # asking for another unit cannot widen the scope
    other = get(demo, "/api/v1/indices?by=unit&unit=ST-H02", role="officer").json["rows"]
    assert other == []
    expected = data.overall_counts(demo[2], lambda r: (r["unit"],),
                                   where=lambda r: r["path"].startswith("/ST/ST-H01/"))
    assert sorted(r["unit"] for r in mine) == sorted(k[0] for k in expected)


def test_rollup_to_districts_sums_communes(demo):
    rows = get(demo, "/api/v1/indices?by=unit&rollup=district&level=commune,district").json
    expected = data.overall_counts(
        demo[2], lambda r: (r["path"].split("/")[2],), where=lambda r: r["level"] != "department")
    got = {r["unit"]: r["n"] + (r["no_answer"] or 0) for r in rows["rows"]
           if not r["suppressed"]}
    assert got and got == {k[0]: sum(v.values()) for k, v in expected.items() if k[0] in got}
    valid = {k[0]: sum(n for c, n in v.items() if c != "missing") for k, v in expected.items()}
    assert {r["unit"]: r["n"] for r in rows["rows"]} == valid  # n is shown for every unit


def test_ratings_are_never_pooled_and_carry_no_inference(demo):
    mixed = get(demo, "/api/v1/indices?questionnaire=land_survey,dossier_rating")
    assert mixed.status_code == 400 and mixed.json["parameter"] == "questionnaire"
    assert "never pooled" in mixed.json["detail"]
    ratings = get(demo, "/api/v1/indices?stream=dossier_rating").json
    assert "self-selected" in ratings["method"]["inference"]
    expected = data.overall_counts(demo[2], lambda r: (r["year"],), kind="dossier_rating")
    for row in ratings["rows"]:
        counts = expected[(row["year"],)]
        assert row["satisfied"] == counts[2] + counts[3]
        assert row["ci_low"] is None and row["benchmark_p"] is None


def test_weighted_equals_hand_post_stratification(demo):
    """Strata shown are weighted as they are; the suppressed ones are collapsed into one
    stratum (their pooled share follows from the total anyway), counted from raw answers."""
    answer = get(demo, "/api/v1/weighted?from=2024&to=2025").json
    raw = data.overall_counts(demo[2], lambda r: (r["area"], r["level"]),
                              where=lambda r: r["year"] in (2024, 2025))

    def counted(stratum):
        counts = raw[(stratum["service_area"], stratum["level"])]
        return counts[4] + counts[5], sum(v for c, v in counts.items() if c != "missing")

    shown = [s for s in answer["strata"] if not s["suppressed"]]
    hidden = [s for s in answer["strata"] if s["suppressed"]]
    assert hidden and len(shown) >= 2, "the case must both weight strata and collapse some"
    for s in shown:
        assert (s["satisfied"], s["n"]) == counted(s)
    for s in hidden:
        assert s["satisfied"] is None and s["share"] is None and s["n"] == counted(s)[1]
    strata = [(s["satisfied"], s["n"], s["dossiers_resolved"]) for s in shown]
    strata.append((sum(counted(s)[0] for s in hidden), sum(s["n"] for s in hidden),
                   sum(s["dossiers_resolved"] for s in hidden)))
    strata = [(k, n, big) for k, n, big in strata if n > 0 and big > 0]
    total = sum(big for _k, _n, big in strata)
    share = sum(big / total * k / n for k, n, big in strata)
    var = sum((big / total) ** 2 * (k / n) * (1 - k / n) / (n - 1) * (1 - n / big)
              for k, n, big in strata)
    assert answer["result"]["share"] == pytest.approx(share, abs=1e-12)
    assert answer["result"]["se"] == pytest.approx(math.sqrt(var), abs=1e-12)
    weights = [big / n for _k, n, big in strata for _ in range(n)]
    assert answer["result"]["n_eff"] == pytest.approx(sum(weights) ** 2
                                                      / sum(w * w for w in weights))


def test_sample_size_worked_numbers(demo):
    assert get(demo, "/api/v1/sample-size?margin=0.03&p=0.5").json["n"] == 1068
    assert get(demo, "/api/v1/sample-size?margin=0.03&p=0.8").json["n"] == 683
    assert get(demo, "/api/v1/sample-size?margin=0.03&p=0.5&population=2000").json["n"] == 697
    assert get(demo, "/api/v1/sample-size?p1=0.8&p2=0.85").json["n_per_group"] == 906


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/indices?by=colour", "by"),
    ("/api/v1/indices?measure=happiness", "measure"),
    ("/api/v1/indices?level=village", "level"),
    ("/api/v1/indices?from=20x4", "from"),
    ("/api/v1/indices?from=2025&to=2021", "from"),
    ("/api/v1/indices?unit=NOWHERE", "unit"),
    ("/api/v1/indices?measure=item:comments", "measure"),
    ("/api/v1/trends?by=year", "by"),
    ("/api/v1/indices?limit=5", "limit"),
    ("/api/v1/sample-size?margin=2", "margin"),
    ("/api/v1/indices?by=demographic:a,demographic:b,demographic:c", "by"),
])
def test_bad_parameters_name_the_parameter(demo, url, parameter):
    answer = get(demo, url)
    assert answer.status_code == 400, answer.json
    assert answer.json["parameter"] == parameter


def test_authentication_and_roles(demo):
    assert get(demo, "/api/v1/indices", role=None).status_code == 401
    assert get(demo, "/api/v1/indices", role="designer").status_code == 403
    app = demo[0]
    client = app.test_client()
    client.get("/auth/login")
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "analyst1", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})
    assert client.get("/api/v1/indices").status_code == 200


def test_every_analysis_path_is_in_the_openapi_description(demo):
    spec = get(demo, "/api/v1/openapi.json", role=None).json
    for path in ("/indices", "/trends", "/elements", "/weighted", "/sample-size"):
        assert "get" in spec["paths"][path]


def test_cli_report_prints_the_api_document(demo):
    import json

    app = demo[0]
    result = app.test_cli_runner().invoke(
        args=["report", "indices", "--json", "--by", "year,service_area"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == get(demo, "/api/v1/indices?by=year,service_area").json
    trends = app.test_cli_runner().invoke(args=["report", "trends", "--json", "--by", "year"])
    assert trends.exit_code == 2 and "--by" in trends.output


@pytest.mark.parametrize("url", [
    "/api/v1/indices?unit=%27%3B%20DROP%20TABLE%20response%3B%20--",
    "/api/v1/indices?questionnaire=x%27%20OR%201%3D1%20--",
    "/api/v1/indices?by=year%3B%20DELETE%20FROM%20answer",
    "/api/v1/trends?service_area=%27%20UNION%20SELECT%201--&by=unit",
    "/api/v1/indices?measure=item:%27%20OR%20%271%27%3D%271",
    "/api/v1/records?unit=%25&by=unit",
    "/api/v1/indices?from=99999999999999999999",
    "/api/v1/elements?level=%00",
])
def test_sql_metacharacters_in_filters_are_plain_values(demo, url):
    answer = get(demo, url)
    assert 200 <= answer.status_code < 500, answer.status_code
    assert answer.is_json
    with demo[0].app_context():
        from survey.extensions import db
        from survey.models import Answer, Response

        assert db.session.execute(db.select(db.func.count(Response.id))).scalar() > 0
        assert db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar() > 0
