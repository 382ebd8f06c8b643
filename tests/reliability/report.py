"""Put the last run's results table into docs/RELIABILITY.md: `python -m tests.reliability.report`.

`make test-reliability` runs it after the scenarios. The table goes between the two marker
comments of the document; everything else in it is left as written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.reliability.settings import ROOT

START, END = "<!-- results: start -->", "<!-- results: end -->"


def insert(document: str, table: str) -> str:
    head, found, rest = document.partition(START)
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError(f"the document has no {START} ... {END} section")
    return f"{head}{START}\n{table.rstrip()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    results = Path(argv[0]) if argv else ROOT / "tests/reliability/results/latest.md"
    doc = ROOT / "docs/RELIABILITY.md"
    if not results.exists():
        print(f"no results at {results}: run `make test-reliability` first", file=sys.stderr)
        return 1
    doc.write_text(insert(doc.read_text(), results.read_text()))
    print(f"{doc.relative_to(ROOT)}: results table from {results.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
