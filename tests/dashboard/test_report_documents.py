"""The council report as documents (issue #17): DOCX and PDF read back with independent
readers, figures checked against raw answers counted here, the records appendix's dossier
counts, the XLSX in the reader's language, and bad parameters as 400 pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from scipy import stats

from survey.services.periods import last_complete_year
from tests.dashboard.report_readers import ROOT, Docx, Pdf, W, keep
from tests.survey import reporting_data as data

NBSP = "\u00a0"
YEAR = last_complete_year()  # the report's default year
TARGET = 0.8
VERDICTS = {"meets": "đạt mục tiêu", "not_established": "chưa khẳng định được",
            "below": "dưới mục tiêu"}


def vi_number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def independent_headline(app, year: int) -> dict:
    """% satisfied of the overall item in `year`, its Wilson interval and the verdict, from
    raw answers with scipy (no code shared with survey/services/reporting)."""
    counts = data.overall_counts(data.raw_rows(app), key=lambda r: r["year"])[year]
    n = sum(v for k, v in counts.items() if k != "missing")
    k = counts[4] + counts[5]
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    lower = stats.beta.ppf(0.05, k, n - k + 1)  # one-sided 95 % Clopper–Pearson
    verdict = ("meets" if lower >= TARGET else "below" if centre + half < TARGET
               else "not_established")
    return {"n": n, "share": p, "low": centre - half, "high": centre + half, "verdict": verdict}


def dossiers_per_group(demo, year: int) -> dict[str, dict]:
    """The records appendix (/api/v1/appendix), summed over levels per procedure group."""
    app, keys = demo
    rows = app.test_client().get(f"/api/v1/appendix?year={year}", headers={
        "Authorization": f"Bearer {keys['analyst']}"}).json["rows"]
    out: dict[str, dict] = defaultdict(lambda: {"received": 0, "resolved": 0, "late": 0})
    for row in rows:
        if row["received"] is not None:
            for column in ("received", "resolved", "late"):
                out[row["procedure_group"]][column] += row[column]
    return out


@pytest.fixture(scope="module")
def docx(analyst):
    answer = analyst.get("/dashboard/report.docx?lang=vi")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.mimetype.endswith("wordprocessingml.document")
    assert f'filename="bao-cao-hai-long-{YEAR}.docx"' in answer.headers["Content-Disposition"]
    keep(f"bao-cao-hai-long-{YEAR}.docx", answer.data)
    return Docx(answer.data)


@pytest.fixture(scope="module")
def pdf(analyst):
    answer = analyst.get("/dashboard/report.pdf?lang=vi")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert f'filename="bao-cao-hai-long-{YEAR}.pdf"' in answer.headers["Content-Disposition"]
    keep(f"bao-cao-hai-long-{YEAR}.pdf", answer.data)
    return Pdf(answer.data)


def test_docx_has_the_national_format(docx):
    """Decree 30: motto and slogan, issuing office, number and symbol, place and date, title,
    signature block and recipients; Times New Roman 13–14 in the body."""
    first = docx.tables()[0]  # the header: office | motto, in two borderless columns
    office, motto = first[0]
    assert "ỦY BAN NHÂN DÂN TỈNH SƠN THỦY" in office
    assert re.search(r"Số:\s*/BC-UBND", office.replace(NBSP, " "))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in motto and "Độc lập - Tự do - Hạnh phúc" in motto
    today = datetime.now(UTC).astimezone()
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    assert any(p.startswith("Sơn Thủy, ngày ") and f"tháng {month} năm {today.year}" in p
               for p in docx.paragraphs)
    assert "BÁO CÁO" in docx.paragraphs and any(
        p.startswith("Kết quả khảo sát") and p.endswith(f"năm {YEAR}") for p in docx.paragraphs)
    recipients, signature = _signature(docx)
    assert recipients.startswith("Nơi nhận:") and "Lưu: VT." in recipients
    assert "TM. ỦY BAN NHÂN DÂN" in signature and "CHỦ TỊCH" in signature
    headers = [docx.zip.read(n) for n in docx.zip.namelist() if n.startswith("word/header")]
    assert any(b'w:instr="PAGE"' in h for h in headers)  # numbered from page 2 (titlePg)
    assert docx.xml.find(f".//{W}titlePg") is not None
    assert docx.fonts() == {"Times New Roman"}
    assert {13.0, 14.0} <= docx.sizes()


def _signature(docx) -> tuple[str, str]:
    [row] = [t[0] for t in docx.tables() if len(t) == 1 and t[0][0].startswith("Nơi nhận:")]
    return row[0], row[1]


def test_docx_body_states_the_figures(demo, docx):
    """The headline figure with a decimal comma equal to an independent computation, its
    interval, the verdict word, the change with its significance; no English, no "%%"."""
    h = independent_headline(demo[0], YEAR)
    share = f"{vi_number(h['share'] * 100)}{NBSP}%"
    interval = f"{vi_number(h['low'] * 100)}–{vi_number(h['high'] * 100)}{NBSP}%"
    [sentence] = [p for p in docx.paragraphs if p.startswith(f"Năm {YEAR}, chỉ số hài lòng")]
    assert f"là {share} (khoảng tin cậy 95 %: {interval}; n = {h['n']}" in sentence
    assert any(p.startswith(f"So với mục tiêu 80{NBSP}%: {VERDICTS[h['verdict']]}")
               for p in docx.paragraphs)
    change = [p for p in docx.paragraphs if p.startswith(f"So với năm {YEAR - 1}")]
    assert change and "điểm phần trăm" in change[0] and "ý nghĩa thống kê" in change[0]
    assert "%%" not in docx.text and "95 % CI" not in docx.text and "CI" not in docx.text
    assert "construction" not in docx.text and "not_established" not in docx.text


def test_docx_appendix_has_dossier_counts_and_on_time_rates(demo, docx):
    table = docx.table_starting("Nhóm thủ tục")
    header, rows = table[0], table[1:]
    assert header[-3:] == ["Hồ sơ tiếp nhận", "Đã giải quyết", "Đúng hạn"]
    expected = dossiers_per_group(demo, YEAR)
    app = demo[0]
    with app.app_context():
        from survey.extensions import db
        from survey.models import ProcedureGroup

        names = dict(db.session.execute(db.select(ProcedureGroup.name_vi,
                                                  ProcedureGroup.code)).all())
    shown = {names[r[0]]: r for r in rows}
    assert set(shown) == set(expected)
    for group, d in expected.items():
        row = shown[group]
        assert row[-3] == vi_number(d["received"], 0) and row[-2] == vi_number(d["resolved"], 0)
        rate = (d["resolved"] - d["late"]) / d["resolved"]
        assert row[-1] == f"{vi_number(rate * 100)}{NBSP}%"
    assert any("." in r[-3] for r in rows)  # thousands written with dots, as Vietnamese do


def test_docx_has_areas_respondents_par_and_charts(docx):
    areas = docx.table_starting("Lĩnh vực")
    assert len(areas) > 2 and all(not re.fullmatch(r"[a-z_]+", r[0]) for r in areas[1:])
    people = docx.table_starting("Đối tượng")
    assert [r[0] for r in people[1:]] == ["Cá nhân", "Tổ chức"] or \
        {r[0] for r in people[1:]} <= {"Cá nhân", "Tổ chức"}
    par = docx.table_starting("Năm")
    assert any(r[3] == "Thay đổi phương pháp" for r in par[1:])  # the break flags
    assert max(int(r[0]) for r in par[1:]) <= YEAR
    assert any(p.startswith("Phương pháp đánh giá thay đổi từ các năm") for p in docx.paragraphs)
    assert len(docx.images()) >= 3  # the index series, the service areas, PAR INDEX
    assert any(p.startswith("Biểu đồ 1.") and "mục tiêu 80" in p for p in docx.paragraphs)


@pytest.mark.slow
def test_docx_opens_in_an_office_suite(demo, docx, tmp_path):
    """LibreOffice (where installed) opens the DOCX and lays it out with the same words."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "report.docx"
    source.write_bytes(docx.zip.fp.getvalue())
    for target in ("pdf", "txt:Text (encoded):UTF8"):
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--convert-to", target, "--outdir", str(tmp_path), str(source)],
                       check=True, capture_output=True, timeout=300)
    # The words as LibreOffice read them (its PDF splits Vietnamese letters into runs).
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig").replace(NBSP, " ")
    h = independent_headline(demo[0], YEAR)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nơi nhận:" in text
    assert f"là {vi_number(h['share'] * 100)} %" in text
    laid_out = Pdf((tmp_path / "report.pdf").read_bytes())
    assert laid_out.image_xobjects() >= 3 and len(laid_out.pages) >= 3


