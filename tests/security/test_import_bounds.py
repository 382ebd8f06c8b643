"""Imports are bounded (#15): what a file states about itself costs nothing.

LibreOffice saves a thirty-line XLSForm with the dimension A1:AMJ1048576 (1,024 columns by
1,048,576 rows) and a formatted row far down; openpyxl padded every row up to it, gigabytes
for 16 KB. Each hostile file here goes through the real entry points (the CLI, the designer's
upload, the paper and records imports) in a fresh interpreter, which reports the seconds and
the growth of its peak resident memory; the located messages are checked in this process.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import struct
import subprocess
import sys
import time
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

import questionnaires as qn
from questionnaires import spreadsheet_limits as limits
from survey.extensions import db
from survey.services.imports import ImportRejected, read_csv_rows, read_table
from survey.services.records.imports import STAT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 10  # "a few seconds", with room for a loaded test machine (each takes ~1 s alone)
GROWTH_MB = 200
PAPER = ["response_id", "questionnaire", "version", "unit", "channel", "submitted_at",
         "rating", "reason", "comment"]
STATS_ROW = ["2024-Q3", "HN-X01", "land", 120, 80, 15, 60, 130, 5, 18, 2]


# --- building the files ----------------------------------------------------------------------

def workbook(rows: list[list], title: str = "data") -> bytes:
    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, change) -> bytes:
    """The workbook with each worksheet part passed through change(xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = change(body)
            dst.writestr(info.filename, body)
    return out.getvalue()


def libreoffice(data: bytes, empty_rows: int = 0) -> bytes:
    """As LibreOffice saves it: the dimension of a whole sheet and, with `empty_rows`, that
    many formatted empty rows with a formatted cell in the last column, and the last row."""
    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:AMJ1048576"/>', xml)
        assert b"AMJ1048576" in xml
        last = int(re.findall(rb'<row r="(\d+)"', xml)[-1])
        numbers = [*range(last + 1, last + 1 + empty_rows), 1_048_576] if empty_rows else []
        extra = b"".join(b'<row r="%d" s="1" customFormat="true"><c r="AMJ%d" s="1"/></row>'
                         % (n, n) for n in numbers)
        return xml.replace(b"</sheetData>", extra + b"</sheetData>")

    return rezip(data, change)


def with_cell_xml(data: bytes, marker: str, raw: bytes) -> bytes:
    """The workbook with the text `marker` replaced by raw bytes in the sheet XML."""
    return rezip(data, lambda xml: xml.replace(marker.encode(), raw))


def _deflated(piece: bytes, final: bool = False) -> bytes:
    # A fresh compressor ending in a full flush: its blocks refer to nothing before them, so
    # the pieces of a stream can be compressed once and repeated.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(piece) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of raw-deflated parts (name, deflated, crc, stated size), as zipfile writes one."""
    out, central = io.BytesIO(), []
    for name, deflated, crc, size in parts:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                              len(deflated), size, len(encoded), 0) + encoded + deflated)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                   crc, len(deflated), size, len(encoded), 0, 0, 0, 0, 0,
                                   offset) + encoded)
    directory, start = b"".join(central), out.tell()
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts),
                                      len(directory), start, 0))
    return out.getvalue()


def zip_bomb(mib: int, stated: int | None = None, title: str = "survey") -> bytes:
    """A workbook whose first sheet is one cell of `mib` MiB of 'A' (~1,000:1 compressed);
    `stated` gives its part a smaller size in the zip directory than it inflates to."""
    head = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
    tail = b"</t></is></c></row></sheetData></worksheet>"
    chunk = b"A" * (1 << 20)
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    sheet = (_deflated(head) + _deflated(chunk) * mib + _deflated(tail, final=True),
             zlib.crc32(tail, crc), len(head) + mib * len(chunk) + len(tail))
    parts = []
    with zipfile.ZipFile(io.BytesIO(workbook([["type", "name"]], title))) as skeleton:
        for name in skeleton.namelist():
            if name == "xl/worksheets/sheet1.xml":
                deflated, crc, size = sheet
                parts.append((name, deflated, crc, stated or size))
            else:
                body = skeleton.read(name)
                parts.append((name, _deflated(body, final=True), zlib.crc32(body), len(body)))
    return _zip(parts)


def paper_rows(count: int = 2) -> list[list]:
    return [[str(uuid.uuid4()), "dossier_rating", "1", "HN-X01", "paper",
             "2025-05-02T09:30:00+07:00", "1", "long_wait", "Chờ lâu"] for _ in range(count)]


