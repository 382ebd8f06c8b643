"""Schemas of /dossier-tokens: the request bodies the views validate with, and the answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr

from survey.api.schemas import Body, Count, Document, Error

# A JSON body's codes are text or absent: a list or a number must not reach a query as a
# parameter the database cannot bind, and PostgreSQL text cannot hold NUL.
Code = Annotated[StrictStr, Field(pattern=r"^[^\x00]*$")]


class TokenRequest(Body):
    dossier_code: Code = Field(min_length=1, max_length=60)
    unit: Code
    procedure: Code | None = None
    questionnaire: Code | None = Field(None, description="default dossier_rating")


class TokenIssued(Document):
    token: str
    dossier_code: str
    url: str = Field(json_schema_extra={"format": "uri"})
    qr_svg: str = Field(json_schema_extra={"format": "uri"})


class OnTimeStatusRequest(Body):
    on_time_status: Literal["early", "on_time", "late"]


class OnTimeStatusUpdated(Document):
    dossier_code: str
    updated: Count = Field(ge=1)


class AlreadyRated(Error):
    error: Literal["conflict"]
    used_at: str = Field(description="when it was rated (ISO 8601)")
