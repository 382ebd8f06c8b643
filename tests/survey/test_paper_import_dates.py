"""Dates on paper rows: day first as Vietnamese forms write them, or ISO 8601; the CLI and
the web read them with the same service."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from survey.services.paper_dates import DateProblem, DateReader
from tests.collect.conftest import world  # noqa: F401 - a fixture


@pytest.mark.parametrize(("text", "iso"), [
    ("05/11/2026", "2026-11-05T00:00:00"),
    ("5/1/2026", "2026-01-05T00:00:00"),
    ("29/02/2024 14:30", "2024-02-29T14:30:00"),
    ("31.12.2025 08:05:09", "2025-12-31T08:05:09"),
    ("2026-11-05T09:30:00+07:00", "2026-11-05T09:30:00+07:00"),  # ISO passes through
    ("", ""),
])
def test_day_first_and_iso_dates_are_read(text, iso):
    assert DateReader().read(text) == iso
    # checked independently: day first is strptime's %d/%m/%Y
    if "/" in text and " " not in text:
        assert datetime.strptime(text, "%d/%m/%Y").isoformat() == iso


@pytest.mark.parametrize(("text", "code", "vietnamese"), [
    ("29/02/2025", "impossible", "tháng 2 năm 2025 không có ngày 29"),
    ("05/13/2026", "impossible", "không có tháng 13"),
    ("05/11/26", "two_digit_year", "năm hai chữ số không rõ ràng"),
    ("25/12/2026 25:00", "impossible", "giờ không hợp lệ"),
    ("Nov 5 2026", "format", "không phải ngày"),
])
def test_impossible_or_ambiguous_dates_are_refused_in_both_languages(text, code, vietnamese):
    with pytest.raises(DateProblem) as raised:
        DateReader().read(text)
    assert raised.value.code == code
    assert vietnamese in raised.value.message("vi")
    assert repr(text) in raised.value.message("en")


def test_a_file_that_writes_a_month_first_makes_its_other_slash_dates_ambiguous():
    reader = DateReader()
    for row, text in ((2, "11/05/2026"), (3, "12/25/2026")):
        reader.notice(row, text)
    with pytest.raises(DateProblem) as raised:
        reader.read("11/05/2026")
    assert raised.value.code == "month_first" and "row 3" in raised.value.message("en")
    assert "dòng 3" in raised.value.message("vi")
    assert reader.read("13/05/2026") == "2026-05-13T00:00:00"  # only day first fits


def test_the_cli_accepts_day_first_dates(app, runner, world, tmp_path):  # noqa: F811
    header = "response_id,questionnaire,version,unit,channel,submitted_at,rating,reason,comment"
    lines = [f"{uuid.uuid4()},dossier_rating,1,HN-X01,paper,05/11/2025,3,,",
             f"{uuid.uuid4()},dossier_rating,1,HN-X01,paper,06/11/2025 10:15,2,,"]
    file = tmp_path / "phieu.csv"
    file.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-responses", str(file)])
    assert result.exit_code == 0, result.output
    assert "2 response(s) imported" in result.output
    from survey.extensions import db
    from survey.models import Response
    from survey.services.periods import LOCAL_TZ

    with app.app_context():
        times = sorted(r.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") for r in
                       db.session.execute(db.select(Response.submitted_at)).scalars())
    assert times == ["05/11/2025 00:00", "06/11/2025 10:15"]


def test_the_cli_names_an_impossible_date_and_imports_nothing(app, runner, world,  # noqa: F811
                                                                tmp_path):
    header = "response_id,questionnaire,version,unit,channel,submitted_at,rating,reason,comment"
    lines = [f"{uuid.uuid4()},dossier_rating,1,HN-X01,paper,05/11/2025,3,,",
             f"{uuid.uuid4()},dossier_rating,1,HN-X01,paper,31/11/2025,2,,"]
    file = tmp_path / "phieu.csv"
    file.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-responses", str(file)])
    assert result.exit_code != 0
    assert "row 3, column submitted_at: '31/11/2025' is not a date" in result.output
    assert "month 11 of 2025 has no day 31" in result.output
