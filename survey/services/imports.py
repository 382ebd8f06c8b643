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
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejected(
            source, [RowProblem(1, c, "missing column in the header") for c in missing]
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    return rows
