"""The citizen's side: after a dissatisfied answer (or a comment), leave a way to be answered.

/f/TOKEN is reached from the thank-you page (the token is the signed offer of one stored
response, survey/services/feedback/offers.py). Sending opens the case for the unit whether or
not a contact is left; a contact is kept only with the box ticked. On a kiosk the page that
follows shows nothing of what was typed and goes back to the kiosk's start.
"""

from __future__ import annotations

import logging

from flask import current_app, make_response, render_template, session

from survey.collect.flow_views import form_limits
from survey.extensions import db
from survey.feedback import bp
from survey.feedback.forms import ContactForm
from survey.services.feedback import FeedbackError, cases, offers
from survey.services.investigation.contacts import ContactKeyError, Sealer

log = logging.getLogger(__name__)


def _no_store(response):
    # A shared kiosk's back button must not bring back what the last citizen typed.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **context):
    return _no_store(make_response(render_template(template, **context), status))


@bp.route("/f/<token>", methods=["GET", "POST"])
@form_limits
def offer(token: str):
    found = offers.read_offer(token)
    if found is None:
        db.session.rollback()
        return _page("feedback/offer_gone.html", 404)
    form = ContactForm()
    kiosk = found.kiosk_token
    config = current_app.config
    context = {"form": form, "token": token, "kiosk_token": kiosk,
               "steps": offers.next_steps(found),
               # a kiosk left with the form open goes back to its start, address and all
               "idle_seconds": 3 * (config["KIOSK_IDLE_SECONDS"]
                                    + config["KIOSK_COUNTDOWN_SECONDS"])}
    if not form.is_submitted():
        db.session.rollback()
        return _page("feedback/offer.html", **context)
    try:
        if not form.validate():
            raise FeedbackError("form", "invalid")
        contact = form.contact()
    except FeedbackError:
        db.session.rollback()
        return _page("feedback/offer.html", 422, **context)
    kept = contact is not None
    if kept:
        try:
            Sealer()
        except ContactKeyError:
            # No key configured (or a malformed one): the unit still gets the feedback; the
            # citizen is told the address could not be kept, never that it was.
            log.error("feedback contact not kept: HAILONG_CONTACT_KEY is missing or wrong")
            contact, kept = None, None
    cases.open_case(found.response, None, found.source, "citizen", contact)
    db.session.commit()
    session.pop(offers.SESSION_KEY, None)  # the thank-you page no longer offers the form
    template = "feedback/kiosk_sent.html" if kiosk else "feedback/sent.html"
    return _page(template, kept=kept, kiosk_token=kiosk,
                 seconds=current_app.config["KIOSK_THANKS_SECONDS"])
