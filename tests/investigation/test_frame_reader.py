"""The fast paths of a 2,000,000-dossier frame (#20 scale) give what the plain ones give.

The frame reader's blocks: the same rows, line numbers and cells whether a CSV is split with
str.split (no quotes) or read with csv.reader, as a plain per-row csv.reader reading says
(computed here independently), across block boundaries. Problems in blocks and row by row;
the COPY text and write_row on PostgreSQL; the one-stage draw's PSUs read per case.
"""

from __future__ import annotations

import csv
import io

import pytest

from survey.services.imports import ImportRejected
from survey.services.investigation import reader
from survey.services.investigation.reader import frame_blocks

WANTED = ("code", "unit", "email", "name")


def expected(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, wanted cells) per non-empty row, as csv.DictReader would read the file: the
    last of a repeated column, "" for a short row's or an absent column's cell, stripped."""
    records = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip() for h in next(records)]
    rows = []
    for cells in records:
        cells = cells + [""] * (len(header) - len(cells))  # DictReader's restval
        named = dict(zip(header, cells, strict=False))
        row = tuple(named.get(column, "").strip() for column in WANTED)
        if any(row):
            rows.append((records.line_num, row))
    return rows


def read(data: bytes, size: int) -> list[tuple[int, tuple[str, ...]]]:
    rows = []
    for lines, columns in frame_blocks(data, "f.csv", ("code",), WANTED, size=size):
        assert len(columns) == len(WANTED) and all(len(c) == len(lines) for c in columns)
        rows += [(line, tuple(c[i] for c in columns)) for i, line in enumerate(lines)]
    return rows


PLAIN = ("code,unit,code,name,extra\n"
         "A1,U1,A1b, Nguyễn Văn An ,x,y,z\n"
         "\n"
         "A2,U2\n"
         " , ,  ,\t\n"
         "A3,U3,A3b,Trần Thị Bình,\n"
         ",U4,,,\n"
         "A5,U5,A5b,Lê  Văn\u00a0,\n")


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
@pytest.mark.parametrize("text", [
    PLAIN,
    PLAIN.replace("\n", "\r\n"),
    "\ufeff" + PLAIN,
    PLAIN.rstrip("\n"),
    # quotes: a comma and a line break inside a cell; then csv.reader reads the file
    PLAIN.replace("Trần Thị Bình", '"Trần, Thị\nBình"'),
    PLAIN.replace("A2,U2", '"A2",U2').replace("\n", "\r\n"),
])
def test_the_blocks_hold_what_a_row_by_row_reading_holds(text, size):
    want = expected(text)
    assert want  # the case reads rows at all
    assert read(text.encode(), size) == want


def test_the_plain_split_is_taken_only_where_it_reads_as_the_csv_module(monkeypatch):
    assert reader._plain_lines(PLAIN) is not None
    assert reader._plain_lines(PLAIN.replace("\n", "\r\n")) is not None
    for text in (PLAIN.replace("A2", '"A2"'), PLAIN.replace("A2,U2\n", "A2,U2\r"),
                 PLAIN.replace("A2", "A\x002")):
        assert reader._plain_lines(text) is None
    monkeypatch.setattr(csv, "field_size_limit", lambda: 10)
    assert reader._plain_lines(PLAIN) is None


def test_a_file_problem_is_named_after_the_rows_before_it():
    """A cell over the csv module's field limit: the rows before it come first (they are
    checked first), then the problem names the record's line and column."""
    text = "code,unit,name\nA1,U1,x\nA2,U2,y\nA3,U3," + "z" * 40 + "\nA4,U4,w\n"
    before = csv.field_size_limit(20)
    try:
        blocks = frame_blocks(text.encode(), "f.csv", ("code",), WANTED, size=1)
        assert next(blocks)[0] == [2]
        assert next(blocks)[0] == [3]
        with pytest.raises(ImportRejected) as caught:
            next(blocks)
    finally:
        csv.field_size_limit(before)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (4, "name")


@pytest.mark.parametrize("chunk", [7, 20_000])
def test_problems_are_listed_in_file_order_up_to_the_cap_in_blocks_or_rows(
        ctx, monkeypatch, chunk):
    """Blocks checked by column and rows checked one by one name the same problems: every
    other row's unit is unknown, so the cap is reached on the 200th and said there."""
    from survey.services.investigation import frame_import
    from tests.investigation.helpers import csv_bytes, frame, new_investigation

    monkeypatch.setattr(frame_import, "CHUNK", chunk)
    inv = new_investigation()
    rows = frame(450)
    bad = []
    for i in range(3, 450, 2):
        rows[i]["unit"] = f"NOPE{i}"
        bad.append(i + 2)  # the header is line 1
    with pytest.raises(ImportRejected) as caught:
        frame_import.import_frame(inv, csv_bytes(rows), "f.csv")
    problems = caught.value.problems
    cap = frame_import.MAX_PROBLEMS
    assert [(p.row, p.column) for p in problems[:cap]] == [(n, "unit") for n in bad[:cap]]
    assert (problems[cap].row, problems[cap].column) == (bad[cap - 1], "-")
    assert len(problems) == cap + 1


