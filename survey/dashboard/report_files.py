"""The council report's figures as one XLSX workbook: a sheet per table, headers and verdicts
in the reader's language, every figure a number (shares as fractions shown as percentages,
changes in points) so that a spreadsheet can compute with them.

The DOCX and PDF documents are written by `survey.services.council_report` (pure Python; no
browser: a production install has no Playwright).
"""

from __future__ import annotations

import io

from survey.services.council_report.text import words
from survey.services.formula_guard import neutralise

# column, (vi, en), number format
COLUMNS = (
    ("n", ("n", "n"), "0"),
    ("satisfied", ("Số hài lòng", "Satisfied"), "0"),
    ("share", ("Tỷ lệ hài lòng", "% satisfied"), "0.0%"),
    ("ci_low", ("KTC 95 % – cận dưới", "95 % CI – low"), "0.0%"),
    ("ci_high", ("KTC 95 % – cận trên", "95 % CI – high"), "0.0%"),
    ("benchmark_p", ("p (so với mục tiêu, một phía)", "p (vs target, one-sided)"), "0.000"),
    ("benchmark_lower", ("Cận dưới một phía 95 %", "One-sided 95 % lower bound"), "0.0%"),
    ("verdict", ("Đánh giá", "Verdict"), None),
    ("previous_share", ("Tỷ lệ năm trước", "Previous year"), "0.0%"),
    ("delta", ("Thay đổi (điểm)", "Change (points)"), "0.0"),
    ("delta_ci_low", ("Thay đổi – cận dưới KTC 95 %", "Change – 95 % CI low"), "0.0"),
    ("delta_ci_high", ("Thay đổi – cận trên KTC 95 %", "Change – 95 % CI high"), "0.0"),
    ("p_adjusted", ("p hiệu chỉnh (Benjamini–Hochberg)", "Adjusted p (Benjamini–Hochberg)"),
     "0.000"),
    ("significant", ("Có ý nghĩa thống kê", "Significant"), None),
)
DOSSIER_COLUMNS = (
    ("received", ("Hồ sơ tiếp nhận", "Dossiers received"), "#,##0"),
    ("resolved", ("Hồ sơ đã giải quyết", "Dossiers resolved"), "#,##0"),
    ("on_time_rate", ("Tỷ lệ giải quyết đúng hạn", "On-time rate"), "0.0%"),
)
SHEETS = (("headline", None, ("Kết quả chung", "Overall")),
          ("areas", "service_area", ("Theo lĩnh vực", "Service areas")),
          ("appendix", "procedure_group", ("Phụ lục - nhóm thủ tục", "Appendix - groups")),
          ("respondents", "respondent_type", ("Cá nhân và tổ chức", "Respondents")))
KEY_HEADERS = {"service_area": ("Lĩnh vực", "Service area"),
               "procedure_group": ("Nhóm thủ tục", "Procedure group"),
               "respondent_type": ("Đối tượng", "Respondents")}
POINTS = ("delta", "delta_ci_low", "delta_ci_high")
# The PAR INDEX is entered, not computed, and never mixed with survey percentages (§8): its own
# sheet, with the method breaks that split the series.
PAR_COLUMNS = (("year", ("Năm", "Year"), "0"), ("score", ("Điểm PAR INDEX", "PAR INDEX score"),
                                                    "0.00"),
               ("rank", ("Xếp hạng", "Rank"), "0"),
               ("method_break", ("Thay đổi phương pháp từ năm này", "Method changed this year"),
                None),
               ("segment", ("Đoạn so sánh được", "Comparable segment"), "0"),
               ("note", ("Ghi chú", "Note"), None))


def _value(row: dict, column: str, lang: str):
    w = words(lang)
    value = row.get(column)
    if column == "verdict":
        return w["verdicts"].get(value) if value else None
    if column == "significant":
        return None if value is None else (w["yes"] if value else w["no"])
    if column in POINTS and value is not None:
        return value * 100  # percentage points, as the documents write them
    return value


def _sheet(book, title: str, rows: list[dict], key: str | None, names: dict, lang: str,
           dossiers: bool) -> None:
    i = 1 if lang == "en" else 0
    sheet = book.create_sheet(title[:31])
    columns = COLUMNS + (DOSSIER_COLUMNS if dossiers else ())
    lead = [("Mã", "Code")[i], KEY_HEADERS[key][i]] if key else []
    sheet.append(lead + [label[i] for _, label, _ in columns])
    for row in rows:
        first = [row[key], names.get(key, {}).get(row[key], row[key])] if key else []
        values = [_value(row, c, lang) for c, _, _ in COLUMNS]
        if dossiers:
            d = row.get("dossiers") or {}
            values += [d.get(c) for c, _, _ in DOSSIER_COLUMNS]
        sheet.append([neutralise(v) for v in first + values])
    _format_columns(sheet, columns, first=len(lead) + 1)


def report_xlsx(report: dict, names: dict[str, dict[str, str]], notes: list[str],
                lang: str = "vi") -> bytes:
    from openpyxl import Workbook

    i = 1 if lang == "en" else 0
    book = Workbook()
    book.remove(book.active)
    for section, key, titles in SHEETS:
        rows = report[section] if section != "headline" else [
            r for r in [report["headline"]] if r]
        _sheet(book, titles[i], rows, key, names, lang, section == "appendix")
    if report.get("par"):
        _par_sheet(book, report["par"], lang)
    method = book.create_sheet(("Ghi chú phương pháp", "Method")[i])
    for note in notes:
        method.append([neutralise(note)])
    # the units the figures are counted under (METHODOLOGY §10)
    method.append([neutralise(words(lang)["views"][report.get("view", "today")])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _par_sheet(book, series: list[dict], lang: str) -> None:
    i = 1 if lang == "en" else 0
    w = words(lang)
    sheet = book.create_sheet("PAR INDEX")
    sheet.append([label[i] for _, label, _ in PAR_COLUMNS])
    for entry in series:
        values = [entry.get(c) for c, _, _ in PAR_COLUMNS]
        values[3] = w["yes"] if entry.get("method_break") else w["no"]
        values[4] = (entry.get("segment") or 0) + 1  # people count segments from 1
        sheet.append([neutralise(v) for v in values])
    _format_columns(sheet, PAR_COLUMNS)


def _format_columns(sheet, columns, first: int = 1) -> None:
    """Each column's number format on its data cells (from `first`), the header row frozen."""
    for j, (_, _, number_format) in enumerate(columns, start=first):
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
