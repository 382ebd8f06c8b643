"""Logging in as each role, and posting forms with their CSRF token, for the designer tests."""

from __future__ import annotations

import re

from survey.extensions import db
from survey.services.accounts import create_user
from tests import factories
from tests.conftest import csrf_from

PASSWORD = "correct horse battery"
ROLES = ("admin", "designer", "analyst", "unit_officer", "data_entry")


def make_users(app) -> None:
    """One user per role, named after it; the unit officer belongs to HN-X01 under HN."""
    with app.app_context():
        from survey.models import Unit

        province = db.session.execute(db.select(Unit).filter_by(code="HN")).scalar_one_or_none()
        if province is None:
            province = factories.unit("HN")
            factories.unit("HN-X01", "commune", province)
            factories.unit("HN-X02", "commune", province)
        for role in ROLES:
            create_user(role, PASSWORD, role, "HN-X01" if role == "unit_officer" else None)
        db.session.commit()


def staffed_app(database_url: str, **config):
    """An app on a new database: the schema, the service areas, the built-in questionnaires
    published, and one user per role (`make_users`)."""
    from survey.services import questionnaires as qservice
    from survey.services.reference import load_service_areas
    from tests.conftest import copy_of_template, make_app

    def staff(app) -> None:
        with app.app_context():
            qservice.load_and_publish_builtins()
            db.session.commit()
        make_users(app)

    if database_url.startswith("sqlite:///"):
        # The same content, built once per test process and copied (publishing every built-in
        # questionnaire and hashing six passwords cost seconds per test).
        copy_of_template(database_url.removeprefix("sqlite:///"), "staffed", staff)
        return make_app(database_url, **config)
    app = make_app(database_url, **config)
    with app.app_context():
        db.create_all()
        load_service_areas()
        db.session.commit()
    staff(app)
    return app


def login(client, username: str) -> None:
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302, response.text


def post(client, page_url: str, url: str | None = None, data: dict | None = None, **kwargs):
    """GET page_url for a token, then POST data (plus the token) to url (default page_url)."""
    token = csrf_from(client.get(page_url).text)
    return client.post(url or page_url, data={"csrf_token": token, **(data or {})}, **kwargs)


def prefixed_token(html: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no {prefix}-csrf_token on the page"
    return match.group(1)
