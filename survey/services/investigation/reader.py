"""Reading a frame file row by row, within the spreadsheet budget, without holding it whole.

The other importers (survey/services/imports.py) return every row as a dict, which for a
frame of 2,000,000 dossiers would take gigabytes. These generators read the same files
through the same budget (questionnaires.spreadsheet_limits) and header check, and yield each
row as a tuple of the wanted columns' cells ("" when a column is absent), so the import can
check and insert the frame in chunks.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from operator import itemgetter

from questionnaires.spreadsheet_limits import (
    TABLE_LIMITS,
    Budget,
    Refused,
    csv_header,
    decode_csv,
    open_workbook,
    oversized_field,
    sheet_rows,
    storable,
)
from survey.services.imports import (
    ImportRejected,
    RowProblem,
    _check_header,
    _problem,
    cell_text,
)

# A frame is the period's resolved dossiers: a province resolves a few million a year. CSV is
# the format for those; an .xlsx sheet stops at 1,048,576 rows anyway.
FRAME_LIMITS = dataclasses.replace(
    TABLE_LIMITS, file_bytes=1024 * 1024 * 1024, unzipped_bytes=2048 * 1024 * 1024,
    rows=5_000_000, lines=5_000_000, cells=100_000_000, spanned=300_000_000,
    chars=1_000_000_000, strings=5_000_000, columns=100, seconds=900)

Row = tuple[int, tuple[str, ...]]


def frame_rows(data: bytes, filename: str, required: tuple[str, ...],
               wanted: tuple[str, ...], lang: str = "en") -> Iterator[Row]:
    """(line, cells of `wanted`) for every non-empty row of a CSV or XLSX frame file.

    ImportRejected names the file, row and column of a problem of the file itself (encoding,
    size, header); the rows' values are the caller's to check.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx(data, filename, required, wanted, lang)
    if name.endswith(".csv"):
        return _csv(data, filename, required, wanted, lang)
    message = "tệp phải là .csv hoặc .xlsx" if lang == "vi" else "the file must be .csv or .xlsx"
    raise ImportRejected(filename, [RowProblem(1, "-", message)])


def _picker(header: list[str], wanted: tuple[str, ...]):
    """A function from a row's cells to the wanted columns' cells (the last of a repeated
    column name, as csv.DictReader does; "" for a column the file does not have)."""
    where = {h: i for i, h in enumerate(header)}
    index = [where.get(column, -1) for column in wanted]

    def pick(cells) -> tuple[str, ...]:
        size = len(cells)
        return tuple(cells[i] if 0 <= i < size else "" for i in index)

    return pick


def _csv_picker(header: list[str], wanted: tuple[str, ...]):
    """`_picker` for CSV rows (lists), in C: an itemgetter over the row padded to the header's
    width plus one "" for every wanted column the file does not have."""
    where = {h: i for i, h in enumerate(header)}
    width = len(header)
    absent = [c for c in wanted if c not in where]
    index = [where[c] if c in where else width + absent.index(c) for c in wanted]
    get = itemgetter(*index)
    pad = [""] * (width + len(absent))

    def pick(cells: list[str]) -> tuple[str, ...]:
        if len(cells) != width or absent:
            cells = (cells + pad)[:width] + pad[:len(absent)]
        return get(cells)

    return pick


def _csv(data: bytes, source: str, required: tuple[str, ...], wanted: tuple[str, ...],
         lang: str) -> Iterator[Row]:
    budget = Budget(FRAME_LIMITS)
    header: list[str] = []
    try:
        text = decode_csv(data, FRAME_LIMITS)
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, csv_header(data), lang=lang)]) from None
    # One pass over the whole text finds what no database stores (NUL, a lone surrogate);
    # only then must each row be counted cell by cell to say where. The other per-cell limits
    # do not bind here: the wanted cells have their own lengths checked, the others are
    # dropped.
    whole = storable(text)
    reader = csv.reader(io.StringIO(text))
    read = 0
    strip = str.strip
    try:
        header += budget.take(1, [h.strip() for h in next(reader, [])])
        _check_header(source, required, header, lang)
        pick = _csv_picker(header, wanted)
        most = FRAME_LIMITS.lines
        for cells in reader:
            read = reader.line_num
            if not cells:
                continue
            if read > most:
                raise budget.refuse("lines", read, limit=most)
            if not whole:
                cells = list(budget.take(read, cells))
            row = tuple(map(strip, pick(cells)))
            if any(row):
                yield read, row
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, header, lang=lang)]) from None
    except csv.Error as error:  # e.g. a cell over the csv module's 128 KiB field limit
        field = oversized_field(text, read + 1, csv.field_size_limit())
        column = header[field - 1] if field and field <= len(header) else "-"
        raise ImportRejected(source, [RowProblem(read + 1, column or "-", str(error))]) from error


def _xlsx(data: bytes, source: str, required: tuple[str, ...], wanted: tuple[str, ...],
          lang: str) -> Iterator[Row]:
    budget = Budget(FRAME_LIMITS)
    header: list[str] = []
    try:
        book = open_workbook(data, budget)
        try:
            if not book.worksheets:
                raise Refused("unreadable", detail="the workbook has no sheet")
            lines = sheet_rows(book.worksheets[0], budget, data)
            first = next(lines, None)
            if first is not None and first[0] == 1:
                header += [cell_text(h) for h in first[1]]
                first = None
            _check_header(source, required, header, lang)
            pick = _picker(header, wanted)
            if first is not None:
                yield _xlsx_row(first, pick)
            for line in lines:
                number, row = _xlsx_row(line, pick)
                if any(row):
                    yield number, row
        finally:
            book.close()
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, header, True, lang)]) from None


def _xlsx_row(line, pick) -> Row:
    number, values = line
    return number, tuple(cell_text(v) for v in pick(values))
