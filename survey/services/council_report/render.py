"""One call per file: the report's figures → DOCX or PDF bytes (charts drawn on the way)."""

from __future__ import annotations

from datetime import date

from survey.services.council_report import charts, content
from survey.services.council_report.docx_writer import write_docx
from survey.services.council_report.model import Document
from survey.services.council_report.pdf_writer import write_pdf
from survey.services.council_report.settings import Settings


def document(report: dict, names: dict, settings: Settings, lang: str = "vi",
             today: date | None = None) -> Document:
    benchmark = report["benchmark"]
    drawn = {
        "series": charts.series_chart(report.get("series", []), benchmark, lang),
        "areas": charts.areas_chart(report.get("area_series", []), names["service_area"],
                                    benchmark, lang),
        "par": charts.par_chart(report.get("par", []), lang),
    }
    return content.build(report, names, settings, lang, today,
                         {k: v for k, v in drawn.items() if v})


WRITERS = {"docx": write_docx, "pdf": write_pdf}


def render(kind: str, report: dict, names: dict, settings: Settings, lang: str = "vi",
           today: date | None = None) -> tuple[bytes, str]:
    """(file bytes, file name) for kind "docx" or "pdf"."""
    doc = document(report, names, settings, lang, today)
    return WRITERS[kind](doc), f"{doc.file_stem}.{kind}"
