"""Statistics on frequency tables and small arrays for hailong (numpy and scipy only).

Conventions, once for the whole package:

* A **frequency table** is a sequence of counts with index 0 = code 1 (length K for a K-point
  scale: likert5, rating3, expectation4), or a mapping ``{code: count}`` straight from SQL's
  ``GROUP BY``, which may include the missing codes 97 (not applicable), 98 (don't know) and
  99 (refused). Missing codes are excluded from n and reported beside it.
* **Shares are fractions in [0, 1]**; fields named ``*_points`` are percentage points (×100);
  0–100 scores are on their own 0–100 scale.
* **Undefined is None**: scalar results use ``None`` for a share, interval or p-value that does
  not exist (n = 0, a group absent in a year, fewer than two items...). Vectorised ``*_many``
  results hold numpy arrays with nan there; their ``to_dict()`` turns nan into ``None``.
* Every result is a frozen, slotted dataclass with ``to_dict()`` returning JSON-safe built-ins;
  interval results have ``ci_low``/``ci_high`` and ``confidence_interval()``.
* Bad input raises ``TypeError`` (wrong kind) or ``ValueError`` (wrong value); nothing warns.
"""

from .change import (
    ChangeResult,
    ChangeTable,
    RankShiftResult,
    proportion_change,
    proportion_change_many,
    rank_shift,
)
from .comparability import (
    PAR_INDEX_BREAK_YEARS,
    SeriesSegment,
    comparable_items,
    split_series,
)
from .crosstab import CrosstabResult, crosstab
from .drivers import (
    CONCENTRATE_HERE,
    KEEP_UP,
    LOW_PRIORITY,
    POSSIBLE_OVERKILL,
    DriverElement,
    DriversResult,
    importance_performance,
    importance_performance_from_tables,
    spearman_weighted,
)
from .indices import (
    ElementIndex,
    OverallIndex,
    ShareResult,
    element_index,
    expectation_index,
    overall_index,
    satisfaction_share,
)
from .multiple import AdjustedPValues, adjust_pvalues
from .privacy import (
    CellDisplay,
    SuppressionResult,
    cell_display,
    check_demographic_crossing,
    mask_pii,
    suppress_small_cells,
)
from .proportions import (
    BELOW,
    MEETS,
    NOT_ESTABLISHED,
    VERDICTS,
    BenchmarkResult,
    BenchmarkTable,
    ProportionResult,
    ProportionTable,
    benchmark_test,
    benchmark_test_many,
    benchmark_verdict,
    wilson_interval,
    wilson_interval_many,
)
from .records import (
    DossierStatistics,
    OnTimeSatisfaction,
    RatingSummary,
    dossier_statistics,
    rating_summary,
    satisfaction_by_on_time,
)
from .reliability import (
    AlphaResult,
    covariance_from_sums,
    cronbach_alpha,
    cronbach_alpha_from_covariance,
    cronbach_alpha_from_sums,
    cronbach_alpha_from_variances,
)
from .sample_size import (
    SampleSizeResult,
    TwoSampleSizeResult,
    sample_size_proportion,
    sample_size_two_proportions,
)
from .scales import (
    EXPECTATION4,
    LIKERT5,
    MISSING_CODES,
    RATING3,
    SCALES,
    Missing,
    Scale,
    frequency_table,
    get_scale,
)
from .scores import ScoreResult, ScoreTable, score, score_many
from .survey_allocation import (
    ALLOCATIONS,
    AllocationResult,
    OutcomeRates,
    aapor_rates,
    allocate,
)
from .survey_design import (
    LONELY_PSU_RULES,
    DesignMeanResult,
    DesignShareResult,
    SurveyDesign,
    design_mean,
    design_share,
    survey_design,
)
from .survey_domains import DesignShareTable, design_share_by
from .survey_draw import (
    PPSDraw,
    StratifiedDraw,
    TwoStageDraw,
    draw_pps_systematic,
    draw_stratified,
    draw_two_stage,
    pps_probabilities,
)
from .survey_weights import (
    RakeResult,
    TrimResult,
    design_weights,
    nonresponse_adjust,
    rake,
    trim_weights,
)
from .trend import TrendResult, YearChange, trend
from .weighting import KishResult, PostStratifiedResult, kish, post_stratify

__all__ = [
    "CONCENTRATE_HERE", "EXPECTATION4", "KEEP_UP", "LIKERT5", "LOW_PRIORITY", "MISSING_CODES",
    "PAR_INDEX_BREAK_YEARS", "POSSIBLE_OVERKILL", "RATING3", "SCALES",
    "BELOW", "MEETS", "NOT_ESTABLISHED", "VERDICTS",
    "AdjustedPValues", "AlphaResult", "BenchmarkResult", "BenchmarkTable", "CellDisplay",
    "ChangeResult", "ChangeTable", "CrosstabResult", "DossierStatistics", "DriverElement",
    "DriversResult", "ElementIndex", "KishResult", "Missing", "OnTimeSatisfaction",
    "OverallIndex", "PostStratifiedResult", "ProportionResult", "ProportionTable",
    "RankShiftResult", "RatingSummary", "SampleSizeResult", "Scale", "ScoreResult",
    "ScoreTable", "SeriesSegment", "ShareResult", "SuppressionResult", "TrendResult",
    "TwoSampleSizeResult", "YearChange",
    "adjust_pvalues", "benchmark_test", "benchmark_test_many", "benchmark_verdict", "cell_display",
    "check_demographic_crossing", "comparable_items", "covariance_from_sums",
    "cronbach_alpha", "cronbach_alpha_from_covariance", "cronbach_alpha_from_sums",
    "cronbach_alpha_from_variances", "crosstab", "dossier_statistics", "element_index",
    "expectation_index", "frequency_table", "get_scale", "importance_performance",
    "importance_performance_from_tables", "kish", "spearman_weighted",
    "mask_pii", "overall_index", "post_stratify", "proportion_change",
    "proportion_change_many", "rank_shift", "rating_summary", "sample_size_proportion",
    "sample_size_two_proportions", "satisfaction_by_on_time", "satisfaction_share", "score",
    "score_many", "split_series", "suppress_small_cells", "trend", "wilson_interval",
    "wilson_interval_many",
    # design-based estimation (issue #20)
    "LONELY_PSU_RULES", "DesignMeanResult", "DesignShareResult", "SurveyDesign",
    "design_mean", "design_share", "survey_design",
    "RakeResult", "TrimResult", "design_weights", "nonresponse_adjust", "rake", "trim_weights",
    "ALLOCATIONS", "AllocationResult", "OutcomeRates", "aapor_rates", "allocate",
    "DesignShareTable", "design_share_by",
    "PPSDraw", "StratifiedDraw", "TwoStageDraw", "draw_pps_systematic", "draw_stratified",
    "draw_two_stage", "pps_probabilities",
]
