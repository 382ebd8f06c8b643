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
from bench.serve import gunicorn, workers_of

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 2) * 2 + 1)))
WARM_UP = 2.0


def _payload_template(url: str) -> dict:
    """A land-survey answer with all its rating items (20+ answers), from the demo model, and
    its proof: the QR code of a desk poster of its unit, as a citizen's phone sends it.

    On a database the benchmark generated, the answer names one of its communes; on an empty
    one the reference data and a unit with a desk are created first.
    """
    from flask_migrate import upgrade

    from bench.app import app_for
    from survey.extensions import db
    from survey.models import Desk, Unit
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import (
        definition_of,
        get_version,
        load_and_publish_builtins,
    )
    from survey.services.reference import load_service_areas
    from survey.services.tokens import qr_token

    app = app_for(url)  # the servers' SECRET_KEY: the token verifies there
    with app.app_context():
        upgrade()
        unit = db.session.execute(db.select(Unit).filter_by(code="BP-H00-X00")).scalar()
        if unit is None:
            load_service_areas()
            load_and_publish_builtins()
            unit = Unit(code="B1", name_vi="Bàn 1", level="commune", path="/B1/")
            db.session.add(Desk(unit=unit, code="MC1", name_vi="Bàn một cửa số 1"))
        db.session.commit()
        desk = db.session.execute(db.select(Desk.code).filter_by(unit_id=unit.id)
                                  .order_by(Desk.id).limit(1)).scalar()
        unit_code, token = unit.code, qr_token(unit.code, desk, "land_survey")
        definition = definition_of(get_version("land_survey"))
        given = answers_for(definition, Respondent(random.Random(1), 0.9, 0.0), 2)
        db.engine.dispose()
    answers = {k: ("no_answer" if a.missing_code else a.value) for k, a in given.items()}
    return {"questionnaire": "land_survey", "unit": unit_code, "channel": "phone",
            "token": token, "answers": answers}


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
    with gunicorn(app_path, env, WORKERS) as (port, master):
        _load(port, template, WARM_UP)  # every worker has served before we measure
        workers = workers_of(master)
        before = _cpu_seconds(workers)
        measured = _load(port, template, seconds)
        if measured["requests"]:
            # What a request costs the workers, whatever else the machine runs meanwhile: the
            # rates above move with the load around them, this hardly does.
            measured["worker_cpu_ms"] = ((_cpu_seconds(workers) - before) * 1000
                                         / measured["requests"])
        return measured


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time used so far by these processes."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


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
            "ratio_to_bare": measured["per_second"] / baseline["per_second"],
            "worker_cpu_ms": measured.get("worker_cpu_ms"),
            "bare_worker_cpu_ms": baseline.get("worker_cpu_ms")}


def main() -> None:
    """`python -m bench.submit [sqlite] [postgresql]`: the submission measurements alone.

    SQLite in a scratch file under bench/results/tmp; PostgreSQL in a scratch database
    (BENCH_SUBMIT_POSTGRES_URL, default hailong_bench_submit on the local server), dropped after.
    """
    import sys

    from bench import postgres
    from bench.app import scratch_sqlite

    kinds = sys.argv[1:] or ["sqlite", "postgresql"]
    seconds = float(os.environ.get("BENCH_SUBMIT_SECONDS", "10"))
    results = {}
    if "sqlite" in kinds:
        url = scratch_sqlite("submit-only")
        results["sqlite"] = run(url, seconds)
        print(json.dumps(results["sqlite"], indent=2), flush=True)
    if "postgresql" in kinds:
        url = os.environ.get("BENCH_SUBMIT_POSTGRES_URL") or postgres.with_database(
            postgres.bench_url(), "hailong_bench_submit")
        reason = postgres.unreachable(url)
        if reason:
            print(f"PostgreSQL skipped: {reason}")
        else:
            postgres.recreate(url)
            try:
                results["postgresql"] = run(url, seconds)
                print(json.dumps(results["postgresql"], indent=2), flush=True)
            finally:
                postgres.drop(url)


if __name__ == "__main__":
    main()
