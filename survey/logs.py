"""Structured logs: one JSON object per line, for a log collector to index.

`LOG_FORMAT=json` (the default in production) writes the application's records as JSON with
the request id; `LOG_REQUESTS=1` adds one line per request (method, endpoint, path with any
citizen token hidden, status, duration). Nothing personal is logged: no IP address, no user
agent, no answers. A request id comes from the load balancer's `X-Request-ID` when it sends a
sane one, otherwise it is made here, and is sent back in the response so a citizen's problem
report can be matched to the log line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from survey.security import RedactTokens, redact

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class _RequestContext(logging.Filter):
    """Adds the request id (and nothing personal) to every record made during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def register_logging(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(
            "{asctime}{levelname}{name}{message}", style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False))
        handler.addFilter(RedactTokens())
        handler.addFilter(_RequestContext())
        app.logger.handlers = [handler]
        app.logger.setLevel(logging.INFO)
        app.logger.propagate = False

    @app.before_request
    def start_request() -> None:
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def finish_request(response):
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        if app.config.get("LOG_REQUESTS"):
            app.logger.info("request", extra={
                "method": request.method, "endpoint": request.endpoint,
                "path": redact(request.path), "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.started) * 1000, 2),
            })
        return response
