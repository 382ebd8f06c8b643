"""A web worker's memory while it answers every analysis request, at the largest size.

gunicorn serves the benchmark database with one worker (`--preload`, as in production), so
every request lands in the same process: its peak resident set (VmHWM, read from /proc after
each request) is the largest any request, or their accumulation, reached. Each request is
also timed to its last byte; the worker starts with an empty report cache, so the first
request of each kind computes its report (the demographic cross and the cross-tab scan the
answers of their scope; the rest read the roll-ups).
"""

from __future__ import annotations

import time

from bench.app import SECRET
from bench.serve import Browser, gunicorn, peak_rss_mb, workers_of

# (label, path): one request of every analysis page and API, each with its own report
REQUESTS = (
    ("warm-up (per-dossier ratings page)", "/dashboard/ratings"),
    ("overview page", "/dashboard/"),
    ("overview page again (cached)", "/dashboard/"),
    ("service page (land)", "/dashboard/service/land"),
    ("unit page (a district)", "/dashboard/unit/BP-H00"),
    ("league table", "/dashboard/league"),
    ("cross-tab sex × year", "/dashboard/crosstab"),
    ("comments", "/dashboard/comments"),
    ("council report", "/dashboard/report"),
    ("council report, PDF", "/dashboard/report.pdf"),
    ("API indices by year, unit", "/api/v1/indices?by=year,unit"),
    ("API indices by month, channel", "/api/v1/indices?by=month,channel"),
    ("API demographic cross", "/api/v1/indices?by=demographic:sex"),
    ("API trends by service area", "/api/v1/trends?by=service_area"),
    ("API elements", "/api/v1/elements"),
    ("API weighted", "/api/v1/weighted"),
    ("API records", "/api/v1/records?by=year"),
    ("API appendix", "/api/v1/appendix?year=2025"),
    ("API on-time vs late", "/api/v1/records/on-time"),
)
# Far above gunicorn's 30 s default, so that a request slower than production allows is
# reported with its time instead of as a killed worker.
TIMEOUT = 900


def measure(url: str, username: str, password: str) -> dict:
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "HAILONG_ENV": "production",
           "RATELIMIT_ENABLED": "0"}
    rows = []
    with gunicorn("wsgi:app", env, workers=1, timeout=TIMEOUT) as (port, master):
        browser = Browser(port)
        browser.login(username, password)
        (worker,) = workers_of(master)
        start_mb = peak_rss_mb(worker)
        for label, path in REQUESTS:
            started = time.perf_counter()
            status, body = browser.get(path, timeout=TIMEOUT)
            seconds = time.perf_counter() - started
            rows.append({"request": label, "path": path, "status": status,
                         "seconds": seconds, "bytes": len(body),
                         "peak_rss_mb": peak_rss_mb(worker)})
            print(f"   {label}: {status}, {seconds:.2f} s, worker peak "
                  f"{rows[-1]['peak_rss_mb']:.0f} MB", flush=True)
        master_mb = peak_rss_mb(master)
    failed = [r["request"] for r in rows if r["status"] != 200]
    return {"worker_peak_rss_mb": max(r["peak_rss_mb"] or 0 for r in rows),
            "worker_start_rss_mb": start_mb, "master_peak_rss_mb": master_mb,
            "worker_requests": rows, "worker_failed_requests": failed,
            "worker_overview_seconds": rows[1]["seconds"]}
