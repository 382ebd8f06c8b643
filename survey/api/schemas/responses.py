"""Schemas of POST /responses: the submission and the stored response's answer.

The submission is checked by the service (survey/services/responses), whose refusals name each
field in the citizen's language and which the staff pages share; `Submission` describes that
envelope for clients, and tests/collect/test_responses_schema.py holds the two together: what
the service stores validates against the model, and what the model refuses the service refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from survey.api.schemas import Body, Document
from survey.models.responses import CHANNELS

AnswerValue = int | str | list[str]


class Submission(Body):
    # Optional fields are absent, not null: their default None is not one of their values.
    id: UUID
    questionnaire: str
    version: int = Field(None, ge=1, le=2147483647,
                                description="default: latest published")
    unit: str
    channel: Literal[CHANNELS]
    token: str = Field(None, description=(
        "the channel's proof: a kiosk, desk QR, web link or dossier token (required except "
        "for paper)"))
    service_area: str = Field(None, description="when the questionnaire covers several")
    submitted_at: datetime = Field(None, description=(
        "when the citizen answered; no offset means Viet Nam time; more than 5 minutes ahead "
        "is refused, and so is a time before the channel's window or in a closed year"))
    ignored_presses: int = Field(None, ge=0,
                                        description="kiosks only: presses ignored as repeats")
    answers: dict[str, AnswerValue] = Field(description=(
        "item code: value; no_answer, not_applicable, dont_know, refused (or 97/98/99) for a "
        "missing answer"))


class FeedbackOffer(Document):
    """Kiosks only, when the stored answer is dissatisfied or has a comment: the signed link
    (valid expires_in seconds) where the citizen may leave a contact for this one response,
    from their own phone, its QR code as inline SVG, and who answers within how many working
    days (docs/FEEDBACK.md)."""

    url: str = Field(json_schema_extra={"format": "uri"})
    qr_svg: str
    unit: str
    days: int = Field(ge=0)
    source: Literal["rating", "comment"]
    expires_in: int = Field(ge=1)


class StoredResponse(Document):
    id: UUID
    questionnaire: str
    version: int
    unit: str
    channel: str
    respondent_type: str | None
    service_area: str | None
    submitted_at: datetime
    received_at: datetime
    answers: dict[str, AnswerValue]
    offer: FeedbackOffer | None = None
