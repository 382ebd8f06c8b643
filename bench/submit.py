"""Submission throughput under gunicorn: our POST /api/v1/responses against a bare route."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 2) * 2 + 1)))
ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _payload_template(url: str) -> dict:
    """A land-survey answer with all its rating items (20+ answers), from the demo model."""
    from survey import create_app
    from survey.extensions import db
    from survey.models import Unit
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import (
        definition_of,
        get_version,
        load_and_publish_builtins,
    )
    from survey.services.reference import load_service_areas

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench" * 8})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_service_areas()
        load_and_publish_builtins()
        db.session.add(Unit(code="B1", name_vi="Bàn 1", level="commune", path="/B1/"))
        db.session.commit()
        definition = definition_of(get_version("land_survey"))
        given = answers_for(definition, Respondent(random.Random(1), 0.9, 0.0), 2)
        db.engine.dispose()
    answers = {k: ("no_answer" if a.missing_code else a.value) for k, a in given.items()}
    return {"questionnaire": "land_survey", "unit": "B1", "channel": "phone", "answers": answers}


def _serve(app_path: str, env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        # --preload: workers fork from a loaded app (the documented production setting)
        [str(Path(sys.executable).with_name("gunicorn")), "--preload", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_path],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def _load(port: int, template: dict, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


def run(url: str, seconds: float = 10.0) -> dict:
    template = _payload_template(url)
    ours_port, bare_port = _free_port(), _free_port()
    bare_path = url.removeprefix("sqlite:///") + ".bare"
    Path(bare_path).unlink(missing_ok=True)
    ours = _serve("wsgi:app", {"DATABASE_URL": url, "SECRET_KEY": "bench" * 8,
                               "HAILONG_ENV": "production", "RATELIMIT_ENABLED": "0"}, ours_port)
    try:
        _load(ours_port, template, WARM_UP)  # every worker has served before we measure
        measured = _load(ours_port, template, seconds)
    finally:
        ours.send_signal(signal.SIGTERM)
        ours.wait(10)
    bare = _serve("bench.bare_app:app", {"BARE_SQLITE_PATH": bare_path}, bare_port)
    try:
        _load(bare_port, template, WARM_UP)
        baseline = _load(bare_port, template, seconds)
    finally:
        bare.send_signal(signal.SIGTERM)
        bare.wait(10)
    return {"clients": CLIENTS, "workers": WORKERS, "seconds": seconds,
            "responses_per_second": measured["per_second"], "p50_ms": measured["p50_ms"],
            "p99_ms": measured["p99_ms"], "errors": measured["errors"],
            "bare_per_second": baseline["per_second"], "bare_p99_ms": baseline["p99_ms"],
            "ratio_to_bare": measured["per_second"] / baseline["per_second"]}
