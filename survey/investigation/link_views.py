"""The citizen's personal link /i/TOKEN: the investigation's questionnaire for that one case.

It reuses the phone pages (survey/collect/flow.py) with the case's unit, questionnaire and
service area; the last page's send stores a "web" response and completes the case in one
transaction (fieldwork.submit_by_link). A used, replaced, unknown or closed link answers a
page saying so in the citizen's language (never an error of the server), and a refused form
token keeps every answer, as on the other citizen pages.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import get_locale

from survey.collect.flow import FlowContext, advance, start
from survey.collect.flow_views import form_limits
from survey.extensions import db
from survey.investigation import bp
from survey.services.investigation import fieldwork
from survey.services.questionnaires import UnknownQuestionnaire

# Not found, already answered, not open yet, over, not for this person.
STATUS = {"unknown": 404, "used": 409, "not_started": 409, "closed": 410, "not_eligible": 410}


def link_refused(reason: str):
    db.session.rollback()
    return render_template("investigation/link_refused.html", reason=reason), STATUS[reason]


@bp.route("/i/<token>", methods=["GET", "POST"])
@form_limits(keep_answers=True)
def case_link(token: str):
    try:
        found = fieldwork.link_case(token)
    except fieldwork.LinkRefused as refusal:
        return link_refused(refusal.reason)
    lang = str(get_locale())

    def submit(payload, page_lang):
        return fieldwork.submit_by_link(token, payload, page_lang)

    ctx = FlowContext(found.questionnaire_code, found.unit_code, "web",
                      service_area=found.service_area,
                      title=found.unit_title[1] if lang == "en" else found.unit_title[0],
                      submit=submit)
    try:
        if request.method == "GET":
            return start(ctx, lang)
        outcome = advance(ctx, lang, token_refused=g.form_token_refused)
    except UnknownQuestionnaire:
        return link_refused("unknown")
    if outcome.already_used:
        # completed meanwhile (another tab), or the fieldwork closed or the letter was
        # reprinted while the page was open: say which
        db.session.rollback()
        try:
            fieldwork.link_case(token)
        except fieldwork.LinkRefused as refusal:
            return link_refused(refusal.reason)
        return link_refused("used")
    if outcome.stored is not None:
        return redirect(url_for("collect.thanks"))
    return outcome.page
