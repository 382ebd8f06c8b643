"""The cross-tabulation in the two views (#19, METHODOLOGY §10), on the generated history
across a merge, a split and a move (tests/lineage/history.py): the expected tables are counted
here from the raw answers with plain SQL and the test's own shares (E1 holds 3/4 of E's
answers, never all of them; as recorded D2 holds F only before it moved up)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.services.reporting import Scope
from tests.lineage import reattributed as lr

PAIRS = text("""
SELECT u.code AS unit, r.year, r.month,
       COALESCE(x.value_text, CAST(x.value_int AS TEXT)) AS row_value,
       COALESCE(y.value_text, CAST(y.value_int AS TEXT)) AS column_value
FROM response r
JOIN unit u ON u.id = r.unit_id
JOIN answer x ON x.response_id = r.id AND x.item_code = :row AND x.missing_code IS NULL
JOIN answer y ON y.response_id = r.id AND y.item_code = :column AND y.missing_code IS NULL
WHERE r.quarantine_id IS NULL
""")
BY_YEAR = text("""
SELECT u.code AS unit, r.year, r.month,
       COALESCE(x.value_text, CAST(x.value_int AS TEXT)) AS row_value,
       CAST(r.year AS TEXT) AS column_value
FROM response r
JOIN unit u ON u.id = r.unit_id
JOIN answer x ON x.response_id = r.id AND x.item_code = :row AND x.missing_code IS NULL
WHERE r.quarantine_id IS NULL
""")

@pytest.fixture(scope="module")
def reformed(tmp_path_factory):
    app = lr.build(tmp_path_factory.mktemp("crosstab") / "crosstab.db")
    yield app
    with app.app_context():
        db.engine.dispose()


# --- cross-tabulation -------------------------------------------------------------------------


def _expected_table(rows, keep, view) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        sums[(r["row_value"], r["column_value"])] += lr.weight(r["unit"], r["year"], r["month"],
                                                              keep, view)
    return {key: int(np.rint(n)) for key, n in sums.items() if np.rint(n) > 0}


def _table_of(report) -> dict[tuple[str, str], int]:
    """The shown cells (a hidden column shows its total only)."""
    counts = report["result"]["counts"]
    return {(row, column): counts[i][j] for i, row in enumerate(report["rows"])
            for j, column in enumerate(report["columns"]) if counts[i][j]}


CROSSTABS = [
    # (scope, row, column, keep, view, estimated columns)
    (Scope(unit="RP-E1"), "sex", "year", lr.in_e1, "today", ["2023", "2024", "2025"]),
    (Scope(unit="RP-AB"), "overall_satisfaction", "year", lr.in_ab, "today", []),
    (Scope(unit="RP-E1", year_to=2024), "age_band", "land_unofficial_asked",
     lambda name, year, _: name == "E1" and year <= 2024, "today",
     ["0", "1"]),
    (Scope(unit="RP-D2", view="recorded"), "sex", "year", lr.in_d2_as_recorded, "recorded", []),
]


@pytest.mark.parametrize("case", CROSSTABS, ids=range(len(CROSSTABS)))
def test_crosstab_follows_the_lineage(reformed, case):
    from survey.services.reporting.crosstab import crosstab_report

    scope, row, column, keep, view, estimated = case
    with reformed.app_context():
        report = crosstab_report(scope, row, column)
        query = BY_YEAR if column == "year" else PAIRS
        raw = db.session.execute(query, {"row": row, "column": column}).mappings().all()
    expected = _expected_table(raw, keep, view)
    hidden = set(report["suppressed_columns"])
    assert len(hidden) < len(report["columns"]) / 2  # the comparison compares cells
    assert _table_of(report) == {k: n for k, n in expected.items() if k[1] not in hidden}
    totals = defaultdict(int)
    for (_, c), n in expected.items():
        totals[c] += n
    assert report["result"]["col_totals"] == [totals[c] for c in report["columns"]]
    assert report["estimated_columns"] == [c for c in report["columns"] if c in estimated]
    assert report["estimated"] is bool(estimated)
    assert report["method"]["view"] == view


def test_crosstab_of_a_split_unit_differs_from_counting_it_whole(reformed):
    """The check above can fail: E counted whole in E1 would give other totals."""
    from survey.services.reporting.crosstab import crosstab_report

    with reformed.app_context():
        report = crosstab_report(Scope(unit="RP-E1"), "sex", "year")
        raw = db.session.execute(BY_YEAR, {"row": "sex", "column": "year"}).mappings().all()
    whole = _expected_table(raw, lambda name, *_: name in ("E", "E1"), "recorded")
    assert _table_of(report) != whole
    e_2024 = sum(n for (_, c), n in whole.items() if c == "2024")
    shown = report["result"]["col_totals"][report["columns"].index("2024")]
    assert shown == pytest.approx(0.75 * e_2024, abs=3)


def test_the_crosstab_page_marks_the_estimated_columns(reformed):
    from survey.services.accounts import create_user
    from tests.design.helpers import PASSWORD, login

    with reformed.app_context():
        create_user("analyst", PASSWORD, "analyst")
        db.session.commit()
    client = reformed.test_client()
    login(client, "analyst")
    page = client.get("/dashboard/crosstab?row=sex&column=year&unit=RP-E1&lang=vi")
    assert page.status_code == 200
    assert page.text.count('class="estimated"') == 3  # 2023, 2024, 2025: E's share
    assert 'data-view="today"' in page.text
    merged = client.get("/dashboard/crosstab?row=sex&column=year&unit=RP-AB")
    assert merged.status_code == 200 and 'class="estimated"' not in merged.text
