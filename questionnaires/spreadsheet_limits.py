"""Reading a workbook or CSV a person gave us, within a budget set by what it holds.

A workbook states its own size and openpyxl believes it: LibreOffice writes the dimension
``A1:AMJ1048576`` (1,024 columns by 1,048,576 rows) for a form of thirty lines, and a
formatted row far down made openpyxl pad every row up to it: gigabytes for a 16 KB file. A zip
states its parts' unpacked sizes too. Every reader of a user's spreadsheet goes through here,
so the work done is bounded by our limits, never by what the file says about itself:

- before openpyxl opens a workbook, the zip directory is checked: the unpacked total, and
  each large part's compression ratio (a zip bomb inflates ~1,000:1, a real sheet ~10:1).
  zipfile stops reading a part at its stated size, so a part cannot lie its way past this.
  openpyxl reads the shared strings whole when it opens a workbook, ~40 us a string, so
  their number is counted first (a streamed count of ``<si``: milliseconds);
- the stated dimension is dropped (``reset_dimensions``): only rows present in the XML are
  read, each as wide as its last cell, and an empty formatted row costs a count, not a row;
- rows, cells, characters, cells spanned (formatted empty ones included) and the time are
  counted while reading; the first limit passed stops the reading, saying where;
- a cell holding what no database stores (NUL, a lone surrogate) is refused, saying where.

``Refused`` carries a code of ``MESSAGES`` (English, Vietnamese) and the place; each importer
turns it into its own kind of problem.
"""

from __future__ import annotations

import csv
import re
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from zipfile import BadZipFile, ZipFile

MiB = 1024 * 1024
SHEET_ROWS = 1_048_576  # the last row a sheet can have (Excel and LibreOffice)
ZIP_PARTS = 1_000  # an .xlsx has a dozen parts, plus a few per sheet
RATIO_FROM = MiB  # small parts (styles, themes) may compress well without being a bomb
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # neither UTF-8 nor PostgreSQL text holds them


@dataclass(frozen=True, slots=True)
class Limits:
    file_bytes: int  # the file as given (characters, for a CSV already decoded)
    unzipped_bytes: int  # .xlsx: every part unpacked, as the zip directory states them
    rows: int  # rows holding a value, the header included
    columns: int  # the last column holding a value
    cells: int  # cells holding a value
    spanned: int  # cells openpyxl builds, empty formatted ones included
    chars: int  # characters in every cell
    lines: int  # CSV lines, empty ones included
    strings: int  # .xlsx: texts in the shared string table
    seconds: float  # from opening the file to its last row
    cell_chars: int = 32_767  # Excel's own limit for one cell
    ratio: int = 100  # a zip part's unpacked size over its packed size


# An XLSForm: thousands of rows at most (a choice list of every commune is ~11,000).
FORM_LIMITS = Limits(file_bytes=8 * MiB, unzipped_bytes=16 * MiB, rows=50_000, columns=200,
                     cells=1_000_000, spanned=64_000_000, chars=16_000_000, lines=50_000,
                     strings=100_000, seconds=20)
# A table of rows (paper forms, dossier statistics, procedures, units): the paper import's
# benchmark is 100,000 rows x 46 columns (bench/paper.py); these leave room for twice the
# rows and many more columns. openpyxl reads ~50,000 cells a second, hence the time.
TABLE_LIMITS = Limits(file_bytes=128 * MiB, unzipped_bytes=640 * MiB, rows=250_000,
                      columns=1_000, cells=20_000_000, spanned=300_000_000,
                      chars=256_000_000, lines=2_000_000, strings=2_000_000, seconds=600)

