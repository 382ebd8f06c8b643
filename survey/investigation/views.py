"""The staff pages of the fieldwork. Thin: the services under survey/services/investigation/
do the work, within the request's `Scope` (an officer's unit subtree, or a collector's own
cases); a case out of scope answers 404 like one that does not exist."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename
from wtforms.fields.choices import SelectChoice

from survey.access import current_principal, page_requires
from survey.collect.flow import FlowContext, advance, start
from survey.extensions import db
from survey.investigation import bp
from survey.investigation.forms import (
    STATUS_LABELS,
    AssignForm,
    LettersForm,
    PaperCodeForm,
    RemindersForm,
    StatusForm,
)
from survey.investigation.labels import stratum_labels
from survey.models import FrameDossier, Investigation, SampleCase, ServiceArea, Unit, User
from survey.services.investigation import fieldwork, letters, progress, reminders
from survey.services.investigation.contacts import ContactKeyError
from survey.services.investigation.fieldwork import CaseNotFound, FieldworkError, Scope
from survey.services.investigation.investigations import InvestigationError, start_fieldwork
from survey.services.questionnaires import UnknownQuestionnaire

SHOWN = ("drawn", "fieldwork", "closed")


def _lang() -> str:
    return str(get_locale())


def _scope() -> Scope:
    principal = current_principal()
    unit = principal.unit_scope
    return Scope(current_user.id, principal.name, principal.can("manage_fieldwork"),
                 unit.path if unit is not None else None)


def _investigation(code: str) -> Investigation:
    found = db.session.execute(
        db.select(Investigation).filter_by(code=code)).scalar_one_or_none()
    if found is None or found.status not in SHOWN:
        abort(404)
    return found


def _case(investigation: Investigation, case_id: int):
    try:
        return fieldwork.find_case(investigation, case_id, _scope())
    except CaseNotFound:
        abort(404)


def _problem(error: InvestigationError) -> str:
    """A service's refusal for the page, in the page's language when the service words it."""
    reason = error.message(_lang()) if isinstance(error, FieldworkError) else str(error)
    return _("Not done: %(reason)s", reason=reason)


@bp.get("/investigations/")
@page_requires("fieldwork")
def index():
    rows = db.session.execute(
        db.select(Investigation).where(Investigation.status.in_(SHOWN))
        .order_by(Investigation.period_to.desc(), Investigation.code)).scalars().all()
    scope = _scope()
    totals = {row.code: progress.progress(row, scope)[1] for row in rows}
    return render_template("investigation/index.html", rows=rows, totals=totals,
                           paper=PaperCodeForm(), scope=scope)


@bp.get("/investigations/<code>/")
@page_requires("fieldwork")
def fieldwork_page(code: str):
    investigation = _investigation(code)
    scope = _scope()
    lines, total = progress.progress(investigation, scope)
    return render_template(
        "investigation/fieldwork.html", investigation=investigation, lines=lines, total=total,
        labels=stratum_labels(investigation, [line.stratum for line in lines], _lang()),
        codes=progress.AAPOR_CODES, status_labels=STATUS_LABELS, scope=scope)


@bp.post("/investigations/<code>/start")
@page_requires("manage_fieldwork")
def start_page(code: str):
    investigation = _investigation(code)
    try:
        start_fieldwork(investigation, actor=_scope().actor)
    except InvestigationError as error:
        db.session.rollback()
        flash(_problem(error), "error")
        return redirect(url_for(".fieldwork_page", code=code), code=303)
    db.session.commit()
    flash(_("The fieldwork has started: the personal links now open the questionnaire."),
          "success")
    return redirect(url_for(".fieldwork_page", code=code), code=303)


def _collector_choices(first: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(v, label) for v, label in first] + [
        SelectChoice(str(u.id), u.username) for u in fieldwork.collectors()]


@bp.get("/investigations/<code>/cases")
@page_requires("fieldwork")
def cases_page(code: str):
    investigation = _investigation(code)
    return _cases(investigation, AssignForm(formdata=None), 200)


def _filters() -> dict:
    collector = request.args.get("collector", "")
    return {"status": request.args.get("status", "") if request.args.get("status", "")
            in STATUS_LABELS else "",
            "collector_id": int(collector) if collector.isascii() and collector.isdigit()
            and len(collector) < 10 else None,
            "stratum": request.args.get("stratum", "")[:200]}


def _cases(investigation: Investigation, form: AssignForm, status: int):
    scope = _scope()
    filters = _filters()
    lines = fieldwork.case_lines(investigation, scope, **filters)
    form.cases.choices = [SelectChoice(line.id, line.code) for line in lines]
    form.collector.choices = _collector_choices([("", _("(nobody: take back)"))])
    strata = sorted(set((investigation.draw or {}).get("strata", {}))
                    | {line.stratum for line in lines})
    labels = stratum_labels(investigation, strata, _lang())
    return render_template(
        "investigation/cases.html", investigation=investigation, lines=lines, form=form,
        filters=filters, scope=scope, status_labels=STATUS_LABELS, labels=labels,
        strata=[(key, labels[key]) for key in strata],
        collectors=fieldwork.collectors() if scope.manager else []), status


@bp.post("/investigations/<code>/cases")
@page_requires("manage_fieldwork")
def assign_page(code: str):
    investigation = _investigation(code)
    form = AssignForm()
    form.collector.choices = _collector_choices([("", "")])
    if not form.validate_on_submit():
        return _cases(investigation, form, 400)
    chosen = form.cases.data
    if form.all_shown.data:
        chosen = [line.id for line in fieldwork.case_lines(investigation, _scope(), limit=None,
                                                            **_filters())]
    try:
        changed = fieldwork.assign(investigation, chosen,
                                   int(form.collector.data) if form.collector.data else None,
                                   _scope())
    except InvestigationError as error:
        db.session.rollback()
        flash(_problem(error), "error")
        return _cases(investigation, form, 400)
    db.session.commit()
    flash(_("%(n)s case(s) assigned.", n=changed), "success")
    return redirect(url_for(".cases_page", code=code, **request.args), code=303)


@bp.route("/investigations/<code>/cases/<int:case_id>", methods=["GET", "POST"])
@page_requires("fieldwork")
def case_page(code: str, case_id: int):
    investigation = _investigation(code)
    case = _case(investigation, case_id)
    form = StatusForm()
    status = 200
    if form.validate_on_submit():
        try:
            fieldwork.change_status(investigation, case, form.status.data, form.note.data,
                                    _scope())
        except InvestigationError as error:
            db.session.rollback()
            flash(_problem(error), "error")
            status = 400
        else:
            db.session.commit()
            flash(_("Status recorded."), "success")
            return redirect(url_for(".case_page", code=code, case_id=case_id), code=303)
    elif form.is_submitted():
        status = 400
    case = _case(investigation, case_id)
    return render_template(
        "investigation/case.html", investigation=investigation, case=case, form=form,
        code_of=fieldwork.case_code(investigation.code, case.id), status_labels=STATUS_LABELS,
        events=[(format_datetime(e.at, "HH:mm dd/MM/yyyy"), e, note_text(e.note))
                for e in case.events],
        unit=db.session.get(Unit, case.dossier.unit_id),
        area=db.session.get(ServiceArea, case.dossier.service_area_id),
        collector=db.session.get(User, case.collector_id) if case.collector_id else None,
        stratum=stratum_labels(investigation, [case.stratum_key], _lang())[case.stratum_key],
        may_enter=case.status != "completed" and investigation.status in ("drawn", "fieldwork"),
        scope=_scope()), status


def note_text(note: str) -> str:
    """A history line's note: the words the services write are shown in the page's language,
    what a person typed as it is."""
    if note.startswith("assigned: "):
        return _("assigned to %(name)s", name=note.removeprefix("assigned: "))
    fixed = {"drawn": _("drawn into the sample"), "unassigned": _("taken back from its collector"),
             "answered through the personal link": _("answered through the personal link"),
             "paper form entered": _("paper form entered")}
    return fixed.get(note, note)


@bp.route("/investigations/<code>/cases/<int:case_id>/paper", methods=["GET", "POST"])
@page_requires("fieldwork")
def paper_page(code: str, case_id: int):
    """A paper form entered against its case: the questionnaire's pages, channel "paper";
    sending it stores the response and completes the case."""
    investigation = _investigation(code)
    case = _case(investigation, case_id)
    try:
        found = fieldwork.paper_case(investigation, case)
    except InvestigationError as error:
        db.session.rollback()
        flash(_problem(error), "error")
        return redirect(url_for(".case_page", code=code, case_id=case_id), code=303)
    actor = _scope().actor

    def submit(payload, lang):
        return fieldwork.submit_paper(found.case_id, payload, lang, actor)

    title = found.unit_title[1] if _lang() == "en" else found.unit_title[0]
    ctx = FlowContext(found.questionnaire_code, found.unit_code, "paper",
                      service_area=found.service_area,
                      title=f"{fieldwork.case_code(code, case_id)} · {title}", submit=submit)
    try:
        if request.method == "GET":
            return start(ctx, _lang())
        outcome = advance(ctx, _lang())
    except UnknownQuestionnaire:
        abort(404)
    if outcome.already_used:
        flash(_("This case is completed already: its response is stored."), "error")
        return redirect(url_for(".case_page", code=code, case_id=case_id), code=303)
    if outcome.stored is not None:
        flash(_("Paper form stored; the case is completed."), "success")
        return redirect(url_for(".case_page", code=code, case_id=case_id), code=303)
    return outcome.page


@bp.post("/investigations/paper")
@page_requires("fieldwork")
def paper_by_code():
    """The case code written on a paper form opens that case's entry page."""
    form = PaperCodeForm()
    if form.validate_on_submit():
        try:
            investigation, case = fieldwork.case_by_code(form.case_code.data, _scope())
        except CaseNotFound:
            form.case_code.errors = [_("No case with this code among your cases.")]
        else:
            return redirect(url_for(".paper_page", code=investigation.code, case_id=case.id),
                            code=303)
    rows = db.session.execute(db.select(Investigation).where(
        Investigation.status.in_(SHOWN))).scalars().all()
    scope = _scope()
    totals = {row.code: progress.progress(row, scope)[1] for row in rows}
    return render_template("investigation/index.html", rows=rows, totals=totals, paper=form,
                           scope=scope), 400


