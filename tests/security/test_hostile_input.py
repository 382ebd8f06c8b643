"""Hostile input the fuzzers found, each pinned by a plain test: a clean 4xx naming the culprit,
never a 500. Also the citizen flow's hidden fields, which no OpenAPI description covers."""

from __future__ import annotations

import io
import json
import uuid
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.extensions import db
from survey.models import Response
from survey.models.records import COUNT_COLUMNS
from survey.services import questionnaires as qservice
from survey.services import tokens
from survey.services.accounts import create_api_key
from survey.services.reference import load_service_areas
from tests import factories
from tests.collect.conftest import land_answers
from tests.conftest import fresh_postgres_databases, make_app, postgres_url
from tests.design.helpers import login, make_users

ANALYSIS = ("/api/v1/indices", "/api/v1/trends?by=service_area", "/api/v1/elements",
            "/api/v1/weighted", "/api/v1/records", "/api/v1/appendix", "/api/v1/records/on-time")


def _world(url: str):
    # 500s must come back as responses, as a client sees them, not as exceptions in the test
    app = make_app(url, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        db.create_all()
        load_service_areas()
        qservice.load_and_publish_builtins()
        db.session.commit()
    make_users(app)  # units HN > HN-X01, HN-X02; one user per role
    with app.app_context():
        key = create_api_key("fuzz-admin", "admin").key
        qr = tokens.qr_token("HN-X01", None, "land_survey")
        answers = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
        db.session.commit()
    return app, {"Authorization": f"Bearer {key}"}, qr, answers


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app, auth, qr, answers = _world(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'h.db'}")
    yield app, auth, qr, answers
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def api(world):
    app, auth, _, _ = world
    client = app.test_client()

    def call(method: str, url: str, **kwargs):
        return client.open(url, method=method, headers=auth, **kwargs)

    return call


# --- POST /dossier-tokens: a JSON body's fields must be text -------------------------------

@pytest.mark.parametrize("field", ["dossier_code", "unit", "procedure", "questionnaire"])
@pytest.mark.parametrize("value", [["a"], {"a": 1}, 5, True, "a\x00b"])
def test_dossier_token_fields_that_are_not_plain_text_are_named(api, field, value):
    body = {"dossier_code": "HS-1", "unit": "HN-X01", field: value}
    answer = api("POST", "/api/v1/dossier-tokens", json=body)
    assert answer.status_code == 422, answer.text
    assert field in answer.json["errors"]


def test_a_dossier_token_is_still_issued_for_plain_text(api):
    answer = api("POST", "/api/v1/dossier-tokens", json={"dossier_code": "HS-2", "unit": "HN-X01"})
    assert answer.status_code == 201, answer.text
    assert answer.json["dossier_code"] == "HS-2"


# --- NUL characters: PostgreSQL text cannot hold them -------------------------------------

@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/indices?unit=HN%00", "unit"),
    ("/api/v1/indices?questionnaire=land_survey%00", "questionnaire"),
    ("/api/v1/indices?by=demographic:%00", "by"),
    ("/api/v1/indices?measure=item:%00", "measure"),
    ("/api/v1/appendix?service_area=land%00", "service_area"),
    ("/api/v1/records?unit=%00", "unit"),
    ("/api/v1/records/on-time?questionnaire=%00", "questionnaire"),
])
def test_a_nul_character_in_a_filter_is_a_named_400(api, url, parameter):
    answer = api("GET", url)
    assert answer.status_code == 400, answer.text
    assert answer.json["parameter"] == parameter


def test_a_nul_character_in_a_path_is_a_named_400(api):
    answer = api("PUT", "/api/v1/dossier-tokens/HS%00/on-time-status",
                 json={"on_time_status": "late"})
    assert answer.status_code == 400, answer.text
    assert answer.json["parameter"] == "dossier_code"


def test_a_nul_character_in_a_page_filter_or_a_form_is_a_400(world):
    app = world[0]
    client = app.test_client()
    login(client, "analyst")
    assert client.get("/dashboard/?unit=HN%00").status_code == 400
    assert client.get("/dashboard/comments?q=a%00b").status_code == 400
    visitor = app.test_client()
    assert visitor.post("/auth/login", data={"username": "a\x00", "password": "x"}) \
        .status_code == 400


# --- numbers: "²".isdigit() is true, int("²") fails; huge values overflow the columns ------

