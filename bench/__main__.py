"""Run the benchmarks: `python -m bench` (sizes from BENCH_SIZES, default 200000,2000000)."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from pathlib import Path

from bench import generate, reports, submit
from survey import create_app
from survey.extensions import db

RESULTS = Path(__file__).parent / "results"


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench" * 8,
                       "RATELIMIT_ENABLED": False})


def _fresh_sqlite(size: int) -> str:
    path = RESULTS / "tmp" / f"bench-{size}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def measure_size(size: int) -> dict:
    from flask_migrate import upgrade

    from survey.services.accounts import create_api_key

    url = _fresh_sqlite(size)
    app = _app(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        summary = generate.generate(size)
        summary["generate_seconds"] = time.perf_counter() - started
        key = create_api_key("bench", "analyst").key
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        summary.update(reports.overview(client, headers))
        summary.update(reports.demographic())
        db.engine.dispose()
    summary["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return summary


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "200000,2000000").split(",")]
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
               "started": time.strftime("%Y-%m-%d %H:%M:%S"), "sizes": {}}
    for size in sizes:
        print(f"== {size:,} responses", flush=True)
        results["sizes"][str(size)] = measure_size(size)
        print(json.dumps(results["sizes"][str(size)], indent=2), flush=True)
    if len(sizes) >= 2:
        small, large = results["sizes"][str(sizes[0])], results["sizes"][str(sizes[-1])]
        results["overview_growth"] = large["overview_api_seconds"] / small["overview_api_seconds"]
    results["submission"] = submit.run(_fresh_sqlite(0), seconds=float(
        os.environ.get("BENCH_SUBMIT_SECONDS", "10")))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))


def markdown(results: dict) -> str:
    lines = ["| what | measured | baseline in the same run | ratio | target |",
             "|---|---|---|---|---|"]
    for size, r in results["sizes"].items():
        n = f"{int(size):,}"
        lines.append(f"| overview (3 API calls, cache emptied) at {n} | "
                     f"{r['overview_api_seconds'] * 1000:.0f} ms"
                     f" | raw GROUP BY {r['overview_raw_group_by_seconds'] * 1000:.0f} ms"
                     f" | {r['overview_speedup']:.0f}× faster | ≤ 150 ms, ≥ 20× |")
        lines.append(f"| the same, served from the result cache, at {n} | "
                     f"{r['overview_cached_seconds'] * 1000:.1f} ms | — | — | — |")
        lines.append(f"| demographic cross at {n} | {r['demographic_seconds'] * 1000:.0f} ms"
                     f" | best raw SQL {r['demographic_raw_sql_seconds'] * 1000:.0f} ms"
                     f" | {r['demographic_ratio']:.2f}× | ≤ 1.5× |")
    if "overview_growth" in results:
        lines.append(f"| overview growth, smallest → largest | {results['overview_growth']:.2f}×"
                     " | — | — | < 2× for 10× data |")
    s = results.get("submission") or {}
    if s:
        lines.append(f"| POST /api/v1/responses, gunicorn, SQLite, {s['clients']} clients | "
                     f"{s['responses_per_second']:.0f}/s, p99 {s['p99_ms']:.0f} ms | bare route "
                     f"{s['bare_per_second']:.0f}/s | {s['ratio_to_bare']:.0%} of it | "
                     "≥ 500/s, p99 ≤ 100 ms, ≥ 40 % |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
