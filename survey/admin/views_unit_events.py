"""The lives of units (issue #19): every recorded event, one unit's life with a form to add an
event, and the upload of an events file whose problems are listed by row and column.

Views only turn forms into `record_event` / `import_events_file` calls and commit once; the
services check, apply, carry what is attached and audit.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from survey.access import current_principal, page_requires
from survey.admin import bp
from survey.admin.forms import EmptyForm, UploadForm, options
from survey.extensions import db
from survey.i18n import current_lang
from survey.models import Unit
from survey.services.imports import ImportRejected
from survey.services.lineage import attached
from survey.services.lineage.dates import local_today
from survey.services.lineage.events import (
    EventError,
    EventInput,
    all_events,
    record_event,
    unit_events,
)
from survey.services.lineage.events_import import COLUMNS, import_events_file, parse_successors
from survey.services.lineage.undo import undo_last_event

KIND_LABELS = {"merge": _l("Merge"), "split": _l("Split"), "rename": _l("Rename"),
               "move": _l("Move to another parent unit"), "abolish": _l("Abolition")}
# EventError.field -> the form's field; "unit" problems are the unit's own (shown on top)
FORM_FIELDS = {"kind": "kind", "effective": "effective", "decision_number": "decision_number",
               "successors": "successors", "new_parent": "new_parent",
               "new_name_vi": "new_name_vi", "note": "note", "carry_to": "carry_to"}


class UnitEventForm(FlaskForm):
    kind = SelectField(_l("What happened"),
                       choices=lambda: options((k, v) for k, v in KIND_LABELS.items()))
    effective = DateField(_l("Effective from"), validators=[DataRequired()])
    decision_number = StringField(_l("Decision number"),
                                  validators=[DataRequired(), Length(max=100)])
    decision_date = DateField(_l("Decision date"), validators=[Optional()])
    successors = StringField(_l("Successors (merge, split)"), validators=[Length(max=2000)])
    new_parent = SelectField(_l("New parent unit (move)"), validators=[Optional()])
    new_name_vi = StringField(_l("New name in Vietnamese (rename)"),
                              validators=[Length(max=200)])
    new_name_en = StringField(_l("New name in English (rename)"), validators=[Length(max=200)])
    carry_to = SelectField(_l("Kiosks, desks and officers go to (split, abolition)"),
                           validators=[Optional()])
    note = StringField(_l("Note"), validators=[Length(max=500)])


def _unit_choices(blank: str = "—"):
    units = db.session.execute(db.select(Unit).order_by(Unit.path)).scalars()
    return options([("", blank)] + [(u.code, f"{u.code} · {u.name_vi}") for u in units])


@bp.get("/unit-events")
@page_requires("manage_units")
def unit_events_page():
    return _events_page(UploadForm(prefix="events"))


def _events_page(upload: UploadForm, problems=(), source: str = "", status: int = 200):
    return render_template("admin/unit_events.html", events=all_events(), upload=upload,
                           problems=problems, source=source, columns=COLUMNS,
                           kinds=KIND_LABELS), status


@bp.post("/unit-events/import")
@page_requires("manage_units")
def import_unit_events():
    upload = UploadForm(prefix="events")
    if not upload.validate_on_submit():
        if "csrf_token" in upload.errors:
            abort(400)
        flash(_("Choose a CSV file."), "error")
        return _events_page(upload, status=400)
    source = upload.file.data.filename or "events.csv"
    try:
        result = import_events_file(upload.file.data.read(), source,
                                    actor=current_principal().name, lang=current_lang())
    except ImportRejected as rejected:
        db.session.rollback()
        return _events_page(upload, rejected.problems, rejected.source, 422)
    db.session.commit()
    flash(_("%(events)s event(s) recorded; %(things)s kiosk(s), desk(s), code(s) or account(s) "
            "moved to successor units.", events=result.recorded, things=result.carried), "ok")
    return redirect(url_for("admin.unit_events_page"))


@bp.route("/units/<unit_code>/life", methods=["GET", "POST"])
@page_requires("manage_units")
def unit_life(unit_code: str):
    unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
    if unit is None:
        abort(404)
    form = UnitEventForm()
    form.new_parent.choices = _unit_choices()
    form.carry_to.choices = _unit_choices(_("the default"))
    unit_errors: list[str] = []
    if form.is_submitted():
        valid = form.validate()
        if "csrf_token" in form.errors:
            abort(400)
        if valid and _record(unit, form, unit_errors):
            return redirect(url_for("admin.unit_life", unit_code=unit.code))
    events = unit_events(unit)
    return render_template("admin/unit_life.html", unit=unit, events=events,
                           form=form, kinds=KIND_LABELS, unit_errors=unit_errors,
                           undo_form=EmptyForm(prefix="undo"),
                           carry_notes=_pending(events))


def _pending(events) -> dict[int, str]:
    """The unit's own ending events still ahead of their day -> what will happen to its
    kiosks, desks, codes and accounts on that day, in words."""
    today = local_today()
    return {e.id: _carry_words(attached.due_target(e), e.effective) for e in events
            if e.effective > today and e.kind in attached.ENDING_KINDS
            and all(s.unit_id != e.unit_id for s in e.successors)}


@bp.post("/units/<unit_code>/undo-last-event")
@page_requires("manage_units")
def undo_unit_event(unit_code: str):
    """Undo a mistaken event: the unit's latest one (see survey/services/lineage/undo.py)."""
    if not EmptyForm(prefix="undo").validate_on_submit():
        abort(400)
    try:
        undone = undo_last_event(unit_code, current_principal().name)
    except EventError as error:
        db.session.rollback()
        if error.problem == "unknown_unit":
            abort(404)
        flash(error.message(current_lang()), "error")
    else:
        db.session.commit()
        flash(_("The %(kind)s of %(day)s was undone; %(things)s kiosk(s), desk(s), code(s) or "
                "account(s) came back.", kind=KIND_LABELS[undone.kind], day=undone.effective,
                things=undone.brought_back), "ok")
    return redirect(url_for("admin.unit_life", unit_code=unit_code))


