"""A case's response as the officer reads it: each question's label and the answer's label
in the page's language (never item or choice codes), in the questionnaire's order."""

from __future__ import annotations

import questionnaires as qn
from questionnaires.types import get_type
from survey.extensions import db
from survey.models import Answer, QuestionnaireVersion, Response
from survey.services import questionnaires as qservice


def answers_of(response_id: int | None, lang: str) -> list[tuple[str, str]]:
    """(question, answer) of the response's answered items; [] when it is gone."""
    response = db.session.get(Response, response_id) if response_id is not None else None
    if response is None:
        return []
    definition = qservice.definition_of(db.session.get(QuestionnaireVersion,
                                                       response.version_id))
    stored = {a.item_code: a for a in db.session.execute(
        db.select(Answer).filter_by(response_id=response.id)).scalars()}
    lines = []
    for item in definition.items:
        answer = stored.get(item.code)
        if answer is None:
            continue
        lines.append((item.label.get(lang), _value(item, answer, lang)))
    return lines


def _value(item, answer: Answer, lang: str) -> str:
    if answer.missing_code is not None:
        label = qn.MISSING_LABELS.get(answer.missing_code)
        return label.get(lang) if label else str(answer.missing_code)
    labels = {value: text.get(lang) for value, text in get_type(item.type).value_labels(item)}
    if answer.value_int is not None:
        return labels.get(answer.value_int, str(answer.value_int))
    text = answer.value_text or ""
    if item.type == "multi_choice":
        return "; ".join(labels.get(code, code) for code in text.split())
    return labels.get(text, text)