def test_pdf_reads_back_with_the_same_text_tables_and_images(demo, docx, pdf):
    h = independent_headline(demo[0], YEAR)
    text = pdf.text.replace(NBSP, " ")
    for needle in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "ỦY BAN NHÂN DÂN TỈNH SƠN THỦY", "/BC-UBND", "Sơn Thủy, ngày", "BÁO CÁO",
                   "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lưu: VT.",
                   f"là {vi_number(h['share'] * 100)} %", VERDICTS[h["verdict"]],
                   "PHỤ LỤC", "Hồ sơ tiếp nhận", "PAR INDEX", "Thay đổi phương pháp"):
        assert needle in text, needle
    for d in dossiers_per_group(demo, YEAR).values():
        assert vi_number(d["received"], 0) in text
    assert "%%" not in text and "95 % CI" not in text
    assert pdf.image_xobjects() >= 3
    assert len(pdf.pages) >= 3


def test_english_documents(analyst):
    answer = analyst.get(f"/dashboard/report.docx?year={YEAR}&lang=en")
    assert 'filename="council-report-' in answer.headers["Content-Disposition"]
    doc = Docx(answer.data)
    assert "SOCIALIST REPUBLIC OF VIET NAM" in doc.text and "Recipients:" in doc.text
    assert re.search(r"is \d+\.\d % \(95 % confidence interval", doc.text.replace(NBSP, " "))
    pdf = analyst.get(f"/dashboard/report.pdf?year={YEAR}&lang=en")
    assert pdf.status_code == 200 and b"%PDF" in pdf.data[:8]


