"""Vietnamese for the problems a paper import reports, in one table.

The submission checks (`responses.prepare`) and the file readers (`imports`) word their
problems in English for the API and the logs; answer problems come already in the asked
language (`questionnaires.validate_answers`). A clerk reads the rest through this table: each
English pattern with its Vietnamese, the pattern's groups carried over. A message the table
does not know is shown as it is (English), never dropped.
"""

from __future__ import annotations

import re

_TABLE: tuple[tuple[str, str], ...] = (
    (r"missing column in the header", "thiếu cột này ở dòng tiêu đề"),
    (r"the file must be \.csv or \.xlsx", "tệp phải là .csv hoặc .xlsx"),
    (r"repeated in this file", "mã phiếu lặp lại trong tệp này"),
    (r"a UUID is required", "cần một mã phiếu dạng UUID"),
    (r"one of (?P<x>.+)", r"phải là một trong: \g<x>"),
    (r"unknown unit (?P<x>.+)", r"không có đơn vị \g<x>"),
    (r"unknown service area (?P<x>.+)", r"không có lĩnh vực \g<x>"),
    (r"in the future", "là thời điểm trong tương lai"),
    (r"before the year 2000", "trước năm 2000"),
    (r"not an ISO 8601 date and time",
     "không phải ngày giờ hợp lệ: hãy ghi dd/mm/yyyy hoặc yyyy-mm-dd"),
    (r"in (?P<y>\d+), a year closed for reporting", r"thuộc năm \g<y>, năm đã khóa số liệu"),
    (r"no questionnaire with code (?P<x>.+)", r"không có phiếu mã \g<x>"),
    (r"(?P<x>\S+) has no version (?P<n>\d+)", r"phiếu \g<x> không có phiên bản \g<n>"),
    (r"(?P<x>\S+) has no published version", r"phiếu \g<x> chưa có phiên bản nào được ban hành"),
    (r"holds characters that cannot be stored \(a NUL or a lone surrogate\)",
     "chứa ký tự không lưu được (NUL hoặc ký tự thay thế đơn lẻ)"),
    (r"channel (?P<c>\S+) needs (?P<x>.+)", r"kênh \g<c> cần \g<x>"),
    (r"the file has no data rows", "tệp không có hàng dữ liệu nào"),
    (r"the form chose (?P<x>.+)", r"biểu mẫu đã chọn \g<x>"),
    # dossier statistics (records_import)
    (r"(?P<x>.*) is not 2024, 2024-Q3 or 2024-07",
     r"\g<x> không phải kỳ dạng 2024, 2024-Q3 hoặc 2024-07"),
    (r"(?P<x>.*) is neither a procedure group nor a service area",
     r"\g<x> không phải nhóm thủ tục hay lĩnh vực"),
    (r"(?P<x>.*) is not a whole number ≥ 0", r"\g<x> không phải số nguyên ≥ 0"),
    (r"a whole number of (?P<d>\d+) digits: at most (?P<m>\d+) are accepted",
     r"số có \g<d> chữ số: chỉ nhận tối đa \g<m> chữ số"),
    (r"resolved \+ pending = (?P<a>\d+) but received \+ carried over = (?P<b>\d+)",
     r"đã giải quyết + đang giải quyết = \g<a> nhưng tiếp nhận + kỳ trước chuyển sang = \g<b>"),
    (r"the same period, unit and group as row (?P<r>\d+)",
     r"trùng kỳ, đơn vị và nhóm với dòng \g<r>"),
)
_COMPILED = tuple((re.compile(rf"^{english}$", re.S), vietnamese) for english, vietnamese in _TABLE)


def localize(message: str, lang: str) -> str:
    """`message` in `lang` ("vi" or "en"): English is returned as it is."""
    if lang != "vi":
        return message
    for pattern, vietnamese in _COMPILED:
        match = pattern.match(message)
        if match:
            return match.expand(vietnamese)
    return message
