"""Every operation of the API, driven by schemathesis from the app's own OpenAPI description.

The description is what the app serves at /api/v1/openapi.json; the requests go to an app
holding a small demo province (so the analysis endpoints have something to compute), with an
admin API key that may use every operation. Generated inputs are both schema-valid and
schema-violating. Every answer must be a non-5xx, with a documented status code and content
type, and a body that matches the documented schema. Two of schemathesis' checks are left out:
"valid data is accepted" (an unknown unit code is a well-formed string, yet refused) and
"invalid data is refused" (an empty query value means "not given", and some invalid values,
such as the list [""], travel as that same empty value).

It runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL, which refuses things
SQLite takes silently (NUL characters, integers beyond 32 bits).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import func

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, QuestionnaireVersion, Response, Unit
from survey.services.accounts import create_api_key
from survey.services.questionnaires import definition_of, get_version
from tests.collect.conftest import land_answers
from tests.conftest import DATABASES, database_of_kind, make_app
from tests.survey import reporting_data as data

# Examples per operation and database; 14 operations. Enough to reach every parameter's
# boundaries (schemathesis tries those first), small enough for the file to stay near 30 s.
EXAMPLES = 25

# Only serves the description (it reads no database), so it can be made while collecting.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", make_app("sqlite://"))

# A real unit and a complete valid answer set of the land survey, set by `world`.
TARGET: dict = {}


@schema.hook("flatmap_body")
def aim_some_submissions(context, body):
    """Most of the generated submissions go to a real questionnaire and unit, with a complete
    answer set into which the generated answer values are written, so that some are stored and
    the values reach each item type's checks rather than stopping at "unknown questionnaire"."""
    if context.operation is None or context.operation.path != "/responses" \
            or not isinstance(body, dict) or not TARGET:
        return st.just(body)
    given = body.get("answers")
    values = list(given.values()) if isinstance(given, dict) else [given]
    # a random token or service area would be refused before any answer is looked at
    kept = {k: v for k, v in body.items() if k in ("id", "submitted_at", "version")}
    aimed = st.permutations(sorted(TARGET["answers"])).map(lambda codes: {
        **kept, "questionnaire": "land_survey", "unit": TARGET["unit"], "channel": "web",
        "answers": {**TARGET["answers"], **dict(zip(codes, values, strict=False))}})
    return aimed | st.just(body)


def _build(url: str):
    # A crash must come back as the 500 a client would see, so that schemathesis reports it.
    app = make_app(url, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        db.create_all()
    keys = data.build(app, scale=0.05)
    with app.app_context():
        keys["admin"] = create_api_key("key-admin", "admin").key
        db.session.commit()
    return app, keys


# The shared fixture's two databases, but one of each for the module: its world is costly.
@pytest.fixture(scope="module", params=DATABASES)
def database_url(request, tmp_path_factory):
    with database_of_kind(request.param, tmp_path_factory.mktemp("fuzz"), "hl_fuzz") as url:
        yield url


@pytest.fixture(scope="module")
def world(database_url):
    app, keys = _build(database_url)
    with app.app_context():
        commune = db.session.execute(
            db.select(Unit.code).filter_by(level="commune").order_by(Unit.code)).scalars().first()
        TARGET.update(unit=commune, answers=land_answers(definition_of(get_version("land_survey"))),
                      first_new=db.session.execute(db.select(func.max(Response.id))).scalar() + 1)
    yield app, keys
    TARGET.clear()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_answers_as_documented(case, world):
    app, keys = world
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {keys['admin']}"},
                           excluded_checks=[positive_data_acceptance, negative_data_rejection])


def test_what_the_fuzzing_stored_keeps_the_questionnaires_rules(world):
    """Runs after the operations above (file order): every response POST /responses stored
    from generated input is one its questionnaire allows."""
    app, _ = world
    with app.app_context():
        stored = db.session.execute(db.select(Response).where(
            Response.id >= TARGET["first_new"])).scalars().all()
        assert stored, "the fuzzing stored no response, so there is nothing to check"
        for response in stored:
            definition = definition_of(db.session.get(QuestionnaireVersion, response.version_id))
            answers = db.session.execute(
                db.select(Answer).filter_by(response_id=response.id)).scalars()
            raw = {a.item_code: ("no_answer" if a.missing_code else
                                 a.value_int if a.value_int is not None else a.value_text)
                   for a in answers}
            _, errors = qn.validate_answers(definition, raw, "en")
            assert errors == {}, (response.uuid, errors)