def _record(unit: Unit, form: UnitEventForm, unit_errors: list[str]) -> bool:
    lang = current_lang()
    successors, problems = parse_successors(form.successors.data or "", lang)
    if problems:
        form.successors.errors = [*form.successors.errors, *problems]
        return False
    data = EventInput(
        unit_code=unit.code, kind=form.kind.data, effective=form.effective.data,
        decision_number=form.decision_number.data or "", decision_date=form.decision_date.data,
        successors=successors, new_parent_code=form.new_parent.data or "",
        new_name_vi=(form.new_name_vi.data or "").strip(),
        new_name_en=(form.new_name_en.data or "").strip(), note=form.note.data or "",
        carry_to=form.carry_to.data or "")
    actor = current_principal().name
    try:
        done = record_event(data, actor)
    except EventError as error:
        db.session.rollback()
        field = FORM_FIELDS.get(error.field)
        if field is None:
            unit_errors.append(error.message(lang))
        else:
            target = getattr(form, field)
            target.errors = [*target.errors, error.message(lang)]
        return False
    moved = done.carried.total if done.carried else 0
    moved += sum(c.total for c in attached.carry_due(actor))
    pending = _pending([done.event])
    db.session.commit()
    flash(_("Event recorded; %(things)s kiosk(s), desk(s), code(s) or account(s) moved to "
            "successor units.", things=moved), "ok")
    if done.event.id in pending:
        flash(pending[done.event.id], "ok")
    return True


def _carry_words(target: Unit | None, day) -> str:
    """What will happen to an ending unit's things on the event's day."""
    if target is None:
        return _("Nothing will be carried: on %(day)s its kiosks, posters and codes stop "
                 "working and say since when.", day=day.strftime("%d/%m/%Y"))
    return _("Its kiosks, desks, unused codes, web links, officers and API keys will be "
             "carried to %(code)s on %(day)s.", code=target.code, day=day.strftime("%d/%m/%Y"))
