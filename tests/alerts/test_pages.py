"""The alert pages: a unit officer sees the alerts of their unit's subtree only (another
unit's is a 404), analysts and admins every alert, other roles nothing (403); the chart is on
the page; acknowledging needs the form's token, is audited, and happens once; the menu shows
the account's unread count, which falls as alerts are seen."""

from __future__ import annotations

import re

from survey.extensions import db
from survey.models import Alert, AuditEntry, Unit
from tests.alerts.conftest import DAY, client_as
from tests.conftest import csrf_from


def make_alerts(app) -> dict[str, int]:
    """One CUSUM alert at HN-X01, one burst at HN-X02, one CUSUM at the province itself."""
    ids = {}
    with app.app_context():
        units = {u.code: u.id for u in db.session.execute(db.select(Unit)).scalars()}
        chart = {"days": [DAY.isoformat()], "s": [5.0], "n": [10], "x": [2], "h": 4.1,
                 "p0": 0.9, "p1": 0.8, "baseline_n": 900, "baseline_days": 90}
        burst = {"hours": [0] * 15 + [25] + [0] * 8, "hour": 15, "usual": 2.0, "critical": 11,
                 "p_value": 1e-12}
        for code, kind, data in (("HN-X01", "cusum", chart), ("HN-X02", "burst", burst),
                                 ("HN", "cusum", chart)):
            alert = Alert(kind=kind, unit_id=units[code], service_area_id=0,
                          kiosk_id=7 if kind == "burst" else 0, day=DAY,
                          hour=15 if kind == "burst" else 0,
                          statistic=5.0 if kind == "cusum" else 25, threshold=4.1 if
                          kind == "cusum" else 11, chart=data)
            db.session.add(alert)
            db.session.flush()
            ids[code] = alert.id
        db.session.commit()
    return ids


def listed(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/alerts/(\d+)"', html)}


def menu_count(html: str) -> str:
    found = re.search(r'<a href="/alerts/"[^>]*>([^<]*)</a>', html)
    return found.group(1) if found else ""


def test_roles_see_their_scope(any_app):
    ids = make_alerts(any_app)
    officer = client_as(any_app, "unit_officer")  # HN-X01
    assert listed(officer.get("/alerts/").text) == {ids["HN-X01"]}
    assert officer.get(f"/alerts/{ids['HN-X01']}").status_code == 200
    assert officer.get(f"/alerts/{ids['HN-X02']}").status_code == 404
    assert officer.get(f"/alerts/{ids['HN']}").status_code == 404
    assert officer.get("/alerts/99999999999").status_code == 404
    for role in ("analyst", "admin"):
        assert listed(client_as(any_app, role).get("/alerts/").text) == set(ids.values())
    for role in ("designer", "data_entry"):
        client = client_as(any_app, role)
        assert client.get("/alerts/").status_code == 403
        assert client.get(f"/alerts/{ids['HN-X01']}").status_code == 403
    assert client_as(any_app, None).get("/alerts/").status_code == 302  # to the login page


def test_the_page_shows_the_chart_in_vietnamese_and_english(app):
    ids = make_alerts(app)
    analyst = client_as(app, "analyst")
    page = analyst.get(f"/alerts/{ids['HN-X01']}").text
    assert "Mức hài lòng giảm" in page and "<svg" in page and "<polyline" in page
    assert "h = 4.10" in page
    burst = analyst.get(f"/alerts/{ids['HN-X02']}?lang=en").text
    assert "Burst of ratings at a kiosk" in burst and "<rect" in burst
    assert 'href="/security/anomalies"' not in burst  # only an admin may set answers aside
    admin = client_as(app, "admin").get(f"/alerts/{ids['HN-X02']}").text
    assert 'href="/security/anomalies">Dấu hiệu bất thường</a>' in admin
    assert analyst.get("/alerts/?state=bogus&kind=<x>").status_code == 200


def test_acknowledging_needs_the_token_is_audited_and_happens_once(app):
    ids = make_alerts(app)
    officer = client_as(app, "unit_officer")
    url = f"/alerts/{ids['HN-X01']}"
    assert officer.post(url + "/acknowledge", data={"note": "x"}).status_code == 400
    assert officer.post(f"/alerts/{ids['HN-X02']}/acknowledge", data={
        "csrf_token": csrf_from(officer.get(url).text)}).status_code == 404
    page = officer.get(url).text
    too_long = officer.post(url + "/acknowledge", data={"csrf_token": csrf_from(page),
                                                        "note": "x" * 501})
    assert too_long.status_code == 422
    done = officer.post(url + "/acknowledge", data={"csrf_token": csrf_from(page),
                                                    "note": "Đã họp với bộ phận một cửa."})
    assert done.status_code == 302
    with app.app_context():
        alert = db.session.get(Alert, ids["HN-X01"])
        assert alert.state == "acknowledged" and alert.acknowledged_by == "unit_officer"
        entry = db.session.execute(db.select(AuditEntry).filter_by(
            action="alert.acknowledge", entity_key=str(alert.id))).scalar_one()
        assert entry.actor == "unit_officer" and entry.new_values["state"] == "acknowledged"
    again = officer.post(url + "/acknowledge", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 409 and "đã được xác nhận" in again.text
    assert "Xác nhận đã xem xét</button>" not in officer.get(url).text
    # open alerts by default; acknowledged ones on request
    assert ids["HN-X01"] not in listed(officer.get("/alerts/").text)
    assert ids["HN-X01"] in listed(officer.get("/alerts/?state=acknowledged").text)


def test_the_menu_counts_unread_alerts_per_account(any_app):
    ids = make_alerts(any_app)
    analyst, admin = client_as(any_app, "analyst"), client_as(any_app, "admin")
    officer = client_as(any_app, "unit_officer")
    assert menu_count(analyst.get("/feedback/").text) == "Cảnh báo (3)"
    assert menu_count(officer.get("/feedback/").text) == "Cảnh báo (1)"
    analyst.get(f"/alerts/{ids['HN']}")
    assert menu_count(analyst.get("/feedback/").text) == "Cảnh báo (2)"
    analyst.get("/alerts/")  # the list marks what it shows as read
    assert menu_count(analyst.get("/feedback/").text) == "Cảnh báo"
    assert menu_count(admin.get("/feedback/").text) == "Cảnh báo (3)"  # per account
    designer = client_as(any_app, "designer").get("/design/")
    assert designer.status_code == 200 and 'href="/alerts/"' not in designer.text
