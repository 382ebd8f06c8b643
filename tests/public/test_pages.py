"""The public scoreboard shows nothing suppressed, nothing a visitor shouldn't see, and open
data that parse and carry their licence."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.public import cache
from survey.services.audit import record
from survey.services.periods import last_complete_year
from tests.conftest import csrf_from

LEVELS = ("department", "district", "commune")
RESULT_FIELDS = ("satisfied", "share", "ci_low", "ci_high", "verdict")


def _api(client, key: str, query: str) -> list[dict]:
    answer = client.get(f"/api/v1/indices?{query}", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    return answer.get_json()["rows"]


def _decisions(client, key: str) -> dict[tuple, dict]:
    """The reporting's own rows, through the analysts' API, for the tables the scoreboard
    shows: (area_type, code, year) -> row."""
    out = {("province", "", r["year"]): r for r in _api(client, key, "by=year")}
    out |= {("service_area", r["service_area"], r["year"]): r
            for r in _api(client, key, "by=year,service_area")}
    for level in LEVELS:
        for r in _api(client, key, f"by=year,unit&rollup={level}"):
            out.setdefault(("unit", r["unit"], r["year"], level), r)
    return out


def _true_shares(app, level: str) -> dict[tuple[str, int], tuple[int, int]]:
    """(unit, year) -> (satisfied, n) of the overall question before any suppression: the
    reporting's raw frequency tables (with today's units: a merged commune's figure holds its
    predecessors' answers), which a hidden cell must never show."""
    from analysis.scales import SCALES
    from survey.services.reporting import Grouping, Measure, References, Scope
    from survey.services.reporting.suppression import protected_cells

    with app.app_context():
        cells = protected_cells(Scope(), Grouping(("year", "unit"), unit_rollup=level),
                                Measure("overall"), References.load()).cells
    positive = [c - 1 for c in SCALES[cells.scale].positive]
    return {(unit, year): (int(counts[positive].sum()), int(counts.sum()))
            for (year, unit), counts in cells.counts.items()}


def _percent(share: float) -> str:
    return f"{round(share * 100, 1):.1f}".replace(".", ",") + " %"


@pytest.fixture
def visitor(demo):
    return demo[0].test_client()


def test_the_files_hide_exactly_what_the_reporting_hides(demo, visitor):
    app, keys = demo
    published = visitor.get("/public/data/satisfaction.json").get_json()["rows"]
    decisions = _decisions(app.test_client(), keys["analyst"])
    last = last_complete_year()
    seen = set()
    for row in published:
        key = (row["area_type"], row["code"], row["year"])
        if row["area_type"] == "unit":
            key += (row["unit_level"],)
        expected = decisions[key]
        seen.add(key)
        assert row["n"] == expected["n"], key
        assert row["suppressed"] == expected["suppressed"], key
        if row["suppressed"]:
            assert all(row[f] is None for f in RESULT_FIELDS), row
        else:
            for field in RESULT_FIELDS:
                assert row[field] == expected[field], (key, field)
    # every table the reporting has for complete years is published, units at their level
    wanted = {k for k in decisions if k[2] <= last and (
        k[0] != "unit" or app_level(app, k[1]) == k[3])}
    assert seen == wanted
    # the data set exercises both rules: small cells, and larger ones hidden beside them
    hidden = [r for r in published if r["suppressed"]]
    assert any(r["n"] < 30 for r in hidden)
    assert any(r["n"] >= 30 for r in hidden), "no complementary suppression in the data set"


def app_level(app, code: str) -> str:
    with app.app_context():
        return db.session.execute(text("SELECT level FROM unit WHERE code = :c"),
                                  {"c": code}).scalar_one()