def _letters_form(investigation: Investigation, form: LettersForm) -> LettersForm:
    form.collector.choices = _collector_choices([("", _("(every collector)")),
                                                 ("0", _("(not assigned)"))])
    name = (lambda u: u.name_en or u.name_vi) if _lang() == "en" else (lambda u: u.name_vi)
    unit_rows = _sampled_units(investigation)
    form.unit.choices = [SelectChoice("", _("(every unit)"))] + [
        SelectChoice(u.code, f"{u.code} · {name(u)}") for u in unit_rows]
    keys = sorted((investigation.draw or {}).get("strata", {}))
    labels = stratum_labels(investigation, keys, _lang())
    form.stratum.choices = [SelectChoice("", _("(every stratum)"))] + [
        SelectChoice(k, labels[k]) for k in keys]
    return form


def _sampled_units(investigation: Investigation) -> list[Unit]:
    """The units of the sampled dossiers and every unit above them, in tree order."""
    paths = db.session.execute(
        db.select(Unit.path).distinct()
        .join(FrameDossier, FrameDossier.unit_id == Unit.id)
        .join(SampleCase, SampleCase.frame_dossier_id == FrameDossier.id)
        .where(SampleCase.investigation_id == investigation.id)).scalars()
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    return list(db.session.execute(
        db.select(Unit).where(Unit.code.in_(codes)).order_by(Unit.path)).scalars())


