"""hailong import-responses: CSV and XLSX, all or nothing, never twice."""

from __future__ import annotations

import uuid

import pytest
from openpyxl import Workbook

from survey.extensions import db
from survey.models import Answer, Response

HEADER = ["response_id", "questionnaire", "version", "unit", "channel", "submitted_at",
          "rating", "reason", "comment"]


def rows(*answers):
    return [[str(uuid.uuid4()), "dossier_rating", "1", "HN-X01", "paper",
             "2025-05-02T09:30:00+07:00", *a] for a in answers]


def write_csv(path, lines):
    text = "\n".join(",".join(f'"{c}"' for c in line) for line in [HEADER, *lines])
    path.write_text("\ufeff" + text + "\n", encoding="utf-8")
    return path


def responses(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()


def test_a_csv_imports_once(app, runner, world, tmp_path):
    file = write_csv(tmp_path / "phieu.csv", rows(["3", "", ""], ["1", "long_wait", "Chờ lâu"],
                                                 ["2", "", ""]))
    first = runner.invoke(args=["import-responses", str(file)])
    assert first.exit_code == 0, first.output
    assert "3 response(s) imported" in first.output
    again = runner.invoke(args=["import-responses", str(file)])
    assert again.exit_code == 0 and "0 response(s) imported, 3 already present" in again.output
    assert responses(app) == 3
    with app.app_context():
        assert db.session.execute(db.select(Answer.value_text).filter_by(
            item_code="comment")).scalar_one() == "Chờ lâu"
        months = set(db.session.execute(db.select(Response.month)).scalars())
        assert months == {5} and set(db.session.execute(
            db.select(Response.channel)).scalars()) == {"paper"}


def test_a_file_with_any_error_imports_nothing_and_says_where(app, runner, world, tmp_path):
    lines = rows(["3", "", ""], ["7", "", ""], ["2", "long_wait", ""])
    lines[2][3] = "NOWHERE"
    file = write_csv(tmp_path / "sai.csv", lines)
    result = runner.invoke(args=["import-responses", str(file)])
    assert result.exit_code != 0
    assert "row 3, column rating" in result.output
    assert "row 4, column unit" in result.output and "row 4, column reason" in result.output
    assert responses(app) == 0


def test_an_xlsx_imports_with_numbers_as_excel_stores_them(app, runner, world, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for line in rows([2, "", ""], [1, "other", "Nhân viên chưa nhiệt tình"]):
        line[2] = 1.0  # Excel gives floats
        sheet.append(line)
    file = tmp_path / "phieu.xlsx"
    book.save(file)
    result = runner.invoke(args=["import-responses", str(file)])
    assert result.exit_code == 0, result.output
    assert responses(app) == 2


def test_a_missing_column_is_reported(app, runner, world, tmp_path):
    file = tmp_path / "thieu.csv"
    file.write_text("response_id,questionnaire,rating\n", encoding="utf-8")
    result = runner.invoke(args=["import-responses", str(file)])
    assert result.exit_code != 0 and "column unit: missing column" in result.output


def test_a_large_file_is_stored_in_batches_with_exact_counts(app, runner, world, tmp_path,
                                                              monkeypatch):
    """Several insert batches and count groups: the same answers and counts as one by one."""
    from survey.services import aggregates, paper_import

    monkeypatch.setattr(paper_import, "BATCH", 2)
    monkeypatch.setattr(paper_import, "COUNT_BATCH", 3)
    lines = rows(*(["3", "", ""], ["1", "long_wait", "Chờ lâu"], ["2", "", ""]) * 2,
                 ["1", "other", "Tốt"])
    result = runner.invoke(args=["import-responses", str(write_csv(tmp_path / "lo.csv", lines))])
    assert result.exit_code == 0, result.output
    assert "7 response(s) imported" in result.output
    with app.app_context():
        assert aggregates.differences() == []
        stored = db.session.execute(db.select(Response.uuid, Answer.value_int, Answer.missing_code)
                                    .join(Answer).filter(Answer.item_code == "rating")).all()
        assert sorted((str(u), v, m) for u, v, m in stored) == sorted(
            (line[0], int(line[6]), None) for line in lines)


def test_a_late_problem_undoes_the_groups_already_stored(app, world, tmp_path, monkeypatch):
    """Groups are stored as the check goes on; a bad row after them takes them all back, even
    when the caller commits afterwards."""
    from survey.services import paper_import
    from survey.services.imports import ImportRejected

    monkeypatch.setattr(paper_import, "COUNT_BATCH", 2)
    lines = rows(["3", "", ""], ["2", "", ""], ["3", "", ""], ["2", "", ""], ["9", "", ""])
    file = write_csv(tmp_path / "late.csv", lines)
    with app.app_context():
        with pytest.raises(ImportRejected) as rejected:
            paper_import.import_file(file)
        db.session.commit()
    assert [str(p) for p in rejected.value.problems] == [
        "row 6, column rating: The answer must be between 1 and 3."]
    assert responses(app) == 0


def test_the_batch_import_stores_what_the_api_stores(app, world, land, tmp_path, monkeypatch):
    """The same forms, imported in several groups and insert batches, or sent one by one to
    the API: the same responses, answers and roll-up counts."""
    from survey.services import paper_import
    from survey.services.paper_import import import_file
    from tests.collect.conftest import make_world
    from tests.collect.storing import as_submission, dump, paper_csv, paper_forms
    from tests.conftest import sqlite_app

    monkeypatch.setattr(paper_import, "BATCH", 2)
    monkeypatch.setattr(paper_import, "COUNT_BATCH", 4)
    forms = paper_forms(world, land, 11)
    with app.app_context():
        result = import_file(paper_csv(tmp_path / "forms.csv", forms))
        db.session.commit()
    assert (result.imported, result.already_present) == (11, 0)
    with sqlite_app(tmp_path / "reference.db") as reference:
        clerk = make_world(reference).data_entry  # paper comes only through data entry
        client = reference.test_client()
        for form in forms:
            reply = client.post("/api/v1/responses", json=as_submission(form), headers=clerk)
            assert reply.status_code == 201, reply.json
        imported, expected = dump(app), dump(reference)
    assert imported == expected
    assert imported["differences"] == [] and len(imported["answers"]) > 11 * 3


@pytest.mark.parametrize("bad", [0, 5, 10])
def test_a_bad_row_anywhere_imports_nothing_and_is_named(app, world, land, tmp_path, monkeypatch,
                                                         bad):
    from survey.services import aggregates, paper_import
    from survey.services.imports import ImportRejected
    from tests.collect.storing import paper_csv, paper_forms

    monkeypatch.setattr(paper_import, "BATCH", 2)
    monkeypatch.setattr(paper_import, "COUNT_BATCH", 3)  # groups stored before the bad row
    forms = paper_forms(world, land, 11)
    forms[bad]["unit"] = "NO-SUCH-UNIT"
    with app.app_context():
        with pytest.raises(ImportRejected) as rejected:
            paper_import.import_file(paper_csv(tmp_path / "bad.csv", forms))
        db.session.commit()  # whatever the caller does next, nothing of the file is kept
        assert [str(p) for p in rejected.value.problems] == [
            f"row {bad + 2}, column unit: unknown unit 'NO-SUCH-UNIT'"]
        assert aggregates.differences() == []
        for family in aggregates.FAMILIES:
            for model in family.rollups:
                assert db.session.execute(db.select(db.func.count()).select_from(model)
                                          ).scalar() == 0
    assert responses(app) == 0


def test_the_csv_reader_reads_what_a_dict_reader_reads():
    """Short rows, long rows, blank lines, quoted line breaks, a byte-order mark, padding."""
    import csv
    import io

    from survey.services.imports import read_csv_rows

    text = ("\ufeff a , b ,c\r\n1, 2 ,3\r\n\r\n4,5\r\n6,7,8,9\r\n\"x\ny\",\" q \",\r\n,,\r\n"
            "10,\"a,b\",\"c \"\"d\"\"\"\r\n")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    reader.fieldnames = [h.strip() for h in reader.fieldnames]
    expected = []
    for row in reader:
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if any(clean.values()):
            expected.append((reader.line_num, clean))
    assert read_csv_rows(text, "t.csv", ("a", "b")) == expected
    assert len(expected) == 5
