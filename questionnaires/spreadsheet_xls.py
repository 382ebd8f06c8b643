"""Legacy .xls workbooks (BIFF, read by xlrd) within the budgets of ``spreadsheet_limits``.

Many Kobo and ODK forms are still .xls. xlrd parses a sheet whole, so the file size limit
bounds the work; rows, cells, characters and cell contents are still counted by the same
``Budget`` as an .xlsx, so both formats are refused at the same place for the same reason.
"""

from __future__ import annotations

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
        return XlsSheet(self._book.sheet_by_name(name))

    def close(self) -> None:
        self._book.release_resources()


def open_xls(data: bytes, budget: Budget) -> XlsBook:
    """A legacy .xls workbook. xlrd parses a sheet whole, so the file size bounds the work;
    rows, cells and characters are still counted by `xls_rows`."""
    import xlrd

    check_size(len(data), budget.limits)
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as error:  # xlrd raises many kinds for a damaged file
        raise Refused("unreadable", detail=_detail(error)) from None
    budget.check_time()
    return XlsBook(book)


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