def csv_bytes(rows: list[list]) -> bytes:
    return ("\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


# --- the entry points, in a fresh interpreter ------------------------------------------------

def probe(manifest: str) -> None:
    """Run each case of the manifest through its entry point; print one JSON line per case.

    Memory is the growth of the peak resident size over the peak after a warm-up of every
    entry point: the peak only grows, so each case's figure bounds that case's own peak.
    """
    import resource

    from survey.models import Questionnaire
    from survey.services import questionnaires as qservice
    from tests.design.helpers import login, prefixed_token, staffed_app

    plan = json.loads(Path(manifest).read_text())
    work = Path(manifest).parent
    app = staffed_app(f"sqlite:///{work / 'probe.db'}")
    runner, client = app.test_cli_runner(), app.test_client()
    login(client, "designer")
    rating = qn.content_hash(qn.load_builtins()["dossier_rating"])

    def run(entry: str, path: Path) -> tuple[int, str]:
        if entry == "web-xlsform":
            token = prefixed_token(client.get("/design/").text, "xls")
            reply = client.post("/design/import", content_type="multipart/form-data", data={
                "xls-csrf_token": token, "xls-file": (io.BytesIO(path.read_bytes()), path.name)})
            page = reply.text
            return reply.status_code, page[page.find("<main"):page.find("</main>")]
        result = runner.invoke(args=[*ENTRIES[entry], str(path)])
        return result.exit_code, result.output

    for case in plan["warm_up"]:
        code, text = run(case["entry"], work / case["file"])
        assert code in (0, 302), text
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for case in plan["cases"]:
        with app.app_context():  # so that "imported" means this import
            db.session.execute(db.update(Questionnaire).values(draft_hash=None))
            db.session.commit()
        started = time.perf_counter()
        code, text = run(case["entry"], work / case["file"])
        seconds = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
        with app.app_context():
            same = qservice.get("dossier_rating").draft_hash == rating
        print(json.dumps({**case, "seconds": seconds, "grown_mb": grown, "code": code,
                          "text": text[-3000:], "rating_imported": same}), flush=True)


ENTRIES = {"cli-xlsform": ["questionnaire", "import"], "cli-paper": ["import-responses"],
           "cli-records": ["records", "import"]}
GOOD = {"cli-xlsform": "form.xlsx", "web-xlsform": "form.xlsx", "cli-paper": "paper.csv",
        "cli-records": "stats.csv"}
FORM_ENTRIES = ("cli-xlsform", "web-xlsform")
# the designer's pages answer in Vietnamese, the command line in English
UNPACKS = r"(the workbook unpacks to|bảng tính giải nén ra) 1073\d{6} "
HOSTILE = {  # file: (entry points, what the answer says: a pattern)
    "form-libreoffice.xlsx": (FORM_ENTRIES, None),
    "form-libreoffice-rows.xlsx": (FORM_ENTRIES, None),
    "form-bomb.xlsx": (FORM_ENTRIES, UNPACKS),
    # stated smaller than it inflates: zipfile stops at the stated size, the CRC fails
    "form-lying-bomb.xlsx": (FORM_ENTRIES, "not a readable .xlsx|không phải tệp .xlsx"),
    "paper-libreoffice-rows.xlsx": (("cli-paper",), "2 response\\(s\\) imported"),
    "paper-bomb.xlsx": (("cli-paper",), UNPACKS),
    "paper-huge-field.csv": (("cli-paper",), "row 2, column comment: field larger"),
    "stats-libreoffice-rows.xlsx": (("cli-records",), "1 row\\(s\\) imported"),
    "stats-bomb.xlsx": (("cli-records",), UNPACKS),
}


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every hostile file through its entry points, in one fresh interpreter."""
    work = tmp_path_factory.mktemp("bounds")
    form = qn.to_xlsform(qn.load_builtins()["dossier_rating"])
    paper = [PAPER, *paper_rows()]
    stats = [list(STAT_COLUMNS), STATS_ROW]
    bomb = zip_bomb(1024, title="data")
    files = {
        "form.xlsx": form, "paper.csv": csv_bytes(paper), "stats.csv": csv_bytes(stats),
        "form-libreoffice.xlsx": libreoffice(form),
        "form-libreoffice-rows.xlsx": libreoffice(form, empty_rows=3_000),
        "form-bomb.xlsx": zip_bomb(1024),
        "form-lying-bomb.xlsx": zip_bomb(1024, stated=100_000),
        "paper-libreoffice-rows.xlsx": libreoffice(workbook([PAPER, *paper_rows()]), 3_000),
        "paper-bomb.xlsx": bomb,
        "paper-huge-field.csv": csv_bytes([PAPER, [*paper_rows(1)[0][:-1], "x" * 10_000_000]]),
        "stats-libreoffice-rows.xlsx": libreoffice(workbook(stats), empty_rows=3_000),
        "stats-bomb.xlsx": bomb,
    }
    for name, data in files.items():
        (work / name).write_bytes(data)
    plan = {"warm_up": [{"entry": e, "file": f} for e, f in GOOD.items()],
            "cases": [{"entry": e, "file": name} for name, (entries, _) in HOSTILE.items()
                      for e in entries]}
    (work / "plan.json").write_text(json.dumps(plan))
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from tests.security.test_import_bounds import probe;"
                               " probe(sys.argv[1])", str(work / "plan.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-5000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {(r["entry"], r["file"]): r for r in results}


CASES = [(e, name) for name, (entries, _) in HOSTILE.items() for e in entries]


@pytest.mark.parametrize(("entry", "name"), CASES)
def test_each_hostile_file_is_answered_quickly_within_memory(probed, entry, name):
    result = probed[(entry, name)]
    assert result["seconds"] < SECONDS, result
    assert result["grown_mb"] < GROWTH_MB, result
    expected = HOSTILE[name][1]
    if expected is None:  # the LibreOffice XLSForms import as the form they hold
        assert result["code"] in (0, 302), result["text"]
        assert result["rating_imported"], result["text"]
    elif "imported" in expected:
        assert result["code"] == 0, result["text"]
        assert re.search(expected, result["text"])
    else:
        assert result["code"] in (1, 422), result["text"]
        assert re.search(expected, result["text"]), result["text"]
        assert not result["rating_imported"]


# --- each refusal names its place --------------------------------------------------------

def _form_with(cells: dict[tuple[int, int], object], sheet: str = "survey") -> bytes:
    """The dossier-rating XLSForm with some cells of one sheet set."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(qn.to_xlsform(qn.load_builtins()["dossier_rating"])))
    for (row, column), value in cells.items():
        book[sheet].cell(row, column).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls_problems(data: bytes) -> list[tuple]:
    with pytest.raises(qn.XlsformError) as error:
        qn.from_xlsform(data, "form.xlsx")
    return [(p.sheet, p.row, p.column, p.code, p.message("en")) for p in error.value.problems]


def test_an_xlsform_cell_with_a_nul_is_named_by_sheet_row_and_column():
    data = with_cell_xml(_form_with({(3, 3): "MARKER"}), "MARKER", b"a\x00b")
    [(sheet, row, column, code, message)] = _xls_problems(data)
    assert (sheet, row, column, code) == ("survey", 3, "C (label::Vietnamese (vi))", "damaged")
    assert message == "the sheet cannot be read: not well-formed (invalid token)"


def test_an_xlsform_value_far_right_or_far_down_is_refused_by_its_place():
    [problem] = _xls_problems(_form_with({(2, 300): "x"}))
    assert problem[:4] == ("survey", 2, "KN", "columns")
    assert problem[4] == "a value beyond column 200; at most 200 columns are read"
    far = rezip(qn.to_xlsform(qn.load_builtins()["dossier_rating"]), lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is>'
                         b"</c></row></sheetData>"))
    assert _xls_problems(far)[0][3:] == (
        "sheet_rows", "a row beyond row 1048576, the last a sheet can have")


