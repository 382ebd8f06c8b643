"""Run the benchmarks: `python -m bench` (`make bench`). Not part of `make test`.

Environment:
  BENCH_SIZES           SQLite data sizes, smallest first (default 200000,2000000); empty: none
  BENCH_POSTGRES_SIZES  PostgreSQL data sizes (default: the same); empty: none
  BENCH_POSTGRES_URL    the PostgreSQL database to (re)create (default: hailong_bench on the
                        local server as postgres); BENCH_POSTGRES=0 skips PostgreSQL
  BENCH_SUBMIT_SECONDS  length of each submission load (default 10)
  BENCH_PAPER_ROWS      rows of the paper import (default 100000)
  BENCH_KEEP=1          keep the generated databases (SQLite files, PostgreSQL database)

At the largest SQLite size the run also measures the dashboard page, the CSV export, a web
worker's memory over every analysis request, and the paper import; at the largest PostgreSQL
size the dashboard page and the submissions. Results: bench/results/latest.{json,md}.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from contextlib import contextmanager
from pathlib import Path

from bench import dashboard, exporting, generate, lineage, pages, paper, postgres, reports, submit
from bench.app import RESULTS, app_for, scratch_sqlite
from bench.table import markdown
from survey.extensions import db

PHASES: list[tuple[str, float]] = []


@contextmanager
def phase(name: str):
    print(f"== {name}", flush=True)
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    PHASES.append((name, seconds))
    print(f"   {name}: {seconds:.1f} s", flush=True)


def _sizes(name: str, default: str) -> list[int]:
    return [int(s) for s in os.environ.get(name, default).split(",") if s.strip()]


def measure_size(url: str, size: int, label: str, largest: bool) -> dict:
    """Generate `size` responses into the (empty) database at `url`, then measure the reports
    (and, at the largest size, the dashboard page)."""
    from flask_migrate import upgrade

    from survey.services.accounts import create_api_key

    app = app_for(url)
    with app.app_context():
        upgrade()
        with phase(f"{label} {size:,}: generate"):
            summary = generate.generate(size)
        key = create_api_key("bench", "analyst").key
        db.session.commit()
        with phase(f"{label} {size:,}: reports"):
            summary.update(reports.overview(app.test_client(),
                                            {"Authorization": f"Bearer {key}"}))
            summary.update(reports.demographic())
        with phase(f"{label} {size:,}: both views of units that changed"):
            summary.update(lineage.measure(app.test_client(),
                                           {"Authorization": f"Bearer {key}"}))
        if largest:
            with phase(f"{label} {size:,}: dashboard page and pandas"):
                summary.update(dashboard.measure(app))
        db.session.remove()
        db.engine.dispose()
    return summary


def sqlite_largest(url: str, size: int, paper_rows: int) -> dict:
    """What only the largest SQLite data set measures; the paper import changes it, so last."""
    out = {}
    with phase(f"SQLite {size:,}: CSV export"):
        out.update(exporting.measure(url, RESULTS / "tmp"))
    with phase(f"SQLite {size:,}: web worker over every analysis request"):
        app = app_for(url)
        with app.app_context():
            username, password = dashboard.ensure_analyst()
            db.engine.dispose()
        out.update(pages.measure(url, username, password))
    with phase(f"SQLite {size:,}: paper import of {paper_rows:,}"), app.app_context():
        out.update(paper.measure(RESULTS / "tmp", paper_rows))
        db.session.remove()
        db.engine.dispose()
    return out


def run_sqlite(results: dict, sizes: list[int], keep: bool) -> None:
    for size in sizes:
        url = scratch_sqlite(f"bench-{size}")
        summary = measure_size(url, size, "SQLite", size == sizes[-1])
        if size == sizes[-1]:
            summary.update(sqlite_largest(url, size, int(os.environ.get(
                "BENCH_PAPER_ROWS", "100000"))))
        results["sizes"][str(size)] = summary
        print(json.dumps({k: v for k, v in summary.items() if k != "worker_requests"},
                         indent=2), flush=True)
        if not keep:
            _remove_sqlite(url)
    if len(sizes) >= 2:
        small, large = results["sizes"][str(sizes[0])], results["sizes"][str(sizes[-1])]
        results["overview_growth"] = large["overview_api_seconds"] / small["overview_api_seconds"]
    with phase("SQLite: submissions"):
        url = scratch_sqlite("submit")
        results["submission"] = submit.run(url, _submit_seconds())
    if not keep:
        _remove_sqlite(url)


def _remove_sqlite(url: str) -> None:
    for suffix in ("", "-wal", "-shm", ".writers", ".bare", ".bare-wal", ".bare-shm"):
        Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)


def run_postgres(results: dict, sizes: list[int], keep: bool) -> None:
    url = postgres.bench_url()
    reason = postgres.unreachable(url)
    if reason:
        print(f"== PostgreSQL skipped: {reason}", flush=True)
        results["postgres"] = {"skipped": reason}
        return
    out = results["postgres"] = {"sizes": {}}
    try:
        for size in sizes:
            postgres.recreate(url)
            out["sizes"][str(size)] = measure_size(url, size, "PostgreSQL", size == sizes[-1])
            print(json.dumps(out["sizes"][str(size)], indent=2), flush=True)
        if len(sizes) >= 2:
            small, large = out["sizes"][str(sizes[0])], out["sizes"][str(sizes[-1])]
            out["overview_growth"] = (large["overview_api_seconds"]
                                      / small["overview_api_seconds"])
        with phase(f"PostgreSQL {sizes[-1]:,}: submissions"):
            out["submission"] = submit.run(url, _submit_seconds())
    finally:
        if not keep:
            postgres.drop(url)


def _submit_seconds() -> float:
    return float(os.environ.get("BENCH_SUBMIT_SECONDS", "10"))


def main() -> None:
    sizes = _sizes("BENCH_SIZES", "200000,2000000")
    pg_sizes = _sizes("BENCH_POSTGRES_SIZES", ",".join(map(str, sizes)))
    keep = os.environ.get("BENCH_KEEP", "0") == "1"
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
               "started": time.strftime("%Y-%m-%d %H:%M:%S"), "sizes": {}}
    began = time.perf_counter()
    if sizes:
        run_sqlite(results, sizes, keep)
    if pg_sizes:
        run_postgres(results, pg_sizes, keep)
    results["phases"] = dict(PHASES)
    results["total_seconds"] = time.perf_counter() - began
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
