"""The scoreboard as open data: three tables, their data dictionary, CSV and JSON.

Every row comes from the scoreboard (survey/public/scoreboard.py), so a download holds exactly
what the pages show, suppressed cells included as n only. Texts in a CSV pass the exports'
formula guard (a unit named "=HYPERLINK(...)" must not run in a spreadsheet). The licence
travels inside each file (a column of the CSV, a member of the JSON) and in a Link header.
"""

from __future__ import annotations

import csv
import io
import json

from survey.services.formula_guard import neutralise

LICENCE = {
    "name": "CC BY 4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = {
    "vi": "Nguồn: hệ thống đo lường sự hài lòng của người dân (hài lòng), giấy phép CC BY 4.0",
    "en": "Source: the citizen satisfaction measurement system (hailong), licence CC BY 4.0",
}

# name, type, (Vietnamese, English) meaning
_PLACE = [
    ("area_type", "string", ("Loại: province (toàn tỉnh), service_area (lĩnh vực) hoặc unit "
                             "(đơn vị)", "Kind: province, service_area or unit")),
    ("code", "string", ("Mã lĩnh vực hoặc đơn vị (trống cho toàn tỉnh)",
                        "Service area or unit code (empty for the province)")),
    ("name_vi", "string", ("Tên tiếng Việt", "Name in Vietnamese")),
    ("name_en", "string", ("Tên tiếng Anh (có thể trống)", "Name in English (may be empty)")),
    ("unit_level", "string", ("Cấp đơn vị: department (sở, ngành), district (huyện), commune "
                              "(xã); số liệu của đơn vị gồm cả các đơn vị trực thuộc",
                              "Unit level: department, district or commune; a unit's figures "
                              "include the units below it")),
    ("year", "integer", ("Năm", "Year")),
]
_LICENCE = [("licence", "string", ("Giấy phép của dữ liệu", "Licence of the data"))]

TABLES = {
    "satisfaction": {
        "title": ("Tỷ lệ hài lòng theo năm", "Satisfied share per year"),
        "columns": _PLACE + [
            ("n", "integer", ("Số người trả lời câu hỏi hài lòng chung (không tính 'không trả "
                              "lời')", "Respondents who answered the overall question "
                              "(no answer excluded)")),
            ("suppressed", "boolean", ("true: ô bị ẩn (dưới 30 người, hoặc ẩn kèm để không suy "
                                       "ra được ô nhỏ); chỉ công bố n",
                                       "true: the cell is hidden (under 30 respondents, or "
                                       "hidden beside such a cell so it cannot be derived); "
                                       "only n is published")),
            ("satisfied", "integer", ("Số người hài lòng (mức 4, 5)",
                                      "Respondents satisfied (answers 4 or 5)")),
            ("share", "number", ("Tỷ lệ hài lòng, 0–1", "Satisfied share, 0–1")),
            ("ci_low", "number", ("Cận dưới khoảng tin cậy 95 % (Wilson)",
                                  "Lower end of the 95 % Wilson interval")),
            ("ci_high", "number", ("Cận trên khoảng tin cậy 95 % (Wilson)",
                                   "Upper end of the 95 % Wilson interval")),
            ("verdict", "string", ("So với mục tiêu 80 %: meets (đạt), not_established (chưa "
                                   "khẳng định được), below (dưới mục tiêu)",
                                   "Against the 80 % target: meets, not_established or "
                                   "below")),
        ] + _LICENCE,
    },
    "changes": {
        "title": ("Thay đổi so với năm trước", "Change from the year before"),
        "columns": _PLACE + [
            ("previous_year", "integer", ("Năm so sánh", "The year compared with")),
            ("delta", "number", ("Chênh lệch tỷ lệ hài lòng (năm − năm trước), 0–1",
                                 "Difference in share (year − previous year), 0–1")),
            ("delta_ci_low", "number", ("Cận dưới khoảng tin cậy 95 % của chênh lệch "
                                        "(Newcombe)", "Lower end of the difference's 95 % "
                                        "Newcombe interval")),
            ("delta_ci_high", "number", ("Cận trên khoảng tin cậy 95 % của chênh lệch",
                                         "Upper end of the difference's 95 % interval")),
            ("p_adjusted", "number", ("Giá trị p đã hiệu chỉnh Benjamini–Hochberg",
                                      "Benjamini–Hochberg adjusted p-value")),
            ("significant", "boolean", ("Thay đổi có ý nghĩa thống kê (FDR 5 %)",
                                        "Statistically significant change (FDR 5 %)")),
        ] + _LICENCE,
    },
    "on_time": {
        "title": ("Giải quyết hồ sơ đúng hạn", "Dossiers resolved on time"),
        "columns": _PLACE + [
            ("received", "integer", ("Hồ sơ tiếp nhận", "Dossiers received")),
            ("resolved", "integer", ("Hồ sơ đã giải quyết", "Dossiers resolved")),
            ("resolved_early", "integer", ("Giải quyết trước hạn", "Resolved early")),
            ("resolved_on_time", "integer", ("Giải quyết đúng hạn", "Resolved on time")),
            ("resolved_late", "integer", ("Giải quyết trễ hạn", "Resolved late")),
            ("on_time_rate", "number", ("Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải "
                                        "quyết; số liệu toàn bộ, không có khoảng tin cậy",
                                        "On-time rate = (early + on time) / resolved; whole "
                                        "population, no interval")),
            ("late_rate", "number", ("Tỷ lệ trễ hạn = trễ hạn / đã giải quyết",
                                     "Late rate = late / resolved")),
        ] + _LICENCE,
    },
}
_SOURCE = {"satisfaction": "rows", "changes": "changes", "on_time": "records"}
# the types in words for the data dictionary page (the files keep the JSON Schema names)
TYPE_WORDS = {"string": ("văn bản", "text"), "integer": ("số nguyên", "whole number"),
              "number": ("số thập phân", "decimal number"),
              "boolean": ("true/false (đúng/sai)", "true/false")}


