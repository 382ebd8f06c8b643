"""XLSX export: the responses sheet in the import layout, then a codebook and method notes.

The first sheet keeps the item codes as column names (the layout `import-responses` reads
back); each name carries its label in the chosen language as a cell comment, and the codebook
and method sheets are written in that language. Rating columns are numbers throughout: their
no-answers are written as the codes 97/98/99 (which the import reads back as the same
no-answers), and the method sheet says what each code means. Number items keep the words
(`refused`...), since 97 may be a real value of theirs.

openpyxl's write-only mode streams rows to a temporary file, not into memory.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from survey.services.exports.codes import (
    MISSING_LABELS,
    MISSING_WORDS,
    SAMPLED_LEFT_OUT,
    STREAMS,
    TYPE_WORDS,
    WORD_CODE,
    About,
    choice_numbers,
    is_item,
    is_rating,
    measure,
    no_answer_note,
    pick,
)
from survey.services.formula_guard import needs_guard, neutralise

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEETS = {"responses": ("Phiếu trả lời", "Responses"), "codebook": ("Từ điển biến", "Codebook"),
          "method": ("Phương pháp", "Method")}
CODEBOOK_HEADER = (
    ("Biến", "Variable"), ("Nhãn", "Label"), ("Kiểu", "Type"),
    ("Thang đo (SPSS)", "Measure (SPSS)"), ("Phiếu khảo sát", "Questionnaires"),
    ("Giá trị (mã = nhãn)", "Values (code = label)"),
    ("Số trong SPSS (mã = số)", "SPSS numbers (code = number)"),
    ("Không trả lời", "No answer"),
)
MEASURE_WORDS = {"ordinal": ("thứ bậc", "ordinal"), "nominal": ("định danh", "nominal"),
                 "scale": ("định lượng", "scale")}


def cell(value):
    """A text cell without the characters XML cannot hold, guarded against formulas."""
    if isinstance(value, str):
        return neutralise(_ILLEGAL_XML.sub("", value))
    return value


def write_xlsx(columns, rows, out, lang: str = "vi", about: About | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    about = about or About()
    book = Workbook(write_only=True)
    data = book.create_sheet(pick(SHEETS["responses"], lang))
    codebook = book.create_sheet(pick(SHEETS["codebook"], lang))
    method = book.create_sheet(pick(SHEETS["method"], lang))
    data.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        name = WriteOnlyCell(data, value=column.name)
        name.font = bold
        name.comment = Comment(pick((column.label_vi, column.label_en), lang), "Hailong")
        header.append(name)
    data.append(header)
    count = 0
    for count, row in enumerate(_cells(columns, rows), start=1):  # noqa: B007 - counted
        data.append(row)
    codebook.append(_bold(codebook, [pick(h, lang) for h in CODEBOOK_HEADER], bold))
    for line in codebook_lines(columns, lang):
        codebook.append([cell(v) for v in line])
    for line in method_lines(about, count, lang):
        method.append([cell(v) for v in line])
    book.save(out)
    return count


def _bold(sheet, values, font):
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        c = WriteOnlyCell(sheet, value=value)
        c.font = font
        out.append(c)
    return out


def _cells(columns, rows):
    """Rows as written: ratings' no-answer words as their codes, texts cleaned and guarded.
    Only the columns that need it are looked at (an export has millions of cells)."""
    ratings = [i for i, c in enumerate(columns) if is_rating(c)]
    texts = [i for i, c in enumerate(columns) if c.storage != "int"]
    for row in rows:
        row = list(row)  # the caller's row stays as it was
        for i in ratings:
            value = row[i]
            if value.__class__ is str:
                row[i] = WORD_CODE[value]
        for i in texts:
            value = row[i]
            if value.__class__ is str and (needs_guard(value) or _ILLEGAL_XML.search(value)):
                row[i] = cell(value)
        yield row


def codebook_lines(columns, lang: str):
    for c in columns:
        values = "; ".join(f"{v} = {pick(t, lang)}" for v, t in c.values.items())
        numbers = ""
        if c.type == "single_choice":
            numbers = "; ".join(f"{code} = {n}" for code, n in choice_numbers(c).items())
        yield [c.name, pick((c.label_vi, c.label_en), lang),
               pick(TYPE_WORDS.get(c.type, (c.type, c.type)), lang),
               pick(MEASURE_WORDS[measure(c)], lang), " ".join(c.questionnaires), values,
               numbers, no_answer_note(c) if is_item(c) else ""]


def method_lines(about: About, count: int, lang: str):
    stream = STREAMS[about.stream]
    first, last = about.years
    years = (f"{first}–{last}" if first != last else str(first)) if first or last else \
        pick(("mọi năm", "all years"), lang)
    quarantine = {"exclude": ("không gồm phiếu bị cách ly", "quarantined responses left out"),
                  "include": ("gồm cả phiếu bị cách ly", "quarantined responses included"),
                  "only": ("chỉ phiếu bị cách ly", "quarantined responses only")}
    yield [pick(("Dữ liệu Hailong: ghi chú phương pháp", "Hailong data: method notes"), lang)]
    yield []
    yield [pick(("Dòng dữ liệu", "Stream"), lang), pick(stream["label"], lang), about.stream]
    yield ["", pick(stream["meaning"], lang)]
    yield [pick(("Năm", "Years"), lang), years]
    yield [pick(("Số phiếu", "Responses"), lang), count]
    yield [pick(("Phiếu cách ly", "Quarantine"), lang), pick(quarantine[about.quarantined], lang)]
    yield [pick(("Điều tra chọn mẫu", "Sampled investigations"), lang),
           pick(SAMPLED_LEFT_OUT, lang)]
    # a response is one answer sheet of one unit: it cannot be shared out between the units
    # a split made, so the rows are always as recorded (METHODOLOGY §10)
    yield [pick(("Đơn vị", "Units"), lang), pick(("Theo đơn vị lúc ghi nhận", "As recorded"), lang),
           pick(("mỗi phiếu giữ đơn vị đã ghi nhận nó; các báo cáo tính lại theo đơn vị hiện "
                 "nay", "each response keeps the unit that recorded it; the reports re-attribute "
                 "to today's units"), lang)]
    yield [pick(("Thời điểm xuất (UTC)", "Exported at (UTC)"), lang),
           datetime.now(UTC).replace(microsecond=0).isoformat()]
    yield []
    yield [pick(("Mã không trả lời", "No-answer codes"), lang),
           pick(("Ý nghĩa", "Meaning"), lang), pick(("Từ trong tệp CSV", "Word in CSV"), lang)]
    for code, words in MISSING_LABELS.items():
        yield [code, pick(words, lang), MISSING_WORDS[code]]
    yield ["", pick((
        "Các mã 97, 98, 99 không phải là điểm đánh giá: chúng không được tính vào n khi tính "
        "tỷ lệ hài lòng (METHODOLOGY §1). Trong các cột đánh giá chúng được ghi bằng số; "
        "hãy loại chúng ra (hoặc khai báo là giá trị khuyết) trước khi tính trung bình.",
        "The codes 97, 98, 99 are not ratings: they are left out of n in every satisfaction "
        "figure (METHODOLOGY §1). In rating columns they are written as numbers; leave them "
        "out (or declare them missing) before averaging."), lang)]
    yield ["", pick((
        "Câu hỏi dạng số ghi các trường hợp không trả lời bằng chữ (not_applicable, dont_know, "
        "refused), vì 97–99 có thể là một giá trị thật; trong tệp SPSS là -97, -98, -99.",
        "Number items write their no-answers as words (not_applicable, dont_know, refused), "
        "since 97-99 may be real values; in the SPSS file they are -97, -98, -99."), lang)]
    yield ["", pick(("Thời điểm gửi (submitted_at) theo giờ UTC, dạng ISO 8601.",
                     "Submission times (submitted_at) are in UTC, as ISO 8601."), lang)]
    yield ["", pick((
        "Tên cột là mã câu hỏi (nhãn ở chú thích của ô và trong sheet Từ điển biến); sheet "
        "đầu tiên nhập lại được bằng lệnh hailong import-responses.",
        "Column names are item codes (labels in the cell comments and the Codebook sheet); "
        "the first sheet imports back with hailong import-responses."), lang)]
