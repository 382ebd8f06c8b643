"""Questionnaire list, creation, import/export, publishing, versions, retirement, kiosks."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

import questionnaires as qn
from questionnaires.spreadsheet_limits import FORM_LIMITS
from survey.access import current_principal, page_requires
from survey.admin.forms import options
from survey.design import bp
from survey.design.forms import (
    AssignForm,
    CloneForm,
    EmptyForm,
    ImportForm,
    MetaForm,
    NewQuestionnaireForm,
)
from survey.extensions import db
from survey.i18n import current_lang
from survey.models import Questionnaire
from survey.services import designer, desks, service_areas
from survey.services import questionnaires as qservice
from survey.services.audit import log as audit_log
from survey.services.designer import edit as designer_edit
from survey.services.designer.io import (
    export_definition,
    import_xlsform,
    import_yaml,
    is_yaml,
)


def actor() -> str:
    return current_principal().name


def area_choices():
    """The service areas of the database, labelled in the user's language."""
    return options(service_areas.choices(current_lang()))


def row_or_404(code: str) -> Questionnaire:
    row = db.session.execute(db.select(Questionnaire).filter_by(code=code)).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def checked_form(form) -> bool:
    """A submitted form with a valid CSRF token; field validation is the designer's job."""
    if not form.is_submitted():
        return False
    form.validate()
    if "csrf_token" in form.errors:
        abort(400, "CSRF token missing or invalid")
    return True


@bp.get("/")
@page_requires("design")
def index():
    new = NewQuestionnaireForm(prefix="new")
    templates = designer.builtin_templates().items()
    new.template.choices = options([("", _("Nothing (blank)"))] + [
        (code, f"{code} · {q.title.get(current_lang())}") for code, q in templates])
    new.service_area.choices = new_area_choices()
    rows = db.session.execute(db.select(Questionnaire).order_by(Questionnaire.code)).scalars()
    return render_template("design/index.html", rows=list(rows), new=new,
                           upload=ImportForm(prefix="xls"),
                           area_names=dict(service_areas.choices(current_lang())))


def new_area_choices():
    return options([("", _("The template's (none for a blank questionnaire)"))]
                   + service_areas.choices(current_lang()))


@bp.post("/new")
@page_requires("design")
def new():
    form = NewQuestionnaireForm(prefix="new")
    form.template.choices = options([("", "")] + [(c, c) for c in designer.builtin_templates()])
    form.service_area.choices = new_area_choices()
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            name = form[field].label.text if field in form else field
            flash(f"{name}: {'; '.join(map(str, errors))}", "error")
        return redirect(url_for("design.index"))
    try:
        row = designer.create(form.code.data, form.kind.data, form.title_vi.data,
                              form.title_en.data or "", form.template.data or None, actor(),
                              form.service_area.data or None)
    except designer.DesignError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("design.index"))
    db.session.commit()
    return redirect(url_for("design.editor", code=row.code))


@bp.post("/import")
@page_requires("design")
def import_file():
    form = ImportForm(prefix="xls")
    if not form.validate_on_submit():
        flash(_("Choose an XLSForm or YAML file."), "error")
        return redirect(url_for("design.index"))
    name = form.file.data.filename or "form.xlsx"
    # one byte past the limit is enough for the reader to refuse the file, whatever
    # MAX_CONTENT_LENGTH lets the upload be
    data = form.file.data.read(FORM_LIMITS.file_bytes + 1)
    not_kept: list = []  # what an XLSForm holds that is not carried over: shown, never silent
    try:
        if is_yaml(name):
            row = import_yaml(data, name, actor())
        else:
            row = import_xlsform(data, name, actor(), not_kept)
    except (qn.XlsformError, qn.DefinitionError) as error:
        db.session.rollback()
        return render_template("design/import_refused.html", name=name,
                               problems=error.problems, lang=current_lang(),
                               yaml=isinstance(error, qn.DefinitionError)), 422
    except qservice.PublishRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("design.index"))
    db.session.commit()
    flash(_("Imported %(name)s into the draft of %(code)s.", name=name, code=row.code), "ok")
    if not_kept:
        return render_template("design/import_report.html", name=name, code=row.code,
                               problems=not_kept, lang=current_lang())
    return redirect(url_for("design.editor", code=row.code))


