"""Copy the last run's table into the README: `python -m bench.readme` (after `make bench`).

The README shows the table of the last full run between the markers below; this replaces what
is between them with bench/results/latest.md's table and a line saying how it was run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.app import RESULTS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:table -->", "<!-- /bench:table -->"


def summary(results: dict) -> str:
    sqlite = ",".join(results.get("sizes", {})) or "none"
    pg = results.get("postgres") or {}
    postgres = ",".join(pg.get("sizes", {})) if not pg.get("skipped") else "skipped"
    minutes = results.get("total_seconds", 0) / 60
    return (f"The last run ({results['machine']['cpus']} cores, SQLite sizes {sqlite}, "
            f"PostgreSQL sizes {postgres}, started {results['started']}, "
            f"{minutes:.0f} minutes in all):")


def main() -> None:
    results = json.loads((RESULTS / "latest.json").read_text())
    table = (RESULTS / "latest.md").read_text().split("\n\n")[0].strip()
    text = README.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} … {END} section")
    lineage = RESULTS / "lineage.md"
    if "unit events" not in table and lineage.exists():
        # a run without the two views (an older one): the last `python -m bench.lineage`
        table += "\n\nBoth views of units that changed (#19), " + lineage.read_text().strip()
    block = f"{START}\n{summary(results)}\n\n{table}\n{END}"
    README.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text,
                             flags=re.DOTALL))
    print(f"README.md: table of the run started {results['started']}")


if __name__ == "__main__":
    main()
