"""Phone and web pages: a desk's QR code or a receipt's QR code opens the questionnaire."""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_wtf.csrf import CSRFError

from survey.collect import bp
from survey.collect.flow import FlowContext, advance, start
from survey.extensions import csrf, db, limiter
from survey.i18n import current_lang
from survey.services import tokens
from survey.services.feedback import offers
from survey.services.questionnaires import UnknownQuestionnaire


def _client_limit() -> str:
    return current_app.config["FORM_RATE_LIMIT"]


def _token_limit() -> str:
    return current_app.config["FORM_TOKEN_RATE_LIMIT"]


def _path_token() -> str:
    """Every POST through one poster, link, receipt or kiosk shares a count."""
    token = (request.view_args or {}).get("token", "")
    return "form:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]


def form_limits(view=None, *, keep_answers: bool = False):
    """Rate limits on a citizen form's POSTs: per client, and per token in the path.

    Flask-Limiter counts a decorated route when the view runs, after every before_request
    hook, and CSRFProtect's hook would refuse a flood of token-less POSTs before it is
    counted: so the form token is checked here, inside the limits, instead.

    `keep_answers`: a refused form token (expired after an hour, or its session cookie gone)
    does not answer a bare 400 that loses every answer: the view runs with
    `g.form_token_refused` set and must store nothing, only show the page again with what was
    sent and a fresh token. A page of anonymous answers holds nothing of the visitor's to
    protect; the token still keeps another site from storing answers through this one.
    """
    if view is None:
        return lambda inner: form_limits(inner, keep_answers=keep_answers)

    @wraps(view)
    def checked(*args, **kwargs):
        g.form_token_refused = False
        if request.method == "POST":
            try:
                csrf.protect()
            except CSRFError:
                if not keep_answers:
                    raise
                g.form_token_refused = True
        return view(*args, **kwargs)

    csrf.exempt(checked)
    checked = limiter.limit(_token_limit, key_func=_path_token, methods=["POST"])(checked)
    return limiter.limit(_client_limit, methods=["POST"])(checked)


def refused(reason: str, status: int = 404, **context):
    db.session.rollback()
    return render_template("collect/refused.html", reason=reason, **context), status


def token_refused(refusal: tokens.TokenRefused, status: int = 404):
    """A refused token's page; an office that no longer exists says since when (410)."""
    if refusal.reason == "gone":
        return refused("gone", 410, ended_on=f"{refusal.ended_on:%d/%m/%Y}")
    return refused(refusal.reason, status)


def _run(ctx: FlowContext, method: str):
    try:
        if method == "GET":
            return start(ctx, current_lang())
        outcome = advance(ctx, current_lang(), token_refused=g.form_token_refused)
    except UnknownQuestionnaire:
        return refused("invalid")
    if outcome.already_used:
        return refused("used", 409)
    if outcome.stored is not None:
        # the signed feedback offer of this response (#23), read back by `thanks`
        session[offers.SESSION_KEY] = offers.offer_token(outcome.stored.response_id)
        return redirect(url_for("collect.thanks"))
    return outcome.page


def _unit_title(unit) -> str:
    return unit.name_en if current_lang() == "en" and unit.name_en else unit.name_vi


@bp.route("/s/<token>", methods=["GET", "POST"])
@form_limits(keep_answers=True)
def survey(token: str):
    """The page a desk poster's QR code opens; the signed token names unit, desk and form."""
    try:
        context = tokens.qr_context(token)
    except tokens.TokenRefused as refusal:
        return token_refused(refusal)
    ctx = FlowContext(context.questionnaire.code, context.unit.code, "phone", token=token,
                      title=_unit_title(context.unit))
    return _run(ctx, request.method)


@bp.route("/w/<token>", methods=["GET", "POST"])
@form_limits(keep_answers=True)
def web_link(token: str):
    """The page of a public web link that an officer issued (channel "web")."""
    try:
        link = tokens.link_from_token(token)
    except tokens.TokenRefused as refusal:
        if refusal.reason == "revoked":
            return refused("link_off", 410)
        return token_refused(refusal)
    ctx = FlowContext(link.questionnaire.code, link.unit.code, "web", token=token,
                      title=_unit_title(link.unit))
    return _run(ctx, request.method)


@bp.route("/r/<token>", methods=["GET", "POST"])
@form_limits(keep_answers=True)
def receipt(token: str):
    """The page a receipt's QR code opens: rate this one dossier, once.

    The page names the dossier (code, procedure, the day its code was issued) so the citizen
    knows which one is rated; a used code says when, since someone else may have used it.
    """
    try:
        row = tokens.find_dossier_token(token)
    except tokens.TokenRefused as refusal:
        if refusal.reason == "used":
            db.session.rollback()
            when = format_datetime(refusal.used_at, "HH:mm dd/MM/yyyy") if refusal.used_at \
                else None
            return render_template("collect/refused.html", reason="used", used_at=when), 409
        if refusal.reason == "replaced":
            return refused("replaced", 410)
        return token_refused(refusal)
    procedure = row.procedure
    g.receipt = {"dossier_code": row.dossier_code,
                 "procedure": (procedure.name_en if current_lang() == "en" and procedure.name_en
                               else procedure.name_vi) if procedure else None,
                 "issued_on": format_datetime(row.issued_at, "dd/MM/yyyy")}
    ctx = FlowContext(row.questionnaire.code, row.unit.code, "phone", token=token,
                      title=_unit_title(row.unit))
    return _run(ctx, request.method)


@bp.get("/thanks")
def thanks():
    """After a dissatisfied answer or a comment, also what happens next and the optional
    contact form (survey/feedback/citizen.py receives it)."""
    from survey.feedback.forms import ContactForm  # the feedback package imports this module

    token = session.get(offers.SESSION_KEY, "")
    offer = offers.read_offer(token) if isinstance(token, str) else None
    if offer is None:
        return render_template("collect/thanks.html", offer=None)
    return render_template("collect/thanks.html", offer=offer, token=token,
                           form=ContactForm(), steps=offers.next_steps(offer))
