"""Every route of the application, visited as each role and as a visitor.

The table below states, per endpoint, who may reach it; it is written out rather than derived
from the decorators so that a wrong capability (or a forgotten decorator) fails here. A new
endpoint fails the test until it is added to the table. Every form POST must carry a CSRF
token: without one it is refused (400) before anything else, whoever sends it.
"""

from __future__ import annotations

import re
import uuid

import pytest

from survey.access import CAPABILITIES
from survey.extensions import db
from survey.models import Desk, Kiosk
from survey.services import questionnaires as qservice
from survey.services.accounts import create_user
from tests.conftest import csrf_from
from tests.design.helpers import PASSWORD, ROLES, login, staffed_app

PUBLIC = "public"  # citizens and visitors: answers alike to everyone
STAFF = frozenset(ROLES)
ADMIN = frozenset({"admin"})
DESIGN = frozenset({"admin", "designer"})
ANALYSE = frozenset({"admin", "analyst", "unit_officer"})
KIOSKS = frozenset({"admin", "unit_officer"})
TOKENS = frozenset({"admin", "unit_officer", "data_entry"})
IMPORT = frozenset({"admin", "data_entry"})
FIELDWORK = frozenset({"admin", "unit_officer", "data_entry"})  # collectors: their own cases
MANAGE_FIELDWORK = frozenset({"admin", "unit_officer"})
FEEDBACK = frozenset({"admin", "analyst", "unit_officer"})
HANDLE_FEEDBACK = frozenset({"admin", "unit_officer"})
ALERTS = frozenset({"admin", "analyst", "unit_officer"})

EXPECTED: dict[str, object] = {
    "static": PUBLIC, "main.index": PUBLIC, "main.healthz": PUBLIC, "main.set_language": PUBLIC,
    # the public scoreboard (issue #23): no login, the same page for everyone
    "public.home": PUBLIC, "public.service": PUBLIC, "public.units": PUBLIC,
    "public.unit": PUBLIC, "public.data": PUBLIC, "public.download": PUBLIC,
    "auth.login": PUBLIC, "auth.logout": STAFF, "auth.change_password": STAFF,
    "collect.kiosk": PUBLIC, "collect.kiosk_service_worker": PUBLIC, "collect.survey": PUBLIC,
    "collect.receipt": PUBLIC, "collect.receipt_qr": PUBLIC, "collect.thanks": PUBLIC,
    "collect.web_link": PUBLIC, "collect.create_link": KIOSKS, "collect.revoke_link": KIOSKS,
    "collect.kiosks": KIOSKS, "collect.poster": KIOSKS, "collect.poster_qr": KIOSKS,
    "collect.create_kiosk": KIOSKS, "collect.change_kiosk": KIOSKS,
    "collect.kiosk_settings": KIOSKS,
    "collect.new_dossier_token": TOKENS,
    "api.openapi_json": PUBLIC, "api.submit_response": PUBLIC,
    "api.appendix_report": ANALYSE, "api.elements": ANALYSE, "api.indices": ANALYSE,
    "api.records_report": ANALYSE, "api.on_time": ANALYSE, "api.sample_size": ANALYSE,
    "api.trends": ANALYSE,
    "api.weighted": ANALYSE, "api.issue_dossier_token": TOKENS,
    "api.set_on_time_status": TOKENS, "api.records_import": IMPORT,
    "dashboard.overview": ANALYSE, "dashboard.comments": ANALYSE, "dashboard.crosstab": ANALYSE,
    "dashboard.league": ANALYSE, "dashboard.ratings": ANALYSE, "dashboard.report": ANALYSE,
    "dashboard.report_pdf": ANALYSE, "dashboard.report_workbook": ANALYSE,
    "dashboard.report_docx": ANALYSE,
    "dashboard.service": ANALYSE, "dashboard.unit": ANALYSE,
    "dashboard.export_page": ANALYSE, "dashboard.export_file": ANALYSE,
    "dashboard.export_codebook": ANALYSE,
    "records.overview": ANALYSE, "records.appendix_page": ANALYSE, "records.template": ANALYSE,
    "records.import_stats": IMPORT, "records.set_par_index": ADMIN,
    "records.procedures": ANALYSE, "records.edit_procedure": ADMIN,
    "records.import_procedures_page": ADMIN,
    "admin.index": ADMIN, "admin.users": ADMIN, "admin.user": ADMIN,
    "admin.reset_password": ADMIN, "admin.units": ADMIN, "admin.import_units": ADMIN,
    "admin.audit": ADMIN, "admin.audit_csv": ADMIN, "admin.desks": KIOSKS,
    "admin.service_area_list": ADMIN, "admin.service_area_edit": ADMIN,
    "admin.unit_events_page": ADMIN, "admin.import_unit_events": ADMIN, "admin.unit_life": ADMIN,
    "admin.undo_unit_event": ADMIN,
    "security.anomalies": ADMIN, "security.quarantine": ADMIN, "security.restore": ADMIN,
    "entry.upload": IMPORT, "entry.job_page": IMPORT, "entry.template": IMPORT,
    "entry.records": IMPORT, "entry.records_template": IMPORT,
    # a job is read only by its owner or an admin; another's id answers 404 (tests/entry)
    "jobs.status": STAFF, "jobs.download": STAFF, "jobs.page": STAFF,
    "jobs.start_export": ANALYSE,
    # a sampled investigation's fieldwork (#20); /i/TOKEN is a citizen's personal link
    "investigation.case_link": PUBLIC, "investigation.index": FIELDWORK,
    "investigation.fieldwork_page": FIELDWORK, "investigation.cases_page": FIELDWORK,
    "investigation.case_page": FIELDWORK, "investigation.paper_page": FIELDWORK,
    "investigation.paper_by_code": FIELDWORK, "investigation.reminders_page": FIELDWORK,
    "investigation.reminders_csv": FIELDWORK, "investigation.assign_page": MANAGE_FIELDWORK,
    "investigation.letters_page": MANAGE_FIELDWORK, "investigation.start_page": MANAGE_FIELDWORK,
    # its weighted results: analysis, like the reports (an officer: its unit's subtree)
    "investigation.estimates_page": ANALYSE, "api.investigation_estimates": ANALYSE,
    # feedback cases (#23): /f/TOKEN is the citizen's offer form; officers see their subtree
    "feedback.offer": PUBLIC, "feedback.cases_page": FEEDBACK, "feedback.case_page": FEEDBACK,
    "feedback.answer_page": HANDLE_FEEDBACK, "feedback.move_page": HANDLE_FEEDBACK,
    # early-warning alerts (#23): officers their subtree's, analysts and admins every alert
    "alerts.list_page": ALERTS, "alerts.alert_page": ALERTS, "alerts.acknowledge": ALERTS,
    **{f"design.{name}": DESIGN for name in (
        "index", "new", "import_file", "editor", "meta", "publish", "diff", "clone",
        "set_status", "export", "assign", "section", "section_op", "item", "item_op",
        "preview")},
}

