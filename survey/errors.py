"""Error pages for people: Vietnamese first, in the site's style, without staff links on
citizens' paths. API paths keep their JSON (`survey.api.errors`)."""

from __future__ import annotations

import time

from flask import current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from survey.extensions import limiter

# A citizen reaches these from a QR code, a receipt, a kiosk or a link: the page must help
# them, in their language, and never offer the staff login.
CITIZEN_PREFIXES = ("/s/", "/r/", "/w/", "/k/", "/i/", "/f/", "/thanks")
CITIZEN_PATHS = ("/s", "/r", "/w", "/k", "/i", "/f")
PAGES = frozenset({400, 403, 404, 405, 410, 413, 429, 500})
KEPT_HEADERS = ("Retry-After", "Allow", "WWW-Authenticate")


class BadParameterPage(BadRequest):
    """A query parameter of a page that cannot be used: a 400 page naming it, with a message
    already in the user's language (the API answers the same mistakes in JSON)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(description=message)
        self.parameter = parameter
        self.message = message


def is_citizen_path(path: str) -> bool:
    return path.startswith(CITIZEN_PREFIXES) or path in CITIZEN_PATHS


def _retry_after(code: int, headers) -> int | None:
    """Seconds to wait, as the Retry-After header will say (Flask-Limiter adds it to the
    response after this handler, from the limit that refused the request)."""
    retry = headers.get("Retry-After")
    if retry and retry.isdigit():
        return int(retry)
    if code != 429:
        return None
    current = limiter.current_limit
    return max(1, int(current.reset_at - time.time())) if current is not None else None


def html_error(error: HTTPException):
    """The error as a page, or Werkzeug's own answer for codes without one."""
    if error.code not in PAGES:
        return error
    original = error.get_response()
    context = dict(code=error.code, expired_form=isinstance(error, CSRFError),
                   citizen=is_citizen_path(request.path),
                   retry_after=_retry_after(error.code, original.headers),
                   parameter=getattr(error, "parameter", None),
                   message=getattr(error, "message", None))
    if error.code == 500:
        # Flask has logged the exception; the page must not fail in turn (a broken session or
        # template would hide the first error), so any trouble here gives Werkzeug's page.
        try:
            page = render_template("errors/http.html", **context)
        except Exception:  # noqa: BLE001 - the original error is what matters
            current_app.logger.exception("the 500 page could not be drawn")
            return error
    else:
        page = render_template("errors/http.html", **context)
    response = make_response(page, error.code)
    for header in KEPT_HEADERS:
        if original.headers.get(header):
            response.headers[header] = original.headers[header]
    return response