def test_a_partial_or_thin_year_says_so(analyst):
    """The current year is partial: a visible note; a year without enough answers says so
    instead of "– (n = 2)"."""
    now = datetime.now(UTC).year
    page = analyst.get(f"/dashboard/report?year={now}&lang=vi")
    assert page.status_code == 200
    assert 'id="report-partial"' in page.text and 'id="too-little"' in page.text
    doc = Docx(analyst.get(f"/dashboard/report.docx?year={now}&lang=vi").data)
    assert any(p.startswith(f"Lưu ý: năm {now} chưa kết thúc") for p in doc.paragraphs)
    assert any(p.startswith(f"Năm {now} chưa đủ dữ liệu") for p in doc.paragraphs)
    assert "(n = 2)" not in doc.text
    default = analyst.get("/dashboard/report?lang=vi")
    assert f'value="{YEAR}"' in default.text and 'id="report-partial"' not in default.text


@pytest.mark.parametrize("url", ["/dashboard/report", "/dashboard/report.docx",
                                 "/dashboard/report.pdf", "/dashboard/report.xlsx"])
@pytest.mark.parametrize("query", ["year=abc", "year=99999", "year=²", "service_area=%00x",
                                   "level=nope"])
def test_a_bad_parameter_is_a_400_page(analyst, url, query):
    answer = analyst.get(f"{url}?{query}&lang=vi")
    assert answer.status_code == 400, (url, query, answer.status_code)
    if query.startswith("year"):  # the page names the parameter and says what to write
        assert "không phải là một năm" in answer.text


def test_scope_parameters_reach_the_documents(analyst):
    """The same scope as the page: one service area's report has its own headline."""
    whole = Docx(analyst.get(f"/dashboard/report.docx?year={YEAR}&lang=vi").data)
    land = Docx(analyst.get(
        f"/dashboard/report.docx?year={YEAR}&service_area=land&lang=vi").data)
    first = [p for p in whole.paragraphs if p.startswith(f"Năm {YEAR}, chỉ số")]
    mine = [p for p in land.paragraphs if p.startswith(f"Năm {YEAR}, chỉ số")]
    assert first and mine and first != mine


def test_the_page_links_the_documents_and_prints_clean(analyst):
    page = analyst.get(f"/dashboard/report?year={YEAR}&service_area=land").text
    for kind in ("docx", "pdf", "xlsx"):
        assert re.search(rf'href="/dashboard/report\.{kind}\?[^"]*service_area=land', page)
    assert "dashboard/report-print.css" in page
    assert "95%%" not in page and "%%" not in page
    css = (ROOT / "survey/static/dashboard/report-print.css").read_text(encoding="utf-8")
    assert "size: A4" in css and ".skip" in css and "header.top" in css


def test_xlsx_speaks_the_readers_language_with_numbers(analyst):
    book = load_workbook(BytesIO(analyst.get(f"/dashboard/report.xlsx?year={YEAR}&lang=vi").data))
    appendix = list(book.worksheets[2].iter_rows(values_only=True))
    assert appendix[0][:5] == ("Mã", "Nhóm thủ tục", "n", "Số hài lòng", "Tỷ lệ hài lòng")
    assert "Hồ sơ tiếp nhận" in appendix[0] and "Đánh giá" in appendix[0]
    verdict = appendix[0].index("Đánh giá")
    words = {r[verdict] for r in appendix[1:]} - {None}
    assert words and words <= set(VERDICTS.values())
    received = appendix[0].index("Hồ sơ tiếp nhận")
    assert all(isinstance(r[received], int) for r in appendix[1:] if r[received] is not None)
    assert all(isinstance(r[4], float) for r in appendix[1:] if r[4] is not None)
    english = load_workbook(BytesIO(analyst.get(
        f"/dashboard/report.xlsx?year={YEAR}&lang=en").data))
    head = next(english.worksheets[2].iter_rows(values_only=True))
    assert "% satisfied" in head and "Verdict" in head


