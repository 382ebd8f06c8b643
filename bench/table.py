"""The results as the README's table: each figure beside its baseline and its target."""

from __future__ import annotations

HEADER = ["| what | measured | baseline in the same run | ratio | target |",
          "|---|---|---|---|---|"]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def views_row(database: str, size: str, r: dict) -> str:
    """Both views of units that changed (#19) beside the no-events baseline of the same run."""
    return (f"| {r['views_questions']} API questions (overview + league tables, cache "
            f"emptied) after a reform of {r['views_events']} unit events, {database}, "
            f"{int(size):,} | on today's units {_ms(r['views_today_seconds'])}, as recorded "
            f"{_ms(r['views_recorded_seconds'])} | no events "
            f"{_ms(r['views_no_events_seconds'])} | {r['views_today_ratio']:.2f}× / "
            f"{r['views_recorded_ratio']:.2f}× | within today's figures (about ≤ 1.2×) |")


def _report_rows(database: str, sizes: dict) -> list[str]:
    lines = []
    for size, r in sizes.items():
        n = f"{int(size):,}"
        lines.append(f"| overview (3 API calls, cache emptied), {database}, {n} | "
                     f"{_ms(r['overview_api_seconds'])} | raw GROUP BY "
                     f"{_ms(r['overview_raw_group_by_seconds'])} | "
                     f"{r['overview_speedup']:.0f}× faster | ≤ 150 ms, ≥ 20× |")
        lines.append(f"| the same, served from the result cache, {database}, {n} | "
                     f"{_ms(r['overview_cached_seconds'])} | — | — | — |")
        lines.append(f"| demographic cross, {database}, {n} | {_ms(r['demographic_seconds'])}"
                     f" | best raw SQL {_ms(r['demographic_raw_sql_seconds'])} | "
                     f"{r['demographic_ratio']:.2f}× | ≤ 1.5× |")
        if "views_today_seconds" in r:
            lines.append(views_row(database, size, r))
        if "dashboard_seconds" in r:
            lines.append(
                f"| overview dashboard page to the last byte (cache emptied), {database}, {n} "
                f"| {_ms(r['dashboard_seconds'])} (from the cache "
                f"{_ms(r['dashboard_cached_seconds'])}) | pandas read_sql + groupby "
                f"{_ms(r['dashboard_pandas_seconds'])} | {_speed(r['dashboard_speedup'])} "
                "| ≤ 500 ms, ≥ 20× |")
    return lines


def _speed(ratio: float) -> str:
    return f"{ratio:.0f}× faster" if ratio >= 1 else f"{1 / ratio:.1f}× slower"


def _growth(database: str, growth: float | None) -> list[str]:
    if growth is None:
        return []
    return [f"| overview growth, smallest → largest, {database} | {growth:.2f}× | — | — "
            "| < 2× for 10× data |"]


def _submission(database: str, s: dict | None) -> list[str]:
    if not s:
        return []
    if not s["p99_ms"]:
        return [f"| POST /api/v1/responses, gunicorn, {database} | no request completed | — | — "
                "| — |"]
    target = "≥ 500/s, p99 ≤ 100 ms, ≥ 40 %" if database == "SQLite" else "≥ 400/s"
    return [f"| POST /api/v1/responses, gunicorn, {database}, {s['clients']} clients | "
            f"{s['responses_per_second']:.0f}/s, p99 {s['p99_ms']:.0f} ms | bare route "
            f"{s['bare_per_second']:.0f}/s | {s['ratio_to_bare']:.0%} of it | {target} |"]


def _largest_rows(size: str, r: dict) -> list[str]:
    n = f"{int(size):,}"
    lines = []
    if "export_rows" in r:
        lines.append(f"| CSV export of {r['export_rows']:,} responses (`hailong export`, both "
                     f"streams), SQLite | {r['export_rows_per_second']:,.0f} rows/s, peak RSS "
                     f"{r['export_peak_rss_mb']:.0f} MB | — | — | ≥ 50,000 rows/s, ≤ 300 MB |")
    if "paper_rows" in r:
        kept = "kept" if r["paper_all_or_nothing"] else "NOT kept"
        lines.append(f"| paper import of {r['paper_rows']:,} land-survey forms into {n}, "
                     f"SQLite | {r['paper_rows_per_second']:,.0f} rows/s; a bad last row: "
                     f"all-or-nothing {kept} | — | — | ≥ 5,000 rows/s, all-or-nothing |")
    if "worker_peak_rss_mb" in r:
        slowest = max(r["worker_requests"], key=lambda q: q["seconds"])
        failed = f", failed: {', '.join(r['worker_failed_requests'])}" \
            if r["worker_failed_requests"] else ""
        lines.append(f"| web worker over {len(r['worker_requests'])} analysis requests "
                     f"(pages and API), SQLite, {n} | peak RSS {r['worker_peak_rss_mb']:.0f} MB "
                     f"(slowest: {slowest['request']}, {slowest['seconds']:.1f} s{failed}) "
                     "| — | — | ≤ 300 MB |")
    return lines


def markdown(results: dict) -> str:
    lines = list(HEADER)
    sizes = results.get("sizes", {})
    lines += _report_rows("SQLite", sizes)
    lines += _growth("SQLite", results.get("overview_growth"))
    if sizes:
        largest = list(sizes)[-1]
        lines += _largest_rows(largest, sizes[largest])
    lines += _submission("SQLite", results.get("submission"))
    pg = results.get("postgres") or {}
    if pg.get("skipped"):
        lines.append(f"| PostgreSQL | skipped: {pg['skipped']} | — | — | — |")
    else:
        lines += _report_rows("PostgreSQL", pg.get("sizes", {}))
        lines += _growth("PostgreSQL", pg.get("overview_growth"))
        lines += _submission("PostgreSQL", pg.get("submission"))
    if results.get("phases"):
        lines += ["", "| phase | seconds |", "|---|---|"]
        lines += [f"| {name} | {seconds:.0f} |" for name, seconds in results["phases"].items()]
        lines.append(f"| **total** | {results['total_seconds']:.0f} |")
    return "\n".join(lines) + "\n"
