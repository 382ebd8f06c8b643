"""`hailong report council --format docx|pdf|xlsx`: the same files as the dashboard's."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from survey.services.periods import last_complete_year
from tests.dashboard.report_readers import Docx, Pdf


@pytest.mark.parametrize("kind", ["docx", "pdf", "xlsx"])
def test_the_cli_writes_the_council_report(demo, tmp_path, kind):
    app, _ = demo
    out = tmp_path / f"r.{kind}"
    result = app.test_cli_runner().invoke(args=[
        "report", "council", "--format", kind, "--year", "2024", "--service-area", "land",
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    if kind == "docx":
        doc = Docx(out.read_bytes())
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.text and "năm 2024" in doc.text
    elif kind == "pdf":
        assert "BÁO CÁO" in Pdf(out.read_bytes()).text
    else:
        head = next(load_workbook(out).worksheets[1].iter_rows(values_only=True))
        assert "Tỷ lệ hài lòng" in head


def test_the_cli_names_the_file_and_refuses_bad_input(demo, tmp_path, monkeypatch):
    app, _ = demo
    runner = app.test_cli_runner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["report", "council", "--format", "docx", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"council-report-{last_complete_year()}.docx").exists()
    assert runner.invoke(args=["report", "council"]).exit_code == 2  # no --format
    bad = runner.invoke(args=["report", "council", "--format", "pdf", "--level", "nope"])
    assert bad.exit_code == 2 and "--level" in bad.output
    assert runner.invoke(args=["report", "indices"]).exit_code == 2  # --json still needed
    assert runner.invoke(args=["report", "council", "--format", "pdf", "--year", "99999"]
                         ).exit_code == 2
