"""The anomalies page: bursts (kiosks, desk posters, web links) with the means to quarantine
and restore them, desks rated too well, and ignored presses and refused answers."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.access import current_principal, page_requires
from survey.admin.anomaly_forms import QuarantineForm, RestoreForm
from survey.extensions import db
from survey.navigation import register_nav
from survey.services import anomalies as detect
from survey.services.responses import admin as response_admin

# Its own blueprint under the administration package: the page and its two actions keep the
# addresses /security/... that the documentation, bookmarks and the audit trail name.
bp = Blueprint("security", __name__, url_prefix="/security")

register_nav("security.anomalies", _l("Anomalies"), "administer", 88)


@bp.get("/anomalies")
@page_requires("administer")
def anomalies():
    config = current_app.config
    limits = {"count": config["ANOMALY_BURST_COUNT"], "seconds": config["ANOMALY_BURST_SECONDS"],
              "top_share": config["ANOMALY_TOP_SHARE"], "min_n": config["ANOMALY_MIN_N"],
              "gap": config["ANOMALY_GAP"]}
    return render_template(
        "admin/anomalies.html", limits=limits, listed=detect.LISTED,
        bursts=detect.bursts(limits["count"], limits["seconds"], listed=detect.LISTED),
        desks=detect.too_good_desks(limits["top_share"], limits["min_n"], limits["gap"]),
        presses=detect.ignored_presses(), quarantines=response_admin.quarantines())


def _back():
    return redirect(url_for("security.anomalies", _anchor="quarantines"))


def _refused(error: response_admin.QuarantineError) -> None:
    db.session.rollback()
    if isinstance(error, response_admin.ClosedYearError):
        flash(_("Nothing changed: responses of %(year)s, a closed year, would change its "
                "signed figures. Reopen the year first.", year=error.year), "error")
    else:
        flash(_("Nothing changed: %(reason)s", reason=str(error)), "error")


@bp.post("/quarantine")
@page_requires("administer")
def quarantine():
    form = QuarantineForm()
    if not form.validate_on_submit():
        if form.reason.errors:
            flash(_("Give the reason for the quarantine (at most %(n)s characters).",
                    n=response_admin.MAX_REASON), "error")
        else:
            flash(_("The request was not understood; reload the page and try again."), "error")
        return _back()
    actor = current_principal().name
    # End the read transaction the login opened, so that the service's write transaction
    # holds SQLite's write lock from its first statement (begin_write).
    db.session.commit()
    try:
        row = response_admin.quarantine_burst(form.source.data, form.source_id.data,
                                              form.first_at.data, form.last_at.data,
                                              form.reason.data, actor)
    except response_admin.QuarantineError as error:
        _refused(error)
        return _back()
    db.session.commit()
    if row is None:
        flash(_("These responses are quarantined already; nothing changed."), "ok")
    else:
        flash(_("%(n)s responses quarantined (quarantine %(id)s): they no longer count in any "
                "figure.", n=row.responses, id=row.id), "ok")
    return _back()


@bp.post("/restore")
@page_requires("administer")
def restore():
    form = RestoreForm()
    if not form.validate_on_submit():
        flash(_("The request was not understood; reload the page and try again."), "error")
        return _back()
    actor = current_principal().name
    db.session.commit()  # as above: the write transaction starts with the service
    try:
        restored = response_admin.restore(form.quarantine_id.data, actor)
    except response_admin.QuarantineError as error:
        _refused(error)
        return _back()
    db.session.commit()
    if restored:
        flash(_("%(n)s responses restored: they count in the figures again.", n=restored), "ok")
    else:
        flash(_("This quarantine was restored already; nothing changed."), "ok")
    return _back()
