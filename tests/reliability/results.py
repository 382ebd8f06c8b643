"""The results table: one row per scenario, written as JSON and Markdown after a run."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

COLUMNS = ("scenario", "database", "clients", "seconds", "acknowledged", "stored",
           "duplicates", "5xx", "503s", "connection errors", "responses/s", "p50 ms", "p99 ms",
           "result")


@dataclass
class Row:
    scenario: str
    database: str
    clients: int
    seconds: float
    acknowledged: int
    stored: int
    duplicates: int
    server_errors: int  # 5xx other than 503
    unavailable: int  # 503
    connection_errors: int
    throughput: float
    p50_ms: float | None
    p99_ms: float | None
    note: str
    problems: list[str]

    @classmethod
    def of(cls, scenario, database, outcome, audit, note: str, problems: list[str]) -> Row:
        return cls(scenario, database, outcome.clients, round(outcome.seconds, 1),
                   len(outcome.acknowledged), audit.rows, audit.duplicates,
                   outcome.server_errors, outcome.unavailable,
                   sum(outcome.connection_errors.values()), round(outcome.throughput, 1),
                   _round(outcome.percentile_ms(0.50)), _round(outcome.percentile_ms(0.99)),
                   note, problems)

    def cells(self) -> list[str]:
        return [self.scenario, self.database, str(self.clients), f"{self.seconds:g}",
                str(self.acknowledged), str(self.stored), str(self.duplicates),
                str(self.server_errors), str(self.unavailable), str(self.connection_errors),
                f"{self.throughput:g}", _ms(self.p50_ms), _ms(self.p99_ms),
                "held" if not self.problems else "FAILED"]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


# The table's order: the load first, then the faults, then the kiosks.
ORDER = ("load", "worker SIGKILL", "PostgreSQL restart", "PostgreSQL read-only", "disk full",
         "read-only disk", "kiosk")


def _place(row: Row) -> tuple[int, str]:
    index = next((i for i, name in enumerate(ORDER) if row.scenario.startswith(name)),
                 len(ORDER))
    return index, row.database


def markdown(rows: list[Row], when: str, machine: str) -> str:
    rows = sorted(rows, key=_place)
    lines = [f"Run of {when} on {machine}.", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    notes = [f"- **{row.scenario}, {row.database}**: {row.note}" for row in rows if row.note]
    problems = [f"- **{row.scenario}, {row.database}** FAILED: {p}"
                for row in rows for p in row.problems]
    if notes:
        lines += ["", *notes]
    if problems:
        lines += ["", *problems]
    return "\n".join(lines) + "\n"


def write(rows: list[Row], directory: Path) -> None:
    """latest.json (every figure) and latest.md (the table docs/RELIABILITY.md shows)."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}"
    directory.mkdir(parents=True, exist_ok=True)
    document = {"when": when, "machine": machine, "rows": [asdict(row) for row in rows]}
    (directory / "latest.json").write_text(json.dumps(document, indent=2, ensure_ascii=False)
                                           + "\n")
    (directory / "latest.md").write_text(markdown(rows, when, machine))
