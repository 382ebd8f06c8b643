"""The investigation's weighted results page (vi and en), and its separate panel on the
dashboard overview (#20): the figures are the service's, never pooled with the open
collection's."""

from __future__ import annotations

import re

import pytest

from survey.dashboard.labels import number
from survey.extensions import db
from survey.models import Investigation
from survey.services.investigation.estimates import estimates
from tests.design.helpers import login
from tests.investigation.estimates_world import CODE, estimates_app

URL = f"/investigations/{CODE}/estimates"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with estimates_app(tmp_path_factory.mktemp("pages")) as app:
        yield app


def _client(app, who: str, lang: str = "vi"):
    client = app.test_client()
    login(client, who)
    client.get(f"/?lang={lang}")
    return client


def _expected(app, **kwargs) -> dict:
    with app.app_context():
        investigation = db.session.execute(
            db.select(Investigation).filter_by(code=CODE)).scalar_one()
        return estimates(investigation, **kwargs)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ("Điều tra xã hội học: kết quả có trọng số", "Toàn bộ cuộc điều tra",
            "Ước lượng có trọng số", "tuyến tính hóa Taylor", "n nhỏ")),
    ("en", ("Sociological investigation: weighted results", "Whole investigation",
            "Weighted estimate", "Taylor linearisation", "small n"))])
def test_the_page_in_both_languages_shows_the_service_s_figures(app, lang, words):
    page = _client(app, "analyst", lang).get(URL)
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    for word in words:
        assert word in text, word
    expected = _expected(app)
    with app.test_request_context(f"/?lang={lang}"):
        for row in expected["rows"]:
            if row["domain"] == "all" and row["estimate"] is not None:
                assert f"{number(row['estimate'] * 100, 1)} %" in text
                assert f"{number(row['ci_low'] * 100, 1)}–{number(row['ci_high'] * 100, 1)}" \
                    in text
                assert number(row["se"] * 100, 2) in text
                assert number(row["deff"], 2) in text


def test_small_units_show_n_only(app):
    html = _client(app, "analyst").get(URL + "?measure=index").get_data(as_text=True)
    table = html[html.index('id="estimates-units"'):]
    table = table[:table.index("</table>")]
    expected = [r for r in _expected(app)["rows"]
                if r["domain"] == "unit" and r["measure"] == "index"]
    assert sum(r["suppressed"] for r in expected) == table.count("small-n") > 0


def test_options_and_a_bad_one(app):
    client = _client(app, "analyst", "en")
    page = client.get(URL + "?raking=frame&trim=4&cells=service_area")
    assert page.status_code == 200
    assert "Raked to the frame" in page.get_data(as_text=True)
    bad = client.get(URL + "?trim=zero&cells=galaxy")
    assert bad.status_code == 200
    assert 'id="estimates-problem"' in bad.get_data(as_text=True)


def test_roles_and_unknown(app):
    assert _client(app, "clerk").get(URL).status_code == 403
    assert _client(app, "analyst").get("/investigations/NOPE/estimates").status_code == 404
    officer = _client(app, "off_d1", "en").get(URL + "?measure=overall").get_data(as_text=True)
    units = officer[officer.index('id="estimates-units"'):]
    assert "C07" not in units and "District D2" not in units


def test_the_overview_has_a_separate_panel(app):
    page = _client(app, "analyst").get("/dashboard/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    panel = html[html.index('id="investigation-panel"'):]
    panel = panel[:panel.index("</section>")]
    assert "Điều tra xã hội học" in panel
    assert f'href="{URL}"' in panel
    overall = next(r for r in _expected(app)["rows"]
                   if r["domain"] == "all" and r["measure"] == "overall")
    with app.test_request_context("/?lang=vi"):
        assert f"{number(overall['estimate'] * 100, 1)}&nbsp;%" in panel


def test_the_fieldwork_pages_link_to_the_results_for_those_who_may_read_them(app):
    officer = _client(app, "off_d1").get(f"/investigations/{CODE}/").get_data(as_text=True)
    assert f'href="{URL}"' in officer
    clerk = _client(app, "clerk").get(f"/investigations/{CODE}/").get_data(as_text=True)
    assert f'href="{URL}"' not in clerk
