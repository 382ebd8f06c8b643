"""The phone/web flow, one section per page, with the answers of the other pages carried along.

Earlier answers travel in a hidden field, never in the cookie (a long comment in Vietnamese
would not fit) and never in the database before the citizen sends the last page. The server
checks everything again on the last page, so an edited hidden field gains nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from flask import current_app, render_template, request, session
from flask_babel import refresh
from itsdangerous import BadSignature, URLSafeTimedSerializer

import questionnaires as qn
from survey.collect.forms import build_form, initial_data, raw_answers
from survey.models import QuestionnaireVersion
from survey.services import questionnaires as qservice
from survey.services import responses as rservice

FORM_ID_SALT = "hailong.form-response"
MAX_CARRIED = 64_000  # characters; far more than any real questionnaire's answers


@dataclass(frozen=True, slots=True)
class FlowContext:
    questionnaire_code: str
    unit_code: str
    channel: str
    token: str | None = None  # a dossier token, when the flow came from a receipt
    service_area: str | None = None
    title: str | None = None  # the unit's name, shown under the questionnaire title


@dataclass
class Outcome:
    page: str | None = None  # a rendered page to return, or
    stored: rservice.SubmitResult | None = None  # the stored response
    already_used: bool = False


def visible_sections(definition: qn.Questionnaire, answers: dict) -> list[int]:
    """Sections with at least one item shown, given the answers so far."""
    cleaned, _ = _clean_visible(definition, answers)
    return [i for i, s in enumerate(definition.sections)
            if any(qn.is_visible(item, cleaned) for item in s.items)]


def _clean_visible(definition: qn.Questionnaire, answers: dict) -> tuple[dict, dict]:
    """Cleaned answers and the raw ones kept, dropping answers to items now hidden."""
    cleaned: dict[str, qn.Answer] = {}
    kept: dict[str, object] = {}
    for item in definition.items:
        if item.code not in answers or not qn.is_visible(item, cleaned):
            continue
        kept[item.code] = answers[item.code]
        try:
            answer = qn.clean_answer(item, answers[item.code])
        except qn.AnswerError:
            continue
        if answer is not None:
            cleaned[item.code] = answer
    return cleaned, kept


def _version(ctx: FlowContext, number: str | None) -> QuestionnaireVersion:
    # The page pins the version it was drawn from, so a publish in between changes nothing.
    # ASCII digits only ("²" passes isdigit but not int), and within a 32-bit INTEGER
    pinned = int(number) if number and number.isascii() and number.isdigit() \
        and len(number) < 10 else None
    return qservice.get_version(ctx.questionnaire_code, pinned)


def _carried() -> dict:
    text = request.form.get("carried", "")
    if not text or len(text) > MAX_CARRIED:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # "[[[[…" thousands deep: the decoder gives up
        return {}
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else {}


def page_response_id() -> tuple[str, bool]:
    """The id the page carries, and whether the server issued it (`issued_id`).

    One rendered form stores at most one response: its id is signed by the server, so
    posting the same page again returns the stored response instead of adding one, and an
    id that was edited, forged or left out is replaced (and the citizen asked to send again).
    """
    try:
        return str(uuid.UUID(_form_ids().loads(request.form.get("response_id", ""),
                                               max_age=_id_max_age()))), True
    except (BadSignature, ValueError, TypeError):
        return str(uuid.uuid4()), False


def _form_ids() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FORM_ID_SALT)


def _id_max_age() -> int:
    # A page may stay open as long as the phone channel may date an answer back.
    return int(current_app.config["ONLINE_MAX_AGE_HOURS"]) * 3600


def issued_id(response_id: str) -> str:
    """The signed form of a response id, as the page carries it."""
    return _form_ids().dumps(response_id)


def start(ctx: FlowContext, lang: str) -> str:
    version = qservice.get_version(ctx.questionnaire_code)
    definition = qservice.definition_of(version)
    return _render(ctx, version, definition, 0, {}, str(uuid.uuid4()), lang, {})


def advance(ctx: FlowContext, lang: str) -> Outcome:
    """Handle a POST of one page: back, next or send."""
    version = _version(ctx, request.form.get("version"))
    definition = qservice.definition_of(version)
    sections = definition.sections
    index = request.form.get("section", "0")
    index = min(int(index[:6]), len(sections) - 1) if index.isascii() and index.isdigit() else 0
    response_id, issued = page_response_id()
    items = sections[index].items
    form = build_form(items, lang)
    answers = {k: v for k, v in _carried().items() if k not in {i.code for i in items}}
    answers.update(raw_answers(form, items))
    _, answers = _clean_visible(definition, answers)
    shown = visible_sections(definition, answers)
    action = request.form.get("action", "")
    if action.startswith("lang:"):
        # Same page, same answers, the other language; nothing is checked or stored yet.
        lang = switch_language(action.removeprefix("lang:"), lang)
        return Outcome(_render(ctx, version, definition, index, answers, response_id, lang, {}))
    if action == "back":
        earlier = [i for i in shown if i < index]
        return Outcome(_render(ctx, version, definition, earlier[-1] if earlier else index,
                               answers, response_id, lang, {}))
    errors = _page_errors(definition, answers, index, lang)
    if errors:
        return Outcome(_render(ctx, version, definition, index, answers, response_id, lang,
                               errors))
    later = [i for i in shown if i > index]
    if later:
        return Outcome(_render(ctx, version, definition, later[0], answers, response_id, lang,
                               {}))
    if not issued:
        # Every answer is kept; only the page's id is new, and sending again stores it.
        return Outcome(_render(ctx, version, definition, index, answers, response_id, lang,
                               {}, resend=True))
    return _send(ctx, version, definition, answers, response_id, lang)


def switch_language(code: str, current: str) -> str:
    if code not in current_app.config["LANGUAGES"]:
        return current
    session["lang"] = code
    refresh()  # Flask-Babel chose this request's locale already; ask it again
    return code


def _page_errors(definition, answers, index, lang) -> dict[str, str]:
    """Errors of this page and earlier ones; later pages are not answered yet."""
    _, errors = qn.validate_answers(definition, answers, lang)
    upto = {item.code for s in definition.sections[: index + 1] for item in s.items}
    return {code: message for code, message in errors.items() if code in upto}


def _send(ctx, version, definition, answers, response_id, lang) -> Outcome:
    payload = {"id": response_id, "questionnaire": ctx.questionnaire_code,
               "version": version.number, "unit": ctx.unit_code, "channel": ctx.channel,
               "token": ctx.token, "service_area": ctx.service_area, "answers": answers}
    try:
        return Outcome(stored=rservice.submit(payload, lang))
    except rservice.TokenAlreadyUsed:
        return Outcome(already_used=True)
    except rservice.SubmissionInvalid as invalid:
        first = next((i for i, s in enumerate(definition.sections)
                      if any(it.code in invalid.errors for it in s.items)), None)
        if first is None:  # not about an answer: the context itself is wrong
            raise
        return Outcome(_render(ctx, version, definition, first, answers, response_id, lang,
                               invalid.errors))


def _render(ctx, version, definition, index, answers, response_id, lang, errors,
            resend: bool = False) -> str:
    section = definition.sections[index]
    form = build_form(section.items, lang, formdata=None,
                      data=initial_data(section.items, answers))
    form.response_id.data = issued_id(response_id)
    form.version.data = str(version.number)
    form.section.data = str(index)
    others = {k: v for k, v in answers.items() if k not in {i.code for i in section.items}}
    form.carried.data = json.dumps(others, ensure_ascii=False)
    for code, message in errors.items():
        if f"q_{code}" in form:
            form[f"q_{code}"].errors = [message]
    shown = visible_sections(definition, answers)
    position = shown.index(index) + 1 if index in shown else 1
    cleaned, _ = _clean_visible(definition, answers)
    return render_template(
        "collect/flow.html", ctx=ctx, definition=definition, section=section, form=form,
        lang=lang, step=position, steps=max(len(shown), position), first=position == 1,
        last=not [i for i in shown if i > index], errors=errors,
        visible={item.code: qn.is_visible(item, cleaned) for item in section.items},
        carried_json=form.carried.data, resend=resend,
    )
