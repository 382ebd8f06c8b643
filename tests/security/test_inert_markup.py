"""Script and HTML typed into answers, labels and names are shown as text on every page.

A demo province is loaded whose every questionnaire text (titles, intros, section titles, item
labels, help, choice labels), unit, service area, procedure group, procedure, desk and kiosk
name, and open-text answer carries PAYLOAD. Then every page that shows them is fetched and
parsed: no element or attribute of the payload may exist, no event-handler attribute, no
javascript: link, no inline script; JSON in <script type="application/json"> must parse; and the
payload must be there, whole, as text (so the page did show it, and "{{7*7}}" was not evaluated).
"""

from __future__ import annotations

import io
import json
import re
import uuid
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

import questionnaires as qn
from survey.extensions import db
from survey.models import Desk, Kiosk, Procedure, ProcedureGroup, ServiceArea, Unit
from survey.services import questionnaires as qservice
from survey.services import tokens
from survey.services.accounts import create_user
from survey.services.demo import load_demo
from tests.conftest import make_app
from tests.design.helpers import PASSWORD, login

# One string, many ways out: a script element, an attribute breakout into an element with an
# event handler, the end of a <textarea>/<title>/<script>, template syntax (Jinja, JS), and a
# link (which Plotly would draw as one in a chart label).
PAYLOAD = ('<script>alert("xss")</script>"><img src=x onerror=alert(1)>'
           "'><svg onload=alert(2)></textarea></title></script>{{7*7}}${7*7}"
           '<a href="https://evil.example/">link</a>')
# Where a value could become a link
JS_URL = "javascript:alert(3)//"
SHORT = '"><svg onload=alert(4)>'  # for fields of at most 60 characters (dossier codes)
USERNAME = "<script>alert(5)</script><img src=x onerror=alert(6)>"  # at most 80 characters


