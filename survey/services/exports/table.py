"""The export table: columns described once (labels, value labels) and rows streamed in chunks.

Rows are read by windows of response ids (``WHERE id > a AND id <= b ORDER BY id``) rather
than one long-lived cursor: each is a short query that behaves the same on SQLite and
PostgreSQL (no snapshot or server-side cursor held for the whole export). Windows, not
``id > last ... LIMIT n``: given a unit filter, SQLite read the unit index and sorted every
remaining response of the scope for each chunk, which made a district's export quadratic;
a window bounds every plan to its own ids. The same query brings each response's answers,
aggregated by the database into one JSON object per response (``{"a1_seating": 4, ...}``):
an export of millions of responses reads tens of millions of answers, and a Python tuple per
answer cost more than everything else together.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
    type_coerce,
)

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, Questionnaire, QuestionnaireVersion, Response, Unit
from survey.services import questionnaires as qservice
from survey.services.exports.codes import MISSING_WORDS, About
from survey.services.exports.streams import quarantine_condition
from survey.services.paper_import import ENVELOPE
from survey.services.reporting.cells import References, resolve_stream, scope_conditions
from survey.services.reporting.scope import Scope

# Responses a query aims at. Small enough that a chunk's rows and parsed answers die young:
# with 5,000 they outlived the collector's younger generations and its full passes took a
# tenth of the export's time.
CHUNK = 1_000
MAX_SPAN = 16  # the widest window of response ids, in chunks
ENVELOPE_LABELS = {
    "response_id": ("Mã phiếu (UUID)", "Response id (UUID)"),
    "questionnaire": ("Mã phiếu khảo sát", "Questionnaire code"),
    "version": ("Phiên bản", "Questionnaire version"),
    "unit": ("Mã đơn vị", "Unit code"),
    "channel": ("Kênh", "Channel"),
    "submitted_at": ("Thời điểm gửi (UTC)", "Submitted at (UTC)"),
}


@dataclass
class Column:
    name: str
    label_vi: str
    label_en: str
    type: str  # an item type, or "envelope"
    storage: str = "text"  # "int" or "text"
    # value -> (vi, en); for choice items the value is the choice code
    values: dict = field(default_factory=dict)
    questionnaires: list[str] = field(default_factory=list)

    @property
    def headers(self) -> str:
        return self.name


@dataclass
class ExportTable:
    columns: list[Column]
    rows: Iterator[list]
    about: About = field(default_factory=About)  # the stream it holds, for the files to say
    scope: Scope | None = None

    @property
    def stream(self) -> str:
        return self.about.stream

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]


def _versions(scope: Scope, stream: str) -> list[QuestionnaireVersion]:
    query = (select(QuestionnaireVersion).join(Questionnaire)
             .where(Questionnaire.kind == stream)
             .order_by(Questionnaire.code, QuestionnaireVersion.number))
    if scope.questionnaires:
        query = query.where(Questionnaire.code.in_(scope.questionnaires))
    return list(db.session.execute(query).scalars())


def item_columns(versions: list[QuestionnaireVersion]) -> list[Column]:
    """One column per item code, in questionnaire order; a code shared by versions is one."""
    columns: dict[str, Column] = {}
    for version in versions:
        definition = qservice.definition_of(version)
        for item in definition.items:
            column = columns.get(item.code)
            kind = qn.get_type(item.type)
            if column is None:
                column = Column(
                    item.code, item.label.vi, item.label.en or item.label.vi, item.type,
                    kind.storage,
                    {v: (t.vi, t.en or t.vi) for v, t in kind.value_labels(item)},
                )
                columns[item.code] = column
            elif item.type == column.type:  # a choice added by a later version is labelled too
                for v, t in kind.value_labels(item):
                    column.values.setdefault(v, (t.vi, t.en or t.vi))
            if definition.code not in column.questionnaires:
                column.questionnaires.append(definition.code)
    return list(columns.values())


# Which responses an export takes: quarantined ones are left out, as from every figure,
# unless an administrator asks for them (`hailong export --quarantined include|only`); a
# sampled investigation's never (`streams.quarantine_condition`).
QUARANTINED = ("exclude", "include", "only")


def export_table(scope: Scope, chunk: int = CHUNK, quarantined: str = "exclude") -> ExportTable:
    """The columns and a lazy row generator for the responses in `scope`."""
    if quarantined not in QUARANTINED:
        raise ValueError(f"quarantined: one of {', '.join(QUARANTINED)}")
    refs = References.load()
    stream = resolve_stream(scope)
    envelope = [Column(name, *ENVELOPE_LABELS[name], "envelope",
                       "int" if name == "version" else "text") for name in ENVELOPE]
    items = item_columns(_versions(scope, stream))
    conditions = [*scope_conditions(scope, refs, stream), quarantine_condition(quarantined)]
    about = About(stream, quarantined, (scope.year_from, scope.year_to))
    return ExportTable(envelope + items, _rows(conditions, [c.name for c in items], chunk),
                       about, scope)


def _raw(column):
    """The driver's value as it comes: the column types' conversions cost more than the rest
    of a row (a regular expression per SQLite timestamp)."""
    return type_coerce(column, String)


def _uuid_text(value) -> str:
    if isinstance(value, str) and len(value) == 32:  # SQLite keeps the bare hex digits
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _utc_text(value) -> str:
    """A stored timestamp (naive UTC: a string on SQLite, a datetime on PostgreSQL), as ISO
    8601 with its offset, as the import reads it back: what `isoformat()` of the aware time
    writes. SQLite's own text is reshaped rather than parsed and formatted again (a third of
    an export's time went there)."""
    if isinstance(value, str) and len(value) in (19, 26) and value[10] == " ":
        text = value[:19] if value.endswith(".000000") else value
        return f"{text[:10]}T{text[11:]}+00:00"
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC).isoformat()


