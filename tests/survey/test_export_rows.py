"""Export rows and CSV cells against rows built independently from the ORM objects, on values
chosen to break a careless reader: texts with quotes, line breaks, backslashes, JSON and
formula starts; zero, negative and large integers; the three no-answer codes; a response
without answers; an answer whose item is in no questionnaire; microsecond timestamps."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Questionnaire, QuestionnaireVersion, Response, Unit
from survey.services import exports
from survey.services import questionnaires as qservice
from survey.services.reporting import Scope
from tests import factories

WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXTS = [
    '=HYPERLINK("http://evil.example","click")', "+84 912 345 678", "-5 điểm", "@SUM(A1)",
    "\tindented", "\rcarriage", 'she said "fine", then left\nsecond line', "Việt ☃ \u2028 end",
    "back\\slash \\u0041 \\n", '{"json": [1, 2], "k": null}', "  spaced  ", "'quoted already",
]


def build_responses() -> None:
    """Survey responses interleaved with dossier ratings (their ids are not contiguous)."""
    qservice.load_and_publish_builtins()
    province = factories.unit("P")
    district = factories.unit("P-H1", "district", province)
    land = qservice.get_version("land_survey")
    rating = qservice.get_version("dossier_rating")
    moments = [datetime(2025, 6, 1, 3, 0, tzinfo=UTC),
               datetime(2024, 1, 31, 23, 59, 59, 123456, tzinfo=UTC)]
    for n, text in enumerate(TEXTS):
        unit = district if n % 3 else province
        survey = factories.response(land, unit, channel=("web", "paper", "phone")[n % 3],
                                    submitted_at=moments[n % 2])
        answers = {"a1_seating": ("int", n % 5 + 1), "comments": ("text", text),
                   "sex": ("text", ("male", "female")[n % 2]),
                   "land_supplements": ("int", (0, -5, 2_147_483_647)[n % 3]),
                   "a2_equipment": ("missing", (97, 98, 99)[n % 3])}
        if n == 4:
            answers = {}  # a response without answers
        if n == 5:
            answers["zz_in_no_questionnaire"] = ("text", "ignored")
        for code, (kind, value) in answers.items():
            db.session.add(Answer(
                response_id=survey.id, item_code=code,
                value_int=value if kind == "int" else None,
                value_text=value if kind == "text" else None,
                missing_code=value if kind == "missing" else None))
        kiosk = factories.response(rating, province, submitted_at=moments[(n + 1) % 2])
        db.session.add(Answer(response_id=kiosk.id, item_code="rating", value_int=n % 3 + 1))
        db.session.add(Answer(response_id=kiosk.id, item_code="comment",
                              value_text=TEXTS[-1 - n]))
    db.session.flush()


def expected_rows(stream: str, names: list[str], unit_prefix: str = "") -> list[list]:
    """The rows the export should give, from the ORM objects, in response id order."""
    questionnaire = dict(db.session.execute(
        select(QuestionnaireVersion.id, Questionnaire.code).join(Questionnaire)
        .where(Questionnaire.kind == stream)).all())
    versions = {v.id: v.number for v in db.session.scalars(select(QuestionnaireVersion))}
    units = {u.id: u.code for u in db.session.scalars(select(Unit))}
    rows = []
    for r in db.session.scalars(select(Response).order_by(Response.id)):
        if r.version_id not in questionnaire or not units[r.unit_id].startswith(unit_prefix):
            continue
        values = {a.item_code: WORDS[a.missing_code] if a.missing_code is not None
                  else a.value_int if a.value_int is not None else a.value_text
                  for a in r.answers}
        envelope = {"response_id": str(r.uuid), "questionnaire": questionnaire[r.version_id],
                    "version": versions[r.version_id], "unit": units[r.unit_id],
                    "channel": r.channel, "submitted_at": r.submitted_at.isoformat()}
        rows.append([envelope[n] if n in envelope else values.get(n) for n in names])
    return rows


def csv_cell(value, column) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and column.storage == "text" and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def check_export(stream: str, unit: str | None = None, chunk: int = 2) -> None:
    scope = Scope(stream=stream, unit=unit)
    table = exports.export_table(scope, chunk=chunk)  # several queries
    names = table.headers
    expected = expected_rows(stream, names, unit or "")
    assert len(expected) > 3
    assert list(exports.export_table(scope, chunk=chunk).rows) == expected
    assert [type(v) for row in expected for v in row] == [
        type(v) for row in exports.export_table(scope, chunk=3).rows for v in row]
    text = "".join(exports.writers.iter_csv(table.columns, table.rows))
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert lines[0] == names
    assert lines[1:] == [[csv_cell(v, c) for v, c in zip(row, table.columns, strict=True)]
                         for row in expected]


@pytest.fixture
def responses(ctx):
    build_responses()
    yield


@pytest.mark.parametrize("stream", ["survey", "dossier_rating"])
def test_rows_and_csv_cells_equal_the_orm_objects(responses, stream):
    check_export(stream)


def test_a_unit_scope_exports_its_responses_only(responses):
    check_export("survey", unit="P-H1")


def test_the_tricky_values_are_really_there(responses):
    table = exports.export_table(Scope(stream="survey"))
    rows = list(table.rows)
    names = table.headers
    comments = [row[names.index("comments")] for row in rows]
    assert set(TEXTS) - set(comments) == {TEXTS[4]}  # the response without answers
    assert all(v is None for v in rows[4][len(exports.ENVELOPE):])
    assert {row[names.index("land_supplements")] for row in rows} == {0, -5, 2_147_483_647, None}
    assert {row[names.index("a2_equipment")] for row in rows} == {*WORDS.values(), None}
    assert "zz_in_no_questionnaire" not in names
    assert {row[names.index("submitted_at")] for row in rows} == {
        "2025-06-01T03:00:00+00:00", "2024-01-31T23:59:59.123456+00:00"}
    assert str(uuid.UUID(rows[0][0])) == rows[0][0]


def test_long_gaps_and_dense_stretches_of_response_ids(ctx):
    """Windows of ids widen across a stretch without survey responses, then meet a dense one."""
    qservice.load_and_publish_builtins()
    unit = factories.unit("P")
    land = qservice.get_version("land_survey")
    rating = qservice.get_version("dossier_rating")
    for stretch, (version, count) in enumerate([(rating, 60), (land, 3), (rating, 45),
                                                (land, 40), (rating, 5)]):
        for n in range(count):
            r = factories.response(version, unit)
            code, value = ("rating", n % 3 + 1) if version is rating else ("a1_seating", n % 5 + 1)
            db.session.add(Answer(response_id=r.id, item_code=code, value_int=value))
            if version is land and n % 4 == stretch % 4:
                db.session.add(Answer(response_id=r.id, item_code="comments", value_text=f"=n{n}"))
    db.session.flush()
    for chunk in (1, 2, 7, 1000):
        check_export("survey", chunk=chunk)
        check_export("dossier_rating", chunk=chunk)
