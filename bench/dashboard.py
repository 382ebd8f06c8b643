"""The overview dashboard page, to the last byte, against an analyst's pandas path.

The page is fetched in-process (Flask's test client: server time, the whole body read) by a
logged-in analyst, with the report cache emptied first, then again from the cache. The
baseline is what an analyst without hailong would run for the page's headline figures: read the
survey responses' overall answers with `pandas.read_sql` and `groupby` year and year × service
area into the share satisfied. It leaves out what the page adds (the SIPAS elements with α and
the drivers, the significance of each change), so the ratio understates the difference.
"""

from __future__ import annotations

import re
import secrets
import time

from bench.reports import timed
from survey.extensions import db
from survey.services.reporting import cache

PAGE = "/dashboard/"
WARM_UP = "/dashboard/ratings"  # the same layout, a small report of its own
ANALYST = "bench-analyst"
PASSWORD = secrets.token_urlsafe(24)  # a fresh account per run; never printed

BASELINE_SQL = """
SELECT r.year, r.service_area_id, a.value_int
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
WHERE vi.is_overall AND q.kind = 'survey' AND a.value_int IS NOT NULL
"""


def ensure_analyst() -> tuple[str, str]:
    """An analyst account for the page, with this run's password."""
    from werkzeug.security import generate_password_hash

    from survey.models import User
    from survey.services.accounts import create_user

    user = db.session.execute(db.select(User).filter_by(username=ANALYST)).scalar_one_or_none()
    if user is None:
        create_user(ANALYST, PASSWORD, "analyst")
    else:  # a database kept from an earlier run
        user.password_hash = generate_password_hash(PASSWORD)
    db.session.commit()
    return ANALYST, PASSWORD


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError("the login page has no CSRF token")
    return match.group(1)


def fetch(client, method: str, path: str, **kwargs):
    """One request in an application context of its own. Inside the caller's context every
    request would share its `g`, where the first one leaves the principal it found."""
    with client.application.app_context():
        return client.open(path, method=method, **kwargs)


def logged_in_client(app):
    username, password = ensure_analyst()
    client = app.test_client()
    token = csrf_token(fetch(client, "GET", "/auth/login").get_data(as_text=True))
    answer = fetch(client, "POST", "/auth/login", data={
        "username": username, "password": password, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"the analyst could not log in ({answer.status_code})")
    return client


def _page(client, cold: bool) -> int:
    if cold:
        cache.clear()
    answer = fetch(client, "GET", PAGE)
    body = answer.get_data()  # to the last byte
    if answer.status_code != 200:
        raise RuntimeError(f"{PAGE} answered {answer.status_code}")
    return len(body)


def baseline() -> dict:
    """pandas: read the overall answers, then the shares per year and per year and service."""
    import pandas as pd

    frame = pd.read_sql(db.text(BASELINE_SQL), db.session.connection())
    frame["satisfied"] = frame["value_int"] >= 4  # the likert top box (overall is likert5)
    by_year = frame.groupby("year")["satisfied"].agg(["mean", "size"])
    by_area = frame.groupby(["year", "service_area_id"])["satisfied"].agg(["mean", "size"])
    return {"rows": len(frame), "years": len(by_year), "groups": len(by_area)}


def measure(app, repeat: int = 1) -> dict:
    """The page with the cache emptied (`repeat` times: at millions of responses one run
    takes a minute), then from the cache, then the pandas baseline."""
    client = logged_in_client(app)
    fetch(client, "GET", WARM_UP)  # templates, code paths and connections, not the reports
    size = 0

    def cold():
        nonlocal size
        size = _page(client, cold=True)

    seconds = timed(cold, repeat, warm=False)
    cached = timed(lambda: _page(client, cold=False), 3)
    started = time.perf_counter()
    figures = baseline()
    pandas_seconds = time.perf_counter() - started
    db.session.rollback()
    return {"dashboard_seconds": seconds, "dashboard_cached_seconds": cached,
            "dashboard_bytes": size, "dashboard_pandas_seconds": pandas_seconds,
            "dashboard_pandas_rows": figures["rows"],
            "dashboard_speedup": pandas_seconds / seconds if seconds else None}