MESSAGES = {  # code: (English, Vietnamese)
    "unreadable": ("not a readable .xlsx file: {detail}",
                   "không phải tệp .xlsx đọc được: {detail}"),
    "file_bytes": ("the file is larger than {limit} bytes", "tệp lớn hơn {limit} byte"),
    "zip_parts": ("the workbook has {size} parts; at most {limit} are accepted",
                  "bảng tính có {size} phần; chỉ nhận tối đa {limit}"),
    "unzipped": ("the workbook unpacks to {size} bytes; at most {limit} are accepted",
                 "bảng tính giải nén ra {size} byte; chỉ nhận tối đa {limit}"),
    "ratio": ("part {part} unpacks {size} times its size (at most {limit}): a zip bomb?",
              "phần {part} giải nén gấp {size} lần kích thước (tối đa {limit}): bom nén?"),
    "strings": ("the shared string table holds more than {limit} texts",
                "bảng chuỗi dùng chung có quá {limit} chuỗi"),
    "sheet_rows": ("a row beyond row {limit}, the last a sheet can have",
                   "có hàng sau hàng {limit}, hàng cuối cùng của một trang tính"),
    "lines": ("more than {limit} lines", "quá {limit} dòng"),
    "rows": ("more than {limit} rows", "quá {limit} hàng"),
    "columns": ("a value beyond column {limit}; at most {limit} columns are read",
                "có giá trị sau cột {limit}; chỉ đọc tối đa {limit} cột"),
    "cells": ("more than {limit} cells hold a value", "quá {limit} ô có giá trị"),
    "spanned": ("the sheets span more than {limit} cells, formatted empty ones included",
                "các trang tính trải quá {limit} ô, kể cả ô trống có định dạng"),
    "chars": ("more than {limit} characters in all", "tổng cộng quá {limit} ký tự"),
    "cell_chars": ("a cell of {size} characters; at most {limit} are accepted",
                   "ô có {size} ký tự; chỉ nhận tối đa {limit}"),
    "unstorable": ("the character {char} cannot be stored (a NUL or a lone surrogate)",
                   "không lưu được ký tự {char} (NUL hoặc nửa cặp thay thế)"),
    "encoding": ("not UTF-8 text (byte {byte}): save the file as 'CSV UTF-8'",
                 "không phải văn bản UTF-8 (byte {byte}): hãy lưu tệp dạng 'CSV UTF-8'"),
    "damaged": ("the sheet cannot be read: {detail}",
                "không đọc được trang tính: {detail}"),
    "damaged_after": ("the sheet cannot be read after row {after}: {detail}",
                      "không đọc được trang tính sau hàng {after}: {detail}"),
    "time": ("reading took more than {limit} seconds; split the file",
             "đọc tệp mất quá {limit} giây; hãy chia nhỏ tệp"),
}


class Refused(ValueError):
    """The file passed a limit, or holds what cannot be read or stored; it says where."""

    def __init__(self, code: str, *, sheet: str | None = None, row: int | None = None,
                 column: int | None = None, **params: object):
        self.code, self.sheet, self.row, self.column = code, sheet, row, column
        self.params = params
        super().__init__(self.message())

    def message(self, lang: str = "en") -> str:
        english, vietnamese = MESSAGES[self.code]
        return (vietnamese if lang == "vi" else english).format(**self.params)


class Budget:
    """What one file has used so far; `take` counts a row and refuses the first excess."""

    def __init__(self, limits: Limits, clock=time.monotonic):
        self.limits = limits
        self._clock = clock
        self._deadline = clock() + limits.seconds
        self.sheet: str | None = None
        self.rows = self.cells = self.chars = self.spanned = 0

    def refuse(self, code: str, row: int | None = None, column: int | None = None,
               **params: object) -> Refused:
        return Refused(code, sheet=self.sheet, row=row, column=column, **params)

    def check_time(self, row: int | None = None) -> None:
        if self._clock() > self._deadline:
            raise self.refuse("time", row, limit=self.limits.seconds)

    def take(self, number: int, values: Sequence, texts: Sequence[str] | None = None
             ) -> Sequence:
        """Count row `number` (cells: text, None or other values); its first `columns` cells.

        `texts` are its text cells (all of `values`, for CSV). The checks are whole-row
        string operations, so a clean row costs a few C-level passes, not a loop per cell.
        """
        limits = self.limits
        self.rows += 1
        if self.rows > limits.rows:
            raise self.refuse("rows", number, limit=limits.rows)
        if not self.rows & 255:
            self.check_time(number)
        values = self._first_columns(number, values)
        empty = values.count("") if texts is None else values.count(None) + values.count("")
        self.cells += len(values) - empty
        if self.cells > limits.cells:
            raise self.refuse("cells", number, limit=limits.cells)
        joined = "".join(values if texts is None else texts)
        self.chars += len(joined)
        # only a row this long can hold a cell too long; only a row not storable, a cell so
        if len(joined) > limits.cell_chars or not storable(joined):
            self._check_cells(number, values)
        if self.chars > limits.chars:
            raise self.refuse("chars", number, limit=limits.chars)
        return values

    def _first_columns(self, number: int, values: Sequence) -> Sequence:
        most = self.limits.columns
        if len(values) <= most:
            return values
        beyond = values[most:]
        if beyond.count(None) + beyond.count("") != len(beyond):
            first = next(i for i, v in enumerate(beyond) if v is not None and v != "")
            raise self.refuse("columns", number, most + first + 1, limit=most)
        return values[:most]

    def _check_cells(self, number: int, values: Sequence) -> None:
        most = self.limits.cell_chars
        for index, value in enumerate(values, start=1):
            if not isinstance(value, str):
                continue
            if len(value) > most:
                raise self.refuse("cell_chars", number, index, size=len(value), limit=most)
            if found := UNSTORABLE.search(value):
                raise self.refuse("unstorable", number, index,
                                  char=f"U+{ord(found.group()):04X}")