@bp.get("/<code>/")
@page_requires("design")
def editor(code: str):
    row = row_or_404(code)
    return render_editor(row, designer.check(row.draft))


def render_editor(row: Questionnaire, checked: designer.Checked, status: int = 200):
    draft = row.draft or designer.blank(row.code, row.kind, row.title_vi, row.title_en)
    meta = MetaForm(prefix="meta", formdata=None, data={
        "title_vi": draft.get("title", {}).get("vi", ""),
        "title_en": draft.get("title", {}).get("en", ""),
        "intro_vi": (draft.get("intro") or {}).get("vi", ""),
        "intro_en": (draft.get("intro") or {}).get("en", ""),
        "service_areas": [a for a in draft.get("service_areas") or [] if isinstance(a, str)]})
    meta.service_areas.choices = area_choices()
    assign = AssignForm(prefix="assign")
    assign.kiosk.choices = options(
        (k.id, f"{k.unit.code} · {k.name} ({k.questionnaire.code})")
        for k in desks.kiosks(current_principal().unit_scope))
    template = "design/_outline.html" if request.headers.get("X-Fragment") else \
        "design/editor.html"
    codes = {i.get("code") for s in draft.get("sections") or [] for i in s.get("items") or []
             if isinstance(i, dict)}
    history = [e for e in audit_log.entries(audit_log.AuditFilter(
        entity_type="questionnaire", key=row.code), limit=30) if e.entity_key == row.code]
    return render_template(
        template, row=row, draft=draft, checked=checked, lang=current_lang(), meta=meta,
        history=history,
        general=checked.general(codes), action=EmptyForm(), clone=CloneForm(prefix="clone"),
        assign=assign, types=qn.TYPES, latest=qservice.latest_version(row),
        reworded=reworded_items(row)), status


def reworded_items(row: Questionnaire) -> dict[int, list[str]]:
    """Per version number, the items it revised in wording only.

    Such items stay comparable (docs/METHODOLOGY.md §8).
    """
    out = {}
    for before, after in zip(row.versions, row.versions[1:], strict=False):
        codes = [c.code for c in qn.wording_revisions(qservice.definition_of(before),
                                                      qservice.definition_of(after))]
        if codes:
            out[after.number] = codes
    return out


@bp.post("/<code>/meta")
@page_requires("design")
def meta(code: str):
    row = row_or_404(code)
    form = MetaForm(prefix="meta")
    form.service_areas.choices = area_choices()
    if not checked_form(form):
        abort(400)
    if form.service_areas.errors:  # a code that is not (or no longer) a service area
        flash(_("Choose service areas from the list; an administrator adds new ones."),
              "error")
        return redirect(url_for("design.editor", code=code))
    keys = ("title", "intro", "service_areas")
    old = {k: row.draft.get(k) for k in keys} if row.draft else None
    draft = designer_edit.set_meta(row.draft or {}, form.title_vi.data, form.title_en.data,
                                   form.intro_vi.data, form.intro_en.data,
                                   form.service_areas.data or [])
    checked = designer.store(row, draft, actor(), "edit_title", old,
                             {k: draft.get(k) for k in keys})
    db.session.commit()
    return after_edit(row, checked)


def after_edit(row: Questionnaire, checked: designer.Checked):
    """Back to the editor; a fetch() caller gets just the outline to swap in."""
    if request.headers.get("X-Fragment"):
        return render_editor(row, checked)
    if checked.problems:
        flash(_("Saved. The draft still has problems, shown beside the items."), "warning")
    else:
        flash(_("Saved."), "ok")
    return redirect(url_for("design.editor", code=row.code))


