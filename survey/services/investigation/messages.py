"""Every problem the investigation services report, in English and Vietnamese, in one table.

A problem is raised with its code and parameters; `text(code, lang, **params)` words it. The
frame import names file, row and column (imports.RowProblem); the design and draw name the
field of the design.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {  # code: (English, Vietnamese)
    # frame rows
    "required": ("required", "bắt buộc phải có"),
    "too_long": ("at most {limit} characters", "tối đa {limit} ký tự"),
    "repeated": ("dossier {code!r} repeats row {row}", "hồ sơ {code!r} lặp lại dòng {row}"),
    "unknown_unit": ("unknown unit {code!r}", "không có đơn vị {code!r}"),
    "unknown_commune": ("unknown commune {code!r} (a unit code of level commune)",
                        "không có xã {code!r} (mã đơn vị cấp xã)"),
    "unknown_area": ("unknown service area {code!r}", "không có lĩnh vực {code!r}"),
    "area_differs": ("procedure {procedure!r} is in service area {catalogue!r}, not {given!r}",
                     "thủ tục {procedure!r} thuộc lĩnh vực {catalogue!r}, không phải {given!r}"),
    "no_area": ("procedure {procedure!r} is not in the catalogue: give its service_area",
                "thủ tục {procedure!r} chưa có trong danh mục: hãy ghi cột service_area"),
    "applicant": ("{value!r} is not an applicant type: individual or organisation "
                  "(cá nhân, tổ chức)",
                  "{value!r} không phải loại người nộp: cá nhân hoặc tổ chức "
                  "(individual, organisation)"),
    "outside_period": ("resolved on {value}, outside the period {start} to {end}",
                       "giải quyết ngày {value}, ngoài kỳ từ {start} đến {end}"),
    "bad_date": ("{value!r} is not a date: write dd/mm/yyyy or yyyy-mm-dd",
                 "{value!r} không phải ngày: hãy ghi dd/mm/yyyy hoặc yyyy-mm-dd"),
    "no_key": ("contact details cannot be stored: HAILONG_CONTACT_KEY is not set on the "
               "server (leave the contact columns empty, or ask the administrator)",
               "không lưu được thông tin liên hệ: máy chủ chưa đặt HAILONG_CONTACT_KEY "
               "(để trống các cột liên hệ, hoặc liên hệ quản trị viên)"),
    "control": ("holds the control character U+001F", "chứa ký tự điều khiển U+001F"),
    "no_rows": ("the file has no data rows", "tệp không có hàng dữ liệu nào"),
    "stratum_long": ("the stratum {key!r} is longer than {limit} characters",
                     "tầng {key!r} dài quá {limit} ký tự"),
    "too_many": ("{count} problems: the file was read no further; correct these first",
                 "{count} lỗi: dừng đọc tệp; hãy sửa các lỗi này trước"),
    "drawn": ("investigation {code} is {status}: its frame can no longer be replaced",
              "cuộc điều tra {code} đã ở trạng thái {status}: không thể thay khung mẫu nữa"),
}


def text(message: str, lang: str = "en", **params: object) -> str:
    english, vietnamese = MESSAGES[message]
    return (vietnamese if lang == "vi" else english).format(**params)
