"""The API's typed schemas (pydantic): what a query string may hold and what an answer holds.

The OpenAPI description is generated from these models (survey/api/openapi.py), and query
strings are validated through them (survey/api/params.py `query_from`), so the description
cannot drift from what the code accepts. Answers built by the services as dicts are checked
against their model by the tests (tests/survey/test_api_schemas.py), not on every request.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


# Answer documents list every key they may hold: a key the model does not name is drift.
class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A request body: fields it does not name are ignored, as before the models.
class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


# A query string: unknown names are refused by name before validation (params.check_known).
class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


Fraction = Annotated[float, Field(ge=0, le=1)]
Share = Fraction | None  # shares, their CI bounds, and p-values
Difference = Annotated[float, Field(ge=-1, le=1)] | None
Count = Annotated[int, Field(ge=0)]
Number = float | None
# how the figures were computed, in words
Method = Annotated[dict[str, str | float], Field(
    description="how the figures were computed, in words")]


class Error(Document):
    # Some refusals add a field of their own (a cross-site 403's reason, a conflict's used_at).
    model_config = ConfigDict(extra="allow")

    error: str
    detail: Any = None


class BadParameter(Document):
    error: Literal["bad parameter"]
    parameter: str = Field(description="the culprit")
    detail: str
    allowed: list[Any] | None = Field(None, description="where the values are few")


class Unprocessable(Document):
    error: Literal["unprocessable"]
    errors: dict[str, str] = Field(description="field: problem")
