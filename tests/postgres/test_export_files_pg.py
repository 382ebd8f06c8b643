"""The .sav and .xlsx on PostgreSQL (its driver returns datetimes and UUID objects, SQLite
texts): read back with pyreadstat and openpyxl, equal to the database read with plain SQL."""

from __future__ import annotations

from datetime import timedelta

import pyreadstat
import pytest
from openpyxl import load_workbook

from survey.services import exports
from survey.services.reporting import Scope
from tests.survey import export_data as data

pytestmark = pytest.mark.postgres


def test_sav_and_xlsx_on_postgres(pg_ctx, tmp_path):
    data.build()
    expected = data.stored()
    for fmt in ("sav", "xlsx"):
        table = exports.export_table(Scope(stream="survey"), chunk=5)
        exports.write(fmt, table.columns, table.rows, tmp_path / f"out.{fmt}", "vi",
                      table.about)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "out.sav"), user_missing=True)
    assert len(frame) == len(expected) == 12
    assert meta.original_variable_types["submitted_at"].startswith("DATETIME")
    assert meta.original_variable_types["a1_seating"] == "F2.0"
    for row in frame.to_dict("records"):
        answers = expected[row["response_id"].replace("-", "")]
        assert abs(row["submitted_at"] - answers["submitted_at"]) <= timedelta(microseconds=2)
        _, value = answers["a1_seating"]
        assert row["a1_seating"] == value  # the rating or its user-missing code
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    lines = list(sheet.iter_rows())
    at = [c.value for c in lines[0]].index("a1_seating")
    for line in lines[1:]:
        answers = expected[line[0].value.replace("-", "")]
        assert line[at].data_type == "n" and line[at].value == answers["a1_seating"][1]
