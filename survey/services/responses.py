"""Storing citizens' responses: check the envelope and the answers, then store exactly once.

Every channel (kiosk, phone, web, paper import) ends here. A submission carries a UUID made by
the client; storing is idempotent on it, also when retries race (the unique constraint on
response.uuid decides, and the loser answers with the stored response). Nothing that could
identify the citizen (IP address, user agent) is stored.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import questionnaires as qn
from survey.database import begin_write, insert_rows, write_turn
from survey.extensions import db
from survey.models import (
    Answer,
    QuestionnaireVersion,
    Response,
    ServiceArea,
    Unit,
    now_utc,
)
from survey.models.responses import CHANNELS
from survey.services import aggregates, lookups, response_store, tokens
from survey.services import questionnaires as qservice
from survey.services.periods import LOCAL_TZ, year_month

# A kiosk clock may run a little fast; beyond this a date in the future is refused.
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MISSING_WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}
MAX_IGNORED_PRESSES = 1000
MAX_VERSION = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL


class SubmissionInvalid(ValueError):
    """The submission cannot be stored; `errors` maps an item code or field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class TokenAlreadyUsed(ValueError):
    """A dossier token that was used for another response."""


@dataclass
class Prepared:
    """A checked submission, ready to store: plain values only.

    No ORM objects: the checks end their read transaction before the write one starts, and an
    expired object would be loaded again (one query each) when the insert reads its id.
    """

    uuid: uuid.UUID
    version: qservice.VersionRef
    unit_id: int
    unit_code: str
    channel: str
    submitted_at: datetime
    answers: dict[str, qn.Answer]
    respondent_type: str | None = None
    service_area_id: int | None = None
    service_area_code: str | None = None
    procedure_id: int | None = None
    kiosk_id: int | None = None
    dossier_token_id: int | None = None
    ignored_presses: int = 0


@dataclass(frozen=True, slots=True)
class SubmitResult:
    response_id: int
    created: bool
    # The API's document of the stored response: for a first submission it is built from what
    # was just stored, so no read-back is needed after the commit.
    document: dict


def parse_uuid(raw: object) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw)) if isinstance(raw, str | uuid.UUID) else None
    except ValueError:
        return None


def find_id(response_uuid: uuid.UUID) -> int | None:
    """The id of a stored response, or None: one indexed look-up, no ORM object."""
    return _scalar(select(Response.id).where(Response.uuid == response_uuid))


# Core statements run on the session's connection: the ORM's execution layer costs more than
# these one-row look-ups themselves.
def _scalar(statement):
    return db.session.connection().execute(statement).scalar_one_or_none()


def _first(statement):
    row = db.session.connection().execute(statement).first()
    return tuple(row) if row is not None else None


def parse_submitted_at(raw: object, now: datetime | None = None) -> datetime:
    """An ISO 8601 time; without an offset it is the province's local time.

    A time a few minutes ahead (a fast kiosk clock) is clamped to now; further ahead, or before
    2000, it is refused rather than filed under a wrong month.
    """
    now = now or now_utc()
    if raw is None or raw == "":
        return now
    if isinstance(raw, datetime):
        at = raw
    elif isinstance(raw, str):
        try:
            at = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError("not an ISO 8601 date and time") from error
    else:
        raise ValueError("not an ISO 8601 date and time")
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_TZ)
    at = at.astimezone(UTC)
    if at > now + CLOCK_SKEW:
        raise ValueError("in the future")
    if at < EARLIEST:
        raise ValueError("before the year 2000")
    return min(at, now)


def prepare(payload: Mapping, lang: str = "vi", now: datetime | None = None) -> Prepared:
    """Check a submission (the API's JSON or a paper row) without writing anything."""
    if not isinstance(payload, Mapping):
        raise SubmissionInvalid({"body": "a JSON object is expected"})
    errors: dict[str, str] = {}
    response_uuid = parse_uuid(payload.get("id"))
    if response_uuid is None:
        errors["id"] = "a UUID is required"
    version = _version(payload)  # raises UnknownQuestionnaire: answered 404
    channel = payload.get("channel")
    if channel not in CHANNELS:
        errors["channel"] = f"one of {', '.join(CHANNELS)}"
    unit_id, unit_code = _unit(payload.get("unit"), errors)
    try:
        submitted_at = parse_submitted_at(payload.get("submitted_at"), now)
    except ValueError as error:
        errors["submitted_at"] = str(error)
        submitted_at = now_utc()
    raw = payload.get("answers")
    if not isinstance(raw, Mapping):
        errors["answers"] = "an object of item code: value is required"
        raw = {}
    prepared = Prepared(response_uuid, version, unit_id, unit_code, channel,  # type: ignore[arg-type]
                        submitted_at, {})
    dossier_area = _apply_token(prepared, payload, errors)
    definition = qservice.definition_of_ref(version)
    answers, answer_errors = qn.validate_answers(definition, raw, lang)
    errors.update(answer_errors)
    prepared.answers = answers
    _derive(prepared, definition, payload.get("service_area"), dossier_area, errors)
    _ignored_presses(prepared, payload.get("ignored_presses"), errors)
    if errors:
        raise SubmissionInvalid(errors)
    return prepared


