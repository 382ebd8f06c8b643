"""Structured logs: JSON lines with a request id, no token, no IP address."""

from __future__ import annotations

import json

from survey.extensions import db
from tests.conftest import make_app


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_request_lines_are_json_without_tokens_or_addresses(tmp_path, capsys):
    app = make_app(f"sqlite:///{tmp_path / 'l.db'}", LOG_FORMAT="json", LOG_REQUESTS=True)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    secret = "eyJrIjoxLCJuIjoiYWJjIn0.Zz1Y2w.s3cr3t-kiosk-signature"
    reply = client.get(f"/k/{secret}", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    client.get("/healthz", headers={"X-Request-ID": "lb-4f2a9c0e"})
    err = capsys.readouterr().err
    lines = json_lines(err)
    assert [line["path"] for line in lines] == ["/k/[redacted]", "/healthz"]
    first, second = lines
    assert first["level"] == "INFO" and first["message"] == "request"
    assert first["status"] == reply.status_code and first["method"] == "GET"
    assert isinstance(first["duration_ms"], float) and "time" in first
    assert first["request_id"] == reply.headers["X-Request-ID"]
    assert second["request_id"] == "lb-4f2a9c0e"  # the load balancer's id is kept
    assert secret not in err and "203.0.113.77" not in err
    with app.app_context():
        db.engine.dispose()


def test_a_hostile_request_id_is_replaced(client):
    reply = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    given = reply.headers["X-Request-ID"]
    assert "script" not in given and len(given) == 32


def test_errors_are_logged_as_json_with_their_request_id(tmp_path, capsys):
    app = make_app(f"sqlite:///{tmp_path / 'e.db'}", LOG_FORMAT="json",
                   PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken on purpose")

    reply = app.test_client().get("/boom")
    assert reply.status_code == 500
    records = json_lines(capsys.readouterr().err)
    error = next(r for r in records if r["level"] == "ERROR")
    assert error["request_id"] == reply.headers["X-Request-ID"]
    assert "broken on purpose" in error["exc_info"]
    with app.app_context():
        db.engine.dispose()