def test_pages_show_no_hidden_figure(demo, visitor):
    app, keys = demo
    decisions = _decisions(app.test_client(), keys["analyst"])
    year = last_complete_year()
    checked_hidden = 0
    for level in LEVELS:
        truth = _true_shares(app, level)
        page = visitor.get(f"/public/units/{level}").text
        rows = dict(re.findall(r'<tr data-code="([^"]+)"(.*?)</tr>', page, re.S))
        for code, row_html in rows.items():
            decision = decisions.get(("unit", code, year, level))
            hidden = decision is None or decision["suppressed"]
            assert f'data-suppressed="{str(hidden).lower()}"' in row_html, (level, code)
            if decision is not None and hidden:
                satisfied, n = truth[(code, year)]
                assert n == decision["n"], (level, code, year, n, decision)
                assert _percent(satisfied / n) not in row_html, (level, code)
                checked_hidden += 1
                unit_page = visitor.get(f"/public/unit/{code}").text
                headline = re.search(r'<section class="headline".*?</section>', unit_page,
                                     re.S).group(0)
                assert 'data-suppressed="true"' in headline
                assert _percent(satisfied / n) not in headline
                year_row = re.search(rf'<tr data-year="{year}"(.*?)</tr>', unit_page,
                                     re.S).group(1)
                assert 'data-suppressed="true"' in year_row
                assert _percent(satisfied / n) not in year_row
            elif decision is not None:
                assert _percent(decision["share"]) in row_html
    assert checked_hidden >= 5


def test_a_visitor_sees_no_comment_no_staff_and_no_officer_data(demo, visitor):
    app, _ = demo
    with app.app_context():
        comments = [t for (t,) in db.session.execute(text(
            "SELECT DISTINCT value_text FROM answer WHERE value_text IS NOT NULL")).all()
            if len(t) >= 12]
        people = [u for (u,) in db.session.execute(text(
            "SELECT username FROM user_account")).all()]
        kiosks = [k for (k,) in db.session.execute(text("SELECT name FROM kiosk")).all()]
        units = [c for (c,) in db.session.execute(text("SELECT code FROM unit")).all()]
    assert comments and people
    staff = demo[0].test_client()
    token = csrf_from(staff.get("/auth/login").text)
    assert staff.post("/auth/login", data={"username": "analyst1", "csrf_token": token,
                                           "password": "mot-mat-khau-dai"}).status_code == 302
    assert "analyst1" in staff.get("/").text  # logged in: the shell names the user
    urls = ["/public/", "/public/data", *(f"/public/units/{lv}" for lv in LEVELS),
            *(f"/public/unit/{c}" for c in units), "/public/service/land",
            *(f"/public/data/{t}.{f}" for t in ("satisfaction", "changes", "on_time")
              for f in ("csv", "json"))]
    for url in urls:
        first = staff.get(url)  # a staff member fills the cache first...
        page = visitor.get(url)  # ...and the visitor gets the same bytes, with nothing of them
        assert page.status_code == first.status_code, url
        if page.status_code == 200:
            assert page.data == first.data, url
        else:  # a unit without answers (the province itself is the home page)
            assert page.status_code == 404, url
        body = page.get_data(as_text=True)
        for secret in [*comments, *people, *kiosks]:
            assert secret not in body, (url, secret)
        for marker in ("csrf_token", "/auth/logout", "/dashboard", "/admin"):
            assert marker not in body, (url, marker)


def _csv(client, table: str) -> list[dict]:
    answer = client.get(f"/public/data/{table}.csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    assert 'rel="license"' in answer.headers["Link"]
    assert "creativecommons.org/licenses/by/4.0" in answer.headers["Link"]
    return list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))