@bp.route("/investigations/<code>/letters", methods=["GET", "POST"])
@page_requires("manage_fieldwork")
def letters_page(code: str):
    investigation = _investigation(code)
    form = _letters_form(investigation, LettersForm())
    if not form.validate_on_submit():
        return render_template("investigation/letters.html", investigation=investigation,
                               form=form, scope=_scope()), 400 if form.is_submitted() else 200
    selection = letters.Selection(
        collector_id=int(form.collector.data) if form.collector.data else None,
        unit_code=form.unit.data, stratum=form.stratum.data)
    try:
        batch = letters.issue_letters(
            investigation, _scope(), selection, office=_office(),
            link_for=lambda token: url_for(".case_link", token=token, _external=True),
            with_address=form.with_address.data)
    except (InvestigationError, ContactKeyError) as error:
        db.session.rollback()
        form.collector.errors = [_problem(error) if isinstance(error, InvestigationError)
                                 else _("The address block needs the contact key: %(e)s",
                                        e=str(error))]
        return render_template("investigation/letters.html", investigation=investigation,
                               form=form, scope=_scope()), 400
    db.session.commit()
    name = secure_filename(f"{code}-letters.pdf")
    return Response(batch.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _office() -> str:
    from survey.services.council_report.settings import from_config

    root = db.session.execute(db.select(Unit).where(Unit.parent_id.is_(None))
                              .order_by(Unit.id).limit(1)).scalar_one_or_none()
    return from_config(current_app.config, root.name_vi if root else "").issuer


def _days() -> tuple[RemindersForm, int | None]:
    form = RemindersForm(request.args)
    if not form.validate() or form.days.data is None:
        return form, None if request.args.get("days") else 14
    return form, form.days.data


@bp.get("/investigations/<code>/reminders")
@page_requires("fieldwork")
def reminders_page(code: str):
    investigation = _investigation(code)
    form, days = _days()
    if days is None:
        return render_template("investigation/reminders.html", investigation=investigation,
                               scope=_scope(), form=form, rows=[], days=None,
                               status_labels=STATUS_LABELS), 400
    rows = reminders.due(investigation, _scope(), days)
    return render_template("investigation/reminders.html", investigation=investigation,
                           form=form, rows=rows, days=days, status_labels=STATUS_LABELS,
                           when=lambda at: format_datetime(at, "dd/MM/yyyy"))


@bp.get("/investigations/<code>/reminders.csv")
@page_requires("fieldwork")
def reminders_csv(code: str):
    investigation = _investigation(code)
    _form, days = _days()
    if days is None:
        abort(400)
    text = reminders.to_csv(reminders.due(investigation, _scope(), days))
    name = secure_filename(f"{code}-reminders-{days}d.csv")
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})