# Values for URL arguments, in scope of the unit officer (HN-X01) so that a refusal is a bug.
ARGS = {"code": "t1", "user_id": 6, "s": 0, "i": 0, "token": "not-a-token", "unit_code":
        "HN-X01", "desk_code": "MC1", "dossier_code": "D1", "filename": "css/base.css",
        "version": "0", "fmt": "csv", "kiosk_id": 1, "link_id": 1, "case_id": 1, "alert_id": 1}
ENDPOINT_ARGS = {"main.set_language": {"code": "vi"}, "dashboard.service": {"code": "land"},
                 "public.service": {"code": "land"}, "public.unit": {"code": "HN-X01"},
                 "dashboard.unit": {"code": "HN-X01"}, "admin.service_area_edit": {"code": "land"}}
ENDPOINT_ARGS.update({f"feedback.{name}": {"feedback_id": 1}
                      for name in ("case_page", "answer_page", "move_page")})


def _url(app, rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        value = ENDPOINT_ARGS.get(rule.endpoint, {}).get(name, ARGS.get(name, "x"))
        if type(converter).__name__ == "AnyConverter":
            value = sorted(converter.items)[0]
        values[name] = value
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # A crash is an answer too (reported by the tests of that page): here only access counts.
    app = staffed_app(f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'm.db'}",
                      PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        from survey.models import Unit
        from survey.services import designer

        unit = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        desk = Desk(unit=unit, code="MC1", name_vi="Bàn 1")
        db.session.add_all([desk, Kiosk(name="K1", unit=unit, desk=desk, token_nonce=uuid.uuid4()
                                        .hex, questionnaire=qservice.get("dossier_rating"))])
        create_user("spare", PASSWORD, "analyst")  # user 6: the one whose password is reset
        designer.create("t1", "survey", "Phiếu", "", "dossier_rating", "test")
        db.session.commit()
    clients = {None: app.test_client()}
    for role in ROLES:
        clients[role] = app.test_client()
        login(clients[role], role)
    yield app, clients
    with app.app_context():
        db.engine.dispose()


def test_every_endpoint_is_in_the_table(world):
    app, _ = world
    unknown = sorted({r.endpoint for r in app.url_map.iter_rules()} - EXPECTED.keys())
    assert not unknown, (
        f"endpoints missing from the role matrix: {', '.join(unknown)}. Add each to EXPECTED "
        "in tests/test_role_matrix.py with the roles that may reach it.")


def test_decorators_agree_with_the_table(world):
    app, _ = world
    for endpoint, view in app.view_functions.items():
        capability = getattr(view, "required_capability", None)
        expected = EXPECTED.get(endpoint)
        if capability is not None:
            assert CAPABILITIES[capability] == expected, endpoint
        elif expected not in (PUBLIC, STAFF, None):
            pytest.fail(f"{endpoint} should need a capability but has no access decorator")


def _refused(response, who) -> bool:
    if who is None and response.status_code == 302:
        return "/auth/login" in response.headers["Location"]
    return response.status_code in (401, 403)


def _any_token(client) -> str:
    page = client.get("/auth/password")  # every staff page has one; visitors use the login
    if page.status_code != 200:
        page = client.get("/auth/login")
    return csrf_from(page.text)


def _visit(client, method: str, url: str, endpoint: str, with_token: bool):
    headers = {"Origin": "http://localhost"}
    if method == "GET":
        response = client.get(url, headers=headers)
    elif endpoint.startswith("api."):
        response = client.open(url, method=method, json={}, headers=headers)
    else:
        data = {"csrf_token": _any_token(client)} if with_token else {}
        response = client.open(url, method=method, data=data, headers=headers)
    response.get_data()  # streamed downloads must finish inside their request context
    response.close()
    return response


def _rules(app):
    order = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout",
                                                             r.endpoint, r.rule))
    return [r for r in order if r.endpoint in EXPECTED]


