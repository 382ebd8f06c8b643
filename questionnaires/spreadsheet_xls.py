"""Legacy .xls workbooks (BIFF, read by xlrd) within the budgets of ``spreadsheet_limits``.

Many Kobo and ODK forms are still .xls. xlrd parses a sheet whole, so the file size limit
bounds the work; rows, cells, characters and cell contents are still counted by the same
``Budget`` as an .xlsx, so both formats are refused at the same place for the same reason.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from .spreadsheet_limits import Budget, Refused, _detail, check_size

XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the OLE2 compound file every .xls is


class XlsSheet:
    """An xlrd sheet seen as `sheet_rows` expects: a title and rows of values."""

    def __init__(self, sheet):
        self.title = sheet.name
        self._sheet = sheet

    def rows(self) -> Iterator[list]:
        for index in range(self._sheet.nrows):
            yield [None if v == "" else v for v in self._sheet.row_values(index)]


class XlsBook:
    def __init__(self, book):
        self._book = book
        self.sheetnames = book.sheet_names()

    def __getitem__(self, name: str) -> XlsSheet:
        try:  # on demand: the sheet is parsed here, and a damaged one fails here
            return XlsSheet(self._book.sheet_by_name(name))
        except Exception as error:
            raise Refused("damaged", sheet=name, detail=_detail(error)) from None

    def close(self) -> None:
        self._book.release_resources()


def open_xls(data: bytes, budget: Budget) -> XlsBook:
    """A legacy .xls workbook. xlrd parses a sheet whole, so the file size bounds the work;
    rows, cells and characters are still counted by `xls_rows`."""
    import xlrd

    check_size(len(data), budget.limits)
    if _short_stream_loops(data):
        raise Refused("unreadable", detail="a loop in the file's sector table")
    try:  # xlrd reports a damaged file on its log (stdout by default): kept from the output
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception as error:  # xlrd raises many kinds for a damaged file
        raise Refused("unreadable", detail=_detail(error)) from None
    budget.check_time()
    return XlsBook(book)


def _short_stream_loops(data: bytes) -> bool:
    """Whether the workbook stream, stored as short sectors, runs round a loop of them.

    xlrd 2.0.1 follows that chain without a bound (every other chain it checks): a damaged
    20 KB file made it loop, its memory growing until the process was killed. The sector
    tables are read by xlrd's own parser (which checks them); only the chain is walked here,
    at most once round the table.
    """
    from xlrd import compdoc

    if data[:8] != compdoc.SIGNATURE:
        return False
    try:
        document = compdoc.CompDoc(data, logfile=io.StringIO())
    except Exception:  # xlrd names the damage itself when it opens the file
        return False
    table = document.SSAT
    for name in ("Workbook", "Book"):
        entry = document._dir_search([name])  # xlrd's lookup, as open_workbook does it
        if entry is None or entry.tot_size >= document.min_size_std_stream:
            continue
        sid, steps = entry.first_SID, 0
        while 0 <= sid < len(table):
            steps += 1
            if steps > len(table):
                return True
            sid = table[sid]
    return False


def xls_rows(sheet: XlsSheet, budget: Budget) -> Iterator[tuple[int, Sequence]]:
    """(row number, values) of each row of an .xls sheet holding a value, within the budget."""
    budget.sheet = sheet.title
    try:
        rows = list(sheet.rows())
    except Exception as error:
        raise budget.refuse("damaged", detail=_detail(error)) from None
    for number, values in enumerate(rows, start=1):
        if values.count(None) == len(values):
            continue
        yield number, budget.take(number, values, [v for v in values if v.__class__ is str])