@pytest.fixture
def pg(monkeypatch, pg_migrated):
    from survey.extensions import db
    from survey.services.investigation import frame_import
    from tests.conftest import fresh_postgres_databases, make_app, postgres_url
    from tests.investigation.helpers import KEY, build_province

    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    monkeypatch.setattr(frame_import, "CHUNK", 40)
    with fresh_postgres_databases(url, "hl_frame_copy", template=pg_migrated) as (database,):
        app = make_app(database, CONTACT_KEY=KEY)
        with app.app_context():
            build_province()
            db.session.commit()
            yield
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
def test_the_copy_text_and_write_row_store_the_same_on_postgresql(pg):
    """Blocks are sent to COPY as text built by column, except a block with a text COPY
    escapes (here a backslash and a tab in a code), which goes through write_row: both store
    the cells as read, and the contacts open."""
    from survey.extensions import db
    from survey.models import FrameContact, FrameDossier
    from survey.services.investigation.contacts import contact_of
    from survey.services.investigation.frame_import import import_frame
    from tests.investigation.helpers import csv_bytes, frame, new_investigation

    inv = new_investigation()
    rows = frame(100, phones=True)
    rows[50]["dossier_code"] = "HS\\50\tb"  # in the second block of 40
    import_frame(inv, csv_bytes(rows), "f.csv")
    db.session.commit()
    stored = db.session.execute(
        db.select(FrameDossier.line, FrameDossier.id, FrameDossier.dossier_code,
                  FrameDossier.resolved_on).filter_by(investigation_id=inv.id)
        .order_by(FrameDossier.line)).all()
    assert [code for _, _, code, _ in stored] == [r["dossier_code"] for r in rows]
    day, month = (int(x) for x in rows[90]["resolved_on"].split("/")[:2])
    assert (stored[90].resolved_on.day, stored[90].resolved_on.month) == (day, month)
    assert db.session.query(FrameContact).count() == sum(1 for r in rows if r.get("phone"))
    for at in (10, 50, 90):
        line, ident, code, _ = stored[at]
        opened = contact_of(inv.id, ident, code)
        assert opened is not None and opened.get("phone") == rows[at]["phone"]


def test_a_one_stage_draw_stores_each_case_with_its_dossier_s_psu(ctx):
    """The one-stage draw reads no PSUs for the whole frame, only the drawn cases' (more
    than one query's worth of them)."""
    from survey.extensions import db
    from survey.models import FrameDossier, SampleCase
    from survey.services.investigation.draw import draw_sample
    from survey.services.investigation.frame_import import import_frame
    from tests.investigation.helpers import csv_bytes, frame, new_investigation

    inv = new_investigation(size={"method": "fixed", "n": 1100})
    import_frame(inv, csv_bytes(frame(1500, seed=3)), "f.csv")
    assert draw_sample(inv, seed=5).cases >= 1100
    pairs = db.session.execute(
        db.select(SampleCase.psu_key, FrameDossier.psu_key)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .where(SampleCase.investigation_id == inv.id)).all()
    assert len(pairs) >= 1100 and all(case == dossier for case, dossier in pairs)


def test_a_repeated_code_names_its_first_row_within_and_across_blocks(ctx, monkeypatch):
    from survey.services.investigation import frame_import
    from tests.investigation.helpers import csv_bytes, frame, new_investigation

    monkeypatch.setattr(frame_import, "CHUNK", 7)
    inv = new_investigation()
    rows = frame(40)
    rows[12]["dossier_code"] = rows[3]["dossier_code"]   # lines 14 and 5: across blocks
    rows[30]["dossier_code"] = rows[29]["dossier_code"]  # lines 32 and 31: within a block
    rows[31]["unit"] = "NOPE"                             # and a new problem after it
    with pytest.raises(ImportRejected) as caught:
        frame_import.import_frame(inv, csv_bytes(rows), "f.csv")
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (14, "dossier_code", f"dossier {rows[3]['dossier_code']!r} repeats row 5"),
        (32, "dossier_code", f"dossier {rows[29]['dossier_code']!r} repeats row 31"),
        (33, "unit", "unknown unit 'NOPE'")]
    db_rollback()
    again = frame(40, seed=2)
    again[30]["dossier_code"] = again[29]["dossier_code"]  # the only problem: a fast block's
    with pytest.raises(ImportRejected) as caught:
        frame_import.import_frame(inv, csv_bytes(again), "f.csv")
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (32, "dossier_code", f"dossier {again[29]['dossier_code']!r} repeats row 31")]


def db_rollback() -> None:
    from survey.extensions import db

    db.session.rollback()