def _version(payload: Mapping) -> qservice.VersionRef:
    code = payload.get("questionnaire")
    number = payload.get("version")
    if not isinstance(code, str):
        raise qservice.UnknownQuestionnaire("questionnaire code missing")
    if "\x00" in code:  # PostgreSQL text cannot hold it; no code ever does
        raise qservice.UnknownQuestionnaire("the questionnaire code holds a NUL character")
    if number in ("", None):
        number = None
    elif isinstance(number, str) and number.strip().isascii() and number.strip().isdigit() \
            and len(number.strip()) <= 10:
        number = int(number)
    if number is not None and (not isinstance(number, int) or isinstance(number, bool)
                               or not 1 <= number <= MAX_VERSION):
        raise qservice.UnknownQuestionnaire(f"{code} has no version {str(number)[:20]!r}")
    return qservice.version_ref(code, number)


def _unit(code: object, errors: dict[str, str]) -> tuple[int, str]:
    unit_id = None
    if isinstance(code, str) and code and "\x00" not in code:
        unit_id = lookups.remembered(("unit", code), lambda: _scalar(
            select(Unit.id).where(Unit.code == code)))
    if unit_id is None:
        errors["unit"] = f"unknown unit {code!r}"
        return 0, ""
    return unit_id, code  # type: ignore[return-value]


def _apply_token(prepared: Prepared, payload: Mapping, errors: dict[str, str]) -> int | None:
    """A kiosk token fixes the kiosk; a dossier token fixes the dossier. Both fix the unit.

    Returns the service area of the dossier's procedure, when there is one.
    """
    token = payload.get("token")
    if not token:
        return None
    if not isinstance(token, str) or "\x00" in token:
        errors["token"] = "a string is expected"
        return None
    area_id = None
    if "." in token:  # signed kiosk tokens have dots; random dossier tokens never do
        try:
            kiosk = tokens.kiosk_from_token(token)
        except tokens.TokenRefused as refused:
            errors["token"] = str(refused)
            return None
        prepared.kiosk_id = kiosk.id
        unit_id, owner_id, expected_channel = kiosk.unit_id, kiosk.questionnaire_id, "kiosk"
    else:
        try:
            dossier = tokens.find_dossier_token(token)
        except tokens.TokenRefused as refused:
            if refused.reason == "used":
                raise TokenAlreadyUsed(str(refused)) from refused
            errors["token"] = str(refused)
            return None
        prepared.dossier_token_id = dossier.id
        prepared.procedure_id = dossier.procedure_id
        if dossier.procedure is not None:
            area_id = dossier.procedure.service_area_id
        unit_id, owner_id, expected_channel = dossier.unit_id, dossier.questionnaire_id, None
    if prepared.unit_id and prepared.unit_id != unit_id:
        errors["unit"] = "does not match the token's unit"
    if owner_id != prepared.version.questionnaire_id:
        errors["questionnaire"] = "does not match the token's questionnaire"
    if expected_channel and prepared.channel != expected_channel:
        errors["channel"] = f"must be {expected_channel} with a kiosk token"
    return area_id


def _derive(prepared: Prepared, definition: qn.Questionnaire, asked: object,
            dossier_area: int | None, errors: dict[str, str]) -> None:
    """Respondent type from its item; service area from the field, dossier or questionnaire."""
    item = definition.respondent_type_item
    answer = prepared.answers.get(item.code) if item else None
    if answer is not None and answer.value_text in ("individual", "organisation"):
        prepared.respondent_type = answer.value_text
    areas = definition.service_areas
    if asked not in (None, ""):
        if not isinstance(asked, str) or "\x00" in asked or (areas and asked not in areas):
            errors["service_area"] = f"one of {', '.join(areas)}" if areas else "unknown"
            return
        column = ServiceArea.code
    elif dossier_area is not None:
        column, asked = ServiceArea.id, dossier_area
    elif len(areas) == 1:
        column, asked = ServiceArea.code, areas[0]
    else:
        return
    # the query is built only when it must run: building it costs more than the look-up
    area = lookups.remembered(("area", asked), lambda: _first(
        select(ServiceArea.id, ServiceArea.code).where(column == asked)))
    if area is None:
        errors["service_area"] = f"unknown service area {asked!r}"
    else:
        prepared.service_area_id, prepared.service_area_code = area


