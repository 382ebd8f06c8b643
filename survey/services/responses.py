"""Storing citizens' responses: check the envelope and the answers, then store exactly once.

Every channel (kiosk, phone, web, paper import) ends here. A submission carries a UUID made by
the client; storing is idempotent on it, also when retries race (the unique constraint on
response.uuid decides, and the loser answers with the stored response). Nothing that could
identify the citizen (IP address, user agent) is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

import questionnaires as qn
from survey.database import begin_write
from survey.extensions import db
from survey.models import (
    Answer,
    DossierToken,
    Kiosk,
    QuestionnaireVersion,
    Response,
    ServiceArea,
    Unit,
    now_utc,
)
from survey.models.responses import CHANNELS
from survey.services import aggregates, tokens
from survey.services import questionnaires as qservice
from survey.services.periods import LOCAL_TZ, year_month

# A kiosk clock may run a little fast; beyond this a date in the future is refused.
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MISSING_WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}
MAX_IGNORED_PRESSES = 1000


class SubmissionInvalid(ValueError):
    """The submission cannot be stored; `errors` maps an item code or field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class TokenAlreadyUsed(ValueError):
    """A dossier token that was used for another response."""


@dataclass
class Prepared:
    """A checked submission, ready to store."""

    uuid: uuid.UUID
    version: QuestionnaireVersion
    unit: Unit
    channel: str
    submitted_at: datetime
    answers: dict[str, qn.Answer]
    respondent_type: str | None = None
    service_area_id: int | None = None
    procedure_id: int | None = None
    kiosk: Kiosk | None = None
    dossier: DossierToken | None = None
    ignored_presses: int = 0


@dataclass(frozen=True, slots=True)
class SubmitResult:
    response: Response
    created: bool
    # Built from what was just stored, so a first submission needs no read-back after commit.
    document: dict | None = None


