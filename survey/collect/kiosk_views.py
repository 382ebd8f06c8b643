"""Kiosk pages: full screen, one question per screen, offline-capable.

The page is drawn by the server as one ordinary form (it works without JavaScript); kiosk.js
turns it into steps, sends answers to the API and queues them in IndexedDB while offline.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from pathlib import Path

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import force_locale

from survey.assets import versioned_url
from survey.collect import bp, kiosk_offer
from survey.collect.flow import issued_id, page_response_id
from survey.collect.flow_views import form_limits, refused, token_refused
from survey.collect.forms import FACES, build_form, raw_answers
from survey.extensions import db
from survey.services import questionnaires as qservice
from survey.services import responses as rservice
from survey.services import tokens
from survey.services.feedback import offers

# The page's timers, read from the environment in survey/config.py.
TIMERS = ("KIOSK_IDLE_SECONDS", "KIOSK_COUNTDOWN_SECONDS", "KIOSK_THANKS_SECONDS",
          "KIOSK_PRESS_INTERVAL_MS")


def _setting(name: str) -> int:
    return int(current_app.config[name])


def _no_store(response):
    # The browser's back/forward cache must not bring back a citizen's page.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/k/<token>", methods=["GET", "POST"])
@form_limits
def kiosk(token: str):
    try:
        kiosk = tokens.kiosk_from_token(token)
    except tokens.TokenRefused as refusal:
        return token_refused(refusal, 403)
    lang = request.args.get("lang") if request.args.get("lang") in ("vi", "en") else "vi"
    version = qservice.latest_version(kiosk.questionnaire)
    if version is None:
        return refused("invalid")
    definition = qservice.definition_of(version)
    form = build_form(definition.items, lang)
    errors: dict[str, str] = {}
    if request.method == "POST":  # only without JavaScript; kiosk.js posts to the API
        # The id the server signed into this page: one page stores at most one response.
        response_id, issued = page_response_id()
        payload = {"id": response_id,
                   "questionnaire": kiosk.questionnaire.code, "version": version.number,
                   "unit": kiosk.unit.code, "channel": "kiosk", "token": token,
                   "answers": raw_answers(form, definition.items)}
        try:
            if not issued:
                raise rservice.SubmissionInvalid({"response_id": "not issued by this page"})
            stored = rservice.submit(payload, lang)
        except rservice.SubmissionInvalid as invalid:
            errors = invalid.errors
        except rservice.Throttled:  # counted on the kiosk; the citizen is thanked all the same
            return _thanks(token, lang)
        else:
            return _thanks(token, lang, stored.response_id)
        for code, message in errors.items():
            if f"q_{code}" in form:
                form[f"q_{code}"].errors = [message]
    else:
        form = build_form(definition.items, lang, formdata=None)
    form.response_id.data = issued_id(str(uuid.uuid4()))
    with force_locale(lang):  # each citizen starts in Vietnamese, whatever the last one chose
        page = render_template(
            "collect/kiosk.html", kiosk=kiosk, token=token, definition=definition, form=form,
            version=version, lang=lang, errors=errors, faces=FACES,
            settings={**{k: _setting(k) for k in TIMERS},
                      **({"KIOSK_IDLE_SECONDS": kiosk.idle_seconds}
                         if kiosk.idle_seconds is not None else {})},
        )
    db.session.rollback()
    return _no_store(make_response(page))


def _thanks(token: str, lang: str, response_id: int | None = None):
    # A dissatisfied answer or a comment is offered a feedback case (#23): the screen says
    # what happens next, links to the contact form, and stays long enough to read it.
    offer = None
    if response_id is not None:
        signed = offers.offer_token(response_id, kiosk_token=token)
        offer = offers.read_offer(signed)
    seconds = _setting("KIOSK_THANKS_SECONDS")
    if offer is not None:
        seconds = _setting("KIOSK_IDLE_SECONDS") + _setting("KIOSK_COUNTDOWN_SECONDS")
    # The same QR code as the JavaScript kiosk's screen: a contact left from one's own phone
    # rather than typed on a shared kiosk.
    phone = kiosk_offer.for_kiosk({"channel": "kiosk", "token": token}, response_id, lang) \
        if offer is not None else None
    with force_locale(lang):
        page = render_template("collect/kiosk_thanks.html", token=token, lang=lang,
                               seconds=seconds, offer=offer, phone_offer=phone,
                               offer_url=url_for("feedback.offer", token=signed)
                               if offer else None,
                               steps=offers.next_steps(offer) if offer else None)
    db.session.rollback()
    return _no_store(make_response(page))


KIOSK_ASSETS = ("css/base.css", "css/collect.css", "js/showif.js", "js/kiosk.js")


@bp.get("/k/sw.js")
def kiosk_service_worker():
    """Served under /k/ so that its scope covers every kiosk page.

    The worker pre-caches the assets by the versioned URLs the kiosk page uses (static files
    are cached for a year, so an unversioned URL could bring back an old copy), in a cache
    named after those versions: a new release installs a new worker and drops the old cache.
    """
    urls = [versioned_url(current_app, name) for name in KIOSK_ASSETS]
    digest = hashlib.sha256("".join(urls).encode()).hexdigest()[:12]
    source = (Path(current_app.static_folder) / "js" / "kiosk-sw.js").read_text("utf-8")
    source = re.sub(r'var CACHE = "[^"]*";', f'var CACHE = "hailong-kiosk-{digest}";', source,
                    count=1)
    source = re.sub(r"var PRECACHE = \[[^\]]*\];", f"var PRECACHE = {json.dumps(urls)};",
                    source, count=1)
    response = make_response(source)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response
