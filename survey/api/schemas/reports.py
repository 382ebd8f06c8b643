"""Schemas of /indices, /trends, /elements, /weighted and /sample-size."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, RootModel

from survey.api.schemas import (
    Count,
    Difference,
    Document,
    Fraction,
    Method,
    Number,
    Query,
    Share,
)

SUPPRESSED = ("fewer than 30 respondents, or hidden beside such a group so that no hidden group "
              "follows from the others by subtraction: the row shows its keys and n only, every "
              "result field is null (METHODOLOGY §6)")
HIDDEN = "null in a suppressed row"
ESTIMATED = ("on today's units: the figure includes a share of a split unit (an estimate, "
             "METHODOLOGY §10)")


class GroupRow(Document):
    # Rows also carry one key per grouping dimension (year, unit, demographic:sex, ...).
    model_config = ConfigDict(extra="allow")


class IndexRow(GroupRow):
    n: Count
    no_answer: Count | None = Field(None, description=HIDDEN)
    satisfied: Count | None = Field(description="null in a suppressed row, and for "
                                    "measure=elements (a mean of element indices)")
    share: Share
    elements: dict[str, Share] | None = Field(None, description=(
        "measure=elements: each element's index (null when one of its items is suppressed)"))
    ci_low: Share
    ci_high: Share
    suppressed: bool = Field(description=SUPPRESSED)
    score: Number = None
    score_ci_low: Number = None
    score_ci_high: Number = None
    benchmark: float | None = None
    benchmark_p: Share = None
    benchmark_lower: Share = None
    meets_benchmark: bool | None = None
    verdict: Literal["meets", "not_established", "below"] | None = Field(None, description=(
        "METHODOLOGY §3: meets when the one-sided exact lower bound reaches the benchmark, "
        "below when the Wilson upper bound is under it, otherwise not_established; null when "
        "suppressed or without inference"))
    estimated: bool | None = Field(None, description=(
        "on today's units: the figure includes a share of a split unit (an estimate, "
        "METHODOLOGY §10); its n is then the share rounded to whole answers"))


class Indices(Document):
    method: Method
    rows: list[IndexRow]


class TrendRow(GroupRow):
    n: Count
    satisfied: Count | None = Field(description=HIDDEN)
    share: Share
    suppressed: bool = Field(description=SUPPRESSED)
    previous_n: Count | None = None
    previous_share: Share = None
    previous_year: int | None = None
    delta: Difference
    delta_ci_low: Difference = None
    delta_ci_high: Difference = None
    p_value: Share
    p_adjusted: Share
    significant: bool | None = None
    mw_r: Difference = None
    estimated: bool | None = Field(None, description=ESTIMATED)
    boundary_change: bool | None = Field(None, description=(
        "the unit's territory changed between the two years: the change is shown, no test is "
        "computed"))
    test_skipped: str | None = Field(None, description="why no test was computed")


class Trends(Document):
    method: Method
    rows: list[TrendRow]
    trends: list[dict[str, Any]]


class ElementRow(Document):
    element: Literal["A", "B", "C", "D", "E"]
    items: list[str]
    n: Count = Field(description="respondents who answered an item of it")
    suppressed: bool = Field(description=SUPPRESSED)
    item_shares: dict[str, Share] | None = None
    item_n: dict[str, Count] | None = None
    share: Share
    n_answers: Count
    alpha: float | None = Field(None, le=1)
    alpha_n: Count | None = Field(None, description=HIDDEN)
    alpha_low: bool | None = None
    importance: Difference = None
    importance_n: Count | None = Field(None, description=HIDDEN)
    importance_p: Share = None
    quadrant: str | None = None
    estimated: bool | None = Field(None, description=ESTIMATED)


class Elements(Document):
    method: Method
    overall_index: Share
    mean_importance: Number = None
    mean_performance: Number = None
    elements: list[ElementRow]
    estimated: bool | None = Field(None, description=ESTIMATED)


class WeightedResult(Document):
    # analysis.weighting.PostStratifiedResult
    share: Share
    variance: Number = None
    se: Number = None
    ci_low: Number
    ci_high: Number
    confidence: Fraction | None = None
    unweighted_share: Share = None
    unweighted_ci_low: Share = None
    unweighted_ci_high: Share = None
    k: Count | None = None
    n: Count
    n_strata: Count | None = None
    n_strata_used: Count | None = None
    coverage: Share = None
    n_eff: Number
    deff: Number


class Stratum(GroupRow):
    n: Count
    satisfied: Count | None = Field(description=HIDDEN)
    share: Share = None
    suppressed: bool = Field(description=SUPPRESSED)
    weight: Share
    dossiers_resolved: Count | None = None


class Weighted(Document):
    method: Method
    suppressed: bool = Field(description="fewer than 30 respondents: no estimate")
    year_from: int | None
    year_to: int | None
    result: WeightedResult | None
    strata: list[Stratum]


class SampleSizeForMargin(Document):
    kind: Literal["margin"]
    n: int = Field(ge=1)
    n0: float | None = None
    n_fpc: float | None = None
    margin: float
    p: float
    confidence: float
    deff: float
    population: int | None = None


class SampleSizeForChange(Document):
    kind: Literal["change"]
    n_per_group: int = Field(ge=1)
    n_exact: float | None = None
    p1: float
    p2: float
    alpha: float
    power: float
    deff: float | None = None


class SampleSize(RootModel[SampleSizeForMargin | SampleSizeForChange]):
    pass


def _share(default: float | None, what: str, low: float = 0.001, high: float = 0.999):
    return Field(default, ge=low, le=high, allow_inf_nan=False, description=what)


class SampleSizeQuery(Query):
    """A margin of error, or (with p1 and p2) a change to detect; every value given is
    checked, even one the chosen computation does not use."""

    margin: float = _share(0.03, "margin of error", high=0.5)
    p: float = _share(0.5, "expected share")
    confidence: float = _share(0.95, "confidence level", low=0.5)
    population: int | None = Field(None, ge=1, le=10**12, description="finite population size")
    deff: float = Field(1.0, ge=1.0, le=100.0, allow_inf_nan=False, description="design effect")
    p1: float | None = _share(None, "share in the first year (with p2, not equal to it)")
    p2: float | None = _share(None, "share in the second year")
    power: float = _share(0.8, "power (with p1 and p2)", low=0.5)
    alpha: float = _share(0.05, "two-sided significance level (with p1 and p2)", high=0.5)
