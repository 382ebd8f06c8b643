"""Cross-site request forgery on the API: a staff session's writes must come from this site.

The API blueprint is exempt from Flask-WTF's form tokens because machine clients send
`Authorization: Bearer KEY`, which no other site can make a browser send. A staff browser's
session cookie, though, rides along with any request a hostile page triggers (a form post, a
multipart upload). So a change of state made on the strength of that cookie must show it comes
from our own pages: an `Origin` (or, when a browser sends none, a `Referer`) naming this very
scheme, host and port, or the session's CSRF token in `X-CSRFToken`. Bearer clients and
requests with no session at all (the citizens' submissions) are not concerned.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import jsonify, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from survey.access import bearer_key
from survey.api import bp

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADERS = ("X-CSRFToken", "X-CSRF-Token")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL, or None when it has none (or is "null")."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _has_csrf_token() -> bool:
    token = next((request.headers[h] for h in CSRF_HEADERS if request.headers.get(h)), None)
    if token is None and request.mimetype in ("multipart/form-data",
                                              "application/x-www-form-urlencoded"):
        token = request.form.get("csrf_token")
    if not token:
        return False
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def refusal() -> str | None:
    """Why this request may not act on the session's behalf, or None when it may."""
    if request.method not in UNSAFE_METHODS or bearer_key() is not None:
        return None
    if not current_user.is_authenticated:
        return None
    if _has_csrf_token():
        return None
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return ("a request made with a staff session must send Origin (or Referer) or the "
                "X-CSRFToken header; API clients use Authorization: Bearer KEY")
    if _origin_of(source) != _origin_of(request.host_url):
        return (f"cross-site request refused: {source[:200]!r} is not this site; send the "
                "X-CSRFToken header, or use Authorization: Bearer KEY")
    return None


@bp.before_request
def refuse_cross_site_writes():
    reason = refusal()
    if reason is not None:
        return jsonify(error="forbidden", reason="cross-site request", detail=reason), 403
    return None
