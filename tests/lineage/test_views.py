"""The two views of every figure (#19, docs/METHODOLOGY.md §10) on a generated history across a
merge, a split and a move: as recorded equals the raw answers grouped by the old units, on
today's units an independent re-attribution; flags exactly on the crossings; a unit officer's
scope before and after; the `view` parameter."""

from __future__ import annotations

import pytest

from survey.extensions import db
from tests.conftest import make_app
from tests.lineage import history as h

REFORM_YEAR = h.REFORM.year
PASSWORD = "mot-mat-khau-dai"


def _answers(app, keys, urls):
    client = app.test_client()
    out = {}
    for url, role in urls:
        answer = client.get(url, headers={"Authorization": f"Bearer {keys[role]}"})
        assert answer.status_code == 200, (url, answer.json)
        out[(url, role)] = answer.json
    return out


BEFORE_URLS = [(f"/api/v1/indices?by=year,unit&view={v}", "analyst") for v in
               ("today", "recorded")] + [
    (f"/api/v1/trends?by=unit&rollup=district&view={v}", "analyst") for v in
    ("today", "recorded")]


@pytest.fixture(scope="module")
def reformed(tmp_path_factory):
    """The history, the API answers before the reform's events, then the events."""
    from survey.services.accounts import create_api_key, create_user
    from survey.services.reporting.cells import References

    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('views') / 'views.db'}",
                   WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
        h.build()
        create_user("analyst-v", PASSWORD, "analyst")
        keys = {"analyst": create_api_key("analyst", "analyst").key}
        for name in ("AB", "E1", "D1"):
            keys[name] = create_api_key(f"officer-{name}", "unit_officer", h.code(name)).key
        db.session.commit()
        assert References.load().lineage is None
        before = _answers(app, keys, BEFORE_URLS)
        h.reform()
        rows = h.raw_rows()
    yield app, keys, rows, before
    with app.app_context():
        db.engine.dispose()


def get(reformed, url, role="analyst"):
    app, keys, *_ = reformed
    return app.test_client().get(url, headers={"Authorization": f"Bearer {keys[role]}"})


def _without_view(answer: dict) -> dict:
    method = {k: v for k, v in answer["method"].items() if not k.startswith("view")}
    return {**answer, "method": method}


def test_without_events_both_views_are_the_same_figures(reformed):
    before = reformed[3]
    for kind in ("indices?by=year,unit", "trends?by=unit&rollup=district"):
        today = before[(f"/api/v1/{kind}&view=today", "analyst")]
        recorded = before[(f"/api/v1/{kind}&view=recorded", "analyst")]
        assert today["rows"] and _without_view(today) == _without_view(recorded)
        assert today["method"]["view"] == "today" and recorded["method"]["view"] == "recorded"
        assert not any(r.get("estimated") or r.get("boundary_change") for r in today["rows"])


def _check_rows(rows, expected, key_of):
    """Every row's n (and, when shown, its satisfied count) equals the expectation."""
    assert {key_of(r) for r in rows} == set(expected)
    shown = 0
    for row in rows:
        k, n = h.whole(expected[key_of(row)])
        assert row["n"] == n, (key_of(row), row["n"], n)
        if not row["suppressed"]:
            assert row["satisfied"] == k and row["share"] == pytest.approx(k / n, abs=1e-12)
            shown += 1
    assert shown >= len(rows) // 2  # the comparison compares figures, not only n


def test_as_recorded_equals_the_raw_answers_under_the_old_units(reformed):
    rows = get(reformed, "/api/v1/indices?by=year,unit&view=recorded").json["rows"]
    expected = h.recorded_counts(reformed[2], lambda r, name: (r["year"], name))
    _check_rows(rows, expected, lambda r: (r["year"], h.short(r["unit"])))
    assert not any(r["estimated"] for r in rows)
    # the events change nothing as recorded when nothing is rolled up
    before = reformed[3][("/api/v1/indices?by=year,unit&view=recorded", "analyst")]
    assert rows == before["rows"]


