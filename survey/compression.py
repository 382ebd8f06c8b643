"""Pages compressed on the way out: a citizen on a slow phone connection waits for bytes.

WhiteNoise already serves static files compressed; this covers the HTML Flask renders. Brotli
is used when the `brotli` package is installed and the browser accepts it, gzip otherwise.

Only pages of visitors who are not logged in are compressed. A compressed page that holds a
secret and text an attacker chose (BREACH) lets the attacker guess the secret from sizes; a
staff session's form token unlocks staff actions, while a citizen's anonymous session unlocks
nothing worth the trouble.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request, session

try:  # optional: gzip is enough, brotli saves another ~15 % on HTML
    import brotli
except ImportError:  # pragma: no cover - depends on the installation
    brotli = None

MIN_SIZE = 500  # bytes; below this the headers outweigh the saving


def register_compression(app: Flask) -> None:
    app.after_request(compress)


def _staff_session() -> bool:
    # Read from the cookie's session, not `current_user`: no database query, so a page
    # answered while the database is down is still compressed (or not) without one.
    return bool(session.get("_user_id") or request.cookies.get("remember_token"))


def compress(response: Response) -> Response:
    if (response.mimetype != "text/html" or response.direct_passthrough
            or response.status_code < 200 or response.status_code in (204, 304)
            or "Content-Encoding" in response.headers):
        return response
    response.vary.add("Accept-Encoding")
    if _staff_session():
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    accepted = request.accept_encodings
    if brotli is not None and accepted["br"]:
        response.set_data(brotli.compress(body, quality=5))
        response.headers["Content-Encoding"] = "br"
    elif accepted["gzip"]:
        response.set_data(gzip.compress(body, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response
