"""Reading a frame file in blocks of rows, within the spreadsheet budget, without holding it whole.

The other importers (survey/services/imports.py) return every row as a dict, which for a
frame of 2,000,000 dossiers would take gigabytes. `frame_blocks` reads the same files through
the same budget (questionnaires.spreadsheet_limits) and header check, and yields blocks of
rows by column: the rows' line numbers, and for each wanted column a sequence of its cells
(stripped; "" when the file has no such column). The import checks and inserts a block with a
few C-level passes over its columns instead of Python code per row (see frame_import.py).

A CSV without quotes, lone carriage returns or over-long lines, which is what the one-stop
software exports, is split with str.split: two to three times cheaper than the csv module,
and the same cells, since without quotes the csv module only splits at commas and line ends.
Any other CSV goes through csv.reader.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import itemgetter

from questionnaires.spreadsheet_limits import (
    TABLE_LIMITS,
    Budget,
    Refused,
    csv_header,
    decode_csv,
    oversized_field,
    storable,
)
from survey.services.imports import (
    ImportRejected,
    RowProblem,
    _check_header,
    _problem,
    cell_text,
    xlsx_lines,
)

# A frame is the period's resolved dossiers: a province resolves a few million a year. CSV is
# the format for those; an .xlsx sheet stops at 1,048,576 rows anyway.
FRAME_LIMITS = dataclasses.replace(
    TABLE_LIMITS, file_bytes=1024 * 1024 * 1024, unzipped_bytes=2048 * 1024 * 1024,
    rows=5_000_000, lines=5_000_000, cells=100_000_000, spanned=300_000_000,
    chars=1_000_000_000, strings=5_000_000, columns=100, seconds=900)
BLOCK = 20_000  # rows per block: large enough for the C-level passes to pay, small enough to
#                 keep a block's Python objects light

Block = tuple[Sequence[int], list[Sequence[str]]]  # (line numbers, cells of each wanted column)


def frame_blocks(data: bytes, filename: str, required: tuple[str, ...],
                 wanted: tuple[str, ...], lang: str = "en", size: int = BLOCK
                 ) -> Iterator[Block]:
    """Blocks of the non-empty rows of a CSV or XLSX frame file, in file order.

    ImportRejected names the file, row and column of a problem of the file itself (encoding,
    size, header); the rows' values are the caller's to check.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx(data, filename, required, wanted, lang, size)
    if name.endswith(".csv"):
        return _csv(data, filename, required, wanted, lang, size)
    message = "tệp phải là .csv hoặc .xlsx" if lang == "vi" else "the file must be .csv or .xlsx"
    raise ImportRejected(filename, [RowProblem(1, "-", message)])


def _columns(rows: list, width: int, index: list[int]) -> list[Sequence[str]]:
    """The wanted columns of `rows` (lists of cells), stripped. As csv.DictReader reads a
    row: a short row's missing cells are "", cells beyond the header dropped; `index` holds
    the wanted columns' places in the header (the last of a repeated name), -1 if absent."""
    if not rows:
        return [() for _ in index]
    if set(map(len, rows)) != {width}:
        pad = [""] * width
        rows = [row if len(row) == width else (row + pad)[:width] for row in rows]
    by_column = list(zip(*rows, strict=True)) if width else []
    blank = ("",) * len(rows)
    strip = str.strip
    return [tuple(map(strip, by_column[i])) if i >= 0 else blank for i in index]


def _non_empty(lines: Sequence[int], columns: list[Sequence[str]]) -> Block:
    """The block without its empty rows (every wanted cell ""); one C-level pass when the
    first column has no empty cell, which makes every row non-empty."""
    if not columns or "" not in columns[0]:
        return lines, columns
    keep = [i for i, row in enumerate(zip(*columns, strict=True)) if any(row)]
    if len(keep) == len(lines):
        return lines, columns
    pick = itemgetter(*keep) if len(keep) > 1 else (lambda seq: tuple(seq[i] for i in keep))
    return [lines[i] for i in keep], [tuple(pick(c)) if keep else () for c in columns]


def _header_index(header: list[str], wanted: tuple[str, ...]) -> list[int]:
    where = {h: i for i, h in enumerate(header)}  # a repeated name: its last column
    return [where.get(column, -1) for column in wanted]


