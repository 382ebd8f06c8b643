"""Shared pieces of every file import: located problems and all-or-nothing reporting.

Every file is read within a budget (`questionnaires.spreadsheet_limits`, `TABLE_LIMITS`):
whatever a file states about its size, reading it costs at most those rows, cells, bytes
and seconds, and a file that passes one is refused with the place, like any other problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from questionnaires.spreadsheet_limits import (
    TABLE_LIMITS,
    Budget,
    Limits,
    Refused,
    check_size,
    csv_header,
    decode_csv,
    open_workbook,
    oversized_field,
    sheet_rows,
)


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int  # the line number in the file, header = 1, as a spreadsheet shows it
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class ImportRejected(ValueError):
    """The file has problems; nothing of it was imported."""

    def __init__(self, source: str, problems: list[RowProblem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"{source}: {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n{lines}")


def _problem(refused: Refused, header: list[str], letters: bool = False,
             lang: str = "en") -> RowProblem:
    """A refusal as a row problem: its column by header name, else letter (xlsx) or "-"."""
    column = "-"
    if refused.column:
        name = header[refused.column - 1] if refused.column <= len(header) else ""
        if name:
            column = name
        elif letters:
            from openpyxl.utils import get_column_letter

            column = get_column_letter(refused.column)
    message = refused.message(lang)
    if refused.sheet:
        message = f"{'trang' if lang == 'vi' else 'sheet'} {refused.sheet!r}: {message}"
    return RowProblem(refused.row or 1, column, message)


def read_csv_rows(
    text: str, source: str, required: tuple[str, ...], limits: Limits = TABLE_LIMITS,
    lang: str = "en",
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV text as (line number, row), after checking the header.

    A UTF-8 byte-order mark (what Excel writes) is accepted. `lang` words the file's problems.
    """
    budget = Budget(limits)
    header: list[str] = []
    try:
        check_size(len(text), limits)
        return _csv_rows(text, source, required, budget, header, lang)
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, header, lang=lang)]) from None


def _csv_rows(text: str, source: str, required: tuple[str, ...], budget: Budget,
              header: list[str], lang: str = "en") -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header += budget.take(1, [h.strip() for h in next(reader, [])])
    except csv.Error as error:
        raise ImportRejected(source, [RowProblem(1, "-", str(error))]) from error
    _check_header(source, required, header, lang)
    # What csv.DictReader would give, without its per-row Python: a short row's missing
    # cells are empty, cells beyond the header are dropped, a repeated column name keeps
    # the last cell.
    width = len(header)
    pad = [""] * width
    rows = []
    most = budget.limits.lines
    read = reader.line_num  # the last line of the last record read whole
    try:
        for cells in reader:
            read = reader.line_num
            if read > most:
                raise budget.refuse("lines", read, limit=most)
            if not cells:  # an empty line
                continue
            cells = budget.take(read, cells)
            if len(cells) < width:
                cells = cells + pad[len(cells):]
            clean = dict(zip(header, map(str.strip, cells), strict=False))
            if any(clean.values()):
                rows.append((read, clean))
    except csv.Error as error:  # e.g. a cell over the csv module's 128 KiB field limit
        # the record that failed starts on the line after the last one read whole
        field = oversized_field(text.lstrip("\ufeff"), read + 1, csv.field_size_limit())
        name = header[field - 1] if field and field <= width and header[field - 1] else "-"
        raise ImportRejected(source, [RowProblem(read + 1, name, str(error))]) from error
    return rows


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person typed."""
    from datetime import datetime

    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


def _check_header(source: str, required: tuple[str, ...], header: list[str],
                  lang: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        message = "thiếu cột này ở dòng tiêu đề" if lang == "vi" else \
            "missing column in the header"
        raise ImportRejected(source, [RowProblem(1, c, message) for c in missing])


def read_xlsx_rows(
    data: bytes, source: str, required: tuple[str, ...], limits: Limits = TABLE_LIMITS,
    lang: str = "en",
) -> list[tuple[int, dict[str, str]]]:
    """Rows of the first sheet as (row number, row), after checking the header."""
    header: list[str] = []
    rows = []
    for number, values in xlsx_lines(data, source, required, limits, lang, header):
        row = {h: cell_text(v) for h, v in zip(header, values, strict=False) if h}
        if any(row.values()):
            rows.append((number, row))
    return rows


def xlsx_lines(data: bytes, source: str, required: tuple[str, ...], limits: Limits,
               lang: str, header: list[str]) -> Iterator[tuple[int, tuple]]:
    """The first sheet's lines after its header, as (row number, cell values), read within
    the budget of `limits`; the header row's texts are put in `header` and checked first.

    Shared by every workbook import (the frame's reads it in blocks). A problem of the file
    is an ImportRejected naming its row and column (by header name, else letter).
    """
    budget = Budget(limits)
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
            if first is not None:  # no header row: _check_header refused unless none required
                yield first
            yield from lines
        finally:
            book.close()
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, header, True, lang)]) from None


def read_table(
    data: bytes, filename: str, required: tuple[str, ...], limits: Limits = TABLE_LIMITS,
    lang: str = "en",
) -> list[tuple[int, dict[str, str]]]:
    """Rows of an uploaded or local CSV (UTF-8, BOM accepted) or XLSX file."""
    if filename.lower().endswith(".xlsx"):
        return read_xlsx_rows(data, filename, required, limits, lang)
    if not filename.lower().endswith(".csv"):
        message = "tệp phải là .csv hoặc .xlsx" if lang == "vi" else \
            "the file must be .csv or .xlsx"
        raise ImportRejected(filename, [RowProblem(1, "-", message)])
    return read_csv_rows(csv_text(data, filename, limits, lang), filename, required, limits,
                         lang)


def csv_text(data: bytes, source: str, limits: Limits = TABLE_LIMITS, lang: str = "en") -> str:
    """A CSV file's text (UTF-8, BOM accepted); ImportRejected names the line that is not."""
    try:
        return decode_csv(data, limits)
    except Refused as refused:
        raise ImportRejected(source, [_problem(refused, csv_header(data), lang=lang)]) from None
