"""The council report's pure parts: numbers as Vietnamese write them, Decree 30 dates, the
issuing office derived from the root unit, and sentences built from plain figures."""

from __future__ import annotations

from datetime import date

import pytest

from survey.services.council_report import content
from survey.services.council_report import numbers as fmt
from survey.services.council_report.settings import from_config

NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "vi", "en"), [
    (0.803, f"80,3{NBSP}%", f"80.3{NBSP}%"), (1.0, f"100,0{NBSP}%", f"100.0{NBSP}%"),
    (0.12345, f"12,3{NBSP}%", f"12.3{NBSP}%"), (None, "–", "–")])
def test_percentages(value, vi, en):
    assert fmt.pct(value, "vi") == vi and fmt.pct(value, "en") == en


def test_thousands_points_and_p_values():
    assert fmt.integer(38855, "vi") == "38.855" and fmt.integer(38855, "en") == "38,855"
    assert fmt.integer(1996213, "vi") == "1.996.213"
    assert fmt.number(1234.56, 1, "vi") == "1.234,6"
    assert fmt.points(0.021, "vi") == "+2,1" and fmt.points(-0.0627, "vi") == "-6,3"
    assert fmt.p_value(0.0004, "vi") == "< 0,001" and fmt.p_value(0.62168, "vi") == "0,622"
    assert fmt.p_relation(0.0004, "vi") == "< 0,001" and fmt.p_relation(0.62168, "en") == "= 0.622"
    assert fmt.pct_range(0.7845, 0.8977, "vi") == f"78,5–89,8{NBSP}%"


@pytest.mark.parametrize(("day", "text"), [
    (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
    (date(2026, 1, 31), "ngày 31 tháng 01 năm 2026"),
    (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
    (date(2026, 12, 2), "ngày 02 tháng 12 năm 2026")])
def test_decree_30_dates(day, text):
    """Days below 10 and months below 3 get a leading zero (Decree 30, Appendix I)."""
    assert fmt.vi_date(day) == text


def test_the_office_comes_from_the_root_unit_unless_configured():
    derived = from_config({}, "Tỉnh Sơn Thủy (dữ liệu minh họa)")
    assert derived.issuer == "ỦY BAN NHÂN DÂN TỈNH SƠN THỦY" and derived.place == "Sơn Thủy"
    assert derived.number == "" and derived.symbol == "BC-UBND"
    city = from_config({}, "Thành phố Hải Phòng")
    assert city.place == "Hải Phòng" and city.city
    configured = from_config({"REPORT_ISSUER": "SỞ NỘI VỤ", "REPORT_PARENT_ISSUER":
                              "UBND TỈNH SƠN THỦY", "REPORT_NUMBER": "125",
                              "REPORT_SYMBOL": "BC-SNV", "REPORT_PLACE": "Thủy Nguyên",
                              "REPORT_RECIPIENTS": "- HĐND tỉnh;|- Lưu: VT."}, "Tỉnh Sơn Thủy")
    header = content.header(configured, "vi", date(2026, 2, 5))
    assert header.issuer == "SỞ NỘI VỤ" and header.parent_issuer == "UBND TỈNH SƠN THỦY"
    assert header.number == "Số: 125/BC-SNV"
    assert header.place_date == "Thủy Nguyên, ngày 05 tháng 02 năm 2026"
    assert configured.recipients == ("- HĐND tỉnh;", "- Lưu: VT.")


ROW = {"n": 153, "share": 0.8497, "ci_low": 0.7845, "ci_high": 0.8977, "suppressed": False,
       "benchmark_lower": 0.7938, "verdict": "not_established", "delta": 0.0206,
       "previous_share": 0.8291, "delta_ci_low": -0.062, "delta_ci_high": 0.1024,
       "p_adjusted": 0.6217, "significant": False}


def test_headline_sentences():
    report = {"year": 2025, "benchmark": 0.8, "headline": ROW}
    first, verdict, change = content.headline_paragraphs(report, "vi")
    assert first == ("Năm 2025, chỉ số hài lòng chung (tỷ lệ người trả lời “hài lòng” hoặc “rất "
                     f"hài lòng”) là 85,0{NBSP}% (khoảng tin cậy 95 %: 78,5–89,8{NBSP}%; n = 153 "
                     "người trả lời).")
    assert verdict.startswith(f"So với mục tiêu 80{NBSP}%: chưa khẳng định được")
    assert change.startswith(f"So với năm 2024 (82,9{NBSP}%), chỉ số tăng 2,1 điểm phần trăm")
    assert "không có ý nghĩa thống kê" in change and "= 0,622" in change


def test_little_data_is_said_in_words():
    report = {"year": 2026, "benchmark": 0.8, "headline": {**ROW, "n": 2, "share": None,
                                                           "suppressed": True}}
    assert content.too_little(report)
    [sentence] = content.headline_paragraphs(report, "vi")
    assert sentence == ("Năm 2026 chưa đủ dữ liệu để tính chỉ số hài lòng (n = 2; cần ít nhất "
                        "30 người trả lời).")
    assert content.headline_paragraphs({**report, "headline": None}, "en")[0].startswith(
        "There are too few data for 2026")


def test_a_hidden_group_shows_its_n_only():
    assert content.group_sentence({"n": 12, "share": None}, "Kết hôn", "vi") == \
        "Kết hôn: chưa đủ số người trả lời để công bố (n = 12)."
    assert content.group_sentence({"n": 136, "share": None}, "Cá nhân", "vi") == (
        "Cá nhân: không công bố tỷ lệ (n = 136) để không thể suy ra bằng phép trừ kết quả của "
        "nhóm nhỏ bên cạnh.")
    line = content.group_sentence({**ROW, "verdict": "meets", "significant": True}, "Đất đai",
                                  "vi")
    assert "đạt mục tiêu" in line and "+2,1 điểm, thay đổi này có ý nghĩa thống kê" in line


def test_names_no_document_can_hold_are_cleaned(tmp_path):
    """A service-area name with control characters and a broken "$…$" formula (pasted by an
    admin) neither stops the DOCX/PDF nor reaches them as it is."""
    from survey.services.council_report.render import render
    from survey.services.council_report.settings import Settings
    from tests.dashboard.report_readers import Docx, Pdf

    name = "Đất\x00 đai $\\frac{$ \x1f"
    rows = [{**ROW, "service_area": "land", "year": y} for y in (2024, 2025)]
    report = {"year": 2025, "benchmark": 0.8, "headline": ROW, "areas": rows[1:],
              "appendix": [], "respondents": [], "series": rows, "area_series": rows,
              "par": []}
    names = {"service_area": {"land": name}, "procedure_group": {}, "respondent_type": {}}
    docx, _ = render("docx", report, names, Settings(issuer="UBND\x07"), "vi", date(2026, 1, 5))
    pdf, _ = render("pdf", report, names, Settings(issuer="UBND\x07"), "vi", date(2026, 1, 5))
    assert "Đất đai $\\frac{$" in Docx(docx).text and "\x00" not in Docx(docx).text
    assert "Đất đai" in Pdf(pdf).text
