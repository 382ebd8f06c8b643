"""The national case on PostgreSQL: `python -m bench.national` (not part of `make bench`).

Builds a database of N responses (default 20,000,000) over five years with the answers
partitioned by year, then measures what a national deployment asks of it: the overview's
three API calls (from the maintained roll-ups) against the raw GROUP BY they replace, a
demographic cross over one year, and the whole dashboard page against pandas.

Layout (see docs/SCALING.md): `answer` is partitioned by RANGE (response_id), one partition
per year; responses are numbered in time order, so a year is an id range. `response` stays
one table: its UUID must be unique across all years (idempotent submissions), which a
partitioned table can only enforce per partition.

Every phase commits on its own and is recorded in the table `bench_national_state`; run the
command again after an interruption and it carries on with the first phase not done
(`--restart` starts from an empty database). Phase timings are printed and written to
bench/results/national.{json,md}.

  python -m bench.national --responses 200000            # a quick check of the script
  python -m bench.national                               # 20,000,000 (hours; ~40 GB)
  BENCH_NATIONAL_URL=postgresql+psycopg://... python -m bench.national --skip-raw
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time

from sqlalchemy.engine import make_url

from bench import national_steps as steps
from bench.app import RESULTS, app_for
from bench.postgres import recreate, unreachable
from survey.extensions import db

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hailong_national"
# Measured on this layout at 200,000 responses (tables, indexes, roll-ups), plus a margin
# for the WAL and the sorts of index builds.
BYTES_PER_RESPONSE = 2_300


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.national", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=20_000_000)
    parser.add_argument("--url", default=os.environ.get("BENCH_NATIONAL_URL", DEFAULT_URL))
    parser.add_argument("--restart", action="store_true",
                        help="drop the database and start again from the first phase")
    parser.add_argument("--skip-raw", action="store_true",
                        help="do not time the raw GROUP BY baseline (minutes at 20M)")
    return parser.parse_args()


def estimate(responses: int, url: str) -> str:
    need = responses * BYTES_PER_RESPONSE / 1e9
    line = f"needs about {need:.0f} GB of disk on the PostgreSQL server"
    if steps.exists(url):  # carrying on: what is loaded already takes part of it
        need = max(0.0, need - steps.size_of(url) / 1e9)
        line += f", {need:.0f} GB more"
    directory = steps.data_directory(url)
    if directory and os.path.exists(directory):
        free = shutil.disk_usage(directory).free / 1e9
        line += f"; {free:.0f} GB free at {directory}"
        if free < need:
            line += "  <-- NOT ENOUGH"
    return line


def main() -> None:
    args = parse()
    reason = unreachable(args.url)
    if reason:
        raise SystemExit(f"PostgreSQL: {reason}")
    print(f"{args.responses:,} responses into {make_url(args.url).render_as_string()}; "
          f"{estimate(args.responses, args.url)}", flush=True)
    if args.restart or not steps.exists(args.url):
        recreate(args.url)
    app = app_for(args.url)
    with app.app_context():
        state = steps.State(args.responses)
        plan = steps.plan(args.responses, raw=not args.skip_raw)
        for name, run in plan:
            if name in state.done:
                print(f"== {name}: done before ({state.done[name]['seconds']:.1f} s)")
                continue
            print(f"== {name}", flush=True)
            started = time.perf_counter()
            detail = run(app, state)
            seconds = time.perf_counter() - started
            state.record(name, seconds, detail)
            print(f"   {name}: {seconds:.1f} s {json.dumps(detail) if detail else ''}",
                  flush=True)
        report = state.report()
        report["database_bytes"] = steps.database_bytes()
        db.session.remove()
        db.engine.dispose()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "national.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "national.md").write_text(markdown(report))
    print(markdown(report))


def markdown(report: dict) -> str:
    lines = [f"PostgreSQL, {report['responses']:,} responses, answers partitioned by year; "
             f"database {report['database_bytes'] / 1e9:.1f} GB "
             f"({report['database_bytes'] / report['responses']:.0f} bytes a response).", "",
             "| phase | seconds | detail |", "|---|---|---|"]
    total = 0.0
    for name, row in report["phases"].items():
        total += row["seconds"]
        detail = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                           for k, v in (row["detail"] or {}).items()
                           if not isinstance(v, list))  # the deferred DDL stays in the JSON
        lines.append(f"| {name} | {row['seconds']:.1f} | {detail} |")
    lines.append(f"| **total** | {total:.0f} | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
