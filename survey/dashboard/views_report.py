"""The council's report: the HTML page (with its own print stylesheet), and the documents an
office edits and signs, DOCX and PDF (Decree 30/2020/NĐ-CP layout, written in pure Python:
no browser in production), plus the figures as XLSX."""

from __future__ import annotations

import base64

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from survey.access import page_requires
from survey.dashboard import bp, labels
from survey.dashboard.filters import current_filters, form_options
from survey.dashboard.report import council_report, verdict
from survey.dashboard.report_files import report_xlsx
from survey.errors import BadParameterPage
from survey.extensions import db
from survey.i18n import current_lang
from survey.models import Unit
from survey.services.council_report import content, settings
from survey.services.council_report import numbers as fmt
from survey.services.council_report.text import words
from survey.services.periods import last_complete_year, parse_year

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def method_notes() -> list[str]:
    """The method notes of the documents, so the page and the files say the same."""
    return list(words(current_lang())["method"])


def report_year() -> int:
    """?year=, else the last complete year; anything else is a 400 page naming `year`."""
    text = request.args.get("year", "").strip()
    if not text:
        return last_complete_year()
    year = parse_year(text)
    if year is None:
        raise BadParameterPage("year", _(
            "“%(value)s” is not a year (write it as, e.g., 2025).", value=text[:20]))
    return year


def report_settings() -> settings.Settings:
    """REPORT_* from the app's configuration (read from the environment in config.py); the
    rest from the root unit's name (the province)."""
    root = db.session.execute(db.select(Unit).where(Unit.parent_id.is_(None))
                              .order_by(Unit.path)).scalars().first()
    config = {k: current_app.config.get(k, "") for k in settings.KEYS}
    return settings.from_config(config, root.name_vi if root else "",
                                (root.name_en or "") if root else "", current_lang())


def names() -> dict[str, dict[str, str]]:
    return {"service_area": labels.area_names(), "procedure_group": labels.group_names(),
            "respondent_type": {k: str(v) for k, v in labels.RESPONDENT_TYPES.items()}}


def council_file(kind: str, scope, year: int | None, report: dict | None = None,
                 ) -> tuple[bytes, str]:
    """(bytes, file name) of the report as docx, pdf or xlsx: the downloads and the CLI."""
    from survey.services.council_report.render import render

    year = year or last_complete_year()
    report = report or council_report(scope, year, current_app.config["SATISFACTION_BENCHMARK"])
    if kind == "xlsx":
        data = report_xlsx(report, names(), method_notes(), current_lang())
        return data, words(current_lang())["file"].format(year=year) + ".xlsx"
    return render(kind, report, names(), report_settings(), current_lang())


def page_charts(report: dict) -> list[tuple[str, str]]:
    """(caption, data: URI) of the documents' first two charts, drawn for the page too: the
    printed page then carries the same figures as the DOCX and PDF."""
    from survey.services.council_report import charts

    lng, benchmark, year = current_lang(), report["benchmark"], report["year"]
    w = words(lng)
    first = min((r["year"] for r in report["series"]), default=year)
    target = fmt.pct(benchmark, lng, 0)
    drawn = ((w["chart_series"].format(first=first, last=year, target=target),
              charts.series_chart(report["series"], benchmark, lng)),
             (w["chart_areas"].format(first=first, last=year),
              charts.areas_chart(report["area_series"], labels.area_names(), benchmark, lng)))
    return [(caption, "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
            for caption, png in drawn if png]


def _context():
    filters = current_filters()
    year = report_year()
    report = council_report(filters.scope, year, current_app.config["SATISFACTION_BENCHMARK"])
    return dict(filters=filters, options=form_options(), report=report, year=year,
                names=names(), notes=method_notes(), verdict=verdict,
                too_little=content.too_little(report),
                charts=[] if content.too_little(report) else page_charts(report),
                sentences=content.headline_paragraphs(report, current_lang()),
                dossier_cells=dossier_cells, par_score=lambda v: fmt.number(v, 2, current_lang()),
                title=_("Report to the People's Council"))


def dossier_cells(row: dict) -> tuple[str, str, str]:
    """Received, resolved and the on-time rate, as the documents write them."""
    d, lng = row.get("dossiers") or {}, current_lang()
    return (fmt.integer(d.get("received"), lng), fmt.integer(d.get("resolved"), lng),
            fmt.pct(d.get("on_time_rate"), lng))


def _download(data: bytes, name: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/report")
@page_requires("analyse")
def report():
    return render_template("dashboard/report.html", **_context())


def _document(kind: str) -> Response:
    data, name = council_file(kind, current_filters().scope, report_year())
    return _download(data, name, DOCX if kind == "docx" else "application/pdf")


@bp.get("/report.docx")
@page_requires("analyse")
def report_docx():
    return _document("docx")


@bp.get("/report.pdf")
@page_requires("analyse")
def report_pdf():
    return _document("pdf")


@bp.get("/report.xlsx")
@page_requires("analyse")
def report_workbook():
    scope, year = current_filters().scope, report_year()
    report = council_report(scope, year, current_app.config["SATISFACTION_BENCHMARK"])
    if report["headline"] is None:  # no responses in the period: nothing to tabulate
        abort(404)
    data, name = council_file("xlsx", scope, year, report)
    return _download(data, name, XLSX)