def check_size(size: int, limits: Limits) -> None:
    if size > limits.file_bytes:
        raise Refused("file_bytes", limit=limits.file_bytes)


def storable(text: str) -> bool:
    """No NUL and no lone surrogate; as `UNSTORABLE` finds, ten times faster on Vietnamese."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")  # a lone surrogate has no UTF-8 form
    except UnicodeEncodeError:
        return False
    return True


# --- workbooks ------------------------------------------------------------------------------

def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip directory states too much; a non-zip is openpyxl's to name."""
    check_size(len(data), limits)
    try:
        archive = ZipFile(BytesIO(data))
    except (BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return  # a damaged directory ("zip file version 22.6"): openpyxl names it
    with archive:
        parts = archive.infolist()
        if len(parts) > ZIP_PARTS:
            raise Refused("zip_parts", size=len(parts), limit=ZIP_PARTS)
        total = sum(part.file_size for part in parts)
        if total > limits.unzipped_bytes:
            raise Refused("unzipped", size=total, limit=limits.unzipped_bytes)
        for part in parts:
            ratio = part.file_size // max(part.compress_size, 1)
            if part.file_size > RATIO_FROM and ratio > limits.ratio:
                raise Refused("ratio", part=part.filename, size=ratio, limit=limits.ratio)
        for part in parts:  # every writer names it so; a part named otherwise is still
            if part.filename.lower().endswith("sharedstrings.xml"):  # under the totals
                _count_strings(archive, part.filename, limits.strings)


_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


def _count_strings(archive: ZipFile, name: str, most: int) -> None:
    count, tail = 0, b""
    try:
        opened = archive.open(name)
    except (BadZipFile, OSError, NotImplementedError, RuntimeError, ValueError, EOFError):
        return  # encrypted, or compressed in a way zipfile cannot read: openpyxl names it
    with opened as xml:
        for chunk in iter(lambda: _read(xml), b""):
            text = tail + chunk
            # a tag cut at the chunk's end is kept for the next, from its "<" (a tag holds
            # no other "<", so every match before that "<" ends before it)
            cut = text.rfind(b"<", max(0, len(text) - 16))
            cut = len(text) if cut < 0 else cut
            count += len(_STRING.findall(text, 0, cut))
            tail = text[cut:]
            if count > most:
                raise Refused("strings", limit=most)
    if count + len(_STRING.findall(tail)) > most:
        raise Refused("strings", limit=most)


def _read(xml) -> bytes:
    try:
        return xml.read(MiB)
    except (BadZipFile, OSError, EOFError, zlib.error, ValueError, NotImplementedError):
        return b""  # a damaged part: openpyxl names it


def open_workbook(data: bytes, budget: Budget):
    """The workbook, read-only, once its zip directory passed `check_zip`."""
    from openpyxl import load_workbook

    check_zip(data, budget.limits)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise Refused("unreadable", detail=_detail(error)) from None
    budget.check_time()
    return book


def sheet_rows(sheet, budget: Budget, data: bytes | None = None
               ) -> Iterator[tuple[int, Sequence]]:
    """(row number, values) of each row of `sheet` holding a value, within the budget.

    `data` (the workbook's bytes) lets a damaged cell be named by its place.
    """
    budget.sheet = sheet.title
    sheet.reset_dimensions()  # or openpyxl pads every row to the stated dimension
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            values = next(rows, None)
        except Exception as error:  # the XML parser and openpyxl raise many kinds
            raise _damaged(error, sheet, number, budget, data) from None
        if values is None:
            return
        number += 1
        if number > SHEET_ROWS:  # a row numbered beyond it would be padded up to, row by row
            raise budget.refuse("sheet_rows", limit=SHEET_ROWS)
        if not values:  # missing from the XML, or an empty <row/>
            if not number & 0xFFFF:
                budget.check_time(number)
            continue
        budget.spanned += len(values)
        if budget.spanned > budget.limits.spanned:
            raise budget.refuse("spanned", number, limit=budget.limits.spanned)
        if values.count(None) == len(values):  # formatted but empty (LibreOffice writes many)
            continue
        yield number, budget.take(number, values, [v for v in values if v.__class__ is str])


_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_WINDOW = 256 * 1024  # bytes kept before a damaged place: one cell's XML, at most ~130 KB


def _damaged(error: Exception, sheet, number: int, budget: Budget, data: bytes | None
             ) -> Refused:
    detail = _detail(error)
    place = getattr(error, "position", None)  # (line, byte) of an XML syntax error
    # openpyxl keeps the part's name privately; without it the row read last is the place
    part = getattr(sheet, "_worksheet_path", None)
    found = _cell_at(data, part, *place) if data and part and place else None
    if found is not None:
        return budget.refuse("damaged", found[0], found[1], detail=detail)
    if number:
        return budget.refuse("damaged_after", after=number, detail=detail)
    return budget.refuse("damaged", detail=detail)


def _cell_at(data: bytes, part: str, line: int, offset: int) -> tuple[int, int] | None:
    """Row and column of the cell whose XML holds byte `offset` of line `line` of `part`."""
    from openpyxl.utils import column_index_from_string

    window = b""
    with ZipFile(BytesIO(data)) as archive, archive.open(part) as xml:
        for _ in range(line - 1):  # lines read a MiB at a time: one may be the whole sheet
            while not (chunk := xml.readline(MiB)).endswith(b"\n"):
                if not chunk:
                    return None
        while offset > 0 and (chunk := xml.read(min(offset, MiB))):
            window = (window + chunk)[-_WINDOW:]
            offset -= len(chunk)
    refs = _CELL_REF.findall(window)
    if not refs:
        return None
    letters, row = refs[-1]
    return int(row), column_index_from_string(letters.decode())


def _detail(error: Exception) -> str:
    # an XML error ends with its line and byte in the part, which mean nothing to a person
    return re.sub(r": line \d+, column \d+$", "", str(error)) or type(error).__name__


# --- CSV ------------------------------------------------------------------------------------

def decode_csv(data: bytes, limits: Limits) -> str:
    """UTF-8 text (a byte-order mark, which Excel writes, is dropped); Refused says where not."""
    check_size(len(data), limits)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        # the line up to the bad byte is whole characters: count its fields, if no quoted
        # field is open there (else the record began on an earlier line)
        before = data[start:error.start].decode("utf-8-sig")
        column = None if before.count('"') % 2 else len(next(csv.reader([before]), [""]))
        raise Refused("encoding", row=data.count(b"\n", 0, error.start) + 1, column=column,
                      byte=f"0x{data[error.start]:02x}") from None


def csv_header(data: bytes) -> list[str]:
    """The first line's fields, read leniently: to name columns in a problem."""
    line = data[:64 * 1024].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return [h.strip() for h in next(csv.reader([line]), [])]


_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"?')
_BARE = re.compile(r"[^,\r\n]*")


def oversized_field(text: str, line: int, limit: int) -> int | None:
    """The number of the first field longer than `limit` in the record starting at `line`.

    For the csv module's own field limit, whose error names no field.
    """
    position = 0
    for _ in range(line - 1):
        position = text.find("\n", position) + 1
        if not position:
            return None
    column = 1
    while True:
        field = (_QUOTED if text.startswith('"', position) else _BARE).match(text, position)
        if field.end() - field.start() > limit:
            return column
        position = field.end()
        if not text.startswith(",", position):
            return None
        position, column = position + 1, column + 1