def _principals(expected, clients):
    """Everyone who must be refused, and one who must get through (the narrowest role)."""
    if expected == PUBLIC:
        return [(who, client, None) for who, client in clients.items()]
    refused = [(who, client, False) for who, client in clients.items()
               if who is None or who not in expected]
    allowed = [who for who in ROLES if who in expected][-1:]
    return refused + [(who, clients[who], True) for who in allowed]


def _bad_title(html: str, url: str) -> list[str]:
    """A page's <title> is a short plain text: a block left open in a template once pasted a
    whole section of the page into it (and into <head>)."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    if found is None:
        return [] if "<html" not in html else [f"GET {url}: no <title>"]
    title = found.group(1)
    if "<" in title or len(title) > 200:
        return [f"GET {url}: <title> holds markup or a page section: {title[:120]!r}"]
    return []


def test_each_role_reaches_exactly_its_routes(world):
    app, clients = world
    failures = []
    for rule in _rules(app):
        url, expected = _url(app, rule), EXPECTED[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            seen = {}
            for who, client, allowed in _principals(expected, clients):
                response = _visit(client, method, url, rule.endpoint, with_token=True)
                seen[who] = response.status_code
                if method == "GET" and response.mimetype == "text/html":
                    failures += _bad_title(response.get_data(as_text=True), url)
                if allowed is not None and allowed == _refused(response, who):
                    failures.append(f"{method} {url} ({rule.endpoint}) as {who or 'visitor'}: "
                                    f"{response.status_code}, expected "
                                    f"{'access' if allowed else 'refusal'}")
                if rule.endpoint == "auth.logout" and who is not None:
                    login(client, who)
            # a public page may not behave differently for staff (e.g. leak a staff view)
            if expected == PUBLIC and len(set(seen.values())) > 1 \
                    and rule.endpoint not in ("auth.login", "main.index"):
                failures.append(f"{method} {url}: public route answers differently {seen}")
    assert not failures, "\n".join(failures)


# The citizen questionnaires keep the answers of a post whose form token was refused: they
# show the page again and store nothing (tests/collect/test_flow_pages.py covers that with
# real tokens); here, with a citizen token that is not one, they answer 404 before anything.
KEEP_ANSWERS = {"collect.survey", "collect.web_link", "collect.receipt",
                "investigation.case_link"}


def test_csrf_is_enforced_on_every_form(world):
    app, clients = world
    failures = []
    for rule in _rules(app):
        if rule.endpoint.startswith("api."):
            continue  # bearer-key API: exempt by design, checks the Origin itself
        url = _url(app, rule)
        allowed = {400, 404} if rule.endpoint in KEEP_ANSWERS else {400}
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            for who, client in clients.items():
                response = _visit(client, method, url, rule.endpoint, with_token=False)
                if response.status_code not in allowed:
                    failures.append(f"{method} {url} as {who or 'visitor'} without a CSRF "
                                    f"token: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_no_form_on_a_page_lacks_its_token(world):
    app, clients = world
    for url in ("/design/", "/design/t1/", "/admin/users", "/admin/units", "/admin/desks",
                "/auth/password", "/design/t1/sections/0/items/0"):
        html = clients["admin"].get(url).text
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S):
            assert "csrf_token" in form, (url, form[:200])


def test_a_visitor_is_asked_to_log_in(world):
    """Without credentials: the API answers 401 with a challenge, a page sends to the login."""
    app, clients = world
    failures = []
    for rule in _rules(app):
        if EXPECTED[rule.endpoint] == PUBLIC:
            continue
        url = _url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = _visit(clients[None], method, url, rule.endpoint, with_token=True)
            if rule.endpoint.startswith("api."):
                ok = response.status_code == 401 and "WWW-Authenticate" in response.headers
            else:
                ok = response.status_code == 302 and \
                    response.headers["Location"].startswith("/auth/login")
            if not ok:
                failures.append(f"{method} {url} ({rule.endpoint}) as a visitor: "
                                f"{response.status_code}")
    assert not failures, "\n".join(failures)
