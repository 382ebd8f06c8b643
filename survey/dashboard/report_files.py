"""The council's report as PDF (headless Chromium) and as one XLSX workbook."""

from __future__ import annotations

import io
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PRINT_CSS = Path(__file__).parent.parent / "static" / "dashboard" / "dashboard.css"


def render_pdf(html: str, executable: str = CHROMIUM) -> bytes:
    """Print the report's HTML with Chromium; the stylesheet is inlined, nothing is fetched."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            page.add_style_tag(content=PRINT_CSS.read_text(encoding="utf-8"))
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True,
                            margin=dict(top="15mm", bottom="15mm", left="12mm", right="12mm"))
        finally:
            browser.close()


HEADERS = ("n", "satisfied", "share", "ci_low", "ci_high", "benchmark_p", "benchmark_lower",
           "verdict", "previous_share", "delta", "delta_ci_low", "delta_ci_high", "p_adjusted",
           "significant")


def report_xlsx(report: dict, names: dict[str, dict[str, str]], notes: list[str]) -> bytes:
    from openpyxl import Workbook

    from survey.dashboard.report import verdict
    from survey.services.exports.writers import neutralise

    book = Workbook()
    book.remove(book.active)
    sections = (("headline", None), ("areas", "service_area"),
                ("appendix", "procedure_group"), ("respondents", "respondent_type"))
    for section, key in sections:
        sheet = book.create_sheet(section)
        sheet.append(([key, "name"] if key else []) + list(HEADERS))
        rows = report[section] if section != "headline" else [r for r in [report["headline"]]
                                                                 if r]
        for row in rows:
            lead = [row[key], names.get(key, {}).get(row[key], row[key])] if key else []
            values = [verdict(row) if h == "verdict" else row.get(h) for h in HEADERS]
            sheet.append([neutralise(v) for v in lead + values])
    method = book.create_sheet("method")
    for note in notes:
        method.append([neutralise(note)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
