"""Phone and web pages: a desk's QR code or a receipt's QR code opens the questionnaire."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale

from survey.collect import bp
from survey.collect.flow import FlowContext, advance, start
from survey.extensions import db
from survey.services import tokens
from survey.services.questionnaires import UnknownQuestionnaire


def _lang() -> str:
    return str(get_locale())


def refused(reason: str, status: int = 404):
    db.session.rollback()
    return render_template("collect/refused.html", reason=reason), status


def _run(ctx: FlowContext, method: str):
    try:
        if method == "GET":
            return start(ctx, _lang())
        outcome = advance(ctx, _lang())
    except UnknownQuestionnaire:
        return refused("invalid")
    if outcome.already_used:
        return refused("used", 409)
    if outcome.stored is not None:
        return redirect(url_for("collect.thanks"))
    return outcome.page


def _qr_flow(context: tokens.QrContext) -> FlowContext:
    unit = context.unit
    return FlowContext(context.questionnaire.code, unit.code, "phone",
                       title=unit.name_en if _lang() == "en" and unit.name_en else unit.name_vi)


@bp.route("/s/<token>", methods=["GET", "POST"])
def survey(token: str):
    """The page a desk poster's QR code opens; the signed token names unit, desk and form."""
    try:
        context = tokens.qr_context(token)
    except tokens.TokenRefused as refusal:
        return refused(refusal.reason)
    return _run(_qr_flow(context), request.method)


@bp.route("/r/<token>", methods=["GET", "POST"])
def receipt(token: str):
    """The page a receipt's QR code opens: rate this one dossier, once."""
    try:
        row = tokens.find_dossier_token(token)
    except tokens.TokenRefused as refusal:
        return refused(refusal.reason, 409 if refusal.reason == "used" else 404)
    unit = row.unit
    ctx = FlowContext(row.questionnaire.code, unit.code, "phone", token=token,
                      title=unit.name_en if _lang() == "en" and unit.name_en else unit.name_vi)
    return _run(ctx, request.method)


@bp.get("/thanks")
def thanks():
    return render_template("collect/thanks.html")