@pytest.mark.parametrize("table", ["satisfaction", "changes", "on_time"])
def test_downloads_parse_agree_with_each_other_and_carry_the_licence(demo, visitor, table):
    document = visitor.get(f"/public/data/{table}.json")
    assert document.mimetype == "application/json"
    doc = json.loads(document.data)
    assert doc["licence"]["name"] == "CC BY 4.0"
    assert doc["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    columns = [c["name"] for c in doc["columns"]]
    assert all(c["description"]["vi"] and c["description"]["en"] for c in doc["columns"])
    rows = _csv(visitor, table)
    assert rows and list(rows[0]) == columns
    assert len(rows) == len(doc["rows"])
    for from_csv, from_json in zip(rows, doc["rows"], strict=True):
        assert from_csv["licence"] == from_json["licence"] == "CC BY 4.0"
        for name in columns:
            value = from_json[name]
            expected = "" if value is None else (str(value).lower() if isinstance(value, bool)
                                                 else str(value))
            assert from_csv[name] == expected, (name, from_csv, from_json)
    # the data dictionary names every column of every file
    dictionary = visitor.get("/public/data").text
    for name in columns:
        assert f"<code>{name}</code>" in dictionary
    assert f"/public/data/{table}.csv" in dictionary


def test_csv_names_cannot_run_as_formulas(demo, visitor):
    app, _ = demo
    evil = '=HYPERLINK("http://evil.example","x")'
    with app.app_context():
        db.session.execute(text("UPDATE service_area SET name_vi = :n WHERE code = 'land'"),
                           {"n": evil})
        db.session.execute(text("UPDATE unit SET name_en = '+SUM(A1)' WHERE parent_id IS NULL"))
        record("test", "rename", "unit", "root")  # a change moves the data version
        db.session.commit()
        cache.store().clear()  # as if PUBLIC_CACHE_SECONDS had passed
    try:
        rows = _csv(visitor, "satisfaction")
        land = [r for r in rows if r["code"] == "land"]
        assert land and all(r["name_vi"] == "'" + evil for r in land)
        province = [r for r in rows if r["area_type"] == "province"]
        assert all(r["name_en"] == "'+SUM(A1)" for r in province)
        doc = visitor.get("/public/data/satisfaction.json").get_json()
        assert {r["name_vi"] for r in doc["rows"] if r["code"] == "land"} == {evil}
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE service_area SET name_vi = 'Đất đai' "
                                    "WHERE code = 'land'"))
            db.session.execute(text("UPDATE unit SET name_en = '' WHERE parent_id IS NULL"))
            db.session.commit()


def test_vietnamese_first_english_on_request_and_no_raw_codes(demo, visitor):
    page = visitor.get("/public/").text
    words = re.sub(r"<[^>]+>", " ", page)
    assert "Hài lòng" in words or "hài lòng" in words
    for code in ("not_established", "meets", "below", "service_area", "commune"):
        assert code not in words, code
    answer = visitor.get("/public/?lang=en")
    english = answer.text
    assert "Satisfied in" in english
    # the answer that sets the language cookie is no one else's to cache
    assert "Set-Cookie" in answer.headers and "private" in answer.headers["Cache-Control"]
    following = visitor.get("/public/data")
    assert "Cookie" in following.headers["Vary"]
    assert english != page
    # the language chosen is kept for the next page (the session), and cached apart
    assert "Open data" in visitor.get("/public/data").text
    assert "Dữ liệu mở" in demo[0].test_client().get("/public/data").text


def test_unknown_places_answer_404(visitor):
    assert visitor.get("/public/unit/NOPE").status_code == 404
    assert visitor.get("/public/service/nope").status_code == 404
    assert visitor.get("/public/units/province").status_code == 404
    assert visitor.get("/public/data/users.csv").status_code == 404


def test_home_page_links_to_the_scoreboard(visitor):
    home = visitor.get("/").text
    for url in ("/public/", "/public/units/commune", "/public/data"):
        assert f'href="{url}' in home


def test_an_empty_province_has_pages_that_say_so(client):
    """No answers yet (a new install): every page answers, in words, and the files are empty
    tables with their header."""
    home = client.get("/public/")
    assert home.status_code == 200
    assert "Chưa có năm nào trọn vẹn" in home.text
    assert "Chưa có đơn vị nào" in client.get("/public/units/commune").text
    assert client.get("/public/service/land").status_code == 404
    rows = _csv(client, "satisfaction")
    assert rows == []
    assert client.get("/public/data/satisfaction.csv").data.decode("utf-8-sig").startswith(
        "area_type,code,name_vi")
    assert client.get("/public/data/on_time.json").get_json()["rows"] == []