def test_a_zip_bomb_under_the_total_is_refused_by_its_ratio():
    with pytest.raises(ImportRejected) as rejected:
        read_table(zip_bomb(64, title="data"), "bomb.xlsx", ("type",))
    [problem] = rejected.value.problems
    assert re.fullmatch(r"part xl/worksheets/sheet1\.xml unpacks 10\d\d times its size "
                        r"\(at most 100\): a zip bomb\?", problem.message), problem.message


def test_the_time_budget_is_checked_while_rows_are_read():
    """A clock that moves two seconds per look: past the 20 s budget at the 11th look (one
    when opened, then one every 65,536 rows), in the empty rows LibreOffice wrote."""
    ticks = iter(range(0, 10_000, 2))
    budget = limits.Budget(limits.FORM_LIMITS, clock=lambda: next(ticks))
    data = libreoffice(qn.to_xlsform(qn.load_builtins()["dossier_rating"]), 3_000)
    book = limits.open_workbook(data, budget)
    with pytest.raises(limits.Refused) as refused:
        list(limits.sheet_rows(book["survey"], budget, data))
    assert refused.value.code == "time" and refused.value.sheet == "survey"
    assert refused.value.row == 10 * 65_536
    assert str(refused.value) == "reading took more than 20 seconds; split the file"


