"""Dossier statistics: import rules, exact rates, and the council's appendix."""

import io
from collections import Counter

import openpyxl
import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.models import DossierStat
from survey.services.records.imports import STAT_COLUMNS
from tests import factories
from tests.conftest import make_app
from tests.survey import reporting_data as data

GOOD = ["2024-Q3", "U1", "land", "120", "80", "15", "60", "130", "5", "18", "2"]


def csv_of(*rows) -> bytes:
    lines = [",".join(STAT_COLUMNS)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def office(app):
    with app.app_context():
        factories.unit("U1")
        db.session.commit()


def run(runner, tmp_path, content: bytes, name="stats.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return runner.invoke(args=["records", "import", str(path)])


def stat_count(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(DossierStat.id))).scalar()


def test_import_then_reimport_replaces_the_period(app, runner, tmp_path, office):
    first = run(runner, tmp_path, csv_of(GOOD, ["2024", *GOOD[1:]]))
    assert first.exit_code == 0, first.output
    assert "2 row(s) imported, 0 old row(s) replaced" in first.output
    again = run(runner, tmp_path, csv_of(GOOD))
    assert "1 row(s) imported, 1 old row(s) replaced" in again.output
    assert stat_count(app) == 2


@pytest.mark.parametrize("row, column, reason", [
    (["2024-13", *GOOD[1:]], "period", "is not 2024"),
    (["2024", "NOPE", *GOOD[2:]], "unit", "unknown unit 'NOPE'"),
    (["2024", "U1", "fishing", *GOOD[3:]], "procedure_group", "neither a procedure group"),
    ([*GOOD[:3], "-5", *GOOD[4:]], "received_online", "not a whole number"),
    ([*GOOD[:3], "12.5", *GOOD[4:]], "received_online", "not a whole number"),
    ([*GOOD[:-1], "9"], "pending_overdue", "resolved + pending = 222 but received"),
])
def test_each_rule_names_row_and_column_and_imports_nothing(
        app, runner, tmp_path, office, row, column, reason):
    result = run(runner, tmp_path, csv_of(GOOD, row))
    assert result.exit_code == 1
    assert f"row 3, column {column}: " in result.output and reason in result.output
    assert stat_count(app) == 0  # the good first row was not imported either


def test_duplicate_rows_and_missing_columns(app, runner, tmp_path, office):
    result = run(runner, tmp_path, csv_of(GOOD, GOOD))
    assert result.exit_code == 1 and "row 3, column procedure_group: the same" in result.output
    header = run(runner, tmp_path, b"period,unit\n2024,U1\n")
    assert header.exit_code == 1 and "row 1, column procedure_group: missing" in header.output
    assert stat_count(app) == 0


def test_xlsx_import_and_template(app, runner, tmp_path, office):
    book = openpyxl.Workbook()
    book.active.append(list(STAT_COLUMNS))
    book.active.append([GOOD[0], GOOD[1], GOOD[2], *map(int, GOOD[3:])])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(runner, tmp_path, buffer.getvalue(), "stats.xlsx")
    assert result.exit_code == 0, result.output
    with app.app_context():
        stat = db.session.execute(db.select(DossierStat)).scalar_one()
        assert (stat.period_kind, stat.year, stat.period_number) == ("quarter", 2024, 3)
        assert stat.received_online == 120 and stat.pending_overdue == 2
    template = runner.invoke(args=["records", "template"])
    assert run(runner, tmp_path, template.output.replace("UNIT-CODE", "U1").encode()
               ).exit_code == 0


def test_par_index_series_breaks(app, runner):
    for args in (["2015", "78.5"], ["2016", "80.1", "--method-break"], ["2017", "81.0",
                                                                         "--method-break"]):
        assert runner.invoke(args=["records", "par-index", *args]).exit_code == 0
    from survey.services.records.par_index import series

    with app.app_context():
        assert [(e["year"], e["segment"]) for e in series()] == [(2015, 0), (2016, 1),
                                                                  (2017, 2)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('rec') / 'rec.db'}")
    with app.app_context():
        db.create_all()
    keys = data.build(app)
    yield app, keys
    with app.app_context():
        db.engine.dispose()


def api(demo, url):
    app, keys = demo
    return app.test_client().get(url, headers={"Authorization": f"Bearer {keys['analyst']}"})


def test_records_api_rates_equal_hand_computation(demo):
    rows = api(demo, "/api/v1/records?by=year,service_area").json["rows"]
    with demo[0].app_context():
        raw = db.session.execute(text(
            "SELECT d.year, s.code, SUM(received_online + received_direct), SUM(carried_over),"
            " SUM(resolved_early + resolved_on_time), SUM(resolved_late),"
            " SUM(pending_within + pending_overdue), SUM(pending_overdue)"
            " FROM dossier_stat d JOIN service_area s ON s.id = d.service_area_id"
            " WHERE d.period_kind = 'year' GROUP BY d.year, s.code")).all()
    expected = {(y, a): rest for y, a, *rest in raw}
    assert {(r["year"], r["service_area"]) for r in rows} == set(expected)
    for row in rows:
        received, carried, in_time, late, pending, overdue = expected[
            (row["year"], row["service_area"])]
        assert row["on_time_rate"] == in_time / (in_time + late)
        assert row["late_rate"] == late / (in_time + late)
        assert row["resolved_share"] == (in_time + late) / (received + carried)
        assert row["overdue_share"] == overdue / pending


@pytest.mark.parametrize("complementary", [True, False])
def test_appendix_equals_independent_computation(demo, monkeypatch, complementary):
    """With complementary suppression off (primary only) most groups show, so their figures
    are checked; with it on, a year of this small demo hides them all beside the small ones,
    and each shows n only."""
    from survey.services.reporting import cache, suppression

    monkeypatch.setattr(suppression, "COMPLEMENTARY", complementary)
    cache.clear()
    answer = api(demo, "/api/v1/appendix?year=2025").json
    cache.clear()
    assert answer["rows"]
    with demo[0].app_context():
        raw = db.session.execute(text(
            "SELECT g.code, u.level, r.year, r.respondent_type, a.value_int"
            " FROM answer a JOIN response r ON r.id = a.response_id"
            " JOIN unit u ON u.id = r.unit_id JOIN procedure p ON p.id = r.procedure_id"
            " JOIN procedure_group g ON g.id = p.group_id"
            " WHERE a.item_code = 'overall_satisfaction' AND a.value_int IS NOT NULL")).all()
    admin = {"department": "province", "province": "province"}
    counts = Counter()
    for group, level, year, rtype, value in raw:
        key = (group, admin.get(level, level), year)
        counts[key + ("n",)] += 1
        counts[key + ("k",)] += value >= 4
        counts[key + (rtype, "n")] += 1
        counts[key + (rtype, "k")] += value >= 4
    shown = 0
    for row in answer["rows"]:
        key = (row["procedure_group"], row["level"], 2025)
        n, k = counts[key + ("n",)], counts[key + ("k",)]
        assert row["survey_n"] == n
        assert row["suppressed"] or n >= 30  # and more hide beside the small ones
        ni = counts[key + ("individual", "n")]
        if row["individual_share"] is not None:
            assert ni >= 30 and row["individual_share"] == pytest.approx(
                counts[key + ("individual", "k")] / ni)
        if row["suppressed"]:  # n only (docs/METHODOLOGY.md §6)
            assert (row["satisfied"], row["share"], row["ci_low"], row["delta"]) == (
                None, None, None, None)
            continue
        shown += 1
        assert row["satisfied"] == k and row["share"] == pytest.approx(k / n)
        before = (row["procedure_group"], row["level"], 2024)
        if row["delta"] is not None:
            assert counts[before + ("n",)] >= 30
            assert row["delta"] == pytest.approx(k / n - counts[before + ("k",)]
                                                 / counts[before + ("n",)])
    assert shown or complementary, "without complements some groups must show"
    indices = api(demo, "/api/v1/indices?by=procedure_group&from=2025&to=2025").json["rows"]
    by_group = Counter()
    for row in answer["rows"]:
        by_group[row["procedure_group"]] += row["survey_n"]
    for row in indices:
        if row["procedure_group"] is not None:
            assert by_group[row["procedure_group"]] == row["n"]


def test_records_pages_for_an_analyst_and_refusals(demo):
    from tests.conftest import csrf_from

    app = demo[0]
    client = app.test_client()
    assert client.get("/records/").status_code == 302  # to the login page
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "analyst1", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})
    page = client.get("/records/")
    assert page.status_code == 200 and "Số liệu giải quyết hồ sơ" in page.text
    assert "Nhập số liệu hồ sơ" not in page.text  # an analyst does not import
    appendix = client.get("/records/appendix?year=2025")
    assert appendix.status_code == 200
    rows = api(demo, "/api/v1/appendix?year=2025").json["rows"]
    assert all(row["name_vi"] in appendix.text for row in rows)
    token = csrf_from(page.text)
    refused = client.post("/records/par-index", data={"year": 2020, "score": 50,
                                                      "csrf_token": token})
    assert refused.status_code == 403


