"""The export table: columns described once (labels, value labels) and rows streamed in chunks.

Rows are read by keyset pagination on the response id (``WHERE id > last ORDER BY id LIMIT n``)
rather than one long-lived cursor: each chunk is a short query that behaves the same on SQLite
and PostgreSQL, and the answers of a chunk come with one ``IN`` query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, Questionnaire, QuestionnaireVersion, Response, Unit
from survey.services import questionnaires as qservice
from survey.services.exports.writers import MISSING_WORDS
from survey.services.paper_import import ENVELOPE
from survey.services.reporting.cells import References, resolve_stream, scope_conditions
from survey.services.reporting.scope import Scope

CHUNK = 2_000
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
            if column is None:
                kind = qn.get_type(item.type)
                column = Column(
                    item.code, item.label.vi, item.label.en or item.label.vi, item.type,
                    kind.storage,
                    {v: (t.vi, t.en or t.vi) for v, t in kind.value_labels(item)},
                )
                columns[item.code] = column
            if definition.code not in column.questionnaires:
                column.questionnaires.append(definition.code)
    return list(columns.values())


def export_table(scope: Scope, chunk: int = CHUNK) -> ExportTable:
    """The columns and a lazy row generator for the responses in `scope`."""
    refs = References.load()
    stream = resolve_stream(scope)
    envelope = [Column(name, *ENVELOPE_LABELS[name], "envelope",
                       "int" if name == "version" else "text") for name in ENVELOPE]
    items = item_columns(_versions(scope, stream))
    conditions = scope_conditions(scope, refs, stream)
    return ExportTable(envelope + items, _rows(conditions, [c.name for c in items], chunk))


def _rows(conditions: list, codes: list[str], chunk: int) -> Iterator[list]:
    position = {code: i for i, code in enumerate(codes)}
    last = 0
    while True:
        batch = db.session.execute(
            select(Response.id, Response.uuid, Questionnaire.code, QuestionnaireVersion.number,
                   Unit.code, Response.channel, Response.submitted_at)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .join(Unit, Unit.id == Response.unit_id)
            .where(*conditions, Response.id > last)
            .order_by(Response.id).limit(chunk)
        ).all()
        if not batch:
            return
        answers: dict[int, list] = {row[0]: [None] * len(codes) for row in batch}
        for rid, code, value_int, value_text, missing in db.session.execute(
            select(Answer.response_id, Answer.item_code, Answer.value_int, Answer.value_text,
                   Answer.missing_code).where(Answer.response_id.in_(list(answers)))
        ):
            if code in position:
                answers[rid][position[code]] = (
                    MISSING_WORDS[missing] if missing is not None
                    else value_int if value_int is not None else value_text)
        for rid, uuid, questionnaire, number, unit, channel, at in batch:
            yield [str(uuid), questionnaire, number, unit, channel, at.isoformat(),
                   *answers[rid]]
        last = batch[-1][0]
        # Forget the chunk's objects: an export of millions must not grow the session.
        db.session.expunge_all()
