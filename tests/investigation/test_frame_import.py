"""Frame import: rows checked and named by file/row/column, all or nothing, re-import replaces."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import Workbook

from survey.extensions import db
from survey.models import FrameDossier, Unit
from survey.services.imports import ImportRejected
from survey.services.investigation import frame_import
from survey.services.investigation.frame_import import import_frame
from tests.investigation.helpers import HEADER, csv_bytes, frame, new_investigation


def _codes(inv) -> list[str]:
    return list(db.session.execute(
        db.select(FrameDossier.dossier_code).filter_by(investigation_id=inv.id)
        .order_by(FrameDossier.line)).scalars())


def test_a_frame_is_stored_in_file_order_with_its_strata(ctx):
    inv = new_investigation()
    rows = frame(300)
    result = import_frame(inv, csv_bytes(rows), "frame.csv")
    db.session.commit()
    assert result.rows == 300 and result.contacts == 0 and result.replaced == 0
    assert _codes(inv) == [r["dossier_code"] for r in rows]
    # the stratum is unit × service area by default, the PSU the commune
    area = {"LAND-01": "land", "MAR-01": "marriage"}
    expected = Counter(f"{r['unit']}|{area[r['procedure']]}" for r in rows)
    stored = Counter(db.session.execute(
        db.select(FrameDossier.stratum_key).filter_by(investigation_id=inv.id)).scalars())
    assert stored == expected and result.strata == len(expected)
    first = db.session.execute(db.select(FrameDossier).filter_by(line=2)).scalar_one()
    assert first.psu_key == rows[0]["commune"]
    day, month = (int(x) for x in rows[0]["resolved_on"].split("/")[:2])
    assert first.resolved_on == date(2025, month, day)  # day first, as Vietnamese forms write
    assert first.applicant_type in ("individual", "organisation")
    assert inv.frame_rows == 300 and inv.frame_file == "frame.csv"


def test_an_xlsx_frame_reads_like_the_csv(ctx):
    inv = new_investigation()
    rows = frame(50)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append([r.get(h, "") for h in HEADER])
    sheet.cell(row=2, column=5).value = None
    sheet.cell(row=2, column=5).value = __import__("datetime").datetime(2025, 3, 4)
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_frame(inv, buffer.getvalue(), "frame.xlsx")
    assert result.rows == 50
    assert _codes(inv) == [r["dossier_code"] for r in rows]
    first = db.session.execute(db.select(FrameDossier).filter_by(line=2)).scalar_one()
    assert first.resolved_on == date(2025, 3, 4)


BAD = [  # (column, value, English problem, Vietnamese problem)
    ("unit", "NOPE", "unknown unit 'NOPE'", "không có đơn vị 'NOPE'"),
    ("resolved_on", "31/02/2025", "'31/02/2025' is not a date", "'31/02/2025' không phải ngày"),
    ("resolved_on", "2024-12-31", "resolved on 2024-12-31, outside the period 2025-01-01 to "
                                  "2025-12-31", "giải quyết ngày 2024-12-31, ngoài kỳ"),
    ("applicant_type", "robot", "'robot' is not an applicant type",
     "'robot' không phải loại người nộp"),
    ("procedure", "", "required", "bắt buộc phải có"),
    ("commune", "D1", "unknown commune 'D1'", "không có xã 'D1'"),
    ("service_area", "construction", "procedure 'LAND-01' is in service area 'land', not "
                                     "'construction'", "thủ tục 'LAND-01' thuộc lĩnh vực 'land'"),
]


@pytest.mark.parametrize(("column", "value", "english", "vietnamese"), BAD)
def test_a_bad_row_is_named_by_file_row_and_column_and_nothing_is_stored(
        ctx, column, value, english, vietnamese):
    inv = new_investigation()
    rows = frame(40)
    rows[6]["procedure"] = "LAND-01"
    rows[6]["unit"] = "D1"
    rows[6][column] = value
    for lang, message in (("en", english), ("vi", vietnamese)):
        with pytest.raises(ImportRejected) as caught:
            import_frame(inv, csv_bytes(rows), "frame.csv", lang=lang)
        db.session.rollback()
        assert caught.value.source == "frame.csv"
        [problem] = caught.value.problems
        assert (problem.row, problem.column) == (8, column)  # header is row 1
        assert problem.message.startswith(message)
        assert f"frame.csv: row 8, column {column}: " in str(caught.value)
        assert _codes(inv) == []


def test_every_problem_is_listed_a_repeat_names_the_first_row(ctx):
    inv = new_investigation()
    rows = frame(10)
    rows[5]["dossier_code"] = rows[1]["dossier_code"]
    rows[8]["procedure"] = "NEW-99"  # not in the catalogue and no service_area given
    rows[9]["applicant_type"] = ""
    with pytest.raises(ImportRejected) as caught:
        import_frame(inv, csv_bytes(rows), "f.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (7, "dossier_code"), (10, "service_area"), (11, "applicant_type")]
    assert caught.value.problems[0].message == f"dossier {rows[1]['dossier_code']!r} repeats row 3"
    rows[8]["service_area"] = "land"  # a procedure outside the catalogue, its area given: fine
    rows[5]["dossier_code"] = "HS-NEW"
    rows[9]["applicant_type"] = "tổ chức"
    db.session.rollback()
    assert import_frame(inv, csv_bytes(rows), "f.csv").rows == 10


def test_a_missing_column_an_empty_file_and_a_bad_encoding_are_refused(ctx):
    inv = new_investigation()
    with pytest.raises(ImportRejected) as caught:
        import_frame(inv, csv_bytes(frame(3), HEADER[:3]), "f.csv", lang="vi")
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (1, "applicant_type"), (1, "resolved_on")]
    assert caught.value.problems[0].message == "thiếu cột này ở dòng tiêu đề"
    with pytest.raises(ImportRejected, match="no data rows"):
        import_frame(inv, csv_bytes([]), "f.csv")
    with pytest.raises(ImportRejected, match="not UTF-8"):
        import_frame(inv, csv_bytes(frame(3)).replace(b"HS-", b"\xff\xfe-"), "f.csv")
    with pytest.raises(ImportRejected, match=r"\.csv or \.xlsx"):
        import_frame(inv, b"x", "f.txt")


def test_a_late_problem_leaves_the_previous_frame_whole(ctx, monkeypatch):
    """Rows are inserted in chunks while the file is clean: a problem on the last row must
    still leave nothing of the new file and all of the old frame after the rollback."""
    inv = new_investigation()
    old = frame(30, seed=1)
    import_frame(inv, csv_bytes(old), "old.csv")
    db.session.commit()
    monkeypatch.setattr(frame_import, "CHUNK", 7)
    new = frame(50, seed=2)
    for row in new:
        row["dossier_code"] = "N" + row["dossier_code"]
    new[-1]["unit"] = "NOPE"
    with pytest.raises(ImportRejected) as caught:
        import_frame(inv, csv_bytes(new), "new.csv")
    db.session.rollback()
    assert [(p.row, p.column) for p in caught.value.problems] == [(51, "unit")]
    assert _codes(inv) == [r["dossier_code"] for r in old]
    assert inv.frame_file == "old.csv"


def test_a_reimport_replaces_the_frame(ctx, monkeypatch):
    monkeypatch.setattr(frame_import, "CHUNK", 7)
    inv = new_investigation()
    other = new_investigation("OTHER")
    import_frame(other, csv_bytes(frame(20, seed=9)), "other.csv")
    import_frame(inv, csv_bytes(frame(30, seed=1)), "a.csv")
    db.session.commit()
    second = frame(25, seed=2)
    result = import_frame(inv, csv_bytes(second), "b.csv")
    db.session.commit()
    assert result.replaced == 30 and result.rows == 25
    assert _codes(inv) == [r["dossier_code"] for r in second]
    assert len(_codes(other)) == 20  # another investigation's frame is untouched
    assert [r.line for r in db.session.execute(
        db.select(FrameDossier).filter_by(investigation_id=inv.id)
        .order_by(FrameDossier.line)).scalars()] == list(range(2, 27))


def test_the_strata_follow_the_design(ctx):
    inv = new_investigation(strata=["applicant_type"])
    rows = frame(60)
    import_frame(inv, csv_bytes(rows), "f.csv")
    kinds = {"individual": "individual", "cá nhân": "individual", "organisation": "organisation"}
    assert Counter(db.session.execute(db.select(FrameDossier.stratum_key)).scalars()) == \
        Counter(kinds[r["applicant_type"]] for r in rows)
    unstratified = new_investigation("ONE", strata=[])
    import_frame(unstratified, csv_bytes(rows), "f.csv")
    assert set(db.session.execute(db.select(FrameDossier.stratum_key).filter_by(
        investigation_id=unstratified.id)).scalars()) == {"all"}
    assert db.session.execute(db.select(Unit.id).filter_by(code="D1")).scalar_one()


def test_what_cannot_be_stored_is_refused_where_it_is(ctx):
    inv = new_investigation()
    rows = frame(12, phones=True)
    rows[3]["address"] = "thôn 1\x00"
    with pytest.raises(ImportRejected) as caught:
        import_frame(inv, csv_bytes(rows), "f.csv")
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (5, "address") and "U+0000" in problem.message
    rows[3]["address"] = "thôn\x1f1"  # (at an end, strip() would remove it)
    with pytest.raises(ImportRejected) as caught:
        import_frame(inv, csv_bytes(rows), "f.csv", lang="vi")
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (5, "address", "chứa ký tự điều khiển U+001F")]
