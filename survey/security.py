"""Security headers on every response, and no citizen token in the logs.

The Content-Security-Policy allows only this site's own scripts: there is no inline script or
event-handler attribute anywhere, and JSON data travels in `<script type="application/json">`
blocks, which a browser never runs. Styles also allow 'unsafe-inline' because plotly.js writes
`style` attributes into the charts it draws; a style cannot run code, a script could.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, abort, request

from survey.services.storable import MESSAGE, unstorable

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",  # the kiosk's service worker keeps answers while offline
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# Nothing here needs a sensor, a camera or a payment; the kiosk needs none of them either.
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"

# Citizen links carry their credential in the path: /s/<qr token>, /r/<dossier token>,
# /k/<kiosk token>. Whatever follows the prefix up to the next "/", "?", space or quote is it.
_TOKEN_PATH = re.compile(r"(/[srkwif]/)(?!sw\.js)[^/?\s\"']{8,}")
# Query strings of those links may carry a token too (?token=..., ?t=...).
_TOKEN_QUERY = re.compile(r"([?&](?:token|t|key)=)[^&\s\"']+", re.IGNORECASE)
REDACTED = "[redacted]"


def content_security_policy(policy: dict[str, str] | None = None) -> str:
    return "; ".join(f"{name} {value}" for name, value in
                     (policy or CONTENT_SECURITY_POLICY).items())


def security_headers(production: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    if production:
        # Only behind HTTPS: a development server on plain HTTP must stay reachable.
        headers["Strict-Transport-Security"] = HSTS
    return headers


def redact(text: str) -> str:
    """`text` with every citizen token in a /s/, /r/, /k/, /w/, /i/ or /f/ path (or a token query)
    hidden."""
    return _TOKEN_QUERY.sub(r"\1" + REDACTED, _TOKEN_PATH.sub(r"\1" + REDACTED, text))


class RedactTokens(logging.Filter):
    """A logging filter that rewrites a record's message without citizen tokens.

    Request loggers (werkzeug's development server, gunicorn's access log) format the request
    line into the message; the record is formatted here once and its arguments dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is logging's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# The loggers that write request lines: Werkzeug's development server and gunicorn's access log.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def install_log_filter() -> None:
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def nul_parameter() -> str | None:
    """The name of the first query, form or path value of this request holding a NUL byte
    (or a lone surrogate).

    PostgreSQL text cannot hold U+0000, so such a value reaching a query is a server error
    there (SQLite takes it silently); no code, filter, label or answer ever needs one.
    """
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            name = name or ""  # Werkzeug gives None for a multipart part it cannot name
            if unstorable(name) or unstorable(value):
                return name.replace("\x00", "").encode("utf-8", "replace").decode()
    for name, value in (request.view_args or {}).items():
        if unstorable(value):
            return name
    return None


def refuse_nul_bytes():
    name = nul_parameter()
    if name is None:
        return None
    if request.blueprint == "api":
        from survey.api.errors import BadParameter

        raise BadParameter(name, f"{name!r} {MESSAGE}")
    abort(400, f"{name!r} {MESSAGE}")


def register_security(app: Flask) -> None:
    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind a reverse proxy every request comes from the proxy: trust its
        # X-Forwarded-For (only as many hops as configured), so rate limits count clients.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=app.config["PROXY_FIX_X_FOR"])
    headers = security_headers(app.config.get("HAILONG_ENV") == "production")
    app.before_request(refuse_nul_bytes)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    install_log_filter()
    app.logger.addFilter(RedactTokens())
