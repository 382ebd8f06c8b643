"""The phone/web flow, one page at a time, with the answers of the other pages carried along.

The overall question comes first, on a page of its own with the open question, so that the
answer that matters most is given before anything else; the questionnaire's sections follow.
Earlier answers travel in a hidden field, never in the cookie (a long comment in Vietnamese
would not fit) and never in the database before the citizen sends the last page. The server
checks everything again on the last page, so an edited hidden field gains nothing.

Skip logic is decided by the server on every page, the same with and without JavaScript: an
item whose condition names an item of the same page is shown without JavaScript (with a note
saying when to answer it) and is checked and kept only if the answers on the page make it
visible; `showif.js` only hides what the server would drop.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template, request, session
from flask_babel import gettext as _
from flask_babel import refresh
from itsdangerous import BadSignature, URLSafeTimedSerializer

import questionnaires as qn
from survey.collect.forms import build_form, initial_data, raw_answers
from survey.models import QuestionnaireVersion
from survey.services import questionnaires as qservice
from survey.services import responses as rservice
from survey.services import tokens

FORM_ID_SALT = "hailong.form-response"
MAX_CARRIED = 64_000  # characters; far more than any real questionnaire's answers
# Seconds a citizen takes per question on a phone, measured by hand on the land survey at
# 360 px (read, choose, scroll on): a scale or choice about 8 s, a typed answer about 30 s.
SECONDS_PER_CHOICE = 8
SECONDS_PER_TEXT = 30


@dataclass(frozen=True, slots=True)
class FlowContext:
    questionnaire_code: str
    unit_code: str
    channel: str
    token: str | None = None  # a dossier token, when the flow came from a receipt
    service_area: str | None = None
    title: str | None = None  # the unit's name, shown under the questionnaire title
    # Stores the finished payload instead of responses.submit: a sampled case's personal link
    # (survey/services/investigation/fieldwork.py) stores and completes its case at once.
    submit: Callable[[dict, str], rservice.SubmitResult] | None = field(default=None,
                                                                        compare=False)


@dataclass
class Outcome:
    page: str | None = None  # a rendered page to return, or
    stored: rservice.SubmitResult | None = None  # the stored response
    already_used: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    title: qn.Text
    items: tuple[qn.Item, ...]


def page_plan(definition: qn.Questionnaire) -> tuple[Page, ...]:
    """The pages in the order a citizen sees them: the overall question first.

    The first page holds the overall item, the items that only follow up on it, and the
    questionnaire's first optional open question (its reason, in the citizen's words). A
    questionnaire of one section, or without an overall item, keeps its sections as they are.
    """
    pages = [Page(s.title, s.items) for s in definition.sections]
    lead = definition.first_screen
    if not lead:
        return tuple(pages)
    codes = {i.code for i in lead}
    home = next(s for s in definition.sections if definition.overall_item in s.items)
    rest = [Page(p.title, tuple(i for i in p.items if i.code not in codes)) for p in pages]
    return (Page(home.title, tuple(lead)), *(p for p in rest if p.items))


def visible_pages(definition: qn.Questionnaire, answers: dict) -> list[int]:
    """Pages with at least one item shown, given the answers so far."""
    cleaned, _ = _clean_visible(definition, answers)
    return [i for i, p in enumerate(page_plan(definition))
            if any(qn.is_visible(item, cleaned) for item in p.items)]


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


def shown_on_page(page: Page, cleaned: dict) -> dict[str, bool]:
    """Which items the page shows without JavaScript.

    An item whose condition names an item of the same page is shown: the citizen may still
    change that answer, and without JavaScript nothing would reveal it. The server keeps its
    answer only if the answers sent make it visible.
    """
    here = {i.code for i in page.items}
    return {item.code: bool(item.show_if and set(item.show_if.targets()) & here)
            or qn.is_visible(item, cleaned) for item in page.items}


def condition_hints(page: Page, lang: str) -> dict[str, str]:
    """For items shown without JavaScript whatever the answers above: when to answer them."""
    here = {i.code: i for i in page.items}
    hints = {}
    for item in page.items:
        cond = item.show_if
        if cond is None or not set(cond.targets()) & set(here):
            continue
        if cond.op in ("equals", "in") and cond.item in here:
            wanted = cond.value if isinstance(cond.value, tuple) else (cond.value,)
            labels = dict(qn.get_type(here[cond.item].type).value_labels(here[cond.item]))
            if all(v in labels for v in wanted):
                chosen = _(" or ").join(f"“{labels[v].get(lang)}”" for v in wanted)
                hints[item.code] = _("Answer only if you chose %(choice)s above.",
                                     choice=chosen)
                continue
        hints[item.code] = _("Answer only if it applies, given your answers above.")
    return hints


def minutes_for(items) -> int:
    seconds = sum(SECONDS_PER_TEXT if i.type == "text" else SECONDS_PER_CHOICE for i in items)
    return max(1, math.ceil(seconds / 60))


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


def advance(ctx: FlowContext, lang: str, *, token_refused: bool = False) -> Outcome:
    """Handle a POST of one page: back, next or send.

    `token_refused`: the form's CSRF token had expired or its session cookie was gone. The
    same page comes back with every answer sent and a fresh token; nothing is checked or
    stored, and the citizen is asked to press the button again.
    """
    version = _version(ctx, request.form.get("version"))
    definition = qservice.definition_of(version)
    pages = page_plan(definition)
    index = request.form.get("section", "0")
    index = min(int(index[:6]), len(pages) - 1) if index.isascii() and index.isdigit() else 0
    response_id, issued = page_response_id()
    items = pages[index].items
    form = build_form(items, lang)
    answers = {k: v for k, v in _carried().items() if k not in {i.code for i in items}}
    answers.update(raw_answers(form, items))
    _, answers = _clean_visible(definition, answers)
    shown = visible_pages(definition, answers)
    action = request.form.get("action", "")
    if token_refused:
        return Outcome(_render(ctx, version, definition, index, answers, response_id, lang, {},
                               notice="expired"))
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
    if index == 0 and later and _first_screen_stored(ctx, definition):
        # The first screen is stored as soon as it is sent: "Send" ends there, "Tell us more"
        # goes on, and the last page's send completes the same response (an amend).
        if not issued:
            return Outcome(_render(ctx, version, definition, index, answers, response_id,
                                   lang, {}, notice="resend"))
        outcome = _send(ctx, version, definition, answers, response_id, lang, part="first")
        if outcome.stored is None or action == "send":
            return outcome
        return Outcome(_render(ctx, version, definition, later[0], answers, response_id, lang,
                               {}))
    if action == "send" and not _required_later(definition, answers, later):
        later = []  # "Send now": what follows is optional, and the citizen stops here
    if later:
        return Outcome(_render(ctx, version, definition, later[0], answers, response_id, lang,
                               {}))
    if not issued:
        # Every answer is kept; only the page's id is new, and sending again stores it.
        return Outcome(_render(ctx, version, definition, index, answers, response_id, lang,
                               {}, notice="resend"))
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
    upto = {item.code for p in page_plan(definition)[: index + 1] for item in p.items}
    return {code: message for code, message in errors.items() if code in upto}


def _first_screen_stored(ctx: FlowContext, definition: qn.Questionnaire) -> bool:
    """Whether the first screen is stored on its own before the rest (see `advance`).

    Only through a poster or a web link (signed tokens): a receipt rates its dossier once,
    so a receipt's questionnaire is stored whole at the end.
    """
    return bool(definition.first_screen) and tokens.is_signed(ctx.token or "")


def _send(ctx, version, definition, answers, response_id, lang, part=None) -> Outcome:
    if part == "first":
        first = {item.code for item in definition.first_screen}
        answers = {code: value for code, value in answers.items() if code in first}
    payload = {"id": response_id, "questionnaire": ctx.questionnaire_code,
               "version": version.number, "unit": ctx.unit_code, "channel": ctx.channel,
               "token": ctx.token, "service_area": ctx.service_area, "answers": answers,
               "part": part}
    try:
        return Outcome(stored=(ctx.submit or rservice.submit)(payload, lang))
    except rservice.TokenAlreadyUsed:
        return Outcome(already_used=True)
    except rservice.SubmissionInvalid as invalid:
        first = next((i for i, p in enumerate(page_plan(definition))
                      if any(it.code in invalid.errors for it in p.items)), None)
        if first is None:  # not about an answer: the context itself is wrong
            raise
        return Outcome(_render(ctx, version, definition, first, answers, response_id, lang,
                               invalid.errors))


def _render(ctx, version, definition, index, answers, response_id, lang, errors,
            notice: str | None = None) -> str:
    page = page_plan(definition)[index]
    form = build_form(page.items, lang, formdata=None,
                      data=initial_data(page.items, answers))
    form.response_id.data = issued_id(response_id)
    form.version.data = str(version.number)
    form.section.data = str(index)
    others = {k: v for k, v in answers.items() if k not in {i.code for i in page.items}}
    form.carried.data = json.dumps(others, ensure_ascii=False)
    for code, message in errors.items():
        if f"q_{code}" in form:
            form[f"q_{code}"].errors = [message]
    shown = visible_pages(definition, answers)
    position = shown.index(index) + 1 if index in shown else 1
    cleaned, _ = _clean_visible(definition, answers)
    later = [i for i in shown if i > index]
    remaining = _remaining([it for i in later for it in page_plan(definition)[i].items],
                           answers, cleaned)
    # The first page may be the last one sent: it offers "Send" and "Tell us more" when its
    # screen is stored on its own (`advance`), or when nothing after it is required.
    send_now = position == 1 and bool(later) and (
        _first_screen_stored(ctx, definition) or not any(it.required for it in remaining))
    return render_template(
        "collect/flow.html", ctx=ctx, definition=definition, section=page, form=form,
        lang=lang, step=position, steps=max(len(shown), position), first=position == 1,
        last=not later, errors={c: m for c, m in errors.items() if f"q_{c}" in form},
        visible=shown_on_page(page, cleaned), carried_json=form.carried.data,
        notice=notice, questions_left=len(remaining), hints=condition_hints(page, lang),
        send_now=send_now,
        minutes_left=minutes_for(remaining) if remaining else 0,
    )


def _required_later(definition, answers: dict, later: list[int]) -> bool:
    cleaned, _ = _clean_visible(definition, answers)
    items = [it for i in later for it in page_plan(definition)[i].items]
    return any(it.required for it in _remaining(items, answers, cleaned))


def _remaining(items, answers: dict, cleaned: dict) -> list:
    """The items still to come that may be asked: an item whose condition names only answered
    items is counted if it holds; one that waits on an unanswered item is counted (the
    estimate errs on the long side)."""
    return [it for it in items if it.show_if is None or qn.is_visible(it, cleaned)
            or any(code not in answers for code in it.show_if.targets())]
