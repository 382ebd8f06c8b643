"""Reading an XLSForm workbook into a questionnaire (see ``xlsform``): every problem located.

The rows are first turned into the plain definition dict the YAML loader also builds, then
validated by the same ``from_dict``; its problems are mapped back to the row of the item they
concern, so an author sees "survey, row 12, column relevant" whatever found the mistake.
The workbook is read within ``FORM_LIMITS`` (``spreadsheet_limits``): a file stating a huge
sheet, a zip bomb or a cell that cannot be stored is refused, located, in the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from . import spreadsheet_limits as limits
from .loader import Areas, from_dict
from .messages import DefinitionError, Message

VI_COLS = ("label::Vietnamese (vi)", "label::vi", "label")
EN_COLS = ("label::English (en)", "label::en")
# Presentation-only columns: ignoring them loses nothing a respondent's answer depends on.
IGNORED = {"appearance", "constraint_message", "required_message", "hailong::type"}
SURVEY_KNOWN = {"type", "name", "required", "relevant", "constraint", "hailong::element",
                "hailong::overall", "hailong::demographic", "hailong::respondent_type",
                "hailong::no_answer", *VI_COLS, *EN_COLS, "hint", "hint::Vietnamese (vi)",
                "hint::vi", "hint::English (en)", "hint::en"}
CHOICES_KNOWN = {"list_name", "name", *VI_COLS, *EN_COLS}
SETTINGS_KNOWN = {"form_id", "form_title", "hailong::form_title_en", "hailong::kind",
                  "hailong::intro::Vietnamese (vi)", "hailong::intro::English (en)",
                  "hailong::service_areas", "default_language", "version", "instance_name",
                  "style"}
MESSAGES = {  # code: (English, Vietnamese)
    "not_xlsx": ("not a readable .xlsx workbook", "không phải tệp .xlsx đọc được"),
    "no_sheet": ("the '{name}' sheet is missing", "thiếu trang tính '{name}'"),
    "no_column": ("the column '{name}' is missing", "thiếu cột '{name}'"),
    "unknown_column": ("column '{name}' cannot be imported",
                       "không thể nhập cột '{name}'"),
    "unsupported_type": ("type '{value}' is not supported", "không hỗ trợ kiểu '{value}'"),
    "unknown_list": ("choice list '{value}' is not on the choices sheet",
                     "danh sách lựa chọn '{value}' không có trong trang choices"),
    "scale_list": ("list '{value}' is our {value} scale and must have the codes {codes}",
                   "danh sách '{value}' là thang đo {value} và phải có các mã {codes}"),
    "group": ("groups must be opened and closed in order, without nesting",
              "nhóm phải được mở và đóng theo thứ tự, không lồng nhau"),
    "yes_no": ("'{value}' must be yes or no", "'{value}' phải là yes hoặc no"),
    "relevant": ("cannot map the condition: {detail}", "không thể chuyển điều kiện: {detail}"),
    "constraint": ("cannot map the constraint '{value}'",
                   "không thể chuyển ràng buộc '{value}'"),
    "no_answer": ("'{value}' must list missing codes among 97 98 99",
                  "'{value}' phải là các mã 97 98 99"),
    "definition": ("{detail}", "{detail}"),
    # one wording for both formats: the YAML loader's catalogue entry
    "unknown_service_area": (Message.UNKNOWN_SERVICE_AREA.en, Message.UNKNOWN_SERVICE_AREA.vi),
    **limits.MESSAGES,
}


@dataclass(frozen=True)
class XlsProblem:
    sheet: str
    row: int | None
    column: str | None
    code: str
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "en") -> str:
        english, vietnamese = MESSAGES[self.code]
        return (vietnamese if lang == "vi" else english).format(**self.params)

    def where(self) -> str:
        parts = [self.sheet]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.message()}"


class XlsformError(ValueError):
    def __init__(self, problems: list[XlsProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def letter(self, column: str) -> str:
        return f"{get_column_letter(self.header.index(column) + 1)} ({column})" \
            if column in self.header else column

    def letter_of(self, index: int) -> str:
        name = self.header[index - 1] if index <= len(self.header) else ""
        return f"{get_column_letter(index)} ({name})" if name else get_column_letter(index)


class Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[XlsProblem] = []

    def add(self, sheet: Sheet | str, row: int | None, column: str | None, code: str,
            **params: object) -> None:
        name = sheet.name if isinstance(sheet, Sheet) else sheet
        where = sheet.letter(column) if isinstance(sheet, Sheet) and column else column
        self.problems.append(XlsProblem(name, row, where, code, params))

    def sheet(self, book, name: str, known: set[str], required: tuple[str, ...],
              budget: limits.Budget, data: bytes) -> Sheet | None:
        if name not in book.sheetnames:
            if name != "settings":
                self.add(name, None, None, "no_sheet", name=name)
            return None
        sheet = Sheet(name, [], [])
        rows = []
        try:
            for number, values in limits.sheet_rows(book[name], budget, data):
                cells = [_cell(v) for v in values]
                if number == 1:
                    sheet.header = cells
                else:
                    rows.append((number, cells))
        except limits.Refused as refused:
            self.refused(refused, sheet)
            raise XlsformError(self.problems) from None
        for column in required:
            if column not in sheet.header:
                self.add(name, 1, column, "no_column", name=column)
        for number, values in rows:
            record = {h: v for h, v in zip(sheet.header, values, strict=False) if h}
            if not any(record.values()):
                continue
            for column, value in record.items():
                if value and column not in known and column not in IGNORED:
                    self.add(sheet, number, column, "unknown_column", name=column)
            sheet.rows.append((number, record))
        return sheet

    def refused(self, refused: limits.Refused, sheet: Sheet | None = None) -> None:
        """A limit passed, as a problem of the catalogue at its place."""
        if refused.code == "unreadable":
            self.add(self.filename, None, None, "not_xlsx")
            return
        column = sheet.letter_of(refused.column) if sheet and refused.column else None
        self.problems.append(XlsProblem(refused.sheet or self.filename, refused.row, column,
                                        refused.code, refused.params))


def _text(record: dict[str, str], vi_cols, en_cols) -> dict[str, str]:
    vi = next((record[c] for c in vi_cols if record.get(c)), "")
    en = next((record[c] for c in en_cols if record.get(c)), "")
    return {"vi": vi, "en": en} if en else {"vi": vi}


def _flag(reader: Reader, sheet: Sheet, row: int, record: dict, column: str) -> bool:
    value = record.get(column, "").lower()
    if value in ("yes", "true", "1", "true()"):
        return True
    if value not in ("", "no", "false", "0", "false()"):
        reader.add(sheet, row, column, "yes_no", value=record[column])
    return False


def _check_areas(reader: Reader, settings: Sheet | None, definition: dict,
                 known: Areas) -> None:
    """Areas the caller does not know, at their settings cell (``hailong::service_areas``)."""
    if known is None or settings is None or not settings.rows:
        return
    row = settings.rows[0][0]
    for code in definition.get("service_areas") or ():
        if code not in known:
            reader.add(settings, row, "hailong::service_areas", "unknown_service_area",
                       value=code, known=", ".join(sorted(known)) or "—")


def read_workbook(data: bytes, filename: str, service_areas: Areas = None):
    reader = Reader(filename)
    budget = limits.Budget(limits.FORM_LIMITS)
    try:
        book = limits.open_workbook(data, budget)
    except limits.Refused as refused:
        reader.refused(refused)
        raise XlsformError(reader.problems) from None
    try:
        survey = reader.sheet(book, "survey", SURVEY_KNOWN, ("type", "name"), budget, data)
        choices = reader.sheet(book, "choices", CHOICES_KNOWN, ("list_name", "name"), budget,
                               data)
        settings = reader.sheet(book, "settings", SETTINGS_KNOWN, (), budget, data)
    finally:
        book.close()
    if survey is None or choices is None:
        raise XlsformError(reader.problems)
    from .xlsform_items import build_definition

    definition, rows_by_item = build_definition(reader, survey, choices, settings)
    _check_areas(reader, settings, definition, service_areas)
    if reader.problems:
        raise XlsformError(reader.problems)
    try:
        return from_dict(definition, filename=filename)
    except DefinitionError as error:
        for problem in error.problems:
            row = rows_by_item.get(problem.item or "")
            sheet = "survey" if row is not None else "settings"
            reader.add(sheet, row, None, "definition",
                       detail=(f"{problem.item}: " if problem.item else "") + problem.message())
        raise XlsformError(reader.problems) from None