def _answers_object(dialect: str):
    """One response's answers as the text of a JSON object {item code: value}, built by the
    database: one short string per response instead of a Python tuple per answer (which cost
    most of an export's time). A value is what the export writes: the integer, else the text,
    else the no-answer word; JSON keeps integers and texts apart, and the object parses in C."""
    word = case({code: literal_column(f"'{w}'") for code, w in MISSING_WORDS.items()},
                value=Answer.missing_code)  # our own constant words, written into the SQL
    if dialect == "sqlite":  # dynamically typed: one COALESCE keeps each value's own type
        pairs = func.json_group_object(
            Answer.item_code, func.coalesce(Answer.value_int, Answer.value_text, word))
    else:  # PostgreSQL: the three kinds as JSON values, the object as text
        pairs = cast(func.json_object_agg(Answer.item_code, func.coalesce(
            func.to_json(Answer.value_int), func.to_json(Answer.value_text),
            func.to_json(word))), Text)
    return (select(func.coalesce(pairs, literal_column("'{}'")))
            .where(Answer.response_id == Response.id).scalar_subquery())


class _Query:
    """A statement compiled once and run through the driver's own cursor, its parameters
    expanded for each run: SQLAlchemy's result rows would cost more than the rest of a row."""

    def __init__(self, connection, statement):
        self.compiled = statement.compile(dialect=connection.dialect)
        self.driver = connection.connection.dbapi_connection  # in the session's transaction

    def all(self, **values) -> list[tuple]:
        state = self.compiled.construct_expanded_state(values)
        cursor = self.driver.cursor()
        try:
            cursor.execute(state.statement, state.positional_parameters
                           if state.positiontup is not None else state.parameters)
            return cursor.fetchall()
        finally:
            cursor.close()


def _rows(conditions: list, codes: list[str], chunk: int) -> Iterator[list]:
    """Rows in response-id order, one query per window of response ids, each response with its
    answers as one JSON object (a correlated subquery over the answer primary key). A window's
    objects are parsed in one call, as one JSON array, and each row's item columns picked from
    its object in column order by `map(answers.get, codes)`: no Python loop over the answers.
    """
    connection = db.session.connection()
    query = _Query(connection, select(
        Response.id, _raw(Response.uuid), Questionnaire.code, QuestionnaireVersion.number,
        Unit.code, Response.channel, _raw(Response.submitted_at),
        _answers_object(connection.dialect.name))
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .join(Unit, Unit.id == Response.unit_id)
        .where(*conditions, Response.id > bindparam("after"), Response.id <= bindparam("upto"))
        .order_by(Response.id))
    first, last = connection.execute(select(
        select(func.min(Response.id)).scalar_subquery(),
        select(func.max(Response.id)).scalar_subquery())).one()
    if first is None:
        return
    after, span = first - 1, chunk
    while after < last:
        upto = min(after + span, last)
        batch = query.all(after=after, upto=upto)
        yield from _build(batch, codes)
        after = upto
        # about `chunk` rows a query: wider windows where the scope is sparse (one commune),
        # never so wide that a dense stretch after a sparse one would fill memory
        span = max(chunk, min(MAX_SPAN * chunk, span * chunk // max(len(batch), 1)))


def _build(batch: list[tuple], codes: list[str]) -> Iterator[list]:
    if not batch:
        return
    _, uuids, questionnaires, numbers, units, channels, times, objects = zip(*batch, strict=True)
    answers = json.loads(f"[{','.join(objects)}]")
    for uuid, questionnaire, number, unit, channel, at, pairs in zip(
            map(_uuid_text, uuids), questionnaires, numbers, units, channels,
            map(_utc_text, times), answers, strict=True):
        yield [uuid, questionnaire, number, unit, channel, at, *map(pairs.get, codes)]
