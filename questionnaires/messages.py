"""The one catalogue of author-facing and respondent-facing messages.

Every problem the package reports is a member of :class:`Message`, so a test can assert the
exact code, translators see every sentence in one place, and the web app can show the message in
Vietnamese or English. Parameters are ``str.format`` fields filled from ``Problem.params``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


_E, _W = Severity.ERROR, Severity.WARNING


class Message(Enum):
    """(severity, English, Vietnamese) for each code; the member name is the code."""

    # reading the file
    FILE_NOT_FOUND = (_E, "file not found", "không tìm thấy tệp")
    FILE_NOT_UTF8 = (_E, "the file is not UTF-8 text", "tệp không phải văn bản UTF-8")
    YAML_SYNTAX = (_E, "not valid YAML: {detail}", "không phải YAML hợp lệ: {detail}")
    TOO_LARGE = (_E, "the definition is too large or nested too deeply",
                 "định nghĩa quá lớn hoặc lồng nhau quá sâu")
    DUPLICATE_KEY = (_E, "key '{key}' is given twice", "khóa '{key}' xuất hiện hai lần")
    INCLUDE_NOT_FOUND = (_E, "included file '{path}' not found",
                         "không tìm thấy tệp được nhúng '{path}'")
    INCLUDE_CYCLE = (_E, "file '{path}' includes itself", "tệp '{path}' tự nhúng chính nó")
    # structure
    UNKNOWN_KEY = (_E, "unknown key '{key}'", "khóa không hợp lệ '{key}'")
    MISSING_KEY = (_E, "missing key '{key}'", "thiếu khóa '{key}'")
    WRONG_TYPE = (_E, "'{key}' must be {expected}, not {got}",
                  "'{key}' phải là {expected}, không phải {got}")
    BAD_CODE = (_E, "'{value}' is not a valid code (lowercase letter, then a-z, 0-9 or _)",
                "'{value}' không phải mã hợp lệ (chữ thường, rồi a-z, 0-9 hoặc _)")
    UNKNOWN_KIND = (_E, "unknown kind '{value}'", "loại phiếu không hợp lệ '{value}'")
    UNKNOWN_TYPE = (_E, "unknown item type '{value}'",
                    "kiểu câu hỏi không hợp lệ '{value}'")
    UNKNOWN_ELEMENT = (_E, "unknown SIPAS element '{value}' (A, B, C, D or E)",
                       "yếu tố SIPAS không hợp lệ '{value}' (A, B, C, D hoặc E)")
    MISSING_VI_LABEL = (_E, "the Vietnamese text of '{key}' is missing",
                        "thiếu nội dung tiếng Việt của '{key}'")
    NO_ITEMS = (_E, "the questionnaire has no items", "phiếu không có câu hỏi nào")
    UNKNOWN_SERVICE_AREA = (
        _E, "unknown service area '{value}' (known: {known}); an administrator adds areas "
            "under Administration › Service areas",
        "lĩnh vực dịch vụ không tồn tại '{value}' (các lĩnh vực: {known}); quản trị viên thêm "
        "lĩnh vực tại Quản trị › Lĩnh vực dịch vụ")
    # items
    DUPLICATE_ITEM_CODE = (_E, "item code already used on line {other_line}",
                           "mã câu hỏi đã dùng ở dòng {other_line}")
    DUPLICATE_SECTION_CODE = (_E, "section code '{value}' already used",
                              "mã phần '{value}' đã được dùng")
    DUPLICATE_CHOICE_CODE = (_E, "choice code '{value}' used twice",
                             "mã lựa chọn '{value}' dùng hai lần")
    TOO_FEW_CHOICES = (_E, "a choice item needs at least two choices",
                       "câu hỏi lựa chọn cần ít nhất hai phương án")
    OPTION_NOT_FOR_TYPE = (_E, "'{key}' does not apply to type {type}",
                           "'{key}' không áp dụng cho kiểu {type}")
    MIN_GREATER_THAN_MAX = (_E, "min {min} is greater than max {max}",
                            "giá trị nhỏ nhất {min} lớn hơn giá trị lớn nhất {max}")
    NOT_POSITIVE = (_E, "'{key}' must be a positive integer", "'{key}' phải là số nguyên dương")
    BAD_MISSING_CODE = (_E, "missing code {value} is not one of 97, 98, 99",
                        "mã không trả lời {value} không thuộc 97, 98, 99")
    NOT_A_SATISFACTION_ITEM = (_E, "'{key}' is only for satisfaction items (likert5, rating3)",
                               "'{key}' chỉ dùng cho câu hỏi mức độ hài lòng (likert5, rating3)")
    SEVERAL_FLAGGED = (_E, "'{key}' is already set on item '{other}'",
                       "'{key}' đã được đặt cho câu hỏi '{other}'")
    RESPONDENT_TYPE_CHOICES = (
        _E, "the respondent-type item must be single_choice with codes individual, organisation",
        "câu hỏi đối tượng phải là single_choice với mã individual, organisation")
    # show_if
    SHOW_IF_FORM = (_E, "a condition needs 'item' and exactly one operator of {operators}",
                    "điều kiện cần 'item' và đúng một toán tử trong {operators}")
    SHOW_IF_UNKNOWN_ITEM = (_E, "show_if refers to unknown item '{target}'",
                            "show_if tham chiếu câu hỏi không tồn tại '{target}'")
    SHOW_IF_LATER_ITEM = (_E, "show_if refers to item '{target}', which is not before this one",
                          "show_if tham chiếu câu hỏi '{target}' không đứng trước câu này")
    SHOW_IF_OPERATOR = (_E, "operator '{operator}' does not apply to item '{target}' ({type})",
                        "toán tử '{operator}' không áp dụng cho câu '{target}' ({type})")
    SHOW_IF_IMPOSSIBLE_VALUE = (_E, "item '{target}' can never take the value {value!r}",
                                "câu '{target}' không bao giờ nhận giá trị {value!r}")
    # warnings
    MISSING_EN_LABEL = (_W, "no English text for '{key}'", "chưa có nội dung tiếng Anh của '{key}'")
    EMPTY_SECTION = (_W, "section '{value}' has no items", "phần '{value}' không có câu hỏi")
    NO_OVERALL_ITEM = (_W, "no item is flagged overall: true",
                       "chưa có câu hỏi nào được đánh dấu overall: true")
    # versions
    ITEM_MEANING_CHANGED = (
        _E, "the item keeps its code but changes its {fields}; give it a new code",
        "câu hỏi giữ nguyên mã nhưng thay đổi {fields_vi}; hãy đặt mã mới")
    ITEM_REWORDED = (
        _E, "the item keeps its code and scale but its Vietnamese text changed ({old!r} → "
            "{new!r}): confirm a wording revision (same meaning) or, if the meaning changed, "
            "give it a new code",
        "câu hỏi giữ nguyên mã và thang đo nhưng nội dung tiếng Việt đã đổi ({old!r} → "
        "{new!r}): hãy xác nhận chỉ sửa cách diễn đạt (cùng ý nghĩa) hoặc, nếu ý nghĩa đã "
        "thay đổi, hãy đặt mã mới")
    # answers (shown to respondents, hence short)
    ANSWER_REQUIRED = (_E, "This question needs an answer.", "Vui lòng trả lời câu hỏi này.")
    ANSWER_WRONG_TYPE = (_E, "This answer has the wrong form.", "Câu trả lời không đúng dạng.")
    ANSWER_OUT_OF_RANGE = (_E, "The answer must be between {min} and {max}.",
                           "Câu trả lời phải từ {min} đến {max}.")
    ANSWER_NOT_A_CHOICE = (_E, "'{value}' is not one of the choices.",
                           "'{value}' không phải là một lựa chọn.")
    ANSWER_TOO_LONG = (_E, "The text is longer than {max} characters.",
                       "Nội dung dài quá {max} ký tự.")
    ANSWER_NO_ANSWER_NOT_ALLOWED = (_E, "This question cannot be skipped.",
                                    "Câu hỏi này không thể bỏ qua.")
    ANSWER_HIDDEN = (_E, "This question is not asked given the earlier answers.",
                     "Câu hỏi này không áp dụng theo các câu trả lời trước.")
    ANSWER_UNKNOWN_ITEM = (_E, "There is no such question.", "Không có câu hỏi này.")

    # XLSForm import: what is not carried over, each named at its sheet, row and column
    XLS_COLUMN_NOT_KEPT = (_W, "column '{name}' is not imported (no equivalent here)",
                           "cột '{name}' không được nhập (không có tương đương)")
    XLS_LANGUAGE_DROPPED = (
        _W, "the {language} texts are not kept: questionnaires hold Vietnamese and English",
        "nội dung tiếng {language} không được giữ: phiếu chỉ lưu tiếng Việt và tiếng Anh")
    XLS_LANGUAGE_STANDS_IN = (
        _W, "no Vietnamese texts: the {language} texts of this column are used for them",
        "không có nội dung tiếng Việt: dùng nội dung tiếng {language} của cột này thay thế")
    XLS_METADATA_SKIPPED = (_W, "'{value}' is device metadata, not a question: skipped",
                            "'{value}' là siêu dữ liệu thiết bị, không phải câu hỏi: bỏ qua")
    XLS_TYPE_SKIPPED = (_W, "type '{value}' has no equivalent here: the row is skipped",
                        "kiểu '{value}' không có tương đương: bỏ qua hàng này")
    XLS_IN_REPEAT = (_W, "inside repeat '{repeat}', which is not collected: skipped",
                     "nằm trong nhóm lặp '{repeat}', không được thu thập: bỏ qua")
    XLS_NOTE_SKIPPED = (
        _W, "a note is kept only before the first question and without a condition "
            "(as the introduction): not kept",
        "ghi chú chỉ được giữ khi đứng trước câu hỏi đầu tiên và không có điều kiện "
        "(làm lời giới thiệu): không được giữ")
    XLS_DEPENDS_ON_SKIPPED = (
        _W, "shown only depending on '{target}', which is not imported: skipped",
        "chỉ hiện tùy theo '{target}', câu không được nhập: bỏ qua")
    XLS_CONDITION_SKIPPED = (
        _W, "cannot map the condition ({detail}): skipped rather than always shown",
        "không thể chuyển điều kiện ({detail}): bỏ qua thay vì luôn hiển thị")
    XLS_GROUP_MERGED = (
        _W, "group '{value}' inside another is merged into it; its condition applies to its items",
        "nhóm '{value}' nằm trong nhóm khác được gộp vào; điều kiện của nó áp dụng cho các câu")
    XLS_CODE_RENAMED = (_W, "name '{value}' becomes the code '{new}'",
                        "tên '{value}' được đổi thành mã '{new}'")
    XLS_FORM_ID_DERIVED = (_W, "no form_id: the code '{new}' is used",
                           "không có form_id: dùng mã '{new}'")
    XLS_SCALE_OWN_LIST = (
        _W, "list '{value}' is not our {value} scale (codes or labels differ): kept as its own "
            "choices",
        "danh sách '{value}' không phải thang đo {value} của hệ thống (mã hoặc nhãn khác): "
        "giữ nguyên như các lựa chọn riêng")
    XLS_OR_OTHER = (_W, "'or_other': the choice 'other' is kept, its text box is not collected",
                    "'or_other': giữ lựa chọn 'other', không thu thập ô nhập nội dung khác")
    XLS_REQUIRED_OPTIONAL = (_W, "required '{value}' is not yes or no: the item is optional",
                             "required '{value}' không phải yes hoặc no: câu hỏi không bắt buộc")
    XLS_CONSTRAINT_DROPPED = (_W, "the constraint '{value}' cannot be mapped: it is not checked",
                              "không thể chuyển ràng buộc '{value}': sẽ không được kiểm tra")
    XLS_EMPTY_GROUP = (_W, "group '{value}' has no item that can be imported: dropped",
                       "nhóm '{value}' không có câu hỏi nhập được: bỏ qua")
    XLS_UNCLOSED_GROUP = (_W, "group '{value}' is not closed: it ends with the sheet",
                          "nhóm '{value}' không được đóng: kết thúc ở cuối trang tính")

    XLS_LABEL_FROM_NAME = (_W, "no label: the name '{value}' is shown instead",
                           "không có nhãn: hiển thị tên '{value}' thay thế")
    XLS_CHOICE_REPEATED = (
        _W, "choice '{value}' of list '{list}' is listed again with the same label (a cascading "
            "list): kept once",
        "lựa chọn '{value}' của danh sách '{list}' lặp lại với cùng nhãn (danh sách phân cấp): "
        "chỉ giữ một lần")
    XLS_SHEET_NOT_KEPT = (_W, "the sheet '{name}' is not imported",
                          "trang tính '{name}' không được nhập")
    XLS_ONE_CHOICE = (_W, "list '{value}' has fewer than two choices: the row is skipped",
                      "danh sách '{value}' có ít hơn hai lựa chọn: bỏ qua hàng này")
    XLS_LONE_SHEET = (_W, "no 'survey' sheet: the only sheet, '{name}', is read as the survey",
                      "không có trang 'survey': trang duy nhất '{name}' được đọc làm survey")
    XLS_IN_LOST_GROUP = (
        _W, "inside group '{group}' (row {group_row}), whose condition is not carried over: "
            "skipped",
        "nằm trong nhóm '{group}' (hàng {group_row}) có điều kiện không chuyển được: bỏ qua")
    XLS_GROUP_CONDITION_SKIPPED = (
        _W, "cannot carry over the group's condition ({detail}): its items are skipped rather "
            "than always shown",
        "không thể chuyển điều kiện của nhóm ({detail}): các câu trong nhóm bị bỏ qua thay vì "
        "luôn hiển thị")
    XLS_TEXT_ANSWER = (
        _W, "the text shows the answer to '{value}', which is not filled in here: '…' is shown",
        "nội dung hiển thị câu trả lời của '{value}', điều này không được hỗ trợ: hiển thị '…'")
    XLS_ENGLISH_STANDS_IN = (_W, "no Vietnamese text in this row: the English text is used",
                             "hàng này không có nội dung tiếng Việt: dùng nội dung tiếng Anh")
    XLS_DUPLICATE_RENAMED = (
        _W, "name '{value}' is already used on row {other}: this item becomes '{new}'",
        "tên '{value}' đã dùng ở hàng {other}: câu hỏi này thành '{new}'")
    BAD_CHOICE_CODE = (
        _E, "'{value}' is not a valid choice code (a number, or a name without spaces or quotes)",
        "'{value}' không phải mã lựa chọn hợp lệ (một số, hoặc tên không có dấu cách hay "
        "dấu nháy)")
    def __init__(self, severity: Severity, en: str, vi: str) -> None:
        self.severity = severity
        self.en = en
        self.vi = vi

    def text(self, lang: str = "en", **params: object) -> str:
        template = self.vi if lang == "vi" else self.en
        try:
            text = template.format(**params)
        except (KeyError, IndexError, ValueError):
            # a missing parameter must never hide the problem itself
            text = template
        suggestion = params.get("suggestion")
        if suggestion:
            text += f" (có phải là '{suggestion}'?)" if lang == "vi" else \
                f" (did you mean '{suggestion}'?)"
        return text


@dataclass(frozen=True)
class Problem:
    """One located problem: ``str()`` gives ``FILE:LINE:COL: CODE item: message``."""

    code: Message
    file: str
    line: int | None = None
    column: int | None = None
    item: str | None = None
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def severity(self) -> Severity:
        return self.code.severity

    def message(self, lang: str = "en") -> str:
        return self.code.text(lang, **self.params)

    def format(self, lang: str = "en") -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        item = f" {self.item}" if self.item else ""
        return f"{where}: {self.code.name}{item}: {self.message(lang)}"

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class Report:
    """The outcome of checking a definition; warnings never stop loading."""

    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


class DefinitionError(ValueError):
    """Raised by the loaders when a definition has errors; nothing of it is loaded."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid definition")