def test_as_recorded_rolls_up_to_the_parent_of_the_time(reformed):
    """F moved from D2 to the province on the reform day: its earlier answers stay in D2."""
    rows = get(reformed, "/api/v1/indices?by=year,unit&rollup=district&view=recorded").json
    rows = rows["rows"]

    def district(r, name):
        before = (r["year"], r["month"]) < (h.REFORM.year, h.REFORM.month)
        return r["year"], (h.DISTRICT_BEFORE[name] if before and name in h.DISTRICT_BEFORE
                           else name)

    expected = h.recorded_counts(reformed[2], district)
    _check_rows(rows, expected, lambda r: (r["year"], h.short(r["unit"])))
    assert (REFORM_YEAR, "F") in expected and (REFORM_YEAR, "D2") in expected
    # a unit filter as recorded: D2 holds F only before the move
    rows = get(reformed, "/api/v1/indices?by=year&unit=RP-D2&view=recorded").json["rows"]
    expected = h.recorded_counts(reformed[2], lambda r, name: (r["year"],))
    expected = h.recorded_counts(
        [r for r in reformed[2] if district(r, h.short(r["unit"]))[1] == "D2"],
        lambda r, name: (r["year"],))
    _check_rows(rows, expected, lambda r: (r["year"],))


def test_on_todays_units_equals_an_independent_reattribution(reformed):
    rows = get(reformed, "/api/v1/indices?by=year,unit").json["rows"]  # today: the default
    expected = h.today_counts(reformed[2], lambda r, name: (r["year"], name))
    _check_rows(rows, expected, lambda r: (r["year"], h.short(r["unit"])))
    assert {h.short(r["unit"]) for r in rows} == {"AB", "E1", "E2", "F"}
    for row in rows:
        assert row["estimated"] is h.estimated(h.short(row["unit"]), row["year"]), row
    # a merge adds exactly: AB's history is A + B, in whole answers
    ab_2024 = next(r for r in rows if r["unit"] == "RP-AB" and r["year"] == 2024)
    recorded = h.recorded_counts(reformed[2], lambda r, name: (r["year"], name))
    assert ab_2024["n"] == int(recorded[(2024, "A")].sum() + recorded[(2024, "B")].sum())


def test_todays_units_rolled_up_and_filtered_keep_the_shares_inside(reformed):
    rows = get(reformed, "/api/v1/indices?by=year&unit=RP-E2").json["rows"]
    expected = h.today_counts(reformed[2], lambda r, name: (r["year"],),
                              keep=lambda name: name == "E2")
    _check_rows(rows, expected, lambda r: (r["year"],))
    assert [r["estimated"] for r in rows] == [y <= REFORM_YEAR for y in sorted(
        r["year"] for r in rows)]
    # the province total is exact: the split's shares add back up to the whole
    total = get(reformed, "/api/v1/indices?by=year").json["rows"]
    assert not any(r["estimated"] for r in total)
    expected = h.recorded_counts(reformed[2], lambda r, name: (r["year"],))
    _check_rows(total, expected, lambda r: (r["year"],))


def test_a_unit_that_no_longer_exists_is_refused_on_todays_units(reformed):
    answer = get(reformed, "/api/v1/indices?by=year&unit=RP-A")
    assert answer.status_code == 400 and answer.json["parameter"] == "unit"
    assert get(reformed, "/api/v1/indices?by=year&unit=RP-A&view=recorded").status_code == 200


def test_a_unit_officer_sees_the_predecessors_history_on_todays_units(reformed):
    rows = reformed[2]
    today = get(reformed, "/api/v1/indices?by=year", "AB").json["rows"]
    expected = h.today_counts(rows, lambda r, name: (r["year"],), keep=lambda n: n == "AB")
    _check_rows(today, expected, lambda r: (r["year"],))
    assert [r["year"] for r in today] == [2023, 2024, 2025, 2026]
    # as recorded the officer sees what AB itself recorded: from the reform on
    recorded = get(reformed, "/api/v1/indices?by=year&view=recorded", "AB").json["rows"]
    assert [r["year"] for r in recorded] == [2025, 2026]
    expected = h.recorded_counts([r for r in rows if h.short(r["unit"]) == "AB"],
                                 lambda r, name: (r["year"],))
    _check_rows(recorded, expected, lambda r: (r["year"],))
    # before the reform the officer of D1 saw A and B; as recorded they still do
    d1 = get(reformed, "/api/v1/indices?by=year,unit&view=recorded", "D1").json["rows"]
    assert {h.short(r["unit"]) for r in d1} == {"A", "B"}
    # a split successor's officer sees its estimated share of the old commune
    e1 = get(reformed, "/api/v1/indices?by=year", "E1").json["rows"]
    assert [r["estimated"] for r in e1] == [True, True, True, False]


def _flags(rows):
    return {(h.short(r["unit"]), r["year"]) for r in rows if r["boundary_change"]}