def _csv(data: bytes, source: str, required: tuple[str, ...], wanted: tuple[str, ...],
         lang: str, size: int) -> Iterator[Block]:
    budget = Budget(FRAME_LIMITS)
    header: list[str] = []
    try:
        text = decode_csv(data, FRAME_LIMITS)
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, csv_header(data), lang=lang)]) from None
    try:
        lines = _plain_lines(text)
        if lines is not None:
            header += budget.take(1, [h.strip() for h in lines[0].split(",")])
            _check_header(source, required, header, lang)
            yield from _split_blocks(lines, header, wanted, size)
            return
        # One pass over the whole text finds what no database stores (NUL, a lone
        # surrogate); only then must each row be counted cell by cell to say where. The other
        # per-cell limits do not bind here: the wanted cells have their own lengths checked,
        # the others are dropped.
        yield from _reader_blocks(text, source, required, wanted, lang, size, budget, header,
                                  storable(text))
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, header, lang=lang)]) from None


def _plain_lines(text: str) -> list[str] | None:
    """The text's lines when str.split reads it exactly as csv.reader would: no quote (so no
    field spans lines or holds a comma), every carriage return before a line feed, nothing a
    database cannot store, no line near the csv module's field limit (whose error it names),
    and no more lines than the budget's. None otherwise."""
    if '"' in text or "\x00" in text:  # (decoded from UTF-8: no lone surrogate either)
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if len(lines) > FRAME_LIMITS.lines or max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


def _split_blocks(lines: list[str], header: list[str], wanted: tuple[str, ...],
                  size: int) -> Iterator[Block]:
    width, index = len(header), _header_index(header, wanted)
    for start in range(1, len(lines), size):
        part = lines[start:start + size]
        rows = list(map(str.split, part, repeat(",")))
        numbers = range(start + 1, start + 1 + len(part))  # header = line 1
        block = _non_empty(numbers, _columns(rows, width, index))
        if block[0]:
            yield block


def _reader_blocks(text: str, source: str, required: tuple[str, ...],
                   wanted: tuple[str, ...], lang: str, size: int, budget: Budget,
                   header: list[str], whole: bool) -> Iterator[Block]:
    """csv.reader's rows in blocks, each named by csv.reader's line count after it (a record
    spanning lines: its last line)."""
    reader = csv.reader(io.StringIO(text))
    header += budget.take(1, [h.strip() for h in next(reader, [])])
    _check_header(source, required, header, lang)
    width, index = len(header), _header_index(header, wanted)
    most = FRAME_LIMITS.lines
    read = reader.line_num
    while True:
        numbers: list[int] = []
        rows: list[list[str]] = []
        error = None
        try:
            for cells in reader:
                read = reader.line_num
                if cells:  # (an empty line: an empty row, dropped with the others)
                    if read > most:
                        raise budget.refuse("lines", read, limit=most)
                    if not whole:
                        cells = list(budget.take(read, cells))
                numbers.append(read)
                rows.append(cells)
                if len(rows) >= size:
                    break
        except csv.Error as caught:  # e.g. a cell over the csv module's 128 KiB field limit
            error = caught
        block = _non_empty(numbers, _columns(rows, width, index))
        if block[0]:  # the rows before a problem are checked first, as they come first
            yield block
        if error is not None:
            # the record that failed starts on the line after the last one read whole
            field = oversized_field(text, read + 1, csv.field_size_limit())
            column = header[field - 1] if field and field <= len(header) else "-"
            raise ImportRejected(source, [RowProblem(read + 1, column or "-", str(error))]) \
                from error
        if len(rows) < size:
            return


def _xlsx(data: bytes, source: str, required: tuple[str, ...], wanted: tuple[str, ...],
          lang: str, size: int) -> Iterator[Block]:
    header: list[str] = []
    lines = xlsx_lines(data, source, required, FRAME_LIMITS, lang, header)
    index: list[int] = []
    numbers: list[int] = []
    rows: list[tuple[str, ...]] = []
    for number, values in lines:
        if not index:
            index = _header_index(header, wanted)
        cells = tuple(cell_text(values[i]) if 0 <= i < len(values) else "" for i in index)
        if any(cells):
            numbers.append(number)
            rows.append(cells)
        if len(rows) >= size:
            yield numbers, [tuple(c) for c in zip(*rows, strict=True)]
            numbers, rows = [], []
    if rows:
        yield numbers, [tuple(c) for c in zip(*rows, strict=True)]