def test_xlsx_has_the_par_index_with_its_breaks(demo, analyst):
    """The PAR INDEX on its own sheet (never beside survey percentages), with the method
    breaks and comparable segments, equal to the stored series up to the report's year."""
    app, _ = demo
    with app.app_context():
        from survey.extensions import db
        from survey.models import ParIndexEntry

        stored = [(e.year, e.score, e.rank, e.method_break) for e in db.session.execute(
            db.select(ParIndexEntry).where(ParIndexEntry.year <= YEAR)
            .order_by(ParIndexEntry.year)).scalars()]
    assert stored and any(brk for *_, brk in stored)
    book = load_workbook(BytesIO(analyst.get(f"/dashboard/report.xlsx?year={YEAR}&lang=vi").data))
    rows = list(book["PAR INDEX"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Năm", "Điểm PAR INDEX", "Xếp hạng", "Thay đổi phương pháp từ năm này")
    assert [(r[0], r[1], r[2], r[3] == "có") for r in rows[1:]] == [
        (y, pytest.approx(s), k, bool(b)) for y, s, k, b in stored]
    segments = [r[4] for r in rows[1:]]
    assert segments[0] == 1 and segments == sorted(segments)
    assert segments[-1] == 1 + sum(1 for i, (*_, b) in enumerate(stored) if b and i > 0)


def test_a_designer_cannot_download_the_report(demo):
    from tests.dashboard.conftest import login

    app, _ = demo
    with app.app_context():
        from survey.extensions import db
        from survey.services.accounts import create_user

        create_user("designer9", "mot-mat-khau-dai", "designer")
        db.session.commit()
    client = login(app, "designer9")
    for kind in ("docx", "pdf", "xlsx"):
        assert client.get(f"/dashboard/report.{kind}").status_code == 403


def test_the_page_appendix_shows_dossier_counts(demo, analyst):
    """The "Hồ sơ" columns are no longer "–": each group's counts equal the records appendix."""
    page = analyst.get(f"/dashboard/report?year={YEAR}&lang=vi").text
    appendix = page.split('id="appendix"', 1)[1].split("</table>", 1)[0]
    shown = dict(re.findall(r'<tr data-key="([^"]+)".*?<td class="received">([^<]*)</td>',
                            appendix, re.S))
    expected = dossiers_per_group(demo, YEAR)
    assert set(shown) == set(expected)
    for group, d in expected.items():
        assert shown[group] == vi_number(d["received"], 0)


def test_report_settings_reach_the_document(demo, analyst, monkeypatch):
    """REPORT_* settings fill the office, number, place, signer and recipients (that the
    environment reaches them: tests/survey/test_settings_documented.py)."""
    app, _ = demo
    monkeypatch.setitem(app.config, "REPORT_ISSUER", "SỞ NỘI VỤ")
    monkeypatch.setitem(app.config, "REPORT_PARENT_ISSUER", "UBND TỈNH SƠN THỦY")
    monkeypatch.setitem(app.config, "REPORT_NUMBER", "125")
    monkeypatch.setitem(app.config, "REPORT_SYMBOL", "BC-SNV")
    monkeypatch.setitem(app.config, "REPORT_PLACE", "Thủy Nguyên")
    monkeypatch.setitem(app.config, "REPORT_SIGNER_AUTHORITY", "KT. GIÁM ĐỐC")
    monkeypatch.setitem(app.config, "REPORT_SIGNER_POSITION", "PHÓ GIÁM ĐỐC")
    monkeypatch.setitem(app.config, "REPORT_SIGNER_NAME", "Nguyễn Văn A")
    monkeypatch.setitem(app.config, "REPORT_RECIPIENTS", "- UBND tỉnh;|- Lưu: VT, CCHC.")
    doc = Docx(analyst.get(f"/dashboard/report.docx?year={YEAR}&lang=vi").data)
    office = doc.tables()[0][0][0]
    assert office.startswith("UBND TỈNH SƠN THỦYSỞ NỘI VỤ") and "Số: 125/BC-SNV" in office
    assert any(p.startswith("Thủy Nguyên, ngày ") for p in doc.paragraphs)
    recipients, signature = _signature(doc)
    assert recipients == "Nơi nhận:- UBND tỉnh;- Lưu: VT, CCHC."
    assert signature.startswith("KT. GIÁM ĐỐCPHÓ GIÁM ĐỐC") and signature.endswith("Nguyễn Văn A")