@bp.post("/<code>/publish")
@page_requires("design")
def publish(code: str):
    row = row_or_404(code)
    if not checked_form(EmptyForm()):
        abort(400)
    checked = designer.check(row.draft)
    if checked.definition is None:
        flash(_("The draft has problems; correct them before publishing."), "error")
        return render_editor(row, checked, 422)
    revisions = qservice.pending_wording_revisions(row, checked.definition)
    if revisions and request.form.get("wording") != "kept":
        # "where it matters": the author says whether the new words keep the meaning
        return render_template("design/publish_wording.html", row=row, revisions=revisions,
                               action=EmptyForm(), places=item_places(row.draft),
                               lang=current_lang())
    try:
        qservice.save_draft(checked.definition, actor())
        result = qservice.publish(code, actor(), wording_only=bool(revisions))
    except qservice.PublishRefused as refused:
        db.session.rollback()
        for problem in refused.problems or []:
            flash(f"{problem.item}: {problem.message(current_lang())}", "error")
        flash(str(refused).splitlines()[0], "error")
        return redirect(url_for("design.editor", code=code))
    db.session.commit()
    if result.created:
        flash(_("Published version %(n)s.", n=result.version.number), "ok")
    else:
        flash(_("The draft equals version %(n)s; nothing published.",
                n=result.version.number), "ok")
    return redirect(url_for("design.editor", code=code))


def item_places(draft: dict | None) -> dict[str, tuple[int, int]]:
    """(section, item) index of each item code in the draft, for links to its editor."""
    return {item.get("code"): (s, i)
            for s, section in enumerate((draft or {}).get("sections") or [])
            for i, item in enumerate(section.get("items") or []) if isinstance(item, dict)}


@bp.get("/<code>/diff")
@page_requires("design")
def diff(code: str):
    row = row_or_404(code)
    numbers = [v.number for v in row.versions]
    new = request.args.get("new", numbers[-1] if numbers else 0, type=int)
    old = request.args.get("old", new - 1, type=int)
    if old not in numbers or new not in numbers:
        abort(404)
    changes = qservice.diff_versions(code, old, new)
    return render_template("design/diff.html", row=row, old=old, new=new, changes=changes,
                           numbers=numbers)


@bp.post("/<code>/clone")
@page_requires("design")
def clone(code: str):
    form = CloneForm(prefix="clone")
    if not form.validate_on_submit():
        flash(_("Give the copy a valid new code."), "error")
        return redirect(url_for("design.editor", code=code))
    try:
        row = designer.clone(code, form.new_code.data, actor())
    except designer.DesignError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("design.editor", code=code))
    db.session.commit()
    return redirect(url_for("design.editor", code=row.code))


@bp.post("/<code>/status/<any(retired, active):status>")
@page_requires("design")
def set_status(code: str, status: str):
    row_or_404(code)
    if not checked_form(EmptyForm()):
        abort(400)
    try:
        designer.set_status(code, status, actor())
    except designer.DesignError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(url_for("design.editor", code=code))


@bp.get("/<code>/export.<any(xlsx, yaml):fmt>")
@page_requires("design")
def export(code: str, fmt: str):
    row = row_or_404(code)
    try:
        definition = export_definition(row, request.args.get("version", type=int))
    except (LookupError, qn.DefinitionError):
        abort(404)
    if fmt == "yaml":
        return Response(qn.dump_yaml(definition), mimetype="text/yaml", headers={
            "Content-Disposition": f"attachment; filename={code}.yaml"})
    return Response(qn.to_xlsform(definition), headers={
        "Content-Disposition": f"attachment; filename={code}.xlsx"},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/<code>/assign")
@page_requires("design")
def assign(code: str):
    row_or_404(code)
    form = AssignForm(prefix="assign")
    form.kiosk.choices = options((k.id, "") for k in
                                 desks.kiosks(current_principal().unit_scope))
    if not form.validate_on_submit():
        abort(400)
    try:
        kiosk = desks.assign(form.kiosk.data, code, actor(), current_principal().unit_scope)
    except desks.DeskError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Kiosk %(name)s now shows %(code)s.", name=kiosk.name, code=code), "ok")
    return redirect(url_for("design.editor", code=code))