def test_trend_flags_appear_exactly_on_the_crossings(reformed):
    # as recorded, by district: D1 and D2 lost territory on the reform day (A, B merged away
    # into AB, E split away, F moved out); F, AB, E1, E2 kept or began with theirs
    recorded = get(reformed, "/api/v1/trends?by=unit&rollup=district&view=recorded").json
    assert _flags(recorded["rows"]) == {("D1", REFORM_YEAR), ("D2", REFORM_YEAR)}
    # on today's units: E1 and E2 hold an estimated share of E up to the reform year, so no
    # comparison with those years is tested; AB (a merge) and F (a move) compare soundly
    today = get(reformed, "/api/v1/trends?by=unit").json
    assert _flags(today["rows"]) == {(u, y) for u in ("E1", "E2") for y in (2024, 2025, 2026)}
    for rows in (recorded["rows"], today["rows"]):
        for row in rows:
            if row["boundary_change"]:
                assert row["p_value"] is None and row["significant"] is None
                assert "boundary" in row["test_skipped"]
                assert row["delta"] is not None or row["suppressed"]
            elif row["previous_year"] and not row["suppressed"] and row["previous_share"]:
                assert row["p_value"] is not None
    assert today["method"]["view"] == "today"
    assert recorded["method"]["view"] == "recorded"


def test_the_view_parameter_is_checked_and_described(reformed):
    for url in ("/api/v1/indices?view=yesterday", "/api/v1/trends?view=", "/api/v1/elements"
                "?view=TODAY", "/api/v1/weighted?view=1"):
        answer = get(reformed, url)
        if url.endswith("view="):  # empty is "not given": the default
            assert answer.status_code == 200
            continue
        assert answer.status_code == 400, url
        assert answer.json["parameter"] == "view" and answer.json["allowed"] == [
            "today", "recorded"]
    spec = reformed[0].test_client().get("/api/v1/openapi.json").json
    params = {p["name"]: p for p in spec["paths"]["/indices"]["get"]["parameters"]}
    assert params["view"]["schema"] == {"enum": ["today", "recorded"]}


def test_dashboard_pages_state_the_view_and_mark_estimates_and_crossings(reformed):
    client = reformed[0].test_client()
    assert client.post("/auth/login", data={"username": "analyst-v", "password": PASSWORD}
                       ).status_code == 302
    # today's units (the default): the switch, the sentence, ≈ on E1's and E2's shares of E
    league = client.get("/dashboard/league?at=commune&from=2025&to=2025").get_data(as_text=True)
    assert 'data-view="today"' in league and "Theo đơn vị hiện nay" in league
    assert league.count('class="estimated"') == 2  # E1 and E2; AB (a merge) is exact
    # E1's page: every change with an estimated year is a crossing, marked and not tested:
    # 2024, 2025, 2026 in the yearly changes, and 2026 of its one service area
    e1 = client.get("/dashboard/unit/RP-E1?from=2023&to=2026").get_data(as_text=True)
    assert e1.count('class="boundary"') == 4
    # as recorded: the old districts are there, under their own names
    recorded = client.get("/dashboard/league?at=district&from=2024&to=2024&view=recorded")
    html = recorded.get_data(as_text=True)
    assert 'data-view="recorded"' in html and "Theo đơn vị lúc ghi nhận" in html
    assert "RP-D1" in html and "RP-D2" in html and 'class="estimated"' not in html
    # an old unit's page shows it as recorded (the view it has a name in), and says so;
    # asked on today's units, a 400 saying where its history went
    old = client.get("/dashboard/unit/RP-A").get_data(as_text=True)
    assert 'data-view="recorded"' in old and "Theo đơn vị lúc ghi nhận" in old
    gone = client.get("/dashboard/unit/RP-A?view=today")
    assert gone.status_code == 400 and "không còn tồn tại" in gone.get_data(as_text=True)
    assert client.get("/dashboard/league?view=tomorrow").status_code == 400


@pytest.mark.parametrize("url", [
    "/api/v1/elements?unit=RP-AB", "/api/v1/elements?unit=RP-D1&view=recorded",
    "/api/v1/weighted?from=2024&to=2026", "/api/v1/weighted?view=recorded",
    "/api/v1/records?by=year,unit&view=recorded", "/api/v1/records/on-time?unit=RP-E1",
    "/api/v1/indices?by=year,level&measure=elements&unit=RP-E2",
    "/api/v1/indices?by=demographic:sex,unit&view=recorded",
    "/api/v1/trends?by=level&unit=RP-D2&view=recorded",
])
def test_every_report_answers_in_both_views_and_names_its_view(reformed, url):
    answer = get(reformed, url)
    assert answer.status_code == 200, (url, answer.json)
    wanted = "recorded" if "view=recorded" in url else "today"
    assert answer.json["method"]["view"] == wanted
