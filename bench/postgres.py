"""The PostgreSQL database the benchmarks use: `BENCH_POSTGRES_URL`, made fresh for a run.

Default: a database `hailong_bench` on the local server as `postgres`. The database named in
the URL is dropped and created again (it holds only generated data); when the server does not
answer, the PostgreSQL measurements are skipped and the reason printed.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hailong_bench"


def bench_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_URL


def _admin(url: str):
    """An engine on the server's maintenance database, to create and drop databases."""
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def unreachable(url: str) -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    if os.environ.get("BENCH_POSTGRES", "1") == "0":
        return "BENCH_POSTGRES=0"
    try:
        engine = _admin(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except (SQLAlchemyError, ImportError) as error:
        return f"{make_url(url).render_as_string()} does not answer: {error.__class__.__name__}"
    return None


def recreate(url: str) -> str:
    """Drop and create the database in `url`; returns the URL."""
    drop(url)
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    engine.dispose()
    return url


def drop(url: str) -> None:
    name = make_url(url).database
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def with_database(url: str, name: str) -> str:
    """The same server and user, another database."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)