def test_on_time_versus_late_satisfaction_equals_chi_square(demo):
    from scipy import stats

    from survey.models import DossierToken, Response, Unit

    app = demo[0]
    with app.app_context():
        rating = db.session.execute(text(
            "SELECT r.id, r.unit_id, a.value_int FROM response r"
            " JOIN answer a ON a.response_id = r.id AND a.item_code = 'rating'"
            " WHERE a.value_int IS NOT NULL ORDER BY r.id LIMIT 300")).all()
        questionnaire_id = db.session.execute(text(
            "SELECT id FROM questionnaire WHERE code = 'dossier_rating'")).scalar()
        counts = Counter()
        for i, (response_id, unit_id, value) in enumerate(rating):
            # late dossiers are rated worse: make the difference real, then measure it
            status = "late" if (i % 4 == 0 and value == 1) or i % 9 == 0 else "on_time"
            db.session.add(DossierToken(
                token_hash=f"{i:064d}", dossier_code=f"D-{i}", unit_id=unit_id,
                questionnaire_id=questionnaire_id, response_id=response_id,
                used_at=db.session.get(Response, response_id).submitted_at,
                on_time_status=status))
            counts[(status, value >= 2)] += 1
        unit_id = db.session.execute(db.select(Unit.id)).scalars().first()
        db.session.add(DossierToken(token_hash="f" * 64, dossier_code="unused",
                                    unit_id=unit_id, questionnaire_id=questionnaire_id))
        db.session.commit()
    answer = api(demo, "/api/v1/records/on-time").json
    table = [[counts[("on_time", True)], counts[("on_time", False)]],
             [counts[("late", True)], counts[("late", False)]]]
    expected = stats.chi2_contingency(table, correction=False)
    assert answer["result"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    on_time_share = table[0][0] / sum(table[0])
    late_share = table[1][0] / sum(table[1])
    assert answer["result"]["difference"] == pytest.approx(on_time_share - late_share)
    assert answer["response_rate"] == {"issued": 301, "rated": 300, "rate": 300 / 301}


def test_procedure_catalogue_counts_and_admin_edit(demo):
    from survey.models import Procedure
    from survey.services.accounts import create_user
    from tests.conftest import csrf_from

    app = demo[0]
    with app.app_context():
        create_user("admin1", "mot-mat-khau-dai", "admin")
        db.session.commit()
        levels = Counter(db.session.execute(db.select(Procedure.level)).scalars())
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "admin1", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})
    page = client.get("/records/procedures")
    assert page.status_code == 200
    for level, n in levels.items():
        assert f"<tr><td>{level}</td><td>{n}</td></tr>" in page.text
    form = client.get("/records/procedures/1.000894")
    saved = client.post("/records/procedures/1.000894", data={
        "csrf_token": csrf_from(form.text), "name_vi": "Đăng ký kết hôn (sửa)",
        "name_en": "Marriage", "level": "commune", "group": "marriage_registration"})
    assert saved.status_code == 302
    wrong = client.post("/records/procedures/1.000894", data={
        "csrf_token": csrf_from(form.text), "name_vi": "X", "name_en": "", "level": "commune",
        "group": "land_registration"})
    assert wrong.status_code == 200 and "another service area" in wrong.text
    with app.app_context():
        procedure = db.session.execute(
            db.select(Procedure).filter_by(code="1.000894")).scalar_one()
        assert procedure.name_vi == "Đăng ký kết hôn (sửa)"


def test_the_records_page_import_words_its_problems_in_the_users_language(demo):
    """The analysts' page (admin, data entry) names each problem by row and column in
    Vietnamese on a Vietnamese page, as the data-entry page does; nothing is imported."""
    from survey.services.accounts import create_user
    from tests.conftest import csrf_from

    app = demo[0]
    with app.app_context():
        create_user("admin_records", "mot-mat-khau-dai", "admin")
        db.session.commit()
    before = stat_count(app)
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "admin_records",
                                     "password": "mot-mat-khau-dai", "csrf_token": token})
    token = csrf_from(client.get("/records/").text)
    bad = csv_of(["2024", "NOPE", *GOOD[2:]])
    answer = client.post("/records/import", data={
        "csrf_token": token, "file": (io.BytesIO(bad), "thong-ke.csv")},
        content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "không có đơn vị" in answer.text and "unknown unit" not in answer.text
    assert "thong-ke.csv" in answer.text
    assert stat_count(app) == before