def column_names(table: str) -> list[str]:
    return [name for name, _, _ in TABLES[table]["columns"]]


def _places(board: dict):
    yield "province", "", board["province"], ""
    for code, area in board["areas"].items():
        yield "service_area", code, area, ""
    for code, unit in board["units"].items():
        yield "unit", code, unit, unit["level"]


def rows(board: dict, table: str) -> list[dict]:
    """The table's rows, one per place and year, every column present (None when empty)."""
    names = column_names(table)
    out = []
    for kind, code, place, level in _places(board):
        for row in place[_SOURCE[table]]:
            record = dict.fromkeys(names)
            record.update(area_type=kind, code=code, name_vi=place["name_vi"],
                          name_en=place["name_en"], unit_level=level, licence=LICENCE["name"])
            record.update({k: v for k, v in row.items() if k in record and k not in (
                "area_type", "code", "licence")})
            out.append(record)
    return out


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(value)


def to_csv(board: dict, table: str) -> bytes:
    """UTF-8 with a byte-order mark, so that a spreadsheet reads the Vietnamese names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = column_names(table)
    writer.writerow(names)
    for row in rows(board, table):
        writer.writerow([_cell(row[name]) for name in names])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(board: dict, table: str) -> bytes:
    spec = TABLES[table]
    document = {
        "title": {"vi": spec["title"][0], "en": spec["title"][1]},
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "benchmark": board["benchmark"],
        "method": {
            "vi": "Chỉ số chung: tỷ lệ trả lời 4–5 trên câu hỏi hài lòng chung của phiếu khảo "
                  "sát; khoảng tin cậy Wilson 95 %; ô dưới 30 người bị ẩn, kèm ẩn bổ sung.",
            "en": "Index: share answering 4-5 on the survey's overall question; 95 % Wilson "
                  "intervals; cells under 30 respondents hidden, with complementary "
                  "suppression.",
        },
        "columns": [{"name": n, "type": t, "description": {"vi": vi, "en": en}}
                    for n, t, (vi, en) in spec["columns"]],
        "rows": rows(board, table),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