def _rejected(data: bytes, name: str, required=tuple(PAPER)) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        read_table(data, name, required)
    return [str(p) for p in rejected.value.problems]


@pytest.mark.parametrize("bad", [b"\xff", b"\xed\xa0\x80"])  # a stray byte; a UTF-8 surrogate
def test_a_csv_that_is_not_utf8_is_refused_by_its_line_and_column(bad):
    rows = [PAPER, *paper_rows(2)]
    data = csv_bytes(rows).replace("Chờ lâu".encode(), b"Ch" + bad, 2).replace(
        b"Ch" + bad, "Chờ lâu".encode(), 1)  # only the second data row, line 3
    assert _rejected(data, "phieu.csv") == [
        f"row 3, column comment: not UTF-8 text (byte 0x{bad[0]:02x}): save the file as "
        "'CSV UTF-8'"]


def test_a_csv_cell_with_a_nul_or_a_lone_surrogate_is_refused_by_its_place():
    rows = [PAPER, *paper_rows(2)]
    rows[2][8] = "Ch\x00"
    assert _rejected(csv_bytes(rows), "phieu.csv") == [
        "row 3, column comment: the character U+0000 cannot be stored (a NUL or a lone "
        "surrogate)"]
    text = csv_bytes([PAPER, *paper_rows(1)]).decode() + "x,y,z,w\udcff\n"  # as surrogateescape
    with pytest.raises(ImportRejected) as rejected:
        read_csv_rows(text, "phieu.csv", ("response_id",))
    assert [str(p) for p in rejected.value.problems] == [
        "row 3, column unit: the character U+DCFF cannot be stored (a NUL or a lone "
        "surrogate)"]


def test_a_huge_quoted_csv_field_is_named_by_its_column():
    rows = [PAPER, paper_rows(1)[0][:8] + ['"a,b\n' + "x" * 200_000 + '"']]
    assert _rejected(csv_bytes(rows), "phieu.csv") == [
        "row 2, column comment: field larger than field limit (131072)"]
    rows = [PAPER, paper_rows(1)[0][:8] + ["x" * 40_000]]  # under the csv module's limit
    assert _rejected(csv_bytes(rows), "phieu.csv") == [
        "row 2, column comment: a cell of 40000 characters; at most 32767 are accepted"]


def test_an_xlsx_table_cell_with_a_nul_is_named_by_sheet_row_and_column():
    rows = [PAPER, *paper_rows(2)]
    rows[2][8] = "MARKER"
    data = with_cell_xml(workbook(rows), "MARKER", b"\x00")
    assert _rejected(data, "phieu.xlsx") == [
        "row 3, column comment: sheet 'data': the sheet cannot be read: not well-formed "
        "(invalid token)"]


SMALL = dataclasses.replace(limits.TABLE_LIMITS, rows=3, columns=9, cells=20, chars=600,
                            lines=4, file_bytes=1_000)


@pytest.mark.parametrize(("rows", "problem"), [
    ([PAPER, ["a"], ["b"], ["c"]], "row 4, column -: more than 3 rows"),
    ([PAPER, [*paper_rows(1)[0], "", "x"]], "row 2, column -: a value beyond column 9; "
                                            "at most 9 columns are read"),
    ([PAPER, *paper_rows(2)], "row 3, column -: more than 20 cells hold a value"),
    ([PAPER, [*paper_rows(1)[0][:3], "x" * 600]], "row 2, column -: more than 600 "
                                                  "characters in all"),
    ([PAPER, [], [], [], ["x"]], "row 5, column -: more than 4 lines"),
    ([PAPER, ["x" * 1_000]], "row 1, column -: the file is larger than 1000 bytes"),
])
def test_each_csv_limit_refuses_at_the_row_that_passes_it(rows, problem):
    data = csv_bytes(rows)
    with pytest.raises(ImportRejected) as rejected:
        read_table(data, "phieu.csv", ("response_id",), SMALL)
    assert [str(p) for p in rejected.value.problems] == [problem]


def test_cells_spanned_by_formatted_empty_rows_are_bounded():
    data = libreoffice(workbook([PAPER, *paper_rows(1)]), empty_rows=3_000)
    assert len(read_table(data, "phieu.xlsx", tuple(PAPER))) == 1  # LibreOffice's rows: fine
    few = dataclasses.replace(limits.TABLE_LIMITS, spanned=1_000_000)
    with pytest.raises(ImportRejected) as rejected:
        read_table(data, "phieu.xlsx", tuple(PAPER), few)
    [problem] = rejected.value.problems
    assert problem.message == ("sheet 'data': the sheets span more than 1000000 cells, "
                               "formatted empty ones included")