def _hostile_texts(node):
    """Every {vi, en} text of a questionnaire definition, with the payload appended."""
    if isinstance(node, dict):
        if node and set(node) <= {"vi", "en"} and all(isinstance(v, str) for v in node.values()):
            return {lang: f"{value} {PAYLOAD}" for lang, value in node.items()}
        return {key: _hostile_texts(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_hostile_texts(value) for value in node]
    return node


def _publish_hostile_builtins(actor: str = "setup"):
    results = []
    for definition in qn.load_builtins().values():
        hostile = qn.from_dict(_hostile_texts(qn.to_dict(definition)))
        qservice.save_draft(hostile, actor)
        results.append(qservice.publish(hostile.code, actor))
    return results


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('inert') / 'inert.db'}")
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        db.create_all()
        # the demo publishes the built-in questionnaires: publish them hostile instead
        patch.setattr(qservice, "load_and_publish_builtins", _publish_hostile_builtins)
        load_demo(scale=0.1)
        db.session.commit()
    with app.app_context():
        for model in (Unit, ServiceArea, ProcedureGroup, Procedure):
            db.session.execute(db.update(model).values(name_vi=PAYLOAD, name_en=JS_URL + PAYLOAD))
        db.session.execute(text("UPDATE answer SET value_text = :p WHERE item_code = 'comments' "
                                "AND value_text IS NOT NULL"), {"p": PAYLOAD})
        # a commune of today (the demo's reform ended some: their codes are refused)
        commune = db.session.execute(db.select(Unit).filter_by(level="commune", valid_to=None)
                                     .order_by(Unit.code)).scalars().first()
        db.session.execute(db.update(Desk).values(name_vi=PAYLOAD, name_en=JS_URL + PAYLOAD))
        db.session.execute(db.update(Kiosk).values(name=PAYLOAD))
        desk = Desk(unit=commune, code="XSS", name_vi=PAYLOAD, name_en=JS_URL + PAYLOAD)
        kiosk = Kiosk(name=PAYLOAD, unit=commune, desk=desk, token_nonce=uuid.uuid4().hex,
                      questionnaire=qservice.get("dossier_rating"))
        db.session.add_all([desk, kiosk])
        create_user("admin", PASSWORD, "admin")
        hostile_user = create_user(USERNAME, PASSWORD, "analyst", actor="admin")
        # a second version, so that the designer's diff page has labels on both sides
        definition = qservice.definition_of(qservice.get_version("land_survey"))
        changed = qn.to_dict(definition)
        changed["sections"][0]["title"]["vi"] += " (2)"
        qservice.save_draft(qn.from_dict(changed), "test")
        qservice.publish("land_survey", "test")
        issued = tokens.issue_dossier_token(SHORT, commune.code)
        db.session.commit()
        refs = {"unit": commune.code, "desk": desk.code, "kiosk": tokens.kiosk_token(kiosk),
                "qr": tokens.qr_token(commune.code, desk.code, "land_survey"),
                "receipt": issued.token, "area": "land", "user": hostile_user.id,
                "procedure": db.session.execute(db.select(Procedure.code)).scalars().first()}
    yield app, refs
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Inspector(HTMLParser):
    """Collects what would be live in a browser, and the text a person would read."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []  # elements, attributes or scripts that must not exist
        self.text: list[str] = []  # text, attribute values and JSON strings
        self._script: tuple[str, bool, str] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in self.URL_ATTRIBUTES and (value or "").strip().lower().startswith(
                    ("javascript:", "data:text/html", "vbscript:")):
                self.live.append(f"<{tag} {name}={value!r}>")
            if value:
                self.text.append(value)
        if tag in ("img", "svg") and attributes.get("src") == "x" or tag == "svg" and any(
                name.startswith("on") for name in attributes):
            self.live.append(f"<{tag}> from the payload")
        if tag == "script":
            self._script = (attributes.get("type") or "", "src" in attributes,
                            attributes.get("id") or "")
            self._script_text = []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            kind, has_src, name = self._script
            body = "".join(self._script_text)
            if kind == "application/json":
                try:
                    strings = list(_strings(json.loads(body)))
                except ValueError:
                    self.live.append(f"a JSON script block that does not parse: {body[:80]!r}")
                    strings = []
                self.text.extend(strings)
                if name.endswith("-data"):  # a Plotly figure: it reads <b>, <a href> in labels
                    self.live.extend(f"a chart label Plotly would read as HTML: {v[:60]!r}"
                                     for v in strings if "alert(" in v and "<" in v)
            elif body.strip() or not has_src:
                self.live.append(f"an inline script: {body[:80]!r}")
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)
        else:
            self.text.append(data)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def assert_inert(html: str, where: str, shows: str | None = PAYLOAD) -> None:
    found = inspect(html)
    assert not found.live, f"{where}: live markup {found.live[:5]}"
    assert "}}49" not in html and "${49}" not in html, f"{where}: a template was evaluated"
    if shows is not None:
        assert any(shows in piece for piece in found.text), \
            f"{where}: the hostile text is not shown, so this page checks nothing"


# Pages as staff (an admin sees them all), each with the hostile text it must show.
STAFF_PAGES = [
    "/dashboard/", "/dashboard/?questionnaire=land_survey", "/dashboard/service/{area}",
    "/dashboard/unit/{unit}", "/dashboard/comments", "/dashboard/comments?q=alert",
    "/dashboard/crosstab", "/dashboard/crosstab?row=sex&column=age_band", "/dashboard/league",
    "/dashboard/league?at=district", "/dashboard/ratings", "/dashboard/report",
    "/dashboard/export",
    "/records/", "/records/appendix", "/records/procedures", "/records/procedures/{procedure}",
    "/design/", "/design/land_survey/", "/design/land_survey/sections/0",
    "/design/land_survey/sections/0/items/0", "/design/land_survey/sections/0/items/new",
    "/design/land_survey/preview/phone", "/design/land_survey/preview/kiosk",
    "/design/land_survey/diff?old=1&new=2",
    "/admin/users", "/admin/users/{user}", "/admin/units", "/admin/desks", "/admin/audit",
    "/kiosks", "/posters/{unit}/{desk}", "/dossier-tokens/new", "/security/anomalies",
]
# Pages that show none of the hostile data (their own inertness is still checked).
QUIET = {"/dossier-tokens/new", "/security/anomalies", "/dashboard/export", "/records/",
         "/dashboard/crosstab", "/dashboard/crosstab?row=sex&column=age_band"}
# Pages whose hostile text is a user name
SHOWS = {"/admin/users": USERNAME, "/admin/users/{user}": USERNAME, "/admin/audit": USERNAME}
CITIZEN_PAGES = ["/s/{qr}", "/k/{kiosk}", "/r/{receipt}"]


@pytest.fixture(scope="module")
def admin(world):
    client = world[0].test_client()
    login(client, "admin")
    return client


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_show_hostile_text_as_text(world, admin, page):
    url = page.format(**world[1])
    answer = admin.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    assert answer.mimetype == "text/html"
    assert_inert(answer.text, url, None if page in QUIET else SHOWS.get(page, PAYLOAD))


@pytest.mark.parametrize("page", CITIZEN_PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_citizen_pages_show_hostile_labels_as_text(world, page, lang):
    client = world[0].test_client()
    client.get(f"/lang/{lang}")
    url = page.format(**world[1])
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    assert_inert(answer.text, url)


def test_a_citizen_page_with_errors_and_answers_carried_stays_inert(world):
    """The second page of the phone form, after a first page sent with an open-text answer
    that holds the payload: the answer travels in a hidden field and comes back in errors."""
    app, refs = world
    client = app.test_client()
    url = f"/s/{refs['qr']}"
    first = client.get(url).text
    fields = dict(re.findall(r'name="(csrf_token|response_id|version|section|carried)"'
                             r'[^>]*value="([^"]*)"', first))
    carried = json.dumps({"comments": PAYLOAD, "x": JS_URL + PAYLOAD})
    answer = client.post(url, data={**fields, "carried": carried, "action": "next"})
    assert answer.status_code == 200
    assert_inert(answer.text, "the first page sent empty")
    assert "has-error" in answer.text  # the page came back with its errors shown


def test_the_report_pdf_and_workbook_are_made(admin):
    pdf = admin.get("/dashboard/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    workbook = admin.get("/dashboard/report.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data), read_only=True)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any(PAYLOAD in c for c in cells), "the workbook shows the hostile names"
    assert not any(c.startswith(("=", "+", "-", "@")) and "(" in c for c in cells)


def test_the_json_export_carries_the_text_unchanged(admin):
    answer = admin.get("/dashboard/export/responses.json")
    assert answer.status_code == 200
    records = json.loads(answer.get_data(as_text=True))
    assert any(r["answers"].get("comments") == PAYLOAD for r in records)


def test_the_designer_yaml_export_loads_back_with_the_labels(admin):
    answer = admin.get("/design/land_survey/export.yaml")
    assert answer.status_code == 200
    exported = qn.load_text(answer.get_data(as_text=True))
    assert PAYLOAD in exported.title.vi


# --- in real Chromium: nothing runs, nothing breaks the policy, charts show the text ----------

CHROMIUM = "/usr/bin/chromium"
BROWSER_PAGES = ["/dashboard/", "/dashboard/service/{area}", "/dashboard/unit/{unit}",
                 "/dashboard/league?at=district", "/dashboard/comments", "/dashboard/report",
                 "/design/land_survey/sections/0/items/0", "/design/land_survey/preview/phone",
                 "/s/{qr}", "/k/{kiosk}"]
# What a payload element or handler would leave behind in the page
LIVE_SELECTOR = ('img[src="x"], [onerror], [onload], '
                 'script:not([src]):not([type="application/json"]), [data-figure] svg a')
SVG_TEXT = """selector => Array.from(document.querySelectorAll(selector))
    .map(t => t.textContent).join('\\n')"""


@pytest.mark.browser
@pytest.mark.slow
def test_in_chromium_no_payload_runs_and_charts_show_it_as_text(world):
    import os
    import threading

    from werkzeug.serving import make_server

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's chromium package")
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARGS

    app, refs = world
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    dialogs, problems = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=ARGS)
            context = browser.new_context(base_url=f"http://127.0.0.1:{http.server_port}",
                                          viewport={"width": 1280, "height": 900})
            page = context.new_page()  # csp_watch fails the test on a policy violation
            page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"),
                                         d.dismiss()))
            page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
            page.goto("/auth/login")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit] >> nth=-1")
            page.wait_for_load_state()
            for template in BROWSER_PAGES:
                url = template.format(**refs)
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if page.locator("[data-figure]").count():
                    page.wait_for_selector("[data-figure] .main-svg")
                live = page.locator(LIVE_SELECTOR).count()
                if live:
                    problems.append(f"{url}: {live} element(s) from the payload")
                if "/design/" not in url and PAYLOAD not in page.inner_text("body"):
                    problems.append(f"{url}: the payload is not shown as text")
            # Plotly reads <b>, <a href> in labels: the legend and the hover show the text
            page.goto("/dashboard/")
            page.wait_for_selector("#trend .legendtext")
            legend = page.evaluate(SVG_TEXT, "#trend .legendtext")
            # the districts ended mid-2025 in the demo's reform: a whole year of them, as recorded
            page.goto("/dashboard/league?at=district&view=recorded&from=2024&to=2024")
            page.wait_for_selector("#funnel .main-svg")
            page.locator("#funnel .scatterlayer .trace:last-child .point").first.hover(
                force=True)
            page.wait_for_selector("#funnel .hoverlayer text")
            hover = page.evaluate(SVG_TEXT, "#funnel .hoverlayer text")
            context.close()
            browser.close()
    finally:
        http.shutdown()
        thread.join(5)
    assert dialogs == []
    assert problems == []
    assert PAYLOAD in legend, legend
    assert PAYLOAD in hover, hover
