"""Submission throughput under gunicorn: our POST /api/v1/responses against a bare route.

Both run under the same gunicorn (`--preload`, 2 × cores + 1 workers) on the same kind of
database, loaded by the same 32 client threads with the same land-survey answer; the bare route
(`bench.bare_app`) parses the JSON and inserts it as one row.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.app import SECRET
from bench.serve import gunicorn

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 2) * 2 + 1)))
WARM_UP = 2.0


def _payload_template(url: str) -> dict:
    """A land-survey answer with all its rating items (20+ answers), from the demo model.

    On a database the benchmark generated, the answer names one of its communes; on an empty
    one the reference data and a unit are created first.
    """
    from flask_migrate import upgrade

    from bench.app import app_for
    from survey.extensions import db
    from survey.models import Unit
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import (
        definition_of,
        get_version,
        load_and_publish_builtins,
    )
    from survey.services.reference import load_service_areas

    app = app_for(url)
    with app.app_context():
        upgrade()
        unit = db.session.execute(db.select(Unit.code).filter_by(code="BP-H00-X00")).scalar()
        if unit is None:
            load_service_areas()
            load_and_publish_builtins()
            db.session.add(Unit(code="B1", name_vi="Bàn 1", level="commune", path="/B1/"))
            unit = "B1"
        db.session.commit()
        definition = definition_of(get_version("land_survey"))
        given = answers_for(definition, Respondent(random.Random(1), 0.9, 0.0), 2)
        db.engine.dispose()
    answers = {k: ("no_answer" if a.missing_code else a.value) for k, a in given.items()}
    return {"questionnaire": "land_survey", "unit": unit, "channel": "phone", "answers": answers}


def _load(port: int, template: dict, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.perf_counter() < stop:
            body = json.dumps({**template, "id": str(uuid.uuid4())})
            start = time.perf_counter()
            connection.request("POST", "/api/v1/responses", body,
                               {"Content-Type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            mine.append(time.perf_counter() - start)
            if answer.status != 201:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests": len(latencies), "errors": errors[0],
            "per_second": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else None}


def _measure(app_path: str, env: dict, template: dict, seconds: float) -> dict:
    with gunicorn(app_path, env, WORKERS) as (port, _master):
        _load(port, template, WARM_UP)  # every worker has served before we measure
        return _load(port, template, seconds)


@contextmanager
def _bare_table(url: str):
    """The bare route's table on PostgreSQL (made here: workers creating it at once race)."""
    if url.startswith("sqlite"):
        yield
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_bare"))
        connection.execute(text("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, "
                                "body text NOT NULL)"))
    try:
        yield
    finally:
        with engine.connect() as connection:
            connection.execute(text("DROP TABLE bench_bare"))
        engine.dispose()


def run(url: str, seconds: float = 10.0) -> dict:
    """`url`: a SQLite file or a PostgreSQL database; the bare route uses the same kind."""
    template = _payload_template(url)
    measured = _measure("wsgi:app", {"DATABASE_URL": url, "SECRET_KEY": SECRET,
                                     "HAILONG_ENV": "production", "RATELIMIT_ENABLED": "0"},
                        template, seconds)
    if url.startswith("sqlite"):
        bare_path = url.removeprefix("sqlite:///") + ".bare"
        Path(bare_path).unlink(missing_ok=True)
        bare_env = {"BARE_SQLITE_PATH": bare_path}
    else:
        bare_env = {"BARE_POSTGRES_URL": url}
    with _bare_table(url):
        baseline = _measure("bench.bare_app:app", bare_env, template, seconds)
    return {"database": "sqlite" if url.startswith("sqlite") else "postgresql",
            "clients": CLIENTS, "workers": WORKERS, "seconds": seconds,
            "responses_per_second": measured["per_second"], "p50_ms": measured["p50_ms"],
            "p99_ms": measured["p99_ms"], "errors": measured["errors"],
            "bare_per_second": baseline["per_second"], "bare_p99_ms": baseline["p99_ms"],
            "bare_errors": baseline["errors"],
            "ratio_to_bare": measured["per_second"] / baseline["per_second"]}
