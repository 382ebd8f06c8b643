"""Report timings: the maintained counts against the raw GROUP BY, at one data size."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import text

from survey.extensions import db
from survey.services import reporting
from survey.services.reporting import Grouping, Measure, References, Scope, cache

OVERVIEW = (  # the overview dashboard's three questions
    ("indices", ("year",)),
    ("indices", ("year", "service_area")),
    ("trends", ("service_area",)),
)


def timed(function, repeat: int = 5, warm: bool = True) -> float:
    """Median wall time in seconds (a first call warms caches and is not counted)."""
    if warm:
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _report(kind: str, dims, use_aggregates: bool):
    refs = References.load()
    grouping, measure = Grouping(dims), Measure("overall")
    if kind == "trends":
        cells = reporting.fetch_cells(Scope(), grouping, measure, refs, extra=("item", "year"),
                                      use_aggregates=use_aggregates)
    else:
        cells = reporting.fetch_cells(Scope(), grouping, measure, refs,
                                      use_aggregates=use_aggregates)
    return cells


def _cold(client, headers, kind, dims):
    """One API call with the report cache emptied first: the aggregates are really read."""
    cache.clear()
    answer = client.get(f"/api/v1/{kind}?by={','.join(dims)}", headers=headers)
    assert answer.status_code == 200, answer.json


def overview(client, headers, repeat: int = 5) -> dict:
    """Server time of the API calls (cold and cached) vs the raw GROUP BY they replace."""
    out = {}
    api = sum(timed(lambda k=k, d=d: _cold(client, headers, k, d), repeat) for k, d in OVERVIEW)
    out["overview_cached_seconds"] = sum(timed(lambda k=k, d=d: client.get(
        f"/api/v1/{k}?by={','.join(d)}", headers=headers), repeat) for k, d in OVERVIEW)
    # The raw scan is what the roll-ups avoid; at millions of answers one run each is enough.
    raw = sum(timed(lambda k=k, d=d: _report(k, d, False), 1, warm=False) for k, d in OVERVIEW)
    out["overview_api_seconds"] = api
    out["overview_raw_group_by_seconds"] = raw
    out["overview_speedup"] = raw / api if api else None
    return out


RAW_DEMOGRAPHIC_SQL = text("""
SELECT d.value_text, a.value_int, a.missing_code, COUNT(*)
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
LEFT JOIN answer d ON d.response_id = r.id AND d.item_code = 'sex'
WHERE vi.is_overall
GROUP BY d.value_text, a.value_int, a.missing_code
""")


def demographic(repeat: int = 2) -> dict:
    refs = References.load()
    ours = timed(lambda: reporting.fetch_cells(
        Scope(), Grouping.parse(["demographic:sex"]), Measure("overall"), refs), repeat)
    best = timed(lambda: db.session.execute(RAW_DEMOGRAPHIC_SQL).all(), repeat)
    return {"demographic_seconds": ours, "demographic_raw_sql_seconds": best,
            "demographic_ratio": ours / best if best else None}
