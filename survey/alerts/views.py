"""The officers' alert pages. A unit officer sees the alerts of their unit's subtree (another
unit's alert is a 404, like one that does not exist); admins and analysts (the leaders'
accounts) see every alert. All of them may acknowledge one (a form with its CSRF token;
audited). Showing an alert marks it read for the account."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from survey.access import current_principal, page_requires
from survey.alerts import bp
from survey.alerts.forms import AcknowledgeForm
from survey.extensions import db
from survey.models import Kiosk, ServiceArea, Unit
from survey.services.alerts import AlertError, chart, listing

KIND_LABELS = {"cusum": _l("Satisfaction fell"), "burst": _l("Burst of ratings at a kiosk"),
               "": _l("All kinds")}
STATE_LABELS = {"open": _l("Not acknowledged"), "acknowledged": _l("Acknowledged"),
                "": _l("All")}


def _scope():
    return current_principal().unit_scope


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _name(row) -> str:
    english = str(get_locale()) == "en"
    return row.name_en if english and getattr(row, "name_en", "") else row.name_vi


def where(alert) -> str:
    """The unit, and its service area or kiosk, in the page's language."""
    unit = db.session.get(Unit, alert.unit_id)
    text = _name(unit)
    if alert.kind == "cusum" and alert.service_area_id:
        area = db.session.get(ServiceArea, alert.service_area_id)
        text += f" – {_name(area)}" if area else ""
    elif alert.kind == "burst":
        kiosk = db.session.get(Kiosk, alert.kiosk_id)
        text += " – " + _("kiosk %(name)s", name=kiosk.name if kiosk else alert.kiosk_id)
    return text


def _alert_or_404(alert_id: int):
    alert = listing.get_in_scope(alert_id, _scope())
    if alert is None:
        abort(404)
    return alert


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "state_labels": STATE_LABELS, "alert_where": where}


@bp.get("/alerts/")
@page_requires("alerts")
def list_page():
    state = request.args.get("state", "open")
    state = state if state in listing.FILTERS else "open"
    kind = request.args.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    alerts = listing.listing(_scope(), state, kind)
    unread = listing.unread_ids(alerts, _user_id()) if _user_id() else set()
    page = render_template("alerts/list.html", alerts=alerts, unread=unread, state=state,
                           kind=kind, states=listing.FILTERS, kinds=tuple(KIND_LABELS))
    if unread:
        listing.mark_read(unread, _user_id())
        db.session.commit()
    return page


def _render(alert, form=None, status=200):
    title = f"{KIND_LABELS[alert.kind]} – {where(alert)}"
    svg = chart.svg_for(alert, title, _("limit") if alert.kind == "burst" else "h")
    return render_template("alerts/alert.html", alert=alert, svg=Markup(svg),
                           form=form or AcknowledgeForm(),
                           can_quarantine=current_principal().can("administer")), status


@bp.get("/alerts/<id:alert_id>")
@page_requires("alerts")
def alert_page(alert_id: int):
    alert = _alert_or_404(alert_id)
    result = _render(alert)
    if _user_id() and listing.unread_ids([alert], _user_id()):
        listing.mark_read({alert.id}, _user_id())
        db.session.commit()
    return result


@bp.post("/alerts/<id:alert_id>/acknowledge")
@page_requires("alerts")
def acknowledge(alert_id: int):
    alert = _alert_or_404(alert_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return _render(alert, form, 422)
    try:
        listing.acknowledge(alert, current_principal().name, form.note.data or "")
    except AlertError as problem:
        db.session.rollback()
        form.note.errors = [_("Not done: the alert is already acknowledged.")
                            if problem.field == "state" else
                            _("Not done: the note is too long.")]
        return _render(_alert_or_404(alert_id), form, 409 if problem.field == "state" else 422)
    db.session.commit()
    flash(_("Alert acknowledged."))
    return redirect(url_for("alerts.alert_page", alert_id=alert.id))
