"""Which answers are offered a feedback case, and the signed offer the thank-you page carries.

A response is offered a case when its overall item is answered on the scale's dissatisfied
side (likert5: 1 or 2; the dossier rating: 1, "Không hài lòng"; in general a value below the
scale's middle) or when it carries a written comment (a text item answered). The offer is the
response's id signed with the app's secret (salt below), valid OFFER_MAX_AGE seconds, so the
thank-you page can hand it to the form without putting a guessable id in a URL: a visitor
cannot open cases on other people's responses.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from questionnaires.types import get_type
from survey.extensions import db
from survey.models import QuestionnaireVersion, Response
from survey.services import questionnaires as qservice

SALT = "hailong.feedback-offer"
SESSION_KEY = "feedback_offer"  # where the flow leaves the offer for the thank-you page
OFFER_MAX_AGE = 2 * 3600  # the citizen may read the page and decide; a day later it is over


@dataclass(frozen=True, slots=True)
class Offer:
    response: Response
    source: str  # "rating" (dissatisfied) or "comment"
    kiosk_token: str  # "" unless given on a kiosk, whose screen goes back to its start


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def offer_token(response_id: int, kiosk_token: str = "") -> str:
    return _serializer().dumps([response_id, kiosk_token])


def source_of(response: Response) -> str | None:
    """"rating", "comment" or None: what makes this response worth a case."""
    version = db.session.get(QuestionnaireVersion, response.version_id)
    definition = qservice.definition_of(version)
    answers = {a.item_code: a for a in response.answers}
    overall = definition.overall_item
    if overall is not None and overall.code in answers:
        value = answers[overall.code].value_int
        kind = get_type(overall.type)
        points = [v for v in (kind.values(overall) or ()) if isinstance(v, int)]
        if value is not None and kind.is_rating and points and \
                not kind.is_satisfied(value) and value < (min(points) + max(points)) / 2:
            return "rating"
    for item in definition.items:
        answer = answers.get(item.code)
        if item.type == "text" and answer is not None and (answer.value_text or "").strip():
            return "comment"
    return None


def read_offer(token: str) -> Offer | None:
    """The offer a token names, if it is genuine, recent, and its response deserves one."""
    try:
        response_id, kiosk_token = _serializer().loads(token or "", max_age=OFFER_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(response_id, int) or not isinstance(kiosk_token, str):
        return None
    response = db.session.get(Response, response_id)
    # quarantined (suspect), or a sampled case's (its link's thank-you page makes no offer:
    # the investigation's answers stay with the investigation)
    if response is None or not response.in_figures:
        return None
    source = source_of(response)
    return Offer(response, source, kiosk_token) if source else None


@dataclass(frozen=True, slots=True)
class NextSteps:
    """What the thank-you page tells the citizen: who answers, within how many working days."""

    unit_vi: str
    unit_en: str
    days: int


def next_steps(offer: Offer) -> NextSteps:
    from survey.models import ServiceArea, Unit
    from survey.services.feedback.deadlines import days_for

    response = offer.response
    unit = db.session.get(Unit, response.unit_id)
    area = db.session.get(ServiceArea, response.service_area_id) \
        if response.service_area_id else None
    return NextSteps(unit.name_vi, unit.name_en or unit.name_vi,
                     days_for(area.code if area else None))
