"""Exports read back (csv, openpyxl, pyreadstat) and compared with the database."""

from __future__ import annotations

import csv
import io
import json

import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from survey.extensions import db
from tests.dashboard.conftest import login

RAW = text("""
SELECT r.uuid, u.code AS unit, q.code AS questionnaire, a.item_code, a.value_int, a.value_text,
       a.missing_code
FROM answer a JOIN response r ON r.id = a.response_id JOIN unit u ON u.id = r.unit_id
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
WHERE q.kind = :kind
""")
WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}
WORD_CODE = {w: c for c, w in WORDS.items()}
PAYLOAD = '=HYPERLINK("http://evil.example","click")'


def database(app, kind="survey", unit_prefix="") -> dict[str, dict[str, object]]:
    """response uuid -> {item: value as the export writes it}, from plain SQL."""
    out: dict[str, dict] = {}
    with app.app_context():
        for uuid, unit, _q, item, value_int, value_text, missing in db.session.execute(
                RAW, {"kind": kind}):
            if not unit.startswith(unit_prefix):
                continue
            value = WORDS[missing] if missing else value_int if value_int is not None \
                else value_text
            out.setdefault(_norm(str(uuid)), {})[item] = value
    return out


@pytest.fixture(scope="module")
def injected(demo):
    """One comment carries a formula payload."""
    app, _ = demo
    with app.app_context():
        db.session.execute(text(
            "UPDATE answer SET value_text = :p WHERE rowid = (SELECT min(rowid) FROM answer "
            "WHERE item_code = 'comments' AND value_text IS NOT NULL)"), {"p": PAYLOAD})
        db.session.commit()
    return app