@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/indices?from=%C2%B2", "from"),                      # ²
    ("/api/v1/indices?to=%D9%A2%D9%A0%D9%A2%D9%A4", "to"),        # Arabic-Indic 2024
    ("/api/v1/indices?from=99999999999999999999", "from"),
    ("/api/v1/appendix?year=%C2%B2", "year"),
    ("/api/v1/appendix?year=99999999999999999999", "year"),
    ("/api/v1/appendix?year=1899", "year"),
    ("/api/v1/records?from=" + "9" * 5000, "from"),
])
def test_a_year_is_four_ascii_digits_in_range(api, url, parameter):
    answer = api("GET", url)
    assert answer.status_code == 400, answer.text
    assert answer.json["parameter"] == parameter


def test_the_appendix_names_an_unknown_unit(api):
    answer = api("GET", "/api/v1/appendix?unit=NOWHERE&year=2024")
    assert answer.status_code == 400, answer.text
    assert answer.json["parameter"] == "unit"


@pytest.mark.parametrize("query, parameter", [
    ("power=abc", "power"), ("alpha=2", "alpha"), ("population=0", "population"),
    ("p1=0.5&p2=0.6&margin=9", "margin"),
])
def test_sample_size_checks_every_value_given_even_unused(api, query, parameter):
    answer = api("GET", f"/api/v1/sample-size?{query}")
    assert answer.status_code == 400, answer.text
    assert answer.json["parameter"] == parameter


def _stats(counts: list[str], tail: str = "") -> bytes:
    head = "period,unit,procedure_group," + ",".join(COUNT_COLUMNS)
    return f"{head}\n2024,HN-X01,land,{','.join(counts)}{tail}\n".encode()


@pytest.mark.parametrize("first, message", [
    ("²", "not a whole number"),
    ("1" * 10, "10 digits"),
    ("9" * 5000, "5000 digits"),
])
def test_dossier_counts_are_plain_whole_numbers_of_at_most_nine_digits(api, first, message):
    counts = [first, "0", "0", first] + ["0"] * (len(COUNT_COLUMNS) - 4)
    answer = api("POST", "/api/v1/records/import",
                 data={"file": (io.BytesIO(_stats(counts)), "stats.csv")})
    assert answer.status_code == 422, answer.text
    problem = answer.json["problems"][0]
    assert (problem["row"], problem["column"]) == (2, COUNT_COLUMNS[0])
    assert message in problem["message"]


def test_a_csv_cell_over_the_field_limit_is_a_located_problem(api):
    counts = ["1", "0", "0", "1"] + ["0"] * (len(COUNT_COLUMNS) - 4)
    body = _stats(counts, tail="," + "x" * 200_000)
    answer = api("POST", "/api/v1/records/import", data={"file": (io.BytesIO(body), "s.csv")})
    assert answer.status_code == 422, answer.text
    assert answer.json["problems"] == [
        {"row": 2, "column": "-", "message": "field larger than field limit (131072)"}]


@pytest.mark.parametrize("url", [
    "/dashboard/comments?page=%C2%B2", "/dashboard/comments?page=" + "1" * 5000,
])
def test_dashboard_numbers_that_are_not_plain_fall_back(world, url):
    client = world[0].test_client()
    login(client, "analyst")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [
    "/dashboard/report?year=%C2%B2", "/dashboard/report?year=99999999999999999999",
    "/dashboard/report.pdf?year=%C2%B2", "/dashboard/report.docx?year=" + "9" * 5000,
])
def test_a_report_year_that_is_not_a_year_is_a_400_page(world, url):
    """The report's year names the document's year: a wrong one is refused, not replaced."""
    client = world[0].test_client()
    login(client, "analyst")
    assert client.get(url).status_code == 400


# --- the citizen pages' hidden fields ------------------------------------------------------

def _page_fields(client, qr: str) -> dict:
    import re

    html = client.get(f"/s/{qr}").text
    return dict(re.findall(
        r'name="(csrf_token|response_id|version|section|carried)"[^>]*value="([^"]*)"', html))


