"""Admin pages and services: users, password change and reset, units, desks, the audit log."""

from __future__ import annotations

import csv
import io

import pytest

from survey.extensions import db
from survey.models import AuditEntry, Desk, User
from survey.services import audit
from survey.services.accounts import AccountError, authenticate, users
from survey.services.audit import log as audit_log
from tests.conftest import csrf_from
from tests.design.helpers import PASSWORD, login, make_users, post


@pytest.fixture
def staff(app):
    make_users(app)
    return app


def _user(name: str) -> User:
    return db.session.execute(db.select(User).filter_by(username=name)).scalar_one()


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.execute(db.select(AuditEntry).filter_by(action=action)).scalars())


def test_admin_creates_a_unit_officer_and_changes_the_role(staff, client):
    login(client, "admin")
    response = post(client, "/admin/users", data={
        "username": "officer2", "password": "long enough pw", "role": "unit_officer",
        "unit": "HN-X02"})
    assert response.status_code == 302
    refused = post(client, "/admin/users", data={
        "username": "officer3", "password": "long enough pw", "role": "unit_officer",
        "unit": ""})
    assert "cán bộ đơn vị cần được gắn với một đơn vị" in refused.text
    with staff.app_context():
        new_id = _user("officer2").id
    post(client, f"/admin/users/{new_id}", data={"role": "analyst", "unit": "", "active": ""})
    with staff.app_context():
        officer = _user("officer2")
        assert (officer.role, officer.unit, officer.active) == ("analyst", None, False)
        change = _audit("update")[-1]
        assert change.old_values == {"role": "unit_officer", "unit": "HN-X02", "active": True}
        assert change.actor == "admin"


def test_the_last_admin_cannot_be_demoted(staff, ctx):
    admin = _user("admin")
    with pytest.raises(AccountError, match="last active admin"):
        users.update(admin, "analyst", None, True, "admin")


def test_password_change_needs_the_current_password(staff, client):
    login(client, "analyst")
    wrong = post(client, "/auth/password", data={"current": "nope", "new": "a new password",
                                                  "confirm": "a new password"})
    assert wrong.status_code == 200
    with staff.app_context():
        assert authenticate("analyst", PASSWORD) is not None
        db.session.commit()
    ok = post(client, "/auth/password", data={"current": PASSWORD, "new": "a new password",
                                               "confirm": "a new password"})
    assert ok.status_code == 302
    with staff.app_context():
        assert authenticate("analyst", "a new password") is not None
        assert _audit("change_password")[0].new_values is None  # never the password itself


def test_reset_password_is_shown_once(staff, client):
    with staff.app_context():
        designer_id = _user("designer").id
    login(client, "admin")
    page = client.get(f"/admin/users/{designer_id}")
    token = csrf_from(page.text)
    response = client.post(f"/admin/users/{designer_id}/reset-password",
                           data={"csrf_token": token})
    password = response.text.split('<code class="secret">')[1].split("</code>")[0]
    with staff.app_context():
        assert authenticate("designer", password) is not None


def test_units_form_and_csv_import_are_audited(staff, client):
    login(client, "admin")
    post(client, "/admin/units", data={"unit-code": "HN-D09", "unit-name_vi": "Huyện Chín",
                                       "unit-level": "district", "unit-parent": "HN",
                                       "unit-csrf_token": csrf_from(client.get(
                                           "/admin/units").text)})
    page = client.get("/admin/units")
    assert "Huyện Chín" in page.text
    token = page.text.split('name="csv-csrf_token"')[1].split('value="')[1].split('"')[0]
    body = "code,name_vi,name_en,level,parent_code\nHN-X09,Xã Chín,,commune,HN-D09\n"
    client.post("/admin/units/import", data={"csv-csrf_token": token, "csv-file": (
        io.BytesIO(body.encode()), "units.csv")}, content_type="multipart/form-data")
    with staff.app_context():
        created = [e.entity_key for e in _audit("create") if e.entity_type == "unit"]
        assert {"HN-D09", "HN-X09"} <= set(created)


def test_the_units_form_sets_a_departments_service(staff, client):
    """What the department's posters and kiosks default to (survey/services/posters.py)."""
    from survey.models import Unit
    from survey.services.reference import load_service_areas

    with staff.app_context():
        load_service_areas()
        db.session.commit()
    login(client, "admin")
    page = client.get("/admin/units").text
    assert 'name="unit-service_area"' in page
    post(client, "/admin/units", data={"unit-code": "HN-TP", "unit-name_vi": "Sở Tư pháp",
                                       "unit-level": "department", "unit-parent": "HN",
                                       "unit-service_area": "marriage",
                                       "unit-csrf_token": csrf_from(page)})
    with staff.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(code="HN-TP")).scalar_one()
        assert unit.service_area.code == "marriage"
        assert _audit("create")[-1].new_values["service_area"] == "marriage"


def test_a_unit_officer_manages_only_desks_of_their_unit(staff, client):
    login(client, "unit_officer")
    page = client.get("/admin/desks")
    assert "HN-X01" in page.text and "HN-X02" not in page.text
    post(client, "/admin/desks", data={"unit": "HN-X02", "code": "MC9", "name_vi": "Bàn 9"})
    post(client, "/admin/desks", data={"unit": "HN-X01", "code": "MC2", "name_vi": "Bàn 2"})
    with staff.app_context():
        assert [d.code for d in db.session.execute(db.select(Desk)).scalars()] == ["MC2"]


def test_audit_page_filters_and_csv_is_formula_safe(staff, client):
    with staff.app_context():
        audit.record("=cmd|' /C calc'!A0", "update", "unit", "@SUM(1)", old={"name": "+x"},
                     new={"name": "-y"})
        audit.record("admin", "create", "questionnaire", "q1")
        db.session.commit()
    login(client, "admin")
    page = client.get("/admin/audit?entity_type=unit")
    assert "@SUM(1)" in page.text and "q1" not in page.text
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv?entity_type=unit").text)))
    assert rows[0][:3] == ["at", "actor", "action"]
    entry = next(r for r in rows if r[3] == "unit" and "SUM" in r[4])
    assert entry[1].startswith("'=") and entry[4] == "'@SUM(1)"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(("value", "safe"), [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"),
                                             ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                                             ("plain", "plain"), (None, "")])
def test_safe_cell(value, safe):
    assert audit_log.safe_cell(value) == safe
