"""The application as the benchmarks use it: one database URL, no rate limits."""

from __future__ import annotations

from pathlib import Path

from survey import create_app

RESULTS = Path(__file__).parent / "results"
SECRET = "bench" * 8


def app_for(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                       "RATELIMIT_ENABLED": False})


def scratch_sqlite(name: str) -> str:
    """A fresh SQLite file under bench/results/tmp (removed with its WAL files first)."""
    path = RESULTS / "tmp" / f"{name}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", ".writers"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"