def _ignored_presses(prepared: Prepared, raw: object, errors: dict[str, str]) -> None:
    if raw in (None, 0):
        return
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_IGNORED_PRESSES:
        errors["ignored_presses"] = f"a whole number from 0 to {MAX_IGNORED_PRESSES}"
    elif prepared.kiosk_id is None:
        errors["ignored_presses"] = "only kiosks report ignored presses"
    else:
        prepared.ignored_presses = raw


def submit(payload: Mapping, lang: str = "vi") -> SubmitResult:
    """Check and store one submission in its own transaction; commits."""
    try:
        return _submit(payload, lang)
    except IntegrityError:
        # Not a repeated id, so a foreign key: a unit or version this worker remembered is
        # gone. Forget, and check again with what the database holds now.
        lookups.forget()
        return _submit(payload, lang)


def _submit(payload: Mapping, lang: str) -> SubmitResult:
    """The checks (look-ups and validating every answer) only read, so they run before the write
    transaction: on SQLite only one writer holds the lock at a time, and it should hold it for
    the inserts alone, not for the Python work of validation. The roll-up counts, and every
    value the driver is given, are also worked out before it (`response_store`).

    A repeated id is found by the unique constraint rather than by a look-up before: retries
    are rare, and every first submission would pay for that query.
    """
    try:
        prepared = prepare(payload, lang)
        row = _response_row(prepared)
        counts = _counts(prepared, row)
    except (SubmissionInvalid, TokenAlreadyUsed, qservice.UnknownQuestionnaire):
        # A retry of a stored response is answered with it, even if it would not pass today
        # (its receipt is used now, its unit renamed…).
        if (existing := _stored_id(payload)) is not None:
            return _already_stored(existing)
        raise
    finally:
        # End any read snapshot (token checks read): a writer must start from a fresh one
        # (SQLite cannot upgrade a stale snapshot). No session was opened if nothing was read.
        if db.session.registry.has():
            db.session.rollback()
    received_at = now_utc()
    try:
        response_id = response_store.write(_submission(prepared, counts, received_at, row))
    except response_store.Redo:
        # Nothing was stored: the driver failed (a repeated id, an outage…) or the receipt was
        # used meanwhile. SQLAlchemy's path stores it, or says why not as every query does.
        return _submit_through_session(prepared, counts)
    return _stored(prepared, response_id, received_at)


def _submit_through_session(prepared: Prepared, counts: aggregates.Counted) -> SubmitResult:
    try:
        with write_turn():
            begin_write()
            response_id, received_at = store(prepared, counts)
            db.session.commit()
    except IntegrityError:
        # The same id was stored before, or by a retry racing with this request.
        db.session.rollback()
        existing = find_id(prepared.uuid)
        if existing is None:
            raise
        return _already_stored(existing)
    except tokens.TokenRefused as refused:  # a second use of the receipt won the race
        db.session.rollback()
        raise TokenAlreadyUsed(str(refused)) from refused
    return _stored(prepared, response_id, received_at)


def _stored(prepared: Prepared, response_id: int, received_at: datetime) -> SubmitResult:
    if response_id % aggregates.FOLD_EVERY == 0:
        _fold_backlog()
    return SubmitResult(response_id, True, _document(prepared, received_at))


def _submission(prepared: Prepared, counts: aggregates.Counted, received_at: datetime,
                row: dict | None = None) -> response_store.Submission:
    """What `store` would write, as driver values for `response_store.write`."""
    dialect = db.engine.dialect
    row = {**(row or _response_row(prepared)), "received_at": received_at}
    return response_store.Submission(
        response_store.driver_values(dialect, Response.__table__, row,
                                     response_store.RESPONSE_COLUMNS),
        [(code, a.value_int, a.value_text, a.missing_code)
         for code, a in prepared.answers.items()],
        response_store.count_writes(counts, dialect.name),
        prepared.kiosk_id, prepared.ignored_presses, prepared.dossier_token_id,
        None if prepared.dossier_token_id is None
        else response_store.used_at_value(dialect, received_at))


