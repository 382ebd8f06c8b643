"""Citizens' pages (kiosk, desk poster on a phone, web link, receipt) ship no chart code.

A kiosk on a closed network and a phone on a slow link load only their own small scripts. Every
script a page names is fetched and read: none may carry Plotly, whatever its file is called,
and nothing the kiosk keeps offline may either.
"""

from __future__ import annotations

import re

import pytest

from survey.extensions import db
from survey.models import Kiosk
from survey.services import tokens
from tests import factories

SCRIPT = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
SRC = re.compile(r'\bsrc="([^"]+)"')
SCRIPT_LINK = re.compile(r'<link\b[^>]*\bhref="([^"]+\.js[^"]*)"', re.IGNORECASE)
# What a chart library leaves in its code: Plotly's global and its drawing entry point.
CHART_CODE = re.compile(r"\bPlotly\b|\bnewPlot\b|plotly\.js")


def citizen_pages(app, world) -> dict[str, str]:
    with app.app_context():
        kiosk = db.session.get(Kiosk, world.kiosk_id)
        receipt = tokens.issue_dossier_token("HS-CHART-1", world.unit_code)
        web = factories.prove({"channel": "web", "unit": world.unit_code,
                               "questionnaire": "land_survey"})["token"]
        db.session.commit()
        return {"kiosk": "/k/" + tokens.kiosk_token(kiosk),
                "phone": "/s/" + tokens.qr_token(world.unit_code, world.desk_code,
                                                 "land_survey"),
                "web": "/w/" + web, "receipt": f"/r/{receipt.token}"}


def scripts_of(html: str) -> list[str]:
    return [SRC.search(tag).group(1) for tag in SCRIPT.findall(html) if SRC.search(tag)] + \
        SCRIPT_LINK.findall(html)


@pytest.mark.parametrize("page", ["kiosk", "phone", "web", "receipt"])
def test_a_citizen_page_loads_no_chart_code(app, client, world, page):
    url = citizen_pages(app, world)[page]
    answer = client.get(url)
    assert answer.status_code == 200, url
    html = answer.get_data(as_text=True)
    assert "data-figure" not in html
    scripts = scripts_of(html)
    assert scripts, "the page should load its own script"  # else this test checks nothing
    for src in scripts:
        assert "plotly" not in src.lower() and "vendor/" not in src, src
        body = client.get(src, buffered=True)
        assert body.status_code == 200, src
        assert not CHART_CODE.search(body.get_data(as_text=True)), src


def test_the_kiosk_keeps_no_chart_code_offline(client):
    worker = client.get("/k/sw.js").get_data(as_text=True)
    cached = re.findall(r'"(/static/[^"]+)"', worker)
    assert cached
    for url in cached:
        assert not CHART_CODE.search(client.get(url, buffered=True).get_data(as_text=True)), url


def test_the_check_finds_chart_code_where_there_is_some(client):
    """The check above would notice: the dashboards' own bundle trips it."""
    from survey.assets import PLOTLY_NAME

    bundle = client.get(f"/static/{PLOTLY_NAME}", buffered=True)
    assert bundle.status_code == 200 and CHART_CODE.search(bundle.get_data(as_text=True))
    assert scripts_of(f'<script src="/static/{PLOTLY_NAME}" defer></script>') == [
        f"/static/{PLOTLY_NAME}"]
