"""Reading an XLSForm workbook into a questionnaire (see ``xlsform``): every problem located.

The rows are first turned into the plain definition dict the YAML loader also builds, then
validated by the same ``from_dict``; its problems are mapped back to the row of the item they
concern, so an author sees "survey, row 12, column relevant" whatever found the mistake.
The workbook (.xlsx, or legacy .xls through ``spreadsheet_xls``) is read within
``FORM_LIMITS`` (``spreadsheet_limits``): a file stating a huge sheet, a zip bomb or a cell
that cannot be stored is refused, located, in the same list. Sheet and column names are read
case-insensitively and in every spelling pyxform accepts (``xlsform_columns``). Errors refuse
the whole file; warnings (what is not carried over) are kept apart, each located too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from . import spreadsheet_limits as limits
from . import spreadsheet_xls as xls
from .loader import Areas, from_dict
from .messages import DefinitionError, Message
from .model import Questionnaire
from .xlsform_columns import column_key

# Columns whose meaning is carried over; every other column with a value gets a warning.
SURVEY_KNOWN = {"type", "name", "required", "relevant", "constraint", "parameters",
                "hailong::element", "hailong::overall", "hailong::demographic",
                "hailong::respondent_type", "hailong::no_answer", "hailong::section"}
CHOICES_KNOWN = {"list_name", "name"}
SETTINGS_KNOWN = {"form_id", "form_title", "hailong::form_title_en", "hailong::kind",
                  "hailong::intro::vietnamese (vi)", "hailong::intro::english (en)",
                  "hailong::service_areas", "default_language"}
SHEETS = ("survey", "choices", "settings")
MESSAGES = {  # code: (English, Vietnamese)
    "not_xlsx": ("not a readable .xlsx or .xls workbook",
                 "không phải tệp .xlsx hoặc .xls đọc được"),
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
    "no_name": ("the row has no name", "hàng không có tên (name)"),
    "duplicate_name": ("the code '{value}' is already used on row {other}",
                       "mã '{value}' đã được dùng ở hàng {other}"),
    # one wording for both formats: the YAML loader's catalogue entry
    "unknown_service_area": (Message.UNKNOWN_SERVICE_AREA.en, Message.UNKNOWN_SERVICE_AREA.vi),
    **limits.MESSAGES,
    **{m.name.lower(): (m.en, m.vi) for m in Message if m.name.startswith("XLS_")},
}
WARNINGS = {m.name.lower() for m in Message if m.name.startswith("XLS_")}


@dataclass(frozen=True)
class XlsProblem:
    sheet: str
    row: int | None
    column: str | None
    code: str
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_warning(self) -> bool:
        return self.code in WARNINGS

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
    keys: list[str] = field(default_factory=list)  # each header's key (``xlsform_columns``)
    languages: dict[str, str] = field(default_factory=dict)  # code: name as written

    def letter(self, column: str) -> str:
        index = self.keys.index(column) if column in self.keys else \
            self.header.index(column) if column in self.header else None
        if index is None:
            return column
        return f"{get_column_letter(index + 1)} ({self.header[index]})"

    def letter_of(self, index: int) -> str:
        name = self.header[index - 1] if index <= len(self.header) else ""
        return f"{get_column_letter(index)} ({name})" if name else get_column_letter(index)


class Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[XlsProblem] = []
        self.warnings: list[XlsProblem] = []

    def add(self, sheet: Sheet | str, row: int | None, column: str | None, code: str,
            **params: object) -> None:
        name = sheet.name if isinstance(sheet, Sheet) else sheet
        where = sheet.letter(column) if isinstance(sheet, Sheet) and column else column
        problem = XlsProblem(name, row, where, code, params)
        (self.warnings if problem.is_warning else self.problems).append(problem)

    def sheet(self, book, name: str, required: tuple[str, ...], budget: limits.Budget,
              data: bytes) -> Sheet | None:
        found = next((s for s in book.sheetnames if s.strip().lower() == name), None)
        if found is None:
            return None
        sheet = Sheet(found, [], [])
        rows = []
        try:
            source = book[found]
            numbered = xls.xls_rows(source, budget) if isinstance(source, xls.XlsSheet) \
                else limits.sheet_rows(source, budget, data)
            for number, values in numbered:
                cells = [_cell(v) for v in values]
                if not sheet.header:
                    sheet.header = cells
                else:
                    rows.append((number, cells))
        except limits.Refused as refused:
            self.refused(refused, sheet)
            raise XlsformError(self.problems) from None
        for header in sheet.header:
            key, language_name = column_key(header) if header else ("", None)
            sheet.keys.append(key)
            if language_name and "::" in key:
                sheet.languages.setdefault(key.rsplit("::", 1)[1], language_name)
        for column in required:
            if column not in sheet.keys:
                self.add(sheet.name, 1, column, "no_column", name=column)
        for number, values in rows:
            record: dict[str, str] = {}
            for key, value in zip(sheet.keys, values, strict=False):
                if key and value and not record.get(key):
                    record[key] = value
            if record:
                sheet.rows.append((number, record))
        return sheet

    def unused_columns(self, sheet: Sheet, known: set[str], texts: set[str]) -> None:
        """One warning per column holding a value whose meaning is not carried over."""
        for key in dict.fromkeys(sheet.keys):
            if not key or key in known or key.split("::")[0] in texts:
                continue
            row = next((n for n, record in sheet.rows if record.get(key)), None)
            if row is not None:
                self.add(sheet, row, key, "xls_column_not_kept", name=sheet.letter(key))

    def refused(self, refused: limits.Refused, sheet: Sheet | None = None) -> None:
        """A limit passed, as a problem of the catalogue at its place."""
        if refused.code == "unreadable":
            self.add(self.filename, None, None, "not_xlsx")
            return
        column = sheet.letter_of(refused.column) if sheet and refused.column else None
        self.problems.append(XlsProblem(refused.sheet or self.filename, refused.row, column,
                                        refused.code, refused.params))


def _flag(reader: Reader, sheet: Sheet, row: int, record: dict, column: str,
          lenient: bool = False) -> bool:
    value = record.get(column, "").lower()
    if value in ("yes", "true", "1", "true()", "y"):
        return True
    if value not in ("", "no", "false", "0", "false()", "n"):
        if lenient:  # an XPath expression: XLSForm allows it, the product cannot evaluate it
            reader.add(sheet, row, column, "xls_required_optional", value=record[column])
        else:
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


def _open(data: bytes, budget: limits.Budget):
    if data[:4] == xls.XLS_MAGIC:
        return xls.open_xls(data, budget)
    return limits.open_workbook(data, budget)


@dataclass(frozen=True)
class XlsImport:
    """An imported questionnaire and what of the file was not carried over."""

    questionnaire: Questionnaire
    warnings: tuple[XlsProblem, ...]


def read_workbook(data: bytes, filename: str, service_areas: Areas = None,
                  strict: bool = False) -> XlsImport:
    """The questionnaire and its warnings; ``strict``: every warning refuses the file too."""
    reader = Reader(filename)
    budget = limits.Budget(limits.FORM_LIMITS)
    try:
        book = _open(data, budget)
    except limits.Refused as refused:
        reader.refused(refused)
        raise XlsformError(reader.problems) from None
    lone = book.sheetnames[0] if len(book.sheetnames) == 1 and \
        book.sheetnames[0].strip().lower() not in SHEETS else None
    for name in book.sheetnames:
        if name.strip().lower() not in SHEETS and name != lone:
            reader.add(name, None, None, "xls_sheet_not_kept", name=name)
    try:
        survey = reader.sheet(book, "survey", ("type", "name"), budget, data)
        if survey is None and lone is not None:  # as pyxform: a lone sheet is the survey
            survey = reader.sheet(book, lone.strip().lower(), ("type", "name"), budget, data)
            reader.add(lone, None, None, "xls_lone_sheet", name=lone)
        choices = reader.sheet(book, "choices", (), budget, data)  # needed only by a select
        settings = reader.sheet(book, "settings", (), budget, data)
    finally:
        book.close()
    if survey is None:
        reader.add("survey", None, None, "no_sheet", name="survey")
    if reader.problems or survey is None:
        raise XlsformError(reader.problems)
    from .xlsform_items import build_definition

    definition, rows_by_item = build_definition(reader, survey, choices, settings)
    _check_areas(reader, settings, definition, service_areas)
    if reader.problems or (strict and reader.warnings):
        raise XlsformError(reader.problems + (reader.warnings if strict else []))
    try:
        questionnaire = from_dict(definition, filename=filename)
    except DefinitionError as error:
        for problem in error.problems:
            row = rows_by_item.get(problem.item or "")
            on_code = problem.code is Message.BAD_CODE and \
                problem.params.get("value") == definition.get("code")
            sheet = "settings" if on_code and row is None else "survey"
            reader.add(sheet, row, None, "definition",
                       detail=(f"{problem.item}: " if problem.item else "") + problem.message())
        raise XlsformError(reader.problems) from None
    return XlsImport(questionnaire, tuple(reader.warnings))
