"""Schemas of /records, /records/import, /appendix and /records/on-time."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from survey.api.schemas import Count, Difference, Document, Share
from survey.api.schemas.reports import ESTIMATED, GroupRow

HIDDEN = "null for a group of fewer than 30 respondents (suppressed)"


class RecordRow(GroupRow):
    # rows also carry one key per grouping dimension
    received: Count
    received_online: Count | None = None
    received_direct: Count | None = None
    carried_over: Count | None = None
    resolved: Count
    resolved_early: Count | None = None
    resolved_on_time: Count | None = None
    resolved_late: Count | None = None
    pending: Count
    pending_within: Count | None = None
    pending_overdue: Count | None = None
    resolved_share: Share = None
    on_time_rate: Share
    late_rate: Share
    overdue_share: Share = None
    estimated: bool | None = Field(None, description=ESTIMATED)


class Records(Document):
    method: dict[str, Any]
    rows: list[RecordRow]


class ImportProblem(Document):
    row: int
    column: str
    message: str


class ImportProblems(Document):
    error: Literal["import rejected"]
    detail: str | None = None
    problems: list[ImportProblem]


class Imported(Document):
    rows: Count
    replaced: Count


class AppendixRow(Document):
    procedure_group: str
    level: str
    name_vi: str | None = None
    procedures: Count | None = None
    received: Count | None = None
    resolved: Count | None = None
    late: Count | None = None
    on_time_rate: Share = None
    survey_n: Count
    satisfied: Count | None = Field(None, description=HIDDEN)
    share: Share
    suppressed: bool | None = None
    ci_low: Share = None
    ci_high: Share = None
    benchmark_lower: Share = None
    meets_benchmark: bool | None = None
    verdict: Literal["meets", "not_established", "below"] | None = None
    individual_n: Count | None = None
    individual_share: Share = None
    organisation_n: Count | None = None
    organisation_share: Share = None
    previous_n: Count | None = None
    previous_share: Share = None
    delta: Difference = None
    delta_ci_low: Difference = None
    delta_ci_high: Difference = None
    p_value: Share = None
    p_adjusted: Share = None
    significant: bool | None = None


class Appendix(Document):
    year: int
    benchmark: float
    method: dict[str, Any]
    rows: list[AppendixRow]


class ResponseRate(Document):
    issued: Count
    rated: Count
    rate: Share


class OnTimeResult(Document):
    n_on_time: Count
    n_late: Count
    k_on_time: Count | None = Field(None, description=HIDDEN)
    k_late: Count | None = Field(None, description=HIDDEN)
    share_on_time: Share = None
    share_late: Share = None
    difference: Difference = None
    difference_points: float | None = Field(None, ge=-100, le=100)
    ci_low: Difference = None
    ci_high: Difference = None
    chi2: float | None = Field(None, ge=0)
    p_value: Share = None
    warning: str | None = None


class OnTime(Document):
    method: dict[str, Any]
    suppressed: list[Literal["on_time", "late"]] = Field(
        description="the groups of fewer than 30 respondents, shown with their n only")
    response_rate: ResponseRate
    result: OnTimeResult