def test_a_deeply_nested_carried_field_is_ignored(world):
    app, _, qr, _ = world
    client = app.test_client()
    fields = _page_fields(client, qr)
    for carried in ("[" * 20_000 + "]" * 20_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        answer = client.post(f"/s/{qr}", data={**fields, "carried": carried, "action": "next"})
        assert answer.status_code == 200


def test_an_edited_response_id_does_not_stop_the_citizen(world):
    app, _, qr, answers = world
    client = app.test_client()
    with app.app_context():
        definition = qservice.definition_of(qservice.get_version("land_survey"))
    last = len(definition.sections) - 1
    on_last = {item.code for item in definition.sections[last].items}
    data = {**_page_fields(client, qr), "section": str(last), "action": "next",
            "carried": json.dumps({k: v for k, v in answers.items() if k not in on_last}),
            **{f"q_{k}": v for k, v in answers.items() if k in on_last}}
    for response_id in ("not-a-uuid", "", "x" * 5000, str(uuid.uuid4())):
        # An id the server did not sign into the page stores nothing: the page comes back
        # with a new signed id and every answer kept, asking to send again.
        before = _responses(app)
        answer = client.post(f"/s/{qr}", data={**data, "response_id": response_id})
        assert answer.status_code == 200
        assert "Gửi lại" in answer.text or "Send again" in answer.text
        assert _responses(app) == before
        again = _form_as_sent(answer.text)
        assert again["response_id"] not in (response_id, data["response_id"])
        # Sent as a browser sends the page it got back (its hidden fields, the answers it
        # shows): stored once, with every answer the citizen gave.
        sent = client.post(f"/s/{qr}", data={**again, "action": "next"})
        assert sent.status_code == 302 and sent.headers["Location"].endswith("/thanks")
        assert _responses(app) == before + 1
        with app.app_context():
            newest = db.session.execute(db.select(Response).order_by(Response.id.desc())
                                        .limit(1)).scalar_one()
            stored = {a.item_code: "no_answer" if a.missing_code else
                      str(a.value_int if a.value_int is not None else a.value_text)
                      for a in newest.answers}
        assert {code: stored.get(code) for code in answers} == \
            {code: str(value) for code, value in answers.items()}


def _responses(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Response.id))).scalar()


class _Form(HTMLParser):
    """The fields a browser sends with a page's form: hidden and text inputs, checked radios
    and boxes, textareas, selected options (buttons aside)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and not a.get("disabled") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button"):
                self.fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _form_as_sent(page: str) -> dict[str, str]:
    form = _Form()
    form.feed(page)  # convert_charrefs: attribute values and text come unescaped
    return form.fields


HIDDEN = st.fixed_dictionaries({}, optional={
    "response_id": st.text(max_size=40) | st.uuids().map(str),
    "version": st.text(max_size=12) | st.integers(-2**70, 2**70).map(str),
    "section": st.text(max_size=12) | st.integers(-5, 2**40).map(str),
    "carried": st.text(max_size=60) | st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                    max_size=3),
        max_leaves=8).map(json.dumps),
    "action": st.sampled_from(["next", "back", "lang:en", "lang:xx", ""]) | st.text(max_size=10),
    "q_a1_seating": st.text(max_size=6), "q_comments": st.text(max_size=30),
})


def test_whatever_the_hidden_fields_hold_the_citizen_page_answers(world):
    app, _, qr, _ = world
    client = app.test_client()

    token = _page_fields(client, qr)["csrf_token"]

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(form=HIDDEN)
    def run(form):
        answer = client.post(f"/s/{qr}", data={**form, "csrf_token": token})
        if any("\x00" in value for value in form.values()):
            assert answer.status_code == 400, form
        else:  # 404: a version that does not exist
            assert answer.status_code in (200, 302, 404), (answer.status_code, form)

    run()


# --- POST /responses: impossible versions and NUL characters --------------------------------


@pytest.mark.parametrize("version", [2**63, -(2**63) - 1, 2**31, 0, "²", "9" * 5000])
def test_an_impossible_version_number_is_a_4xx(world, version):
    app, _, qr, answers = world
    body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": "HN-X01",
            "channel": "phone", "token": qr, "answers": answers, "version": version}
    answer = app.test_client().post("/api/v1/responses", json=body)
    assert 400 <= answer.status_code < 500, answer.status_code


@pytest.mark.postgres
@pytest.mark.parametrize("field", ["questionnaire", "unit", "comments", "version"])
def test_a_nul_character_in_a_submission_is_no_server_error_on_postgres(tmp_path, field):
    """A NUL in a code is refused; in a free-text answer it is dropped and the text kept
    (a citizen never typed it). A version beyond 32 bits is refused, not an overflow."""
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    with fresh_postgres_databases(url, "hl_nul") as (database,):
        app, _, _, answers = _world(database)
        with app.app_context():  # the proof of a web answer: an officer's web link
            body = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                                    "unit": "HN-X01", "channel": "web", "answers": answers})
        if field == "comments":
            body["answers"] = {**answers, "comments": "a\x00b"}
        elif field == "version":
            body["version"] = 2**31
        else:
            body[field] = body[field] + "\x00"
        try:
            answer = app.test_client().post("/api/v1/responses", json=body)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    if field == "comments":
        assert answer.status_code == 201 and answer.json["answers"]["comments"] == "ab"
    else:
        assert 400 <= answer.status_code < 500, answer.status_code
