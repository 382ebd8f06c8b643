"""A new installation without any response: every staff page answers, none crashes."""

import pytest

from survey.extensions import db
from survey.services.accounts import create_user
from tests.conftest import csrf_from, make_app

PAGES = ("/dashboard/", "/dashboard/league", "/dashboard/ratings", "/dashboard/crosstab",
         "/dashboard/comments", "/dashboard/report", "/dashboard/export", "/records/",
         "/records/appendix", "/api/v1/indices", "/api/v1/trends", "/api/v1/elements")


@pytest.fixture
def analyst(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", PROPAGATE_EXCEPTIONS=True)
    with app.app_context():
        db.create_all()
        create_user("a1", "mot-mat-khau-dai", "analyst")
        db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "a1", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})
    yield client
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_without_data(analyst, url):
    assert analyst.get(url).status_code == 200


def test_downloads_without_data_say_not_found(analyst):
    assert analyst.get("/dashboard/report.xlsx").status_code == 404