def test_a_paper_file_over_the_size_limit_is_refused_before_it_is_read(app, tmp_path,
                                                                         monkeypatch):
    from survey.services import paper_import

    monkeypatch.setattr(paper_import, "TABLE_LIMITS", SMALL)
    path = tmp_path / "phieu.csv"
    path.write_bytes(csv_bytes([PAPER, *paper_rows(12)]))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before checked"))
    with app.app_context(), pytest.raises(ImportRejected) as rejected:
        paper_import.import_file(path)
    assert "the file is larger than 1000 bytes" in str(rejected.value)


def test_units_and_records_refuse_a_nul_before_the_database_sees_it(app, runner, tmp_path):
    from survey.services.units import import_units_file

    head = "code,name_vi,name_en,level,parent_code\n"
    with app.app_context(), pytest.raises(ImportRejected) as rejected:
        import_units_file(f"{head}HN,Hà\x00Nội,,province,\n".encode(), "units.csv")
    assert [str(p) for p in rejected.value.problems] == [
        "row 2, column name_vi: the character U+0000 cannot be stored (a NUL or a lone "
        "surrogate)"]
    with app.app_context(), pytest.raises(ImportRejected) as rejected:
        import_units_file(f"{head}HN,Hà Nội,,province,\n".encode() + b"X,\xff,,commune,HN\n",
                          "units.csv")
    assert [str(p) for p in rejected.value.problems] == [
        "row 3, column name_vi: not UTF-8 text (byte 0xff): save the file as 'CSV UTF-8'"]
    stats = csv_bytes([list(STAT_COLUMNS), ["2024", "HN\x00", *STATS_ROW[2:]]])
    path = tmp_path / "stats.csv"
    path.write_bytes(stats)
    result = runner.invoke(args=["records", "import", str(path)])
    assert result.exit_code == 1
    assert "row 2, column unit: the character U+0000 cannot be stored" in result.output


def test_the_designer_upload_shows_a_refusal_located(app, client):
    from tests.design.helpers import login, make_users, prefixed_token

    make_users(app)
    login(client, "designer")
    data = with_cell_xml(_form_with({(3, 3): "MARKER"}), "MARKER", b"a\x00b")
    token = prefixed_token(client.get("/design/").text, "xls")
    reply = client.post("/design/import", content_type="multipart/form-data", data={
        "xls-csrf_token": token, "xls-file": (io.BytesIO(data), "form.xlsx")})
    assert reply.status_code == 422
    assert re.search(r"<td>survey</td><td>3</td><td>C \(label::Vietnamese \(vi\)\)</td>",
                     reply.text), reply.text


def test_every_limit_message_reads_the_same_in_both_languages():
    fields = re.compile(r"{(\w+)}")
    for code, (english, vietnamese) in limits.MESSAGES.items():
        assert set(fields.findall(english)) == set(fields.findall(vietnamese)), code


def test_a_huge_shared_string_table_is_refused_before_openpyxl_parses_it():
    """openpyxl reads every shared string when it opens a workbook (~40 us each); the guard
    counts them first. Random texts, so the compression ratio does not give them away."""
    import random

    rng = random.Random(5)
    texts = b"".join(b"<si><t>%08x</t></si>" % rng.getrandbits(32) for _ in range(100_001))
    table = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             + texts + b"</sst>")
    out = io.BytesIO()
    form = qn.to_xlsform(qn.load_builtins()["dossier_rating"])
    with zipfile.ZipFile(io.BytesIO(form)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocum'
                                    b'ent.spreadsheetml.sharedStrings+xml"/></Types>')
            if name == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdS" Target="sh'
                                    b'aredStrings.xml" Type="http://schemas.openxmlformats.or'
                                    b'g/officeDocument/2006/relationships/sharedStrings"/>'
                                    b"</Relationships>")
            dst.writestr(name, body)
        dst.writestr("xl/sharedStrings.xml", table)
    started = time.perf_counter()
    assert _xls_problems(out.getvalue()) == [
        ("form.xlsx", None, None, "strings",
         "the shared string table holds more than 100000 texts")]
    assert time.perf_counter() - started < SECONDS


def test_an_xlsform_over_the_size_limit_is_refused_unopened():
    data = b"PK" + b"\0" * limits.FORM_LIMITS.file_bytes
    assert _xls_problems(data) == [("form.xlsx", None, None, "file_bytes",
                                    "the file is larger than 8388608 bytes")]
