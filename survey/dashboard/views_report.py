"""The council's report: HTML with a print stylesheet, PDF through Chromium, and XLSX."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from survey.access import page_requires
from survey.dashboard import bp, labels
from survey.dashboard.filters import current_filters, form_options
from survey.dashboard.report import council_report, verdict
from survey.dashboard.report_files import render_pdf, report_xlsx
from survey.dashboard.views_league import latest_year
from survey.dashboard.views_overview import benchmark
from survey.services import reporting
from survey.services.periods import parse_year


def method_notes() -> list[str]:
    return [
        _("%% satisfied = answers 4 (Satisfied) or 5 (Very satisfied) to the overall "
          "satisfaction item; no-answer codes are excluded from n."),
        _("95%% confidence intervals are Wilson score intervals."),
        _("The target is tested with a one-sided exact binomial test; a figure meets the "
          "target only when the one-sided 95%% Clopper–Pearson lower bound is at least the "
          "target."),
        _("Changes from the previous year: difference in points with the Newcombe 95%% "
          "interval and a two-proportion z-test; p-values adjusted by Benjamini–Hochberg "
          "(false discovery rate 5%%) within each table."),
        _("Groups with fewer than 30 respondents, and the groups hidden beside them so that "
          "none can be worked out by subtraction, show their count (n) only."),
        _("Per-dossier ratings are self-selected and are not part of these figures."),
    ]


def _context():
    filters = current_filters()
    year_arg = request.args.get("year", "")
    year = parse_year(year_arg) or latest_year(filters.scope, reporting.References.load())
    report = council_report(filters.scope, year, benchmark()) if year else None
    names = {"service_area": labels.area_names(), "procedure_group": labels.group_names(),
             "respondent_type": {k: str(v) for k, v in labels.RESPONDENT_TYPES.items()}}
    return dict(filters=filters, options=form_options(), report=report, year=year,
                names=names, notes=method_notes(), verdict=verdict,
                title=_("Report to the People's Council"))


@bp.get("/report")
@page_requires("analyse")
def report():
    return render_template("dashboard/report.html", **_context())


@bp.get("/report.pdf")
@page_requires("analyse")
def report_pdf():
    context = _context()
    html = render_template("dashboard/report.html", printing=True, **context)
    pdf = render_pdf(html)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="report-{context["year"]}.pdf"'})


@bp.get("/report.xlsx")
@page_requires("analyse")
def report_workbook():
    context = _context()
    if context["report"] is None:  # no responses in the period: nothing to tabulate
        abort(404)
    data = report_xlsx(context["report"], context["names"], context["notes"])
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet", headers={
        "Content-Disposition": f'attachment; filename="report-{context["year"]}.xlsx"'})