def _fold_backlog() -> None:
    """Keep the counts appended on PostgreSQL from piling up between reports.

    The response is stored and committed already: a failure here costs the next report a
    longer fold, never the citizen's answer.
    """
    try:
        aggregates.fold()
    except SQLAlchemyError:
        logging.getLogger(__name__).exception("folding the appended counts failed")


def _stored_id(payload: object) -> int | None:
    response_uuid = parse_uuid(payload.get("id")) if isinstance(payload, Mapping) else None
    return find_id(response_uuid) if response_uuid is not None else None


def _already_stored(response_id: int) -> SubmitResult:
    document = to_json(db.session.get(Response, response_id))
    db.session.rollback()
    return SubmitResult(response_id, False, document)


def _response_row(prepared: Prepared) -> dict:
    year, month = year_month(prepared.submitted_at)
    return {"uuid": prepared.uuid, "version_id": prepared.version.id,
            "unit_id": prepared.unit_id, "service_area_id": prepared.service_area_id,
            "procedure_id": prepared.procedure_id, "kiosk_id": prepared.kiosk_id,
            "channel": prepared.channel, "respondent_type": prepared.respondent_type,
            "submitted_at": prepared.submitted_at, "year": year, "month": month}


def _counts(prepared: Prepared, row: dict | None = None) -> aggregates.Counted:
    row = row or _response_row(prepared)
    return aggregates.count([{**row, "id": 0}], {0: prepared.answers},
                            aggregates.cached_item_types([prepared.version.id]))


# Built once: a statement made with .values(...) per call costs more than executing it.
_INSERT_RESPONSE = insert(Response.__table__).returning(Response.__table__.c.id)


def store(prepared: Prepared, counts: aggregates.Counted | None = None) -> tuple[int, datetime]:
    """Insert the response, its answers and its roll-up counts (`insert_rows`).

    Core statements on the session's connection: the ORM's unit of work would cost more than
    the inserts themselves. Returns the new id and the time it was received.
    """
    connection = db.session.connection()
    received_at = now_utc()
    response_id = connection.execute(
        _INSERT_RESPONSE, {**_response_row(prepared), "received_at": received_at}
    ).scalar_one()
    insert_rows(connection, Answer.__table__, [
        {"response_id": response_id, "item_code": code, "value_int": a.value_int,
         "value_text": a.value_text, "missing_code": a.missing_code}
        for code, a in prepared.answers.items()
    ])
    # The report counts change in the same transaction, so they never drift from the answers.
    aggregates.apply(counts if counts is not None else _counts(prepared))
    if prepared.dossier_token_id is not None:
        tokens.redeem_dossier_token(prepared.dossier_token_id, response_id)
    if prepared.kiosk_id is not None:
        tokens.record_ignored_presses(prepared.kiosk_id, prepared.ignored_presses)
    return response_id, received_at


def answer_value(answer: Answer) -> int | str | None:
    if answer.missing_code is not None:
        return MISSING_WORDS[answer.missing_code]
    return answer.value_int if answer.value_int is not None else answer.value_text


def _document(prepared: Prepared, received_at: datetime) -> dict:
    """`to_json` of a response just stored, from the values in hand (no query)."""
    return {
        "id": str(prepared.uuid),
        "questionnaire": prepared.version.code,
        "version": prepared.version.number,
        "unit": prepared.unit_code,
        "channel": prepared.channel,
        "respondent_type": prepared.respondent_type,
        "service_area": prepared.service_area_code,
        "submitted_at": prepared.submitted_at.astimezone(UTC).isoformat(),
        "received_at": received_at.astimezone(UTC).isoformat(),
        "answers": {code: answer_value(a) for code, a in sorted(prepared.answers.items())},
    }


def to_json(response: Response) -> dict:
    """The stored response as the API returns it; the same for a first and a repeated call."""
    answers = db.session.execute(
        db.select(Answer).filter_by(response_id=response.id).order_by(Answer.item_code)
    ).scalars()
    area = db.session.get(ServiceArea, response.service_area_id) \
        if response.service_area_id else None
    version = db.session.get(QuestionnaireVersion, response.version_id)
    return {
        "id": str(response.uuid),
        "questionnaire": version.questionnaire.code,
        "version": version.number,
        "unit": db.session.get(Unit, response.unit_id).code,
        "channel": response.channel,
        "respondent_type": response.respondent_type,
        "service_area": area.code if area else None,
        "submitted_at": response.submitted_at.isoformat(),
        "received_at": response.received_at.isoformat(),
        "answers": {a.item_code: answer_value(a) for a in answers},
    }
