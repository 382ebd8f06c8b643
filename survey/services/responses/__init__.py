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

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import questionnaires as qn
from survey.database import begin_write, insert_rows, write_turn
from survey.extensions import db
from survey.models import (
    Answer,
    Kiosk,
    QuestionnaireVersion,
    Response,
    ServiceArea,
    Unit,
    now_utc,
)
from survey.models.responses import CHANNELS
from survey.services import aggregates, closed_years, lookups, masking, storable, tokens
from survey.services import questionnaires as qservice
from survey.services.periods import LOCAL_TZ, year_month
from survey.services.responses import admin as response_admin
from survey.services.responses import driver as response_store

# A kiosk clock may run a little fast; beyond this a date in the future is refused.
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_IGNORED_PRESSES = 1000
MAX_VERSION = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL


class SubmissionInvalid(ValueError):
    """The submission cannot be stored; `errors` maps an item code or field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class TokenAlreadyUsed(ValueError):
    """A dossier token that was used for another response."""


class PaperNotAllowed(PermissionError):
    """A "paper" answer from outside the paper import: only data entry may claim paper."""


class Throttled(ValueError):
    """A kiosk answer that came sooner after the previous one than a person can use a kiosk.

    It is counted on the kiosk (`throttled_responses`), not stored; the kiosk is told so and
    drops it from its queue instead of retrying.
    """


@dataclass(frozen=True, slots=True)
class Windows:
    """How far back each channel may date an answer (docs/SECURITY.md, "When an answer may be
    dated"): a kiosk's offline queue up to `kiosk_queue`, a live phone or web page up to
    `online`; data entry (paper) any time from 2000. None of them inside a closed year."""

    kiosk_queue: timedelta = timedelta(days=7)
    online: timedelta = timedelta(hours=24)
    kiosk_min_interval: timedelta = timedelta(seconds=5)

    @classmethod
    def from_config(cls, config: Mapping) -> Windows:
        return cls(timedelta(days=config.get("KIOSK_QUEUE_MAX_DAYS", 7)),
                   timedelta(hours=config.get("ONLINE_MAX_AGE_HOURS", 24)),
                   timedelta(seconds=config.get("KIOSK_MIN_INTERVAL_SECONDS", 5)))


# The proofs each channel accepts; paper has none, it comes only through data entry.
CHANNEL_PROOFS = {"kiosk": ("kiosk",), "phone": ("qr", "dossier"), "web": ("link", "dossier")}
PROOF_NAMES = {"kiosk": "a kiosk token", "phone": "a desk QR code or receipt token",
               "web": "a web link or receipt token"}


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
    desk_id: int | None = None
    link_id: int | None = None


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


def prepare(payload: Mapping, lang: str = "vi", now: datetime | None = None, *,
            data_entry: bool = False, windows: Windows | None = None) -> Prepared:
    """Check a submission (the API's JSON or a paper row) without writing anything.

    Every channel must prove its origin with a token (`CHANNEL_PROOFS`) and date its answer
    inside the window that proof justifies, unless the caller is data entry (`data_entry`:
    the paper import, or a client allowed to import responses), which alone may claim
    "paper" or date answers freely. No answer may fall in a year closed for reporting.
    """
    if not isinstance(payload, Mapping):
        raise SubmissionInvalid({"body": "a JSON object is expected"})
    if bad := storable.unstorable_fields(payload):
        # answers.CODE is reported under the item's code, as every answer error is
        raise SubmissionInvalid({path.removeprefix("answers."): storable.MESSAGE
                                 for path in bad})
    errors: dict[str, str] = {}
    response_uuid = parse_uuid(payload.get("id"))
    if response_uuid is None:
        errors["id"] = "a UUID is required"
    version = _version(payload)  # raises UnknownQuestionnaire: answered 404
    channel = payload.get("channel")
    if channel not in CHANNELS:
        errors["channel"] = f"one of {', '.join(CHANNELS)}"
    elif channel == "paper" and not data_entry:
        raise PaperNotAllowed("paper answers come only through the paper import (the data-entry "
                              "role, or an API key that may import responses)")
    unit_id, unit_code = _unit(payload.get("unit"), errors)
    now = now or now_utc()
    try:
        submitted_at = parse_submitted_at(payload.get("submitted_at"), now)
    except ValueError as error:
        errors["submitted_at"] = str(error)
        submitted_at = now
    raw = payload.get("answers")
    if not isinstance(raw, Mapping):
        errors["answers"] = "an object of item code: value is required"
        raw = {}
    prepared = Prepared(response_uuid, version, unit_id, unit_code, channel,  # type: ignore[arg-type]
                        submitted_at, {})
    proof, dossier_area = _apply_token(prepared, payload, errors)
    windows = windows or Windows()
    _check_proof(prepared, proof, windows, now, errors, data_entry)
    _check_closed_year(prepared, now, errors)
    definition = qservice.definition_of_ref(version)
    asked = _asked(definition, payload.get("part"), channel, errors)
    answers, answer_errors = qn.validate_answers(definition, raw, lang, asked)
    errors.update(answer_errors)
    # masked here, before any writer sees it: the original text is never stored (issue #21)
    prepared.answers = masking.masked_answers(definition, answers)
    _derive(prepared, definition, payload.get("service_area"), dossier_area, errors)
    _ignored_presses(prepared, payload.get("ignored_presses"), errors)
    if errors:
        raise SubmissionInvalid(errors)
    if not data_entry and prepared.kiosk_id is not None:
        _check_kiosk_interval(prepared, proof.kiosk, windows)
    return prepared


def _asked(definition: qn.Questionnaire, part: object, channel: object,
           errors: dict[str, str]) -> frozenset[str] | None:
    """The items asked when a phone or web citizen stopped after the first screen (`part`
    "first"): the others are absent, as if skip logic had hidden them, and the rest of the
    questionnaire may follow later under the same id (`amend`)."""
    if part in (None, ""):
        return None
    if part != "first":
        errors["part"] = "only 'first' (the first screen) may be sent alone"
    elif channel not in ("phone", "web"):
        errors["part"] = "only phone and web answers may stop after the first screen"
    elif not definition.first_screen:
        errors["part"] = "this questionnaire has no first screen: it is answered whole"
    else:
        return frozenset(item.code for item in definition.first_screen)
    return None


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


def _apply_token(prepared: Prepared, payload: Mapping,
                 errors: dict[str, str]) -> tuple[tokens.Proof | None, int | None]:
    """The token fixes the unit and questionnaire, and the kiosk, desk, link or dossier.

    Returns the proof (None without a valid token) and the service area of the dossier's
    procedure, when there is one.
    """
    token = payload.get("token")
    if not token:
        return None, None
    if not isinstance(token, str) or "\x00" in token:
        errors["token"] = "a string is expected"
        return None, None
    try:
        proof = tokens.identify(token)
    except tokens.TokenRefused as refused:
        if refused.reason == "used":
            raise TokenAlreadyUsed(str(refused)) from refused
        errors["token"] = str(refused)
        return None, None
    area_id = None
    if proof.kiosk is not None:
        prepared.kiosk_id = proof.kiosk.id
    prepared.desk_id, prepared.link_id = proof.desk_id, proof.link_id
    if proof.dossier is not None:
        prepared.dossier_token_id = proof.dossier.id
        prepared.procedure_id = proof.dossier.procedure_id
        if proof.dossier.procedure is not None:
            area_id = proof.dossier.procedure.service_area_id
    if prepared.unit_id and prepared.unit_id != proof.unit_id:
        errors["unit"] = "does not match the token's unit"
    if proof.questionnaire_id != prepared.version.questionnaire_id:
        errors["questionnaire"] = "does not match the token's questionnaire"
    return proof, area_id


def _check_proof(prepared: Prepared, proof: tokens.Proof | None, windows: Windows,
                 now: datetime, errors: dict[str, str], data_entry: bool) -> None:
    """The token must be one the channel accepts, and the answer dated inside its window.

    Data entry needs no token and may date freely; a token it does send must still suit the
    channel (a kiosk's token never makes a "web" answer)."""
    channel = prepared.channel
    if channel not in CHANNEL_PROOFS or "token" in errors or (data_entry and proof is None):
        return
    if proof is None or proof.kind not in CHANNEL_PROOFS[channel]:
        errors["token"] = f"channel {channel} needs {PROOF_NAMES[channel]}"
        return
    if data_entry:
        return
    back = windows.kiosk_queue if proof.kind == "kiosk" else windows.online
    earliest = now - back
    if proof.issued_at is not None:
        earliest = max(earliest, proof.issued_at - CLOCK_SKEW)
    if "submitted_at" not in errors and prepared.submitted_at < earliest:
        errors["submitted_at"] = (
            f"earlier than this {PROOF_LABELS[proof.kind]} allows "
            f"(not before {earliest.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M})")


PROOF_LABELS = {"kiosk": "kiosk", "qr": "QR code", "link": "web link", "dossier": "receipt"}


def _check_closed_year(prepared: Prepared, now: datetime, errors: dict[str, str]) -> None:
    """No channel may add to a year whose figures are closed. The current year is never
    closed (`periods.close_year` refuses it), so most submissions skip the look-up."""
    if "submitted_at" in errors:
        return
    year, _ = year_month(prepared.submitted_at)
    if year != year_month(now)[0] and closed_years.is_closed(year):
        errors["submitted_at"] = f"in {year}, a year closed for reporting"


def _check_kiosk_interval(prepared: Prepared, kiosk, windows: Windows) -> None:
    """Refuse (and count) a kiosk answer dated too close to another of the same kiosk.

    The interval is measured on the answers' own times, not on when they arrive, so a queue
    sent at once after an outage passes while a script replaying one kiosk does not.
    """
    seconds = kiosk.min_interval_seconds
    interval = windows.kiosk_min_interval if seconds is None else timedelta(seconds=seconds)
    if interval <= timedelta(0):
        return
    at = prepared.submitted_at
    near = _scalar(select(Response.id).where(
        Response.kiosk_id == prepared.kiosk_id,
        Response.submitted_at > at - interval, Response.submitted_at < at + interval,
        Response.uuid != prepared.uuid).limit(1))
    if near is not None:
        raise Throttled(f"less than {interval.total_seconds():g} s after another answer of "
                        "this kiosk")


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


def submit(payload: Mapping, lang: str = "vi", *, data_entry: bool = False) -> SubmitResult:
    """Check and store one submission in its own transaction; commits.

    `data_entry`: the caller may import responses (paper, any date); see `prepare`.
    """
    checks = {"data_entry": data_entry, "windows": Windows.from_config(current_app.config)}
    try:
        return _submit(payload, lang, checks)
    except IntegrityError:
        # Not a repeated id, so a foreign key: a unit or version this worker remembered is
        # gone. Forget, and check again with what the database holds now.
        lookups.forget()
        return _submit(payload, lang, checks)
    except Throttled:
        _count_throttled(payload)
        raise


def _count_throttled(payload: Mapping) -> None:
    """Add one to the kiosk's count of answers refused as too fast (its own transaction)."""
    try:
        kiosk = tokens.kiosk_from_token(payload["token"])
        with write_turn():
            begin_write()
            db.session.execute(db.update(Kiosk).where(Kiosk.id == kiosk.id).values(
                throttled_responses=Kiosk.throttled_responses + 1))
            db.session.commit()
    except (tokens.TokenRefused, SQLAlchemyError):
        db.session.rollback()  # a count lost is a count; the answer was refused either way
        logging.getLogger(__name__).warning("could not count a throttled kiosk answer")


def _submit(payload: Mapping, lang: str, checks: dict) -> SubmitResult:
    """The checks (look-ups and validating every answer) only read, so they run before the write
    transaction: on SQLite only one writer holds the lock at a time, and it should hold it for
    the inserts alone, not for the Python work of validation. The roll-up counts, and every
    value the driver is given, are also worked out before it (`response_store`).

    A repeated id is found by the unique constraint rather than by a look-up before: retries
    are rare, and every first submission would pay for that query.
    """
    try:
        prepared = prepare(payload, lang, **checks)
        row = _response_row(prepared)
        counts = _counts(prepared, row)
    except (SubmissionInvalid, TokenAlreadyUsed, qservice.UnknownQuestionnaire, Throttled,
            PaperNotAllowed) as refusal:
        # A retry of a stored response is answered with it, even if it would not pass today
        # (its receipt is used now, its unit renamed…).
        if (existing := _stored_id(payload)) is not None:
            if isinstance(refusal, SubmissionInvalid) and payload.get("channel") == "kiosk" \
                    and _amendable(payload, existing):
                # a kiosk's follow-up with a bad answer: refused, so the kiosk sets it aside
                # instead of dropping it; a page checks its answers before it sends them
                raise
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
        # The same id was stored before, or by a retry racing with this request; or it is a
        # kiosk's follow-up answers to its own response (`amend`).
        db.session.rollback()
        existing = find_id(prepared.uuid)
        if existing is None:
            raise
        return amend(prepared, existing) or _already_stored(existing)
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
            "desk_id": prepared.desk_id, "link_id": prepared.link_id,
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
        return qn.MISSING_WORDS[answer.missing_code]
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


# --- Amends: a kiosk's follow-up, a phone's "tell us more" ---------------------------------
# A kiosk sends the face the citizen tapped at once (someone who taps and walks away is
# counted), then sends the same response id again with the optional follow-up answers. A phone
# or web page stores the first screen (the overall question and its reason) as soon as the
# citizen sends it, and the full questionnaire, if they go on, under the same signed id. That
# second submission replaces the answers, only through the same kiosk, poster or link and
# channel, only for a while after the first arrived (KIOSK_AMEND_SECONDS on a kiosk, the page's
# life ONLINE_MAX_AGE_HOURS on a phone); anything else with a stored id is answered, as ever,
# with the stored response. Receipts are never amended: their token is used by the first.
# Amends are rare: they take SQLAlchemy's path after the driver's insert found the id taken.


def _answer_rows(answers: Mapping[str, qn.Answer]) -> dict[str, tuple]:
    return {code: (a.value_int, a.value_text, a.missing_code) for code, a in answers.items()}


def _amend_window(channel: object, kiosk_id: int | None) -> timedelta | None:
    config = current_app.config
    if channel == "kiosk" and kiosk_id is not None:
        return timedelta(seconds=int(config.get("KIOSK_AMEND_SECONDS", 180)))
    if channel in ("phone", "web"):
        return timedelta(hours=int(config["ONLINE_MAX_AGE_HOURS"]))
    return None


# The stored response's source, compared with the amend's: the same channel, unit, kiosk,
# desk poster and web link.
_SOURCE = (Response.channel, Response.unit_id, Response.kiosk_id, Response.desk_id,
           Response.link_id)


def amend(prepared: Prepared, response_id: int, now: datetime | None = None) -> SubmitResult | None:
    """Replace the answers of a kiosk's or page's own recent response with `prepared`'s.

    Returns None when this is not an amend (another source or channel, another version, a
    receipt, the window has passed) or changes nothing (the same answers again): the caller
    answers with the stored response. The roll-ups lose the old answers and gain the new ones
    in the same write transaction (`response_admin.count_responses`, which quarantine and
    deletion use too); a response set aside is outside the roll-ups and stays so. Ignored
    presses are not added again: the kiosk reports them with its first submissions only.
    """
    window = _amend_window(prepared.channel, prepared.kiosk_id)
    if window is None or prepared.dossier_token_id is not None:
        return None
    # End the read that found the id: on SQLite the write must start from a fresh snapshot
    # (begin_write takes the lock only when no transaction is open).
    db.session.rollback()
    try:
        with write_turn():
            begin_write()
            changed = _replace_answers(prepared, response_id, window, now or now_utc())
            if not changed:
                db.session.rollback()
                return None
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return _already_stored(response_id)


def _amendable(payload: Mapping, response_id: int) -> bool:
    """Whether this payload, were its answers valid, would amend the stored response."""
    token = payload.get("token")
    if not isinstance(token, str) or storable.unstorable(token):
        return False
    try:
        proof = tokens.identify(token)
    except (tokens.TokenRefused, TokenAlreadyUsed):
        return False
    kiosk_id = proof.kiosk.id if proof.kiosk is not None else None
    window = _amend_window(payload.get("channel"), kiosk_id)
    row = _first(select(*_SOURCE, Response.received_at).where(Response.id == response_id))
    return window is not None and proof.dossier is None and row is not None \
        and row[:5] == (payload.get("channel"), proof.unit_id, kiosk_id, proof.desk_id,
                        proof.link_id) and now_utc() - window <= row[5]


def _replace_answers(prepared: Prepared, response_id: int, window: timedelta,
                     now: datetime) -> bool:
    # FOR UPDATE: on PostgreSQL two amends of one response (a retry racing) run one after
    # the other, so the second sees the first's answers and subtracts those.
    row = db.session.execute(
        select(*_SOURCE, Response.version_id, Response.received_at)
        .where(Response.id == response_id).with_for_update()).one_or_none()
    source = (prepared.channel, prepared.unit_id, prepared.kiosk_id, prepared.desk_id,
              prepared.link_id)
    if row is None or tuple(row[:5]) != source or row.version_id != prepared.version.id \
            or not now - window <= row.received_at:
        return False
    stored = db.session.execute(
        select(Answer.item_code, Answer.value_int, Answer.value_text, Answer.missing_code)
        .where(Answer.response_id == response_id)).all()
    if {a.item_code: (a.value_int, a.value_text, a.missing_code) for a in stored} \
            == _answer_rows(prepared.answers):
        return False
    counted = (Response.id == response_id) & Response.in_figures
    response_admin.count_responses(counted, sign=-1)
    db.session.execute(delete(Answer).where(Answer.response_id == response_id),
                       execution_options={"synchronize_session": False})
    insert_rows(db.session.connection(), Answer.__table__, [
        {"response_id": response_id, "item_code": code, "value_int": values[0],
         "value_text": values[1], "missing_code": values[2]}
        for code, values in _answer_rows(prepared.answers).items()])
    # Both come from the answers (and the service area): part of the roll-ups' key.
    db.session.execute(update(Response).where(Response.id == response_id).values(
        respondent_type=prepared.respondent_type, service_area_id=prepared.service_area_id),
        execution_options={"synchronize_session": False})
    response_admin.count_responses(counted, sign=1)
    return True