def run_export(app, tmp_path, fmt, *args):
    out = tmp_path / f"out.{fmt}"
    result = app.test_cli_runner().invoke(args=["export", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def _norm(uuid: str) -> str:
    return uuid.replace("-", "")


def _compare(rows: list[dict], expected: dict, numeric=False):
    assert {_norm(r["response_id"]) for r in rows} == {_norm(u) for u in expected}
    by_id = {_norm(u): v for u, v in expected.items()}
    for row in rows:
        answers = by_id[_norm(row["response_id"])]
        for item, value in answers.items():
            got = row[item]
            if isinstance(value, str) and value.startswith("="):
                assert got == "'" + value  # neutralised
            elif numeric and value in WORD_CODE and isinstance(got, int):
                assert got == WORD_CODE[value]  # a rating's no-answer, as its number
            elif numeric and isinstance(value, int):
                assert got == pytest.approx(value)
            else:
                assert str(got) == str(value), (item, got, value)


def test_csv_has_bom_the_import_layout_and_the_database_values(injected, tmp_path):
    out = run_export(injected, tmp_path, "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0])[:6] == ["response_id", "questionnaire", "version", "unit", "channel",
                                 "submitted_at"]
    _compare(rows, database(injected))
    assert any(r["comments"] == "'" + PAYLOAD for r in rows)


def test_xlsx_reads_back_and_the_formula_is_inert(injected, tmp_path):
    out = run_export(injected, tmp_path, "xlsx")
    book = load_workbook(out, read_only=True)
    lines = list(book.worksheets[0].iter_rows(values_only=True))
    header = lines[0]
    # read-only mode drops empty cells at the end of a row
    rows = [dict(zip(header, [*line, *[None] * (len(header) - len(line))], strict=True))
            for line in lines[1:]]
    _compare(rows, database(injected), numeric=True)
    cells = [c for line in lines for c in line if isinstance(c, str) and "HYPERLINK" in c]
    assert cells == ["'" + PAYLOAD]
    assert book.sheetnames == ["Phiếu trả lời", "Từ điển biến", "Phương pháp"]


def test_sav_has_labels_value_labels_and_user_missing(injected, tmp_path):
    out = run_export(injected, tmp_path, "sav", "--unit", "ST-H01")
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    expected = database(injected, unit_prefix="ST-H01")
    assert len(frame) == len(expected)
    assert meta.column_names_to_labels["sex"] == "Giới tính"
    assert meta.variable_value_labels["a1_seating"][4.0] == "Hài lòng"
    assert meta.variable_value_labels["a1_seating"][98.0] == "Không biết"
    assert meta.variable_value_labels["sex"][2.0] == "Nữ"  # numeric: male 1, female 2...
    for row in frame.to_dict("records"):
        answers = expected[_norm(row["response_id"])]
        for item, value in answers.items():
            if item in meta.variable_value_labels and meta.readstat_variable_types[
                    item] == "double" and isinstance(value, str) and value not in WORD_CODE:
                assert row[item] in meta.variable_value_labels[item]  # a labelled choice
            elif isinstance(value, int):
                assert row[item] == value
            elif value in WORDS.values():
                code = {w: c for c, w in WORDS.items()}[value]
                # number items move their no-answer codes below zero (their range may hold 97)
                assert row[item] in (code, -code, str(code))
            else:
                assert row[item] == value


def test_json_and_codebook(injected, tmp_path):
    out = run_export(injected, tmp_path, "json", "--stream", "dossier_rating", "--codebook",
                     str(tmp_path / "cb.csv"))
    records = json.loads(out.read_text(encoding="utf-8"))
    expected = database(injected, kind="dossier_rating")
    assert {_norm(r["response_id"]) for r in records} == {_norm(u) for u in expected}
    for record in records[:200]:
        assert record["answers"] == expected[_norm(record["response_id"])]
    codebook = list(csv.reader(io.StringIO((tmp_path / "cb.csv").read_text("utf-8-sig"))))
    rating = next(line for line in codebook if line[0] == "rating")
    assert "2=Hài lòng" in rating[5]


def test_exported_csv_imports_back_unchanged(injected, tmp_path):
    from survey.services.paper_import import import_file

    first = run_export(injected, tmp_path, "csv", "--unit", "ST-H02-X01")
    with injected.app_context():
        ids = text("SELECT id FROM response WHERE unit_id = (SELECT id FROM unit WHERE code = "
                   "'ST-H02-X01') AND version_id IN (SELECT qv.id FROM questionnaire_version qv "
                   "JOIN questionnaire q ON q.id = qv.questionnaire_id WHERE q.kind='survey')")
        gone = [r[0] for r in db.session.execute(ids)]
        assert gone
        for rid in gone:
            db.session.execute(text("DELETE FROM answer WHERE response_id = :r"), {"r": rid})
            db.session.execute(text("DELETE FROM response WHERE id = :r"), {"r": rid})
        db.session.commit()
        result = import_file(first)
        db.session.commit()
    assert result.imported == len(gone)
    again = tmp_path / "again.csv"
    again.write_bytes(run_export(injected, tmp_path, "csv", "--unit", "ST-H02-X01").read_bytes())
    before = sorted(first.read_text("utf-8-sig").splitlines()[1:])
    # the formula payload is stored back as it was, and exported guarded again
    assert sorted(again.read_text("utf-8-sig").splitlines()[1:]) == before
    with injected.app_context():
        assert db.session.execute(text("SELECT count(*) FROM answer WHERE value_text = :p"),
                                  {"p": PAYLOAD}).scalar() == 1


def test_dashboard_export_is_bounded_to_the_officers_unit(demo):
    app, _ = demo
    officer = login(app, "officer1")
    answer = officer.get("/dashboard/export/responses.csv")
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows and {r["unit"] for r in rows} <= {"ST-H01", "ST-H01-X01", "ST-H01-X02",
                                                   "ST-H01-X03"}
    assert len(rows) == len(database(app, unit_prefix="ST-H01"))
    sav = officer.get("/dashboard/export/responses.sav?unit=ST-TP")
    assert sav.status_code == 200 and sav.data[:4] == b"$FL2"
    sav.close()  # the file is sent from an open, already unlinked handle
    assert officer.get("/dashboard/unit/ST-TP").status_code == 403


def test_downloads_are_named_by_stream(demo):
    """Both streams no longer download under one name; each file says which it holds."""
    app, _ = demo
    analyst = login(app)
    with app.app_context():
        counts = dict(db.session.execute(text(
            "SELECT q.kind, count(*) FROM response r JOIN questionnaire_version qv "
            "ON qv.id = r.version_id JOIN questionnaire q ON q.id = qv.questionnaire_id "
            "WHERE r.year = 2025 AND r.quarantine_id IS NULL GROUP BY q.kind")).all())
    for stream, slug in (("survey", "survey"), ("dossier_rating", "dossier-ratings")):
        answer = analyst.get(f"/dashboard/export/responses.csv?stream={stream}&from=2025&to=2025")
        assert answer.status_code == 200
        assert answer.headers["Content-Disposition"] == \
            f'attachment; filename="hailong-{slug}-2025.csv"'
        assert answer.headers["X-Hailong-Stream"] == stream
        rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
        assert len(rows) == counts[stream]
        book = analyst.get(f"/dashboard/export/responses.xlsx?stream={stream}&from=2025&to=2025")
        assert book.headers["Content-Disposition"].replace('"', "") == \
            f"attachment; filename=hailong-{slug}-2025.xlsx"
        assert book.headers["X-Hailong-Stream"] == stream
        book.close()
        codebook = analyst.get(f"/dashboard/export/codebook.csv?stream={stream}&from=2025&to=2025")
        assert codebook.headers["Content-Disposition"] == \
            f'attachment; filename="hailong-{slug}-2025-codebook.csv"'
        assert codebook.data.startswith("\ufeffvariable,".encode())