def parse_uuid(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if isinstance(raw, str | uuid.UUID) else None
    except ValueError:
        return None


def find(response_uuid: uuid.UUID) -> Response | None:
    return db.session.execute(
        db.select(Response).filter_by(uuid=response_uuid)
    ).scalar_one_or_none()


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
    unit = _unit(payload.get("unit"), errors)
    try:
        submitted_at = parse_submitted_at(payload.get("submitted_at"), now)
    except ValueError as error:
        errors["submitted_at"] = str(error)
        submitted_at = now_utc()
    raw = payload.get("answers")
    if not isinstance(raw, Mapping):
        errors["answers"] = "an object of item code: value is required"
        raw = {}
    prepared = Prepared(response_uuid, version, unit, channel, submitted_at, {})  # type: ignore[arg-type]
    _apply_token(prepared, payload, errors)
    definition = qservice.definition_of(version)
    answers, answer_errors = qn.validate_answers(definition, raw, lang)
    errors.update(answer_errors)
    prepared.answers = answers
    _derive(prepared, definition, payload.get("service_area"), errors)
    _ignored_presses(prepared, payload.get("ignored_presses"), errors)
    if errors:
        raise SubmissionInvalid(errors)
    return prepared


def _version(payload: Mapping) -> QuestionnaireVersion:
    code = payload.get("questionnaire")
    number = payload.get("version")
    if not isinstance(code, str):
        raise qservice.UnknownQuestionnaire("questionnaire code missing")
    if number in ("", None):
        number = None
    elif isinstance(number, str) and number.strip().isdigit():
        number = int(number)
    elif not isinstance(number, int) or isinstance(number, bool):
        raise qservice.UnknownQuestionnaire(f"{code} has no version {number!r}")
    return qservice.get_version(code, number)


def _unit(code: object, errors: dict[str, str]) -> Unit | None:
    unit = None
    if isinstance(code, str) and code:
        unit = db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one_or_none()
    if unit is None:
        errors["unit"] = f"unknown unit {code!r}"
    return unit


def _apply_token(prepared: Prepared, payload: Mapping, errors: dict[str, str]) -> None:
    """A kiosk token fixes the kiosk; a dossier token fixes the dossier. Both fix the unit."""
    token = payload.get("token")
    if not token:
        return
    if not isinstance(token, str):
        errors["token"] = "a string is expected"
        return
    questionnaire = prepared.version.questionnaire
    if "." in token:  # signed kiosk tokens have dots; random dossier tokens never do
        try:
            kiosk = tokens.kiosk_from_token(token)
        except tokens.TokenRefused as refused:
            errors["token"] = str(refused)
            return
        prepared.kiosk = kiosk
        unit, owner, expected_channel = kiosk.unit, kiosk.questionnaire, "kiosk"
    else:
        try:
            dossier = tokens.find_dossier_token(token)
        except tokens.TokenRefused as refused:
            if refused.reason == "used":
                raise TokenAlreadyUsed(str(refused)) from refused
            errors["token"] = str(refused)
            return
        prepared.dossier = dossier
        prepared.procedure_id = dossier.procedure_id
        unit, owner, expected_channel = dossier.unit, dossier.questionnaire, None
    if prepared.unit is not None and prepared.unit.id != unit.id:
        errors["unit"] = "does not match the token's unit"
    if owner.id != questionnaire.id:
        errors["questionnaire"] = "does not match the token's questionnaire"
    if expected_channel and prepared.channel != expected_channel:
        errors["channel"] = f"must be {expected_channel} with a kiosk token"


def _derive(prepared: Prepared, definition: qn.Questionnaire, asked: object,
            errors: dict[str, str]) -> None:
    """Respondent type from its item; service area from the field, dossier or questionnaire."""
    item = definition.respondent_type_item
    answer = prepared.answers.get(item.code) if item else None
    if answer is not None and answer.value_text in ("individual", "organisation"):
        prepared.respondent_type = answer.value_text
    areas = definition.service_areas
    code = None
    if asked not in (None, ""):
        if not isinstance(asked, str) or (areas and asked not in areas):
            errors["service_area"] = f"one of {', '.join(areas)}" if areas else "unknown"
            return
        code = asked
    elif prepared.dossier is not None and prepared.dossier.procedure is not None:
        prepared.service_area_id = prepared.dossier.procedure.service_area_id
        return
    elif len(areas) == 1:
        code = areas[0]
    if code is not None:
        area = db.session.execute(db.select(ServiceArea).filter_by(code=code)).scalar_one_or_none()
        if area is None:
            errors["service_area"] = f"unknown service area {code!r}"
        else:
            prepared.service_area_id = area.id


def _ignored_presses(prepared: Prepared, raw: object, errors: dict[str, str]) -> None:
    if raw in (None, 0):
        return
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_IGNORED_PRESSES:
        errors["ignored_presses"] = f"a whole number from 0 to {MAX_IGNORED_PRESSES}"
    elif prepared.kiosk is None:
        errors["ignored_presses"] = "only kiosks report ignored presses"
    else:
        prepared.ignored_presses = raw


def submit(payload: Mapping, lang: str = "vi") -> SubmitResult:
    """Check and store one submission in its own transaction; commits.

    The checks (look-ups and validating every answer) only read, so they run before the write
    transaction: on SQLite only one writer holds the lock at a time, and it should hold it for
    the inserts alone, not for the Python work of validation.
    """
    response_uuid = parse_uuid(payload.get("id")) if isinstance(payload, Mapping) else None
    if response_uuid is not None and (existing := find(response_uuid)) is not None:
        db.session.rollback()
        return SubmitResult(existing, created=False)
    try:
        prepared = prepare(payload, lang)
    finally:
        # End the read snapshot: a writer must start from a fresh one (SQLite cannot upgrade a
        # stale snapshot). The prepared objects reload on first use.
        db.session.rollback()
    begin_write()
    try:
        if (existing := find(prepared.uuid)) is not None:  # stored meanwhile by a retry
            db.session.rollback()
            return SubmitResult(existing, created=False)
        response = store(prepared)
        document = _document(prepared, response)
        db.session.commit()
    except IntegrityError:
        # Another request stored the same UUID between our check and our insert.
        db.session.rollback()
        existing = find(prepared.uuid)
        if existing is None:
            raise
        return SubmitResult(existing, created=False)
    return SubmitResult(response, created=True, document=document)


def store(prepared: Prepared) -> Response:
    """Insert the response, then all its answers in one executemany statement; flushes."""
    year, month = year_month(prepared.submitted_at)
    response = Response(
        uuid=prepared.uuid, version_id=prepared.version.id, unit_id=prepared.unit.id,
        service_area_id=prepared.service_area_id, procedure_id=prepared.procedure_id,
        kiosk_id=prepared.kiosk.id if prepared.kiosk else None, channel=prepared.channel,
        respondent_type=prepared.respondent_type, submitted_at=prepared.submitted_at,
        year=year, month=month,
    )
    db.session.add(response)
    db.session.flush()
    rows = [
        {"response_id": response.id, "item_code": code, "value_int": a.value_int,
         "value_text": a.value_text, "missing_code": a.missing_code}
        for code, a in prepared.answers.items()
    ]
    if rows:
        db.session.execute(insert(Answer), rows)
    # The report counts change in the same transaction, so they never drift from the answers.
    aggregates.add_responses(
        [{"id": response.id, "year": year, "month": month, "unit_id": response.unit_id,
          "version_id": response.version_id, "service_area_id": response.service_area_id,
          "procedure_id": response.procedure_id, "channel": response.channel,
          "respondent_type": response.respondent_type}],
        {response.id: prepared.answers}, aggregates.cached_item_types([response.version_id]))
    if prepared.dossier is not None:
        tokens.redeem_dossier_token(prepared.dossier, response.id)
    if prepared.kiosk is not None:
        tokens.record_ignored_presses(prepared.kiosk, prepared.ignored_presses)
    return response


def answer_value(answer: Answer) -> int | str | None:
    if answer.missing_code is not None:
        return MISSING_WORDS[answer.missing_code]
    return answer.value_int if answer.value_int is not None else answer.value_text


def _document(prepared: Prepared, response: Response) -> dict:
    """`to_json` of a response just stored, from the objects in hand (no query)."""
    area = db.session.get(ServiceArea, prepared.service_area_id) \
        if prepared.service_area_id else None
    return {
        "id": str(prepared.uuid),
        "questionnaire": prepared.version.questionnaire.code,
        "version": prepared.version.number,
        "unit": prepared.unit.code,
        "channel": prepared.channel,
        "respondent_type": prepared.respondent_type,
        "service_area": area.code if area else None,
        "submitted_at": response.submitted_at.astimezone(UTC).isoformat(),
        "received_at": response.received_at.astimezone(UTC).isoformat(),
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
