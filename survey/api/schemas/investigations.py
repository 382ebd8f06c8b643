"""Schema of /investigations/{code}/estimates: a sampled investigation's weighted estimates."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from survey.api.schemas import Count, Document, Number, Share
from survey.services.investigation.estimates import DOMAINS, MEASURES


class EstimateRow(Document):
    domain: Literal[DOMAINS]
    code: str | None = Field(description="the unit's or service area's code; null for all")
    measure: Literal[MEASURES] = Field(description=(
        "overall: weighted share satisfied on the overall item; index: the overall index "
        "(mean of the element indices); A-E: the element's index"))
    respondents: Count = Field(description="completed cases in the domain (always shown)")
    suppressed: bool = Field(description=(
        "fewer than 30 respondents answered the measure (an element: any of its items; the "
        "index: any element hidden), or hidden beside such a domain so that none follows from "
        "the others by subtraction: every figure but n and respondents is null "
        "(METHODOLOGY §6)"))
    n: Count = Field(description="respondents who answered the measure's items (always shown)")
    estimate: Share
    se: Number
    ci_low: Share
    ci_high: Share
    deff: Number
    lower_one_sided: Share = None
    verdict: Literal["meets", "not_established", "below"] | None


class InvestigationRef(Document):
    code: str
    name: str | None = None
    questionnaire: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    status: str


class Sample(Document):
    sampled: int | None = None
    not_eligible: int | None = None
    eligible: int | None = None
    respondents: int | None = None
    response_rate: Share = None


class Weights(Document):
    sum: Number = None
    min: Number = None
    max: Number = None
    raked: bool | None = None
    frame_dossiers: Count | None = None
    coverage: Share = None
    uncovered_cells: list[str] | None = None
    deff_weights: Number = None
    trim_rule: str | None = None


class InvestigationEstimates(Document):
    investigation: InvestigationRef
    options: dict[str, Any]
    method: dict[str, str] = Field(description="how the figures were computed, in words")
    sample: Sample
    weights: Weights | None
    design: dict[str, Any] | None = None
    rows: list[EstimateRow]
