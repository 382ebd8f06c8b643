"""The officers' side: the unit's cases, one case with its history, its moves, the answer.

A unit officer sees the cases of their unit's subtree (another unit's case is a 404, like one
that does not exist); admins and analysts (the leaders' accounts) see every case. Answering
and moving a case needs `handle_feedback` (admins, unit officers).
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.access import current_principal, page_requires
from survey.extensions import db
from survey.feedback import bp
from survey.feedback.forms import (
    CHANNEL_CHOICES,
    FILTER_LABELS,
    MOVE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    AnswerForm,
    MoveForm,
)
from survey.models import ServiceArea, Unit, now_utc
from survey.models.feedback import FEEDBACK_STATUSES
from survey.services.feedback import FeedbackError, cases, figures, reading
from survey.services.feedback.cases import TRANSITIONS

FILTERS = ("open", "", *FEEDBACK_STATUSES)


def _why(problem: FeedbackError) -> str:
    """The service's refusal in the page's language (its own text is for logs and the CLI)."""
    return {"status": _("this move is not allowed from the case's present status"),
            "note": _("give a reason to close a case that was not answered"),
            "answer": _("write the answer, at most 5000 characters")}.get(
        problem.field, problem.message)


def _scope():
    return current_principal().unit_scope


def _case_or_404(feedback_id: int):
    case = cases.get_in_scope(feedback_id, _scope())
    if case is None:
        abort(404)
    return case


# The history lines the services write (survey/services/feedback) in the page's language;
# an officer's own note is shown as written.
SYSTEM_NOTES = {
    "with a contact, given with consent": _l("with a contact, given with consent"),
    "no contact left": _l("no contact left"),
    "contact given, with consent": _l("contact given, with consent"),
    "no contact: the answer stays with the unit":
        _l("no contact: the answer stays with the unit"),
    "sent by e-mail": _l("sent by e-mail"),
    "contact deleted": _l("contact deleted"),
    "escalated: no leader address configured": _l("escalated: no leader address configured"),
    "sms not sent: no gateway configured": _l("SMS not sent: no gateway configured"),
    "zalo not sent: no gateway configured": _l("Zalo not sent: no gateway configured"),
}
ESCALATED = re.compile(r"escalated to the leader of (?P<unit>[^:]+): (?P<detail>.*)")


def note_label(note: str) -> str:
    found = ESCALATED.fullmatch(note)
    if found:
        return _("escalated to the leader of %(unit)s: %(detail)s", unit=found["unit"],
                 detail=note_label(found["detail"]))
    if note.startswith("e-mail not sent: "):
        return _("e-mail not sent: %(why)s", why=note.removeprefix("e-mail not sent: "))
    return str(SYSTEM_NOTES.get(note, note))


@bp.context_processor
def _labels():
    return {"note_label": note_label, "status_labels": STATUS_LABELS, "move_labels": MOVE_LABELS,
            "filter_labels": FILTER_LABELS, "source_labels": SOURCE_LABELS,
            "channel_labels": dict(CHANNEL_CHOICES)}


@bp.get("/feedback/")
@page_requires("feedback")
def cases_page():
    status = request.args.get("status", "open")
    if status not in FILTERS:
        status = "open"
    rows = figures.rows(_scope())
    now = now_utc()
    return render_template(
        "feedback/cases.html", cases=cases.listing(_scope(), status), status=status,
        filters=FILTERS, now=now, totals=figures.case_figures(rows, now, by=()),
        by_unit=figures.case_figures(rows, now), names=_names(rows))


def _names(rows) -> dict[tuple[str, str], str]:
    """("unit" | "service", code) -> its name in the page's language, for the figures."""
    english = str(get_locale()) == "en"
    names = {}
    for kind, model, codes in (("unit", Unit, {r.unit for r in rows}),
                               ("service", ServiceArea, {r.service for r in rows} - {""})):
        for row in db.session.execute(db.select(model).where(model.code.in_(codes))).scalars():
            names[(kind, row.code)] = row.name_en if english and row.name_en else row.name_vi
    return names


def _render_case(case, answer_form=None, move_form=None, status=200):
    answers = reading.answers_of(case.response_id, str(get_locale()))
    principal = current_principal()
    return render_template(
        "feedback/case.html", case=case, answers=answers, now=now_utc(),
        moves=[m for m in TRANSITIONS.get(case.status, ()) if m != "answered"],
        can_handle=principal.can("handle_feedback"),
        answer_form=answer_form or AnswerForm(), move_form=move_form or MoveForm()), status


@bp.get("/feedback/cases/<id:feedback_id>")
@page_requires("feedback")
def case_page(feedback_id: int):
    return _render_case(_case_or_404(feedback_id))


@bp.post("/feedback/cases/<id:feedback_id>/answer")
@page_requires("handle_feedback")
def answer_page(feedback_id: int):
    case = _case_or_404(feedback_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _render_case(case, answer_form=form, status=422)
    try:
        result = cases.answer(case, form.answer.data, current_principal().name)
    except FeedbackError as problem:
        db.session.rollback()
        form.answer.errors = [_("This case cannot be answered now: %(why)s",
                                why=_why(problem))]
        return _render_case(_case_or_404(feedback_id), answer_form=form, status=422)
    db.session.commit()
    if result is None:
        flash(_("Answer recorded. The citizen left no contact: nothing was sent."))
    elif result.sent:
        flash(_("Answer recorded and sent to the citizen."))
    else:
        flash(_("Answer recorded, but it did NOT reach the citizen: %(why)s",
                why=note_label(result.detail)))
    return redirect(url_for("feedback.case_page", feedback_id=case.id))


@bp.post("/feedback/cases/<id:feedback_id>/move")
@page_requires("handle_feedback")
def move_page(feedback_id: int):
    case = _case_or_404(feedback_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _render_case(case, move_form=form, status=422)
    try:
        cases.transition(case, form.to_status.data or "", current_principal().name,
                         form.note.data or "")
    except FeedbackError as problem:
        db.session.rollback()
        form.note.errors = [_("Not done: %(why)s", why=_why(problem))]
        return _render_case(_case_or_404(feedback_id), move_form=form, status=422)
    db.session.commit()
    flash(_("Case updated."))
    return redirect(url_for("feedback.case_page", feedback_id=case.id))
