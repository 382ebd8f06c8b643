"""Shared pieces of every file import: located problems and all-or-nothing reporting."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


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


def read_csv_rows(
    text: str, source: str, required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV text as (line number, row), after checking the header.

    A UTF-8 byte-order mark (what Excel writes) is accepted.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as error:
        raise ImportRejected(source, [RowProblem(1, "-", str(error))]) from error
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejected(
            source, [RowProblem(1, c, "missing column in the header") for c in missing]
        )
    # What csv.DictReader would give, without its per-row Python: a short row's missing
    # cells are empty, cells beyond the header are dropped, a repeated column name keeps
    # the last cell.
    width = len(header)
    pad = [""] * width
    rows = []
    read = reader.line_num  # the last line of the last record read whole
    try:
        for cells in reader:
            read = reader.line_num
            if len(cells) < width:
                cells = cells + pad[len(cells):]
            clean = dict(zip(header, map(str.strip, cells), strict=False))
            if any(clean.values()):
                rows.append((read, clean))
    except csv.Error as error:  # e.g. a cell over the csv module's 128 KiB field limit
        # the record that failed starts on the line after the last one read whole
        problem = RowProblem(read + 1, "-", str(error))
        raise ImportRejected(source, [problem]) from error
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


def read_xlsx_rows(
    data: bytes, source: str, required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of the first sheet as (row number, row), after checking the header."""
    import io

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        problem = RowProblem(1, "-", f"not a readable .xlsx file: {error}")
        raise ImportRejected(source, [problem]) from error
    lines = book.worksheets[0].iter_rows(values_only=True)
    header = [cell_text(h) for h in next(lines, ())]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejected(source, [RowProblem(1, c, "missing column in the header")
                                      for c in missing])
    rows = []
    for number, values in enumerate(lines, start=2):
        row = {h: cell_text(v) for h, v in zip(header, values, strict=False) if h}
        if any(row.values()):
            rows.append((number, row))
    book.close()
    return rows


def read_table(
    data: bytes, filename: str, required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of an uploaded or local CSV (UTF-8, BOM accepted) or XLSX file."""
    if filename.lower().endswith(".xlsx"):
        return read_xlsx_rows(data, filename, required)
    if not filename.lower().endswith(".csv"):
        raise ImportRejected(filename, [RowProblem(1, "-", "the file must be .csv or .xlsx")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = RowProblem(1, "-", f"the file is not UTF-8: {error}")
        raise ImportRejected(filename, [problem]) from error
    return read_csv_rows(text, filename, required)
