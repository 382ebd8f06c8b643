from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.access import current_principal, page_requires
from survey.extensions import db
from survey.i18n import current_lang
from survey.records import bp
from survey.records.forms import (
    ParIndexForm,
    ProcedureForm,
    ProcedureImportForm,
    StatsImportForm,
)
from survey.services.imports import ImportRejected
from survey.services.records import par_index
from survey.services.records.imports import import_dossier_stats, stats_template_csv
from survey.services.reporting import Grouping, Scope
from survey.services.reporting.appendix import appendix
from survey.services.reporting.records import records
from survey.services.reporting.weighted import latest_year


def _scope() -> Scope:
    principal = current_principal()
    visible = principal.unit_scope.code if principal.unit_scope else None
    return Scope(visible_unit=visible)


@bp.get("/")
@page_requires("analyse")
def overview():
    table = records(_scope(), Grouping(("year", "service_area")))
    principal = current_principal()
    return render_template(
        "records/overview.html", table=table, par=par_index.series(),
        import_form=StatsImportForm() if principal.can("import_records") else None,
        par_form=ParIndexForm() if principal.can("administer") else None)


@bp.get("/appendix")
@page_requires("analyse")
def appendix_page():
    scope = _scope()
    year = request.args.get("year", type=int) or latest_year(scope)
    document = appendix(scope, year, current_app.config["SATISFACTION_BENCHMARK"]) \
        if year else None
    return render_template("records/appendix.html", document=document, year=year)


@bp.post("/import")
@page_requires("import_records")
def import_stats():
    form = StatsImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(error, "error")
        return redirect(url_for("records.overview"))
    upload = form.file.data
    try:
        result = import_dossier_stats(upload.read(), upload.filename,
                                      actor=current_principal().name, lang=current_lang())
    except ImportRejected as rejected:
        db.session.rollback()
        return render_template("records/rejected.html", rejected=rejected), 422
    db.session.commit()
    flash(_("%(rows)d rows imported, %(replaced)d old rows replaced.", rows=result.rows,
            replaced=result.replaced), "info")
    return redirect(url_for("records.overview"))


@bp.get("/template.csv")
@page_requires("analyse")
def template():
    return Response("\ufeff" + stats_template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=dossier-stats.csv"})


@bp.post("/par-index")
@page_requires("administer")
def set_par_index():
    form = ParIndexForm()
    if form.validate_on_submit():
        par_index.set_entry(form.year.data, form.score.data, form.rank.data,
                            form.method_break.data, form.note.data or "",
                            actor=current_principal().name)
        db.session.commit()
        flash(_("PAR INDEX saved."), "info")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
    return redirect(url_for("records.overview"))


@bp.get("/procedures")
@page_requires("analyse")
def procedures():
    from survey.services.records.procedures import catalogue

    principal = current_principal()
    return render_template(
        "records/procedures.html", catalogue=catalogue(),
        import_form=ProcedureImportForm() if principal.can("administer") else None)


@bp.route("/procedures/<code>", methods=["GET", "POST"])
@page_requires("administer")
def edit_procedure(code: str):
    from survey.services.records.procedures import ProcedureInvalid, get_procedure, update_procedure

    procedure = get_procedure(code)
    form = ProcedureForm(obj=procedure)
    form.set_choices()
    if request.method == "GET":
        form.group.data = procedure.group.code if procedure.group else ""
    if form.validate_on_submit():
        try:
            update_procedure(code, form.name_vi.data, form.name_en.data or "", form.level.data,
                             form.group.data or None, actor=current_principal().name)
        except ProcedureInvalid as invalid:
            db.session.rollback()
            form.group.errors = [str(invalid)]
        else:
            db.session.commit()
            flash(_("Procedure saved."), "info")
            return redirect(url_for("records.procedures"))
    return render_template("records/procedure_edit.html", form=form, procedure=procedure)


@bp.post("/procedures/import")
@page_requires("administer")
def import_procedures_page():
    from survey.services.records.imports import import_procedures

    form = ProcedureImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(error, "error")
        return redirect(url_for("records.procedures"))
    upload = form.file.data
    try:
        result = import_procedures(upload.read(), upload.filename, actor=current_principal().name)
    except ImportRejected as rejected:
        db.session.rollback()
        return render_template("records/rejected.html", rejected=rejected), 422
    db.session.commit()
    flash(_("%(created)d procedures created, %(updated)d updated.", created=result.created,
            updated=result.updated), "info")
    return redirect(url_for("records.procedures"))
