"""The fieldwork of a drawn investigation: who sees which case, assignment, statuses, and the
personal link's or paper form's response that completes a case.

Services take plain data (a `Scope`, ids, texts) and flush; the request commits. Two kinds of
staff work here (survey/access.py): officers (`manage_fieldwork`: admins, and unit officers
within their unit's subtree) assign cases and read progress; collectors (`fieldwork` without
`manage_fieldwork`: data entry, field staff) see and change only the cases assigned to them.

A case is completed only by a stored response: through its personal link (`submit_by_link`,
channel "web") or by a paper form entered against it (`submit_paper`, channel "paper"). The
response and the case's completion are one transaction, and the case is locked while it is
written, so two sends of one link (two tabs, a retry racing) store one response: the second
finds the case completed and is answered with the stored response when it is the same page
(the same signed response id), or refused as a used link. The response names its
investigation (`response.investigation_id`), so it counts in no open-collection figure
(`Response.in_figures`): no roll-up, report, export or public page pools it with those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from survey.database import begin_write, write_turn
from survey.extensions import db
from survey.models import Procedure, Response, ServiceArea, Unit, User
from survey.models.investigation import (
    FINAL_CASE_STATUSES,
    CaseEvent,
    FrameDossier,
    Investigation,
    SampleCase,
)
from survey.services import aggregates, audit
from survey.services import questionnaires as qservice
from survey.services import responses as rservice
from survey.services.investigation import cases
from survey.services.investigation.investigations import InvestigationError
from survey.services.tokens import hash_token

OPEN_STATUSES = ("issued", "contacted")
NOT_COUNTED = aggregates.Counted(())  # what a case's response adds to the roll-ups: nothing
# What a collector or officer may set by hand: "completed" comes only with a response.
MANUAL_STATUSES = ("contacted", "refused", "not_eligible", "unreachable")
# A personal link still opens the questionnaire in these statuses: a citizen who refused on
# the phone or could not be reached may still answer; one found not eligible may not.
LINK_OPEN = ("issued", "contacted", "refused", "unreachable")
COLLECTOR_ROLES = ("data_entry", "unit_officer")
NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose cases a request may see: everything (an admin), a unit's subtree (a unit
    officer), or only the cases assigned to one collector."""

    user_id: int | None
    actor: str
    manager: bool
    unit_path: str | None = None  # a unit officer's subtree

    def where(self, query):
        if not self.manager:
            return query.where(SampleCase.collector_id == (self.user_id or -1))
        if self.unit_path is not None:
            return query.where(SampleCase.frame_dossier_id.in_(
                db.select(FrameDossier.id).join(Unit, Unit.id == FrameDossier.unit_id)
                .where(Unit.path.startswith(self.unit_path, autoescape=True))))
        return query


STATE_WORDS = {"draft": "nháp", "drawn": "đã chọn mẫu", "fieldwork": "đang điều tra",
               "closed": "đã kết thúc"}
PROBLEMS: dict[str, tuple[str, str]] = {  # code: (English, Vietnamese)
    "completed": ("the case is completed: its response is stored",
                  "phiếu đã hoàn thành: câu trả lời đã được lưu"),
    "has_outcome": ("the case has an outcome; ask an officer to correct it",
                    "phiếu đã có kết quả; hãy đề nghị cán bộ quản lý sửa"),
    "state": ("the investigation is {state}", "cuộc điều tra {state_vi}"),
    "manual": ("choose contacted, refused, not eligible or unreachable",
               "hãy chọn: đã liên hệ, từ chối, không thuộc đối tượng hoặc không liên lạc được"),
    "note": ("the note is longer than {limit} characters", "ghi chú dài quá {limit} ký tự"),
    "officer": ("only an officer may do this", "chỉ cán bộ quản lý được làm việc này"),
    "collector": ("not an active data-entry or unit account",
                  "không phải tài khoản nhập liệu hoặc cán bộ đơn vị đang hoạt động"),
    "scope": ("a case is not in this investigation or not among yours",
              "có phiếu không thuộc cuộc điều tra này hoặc ngoài phạm vi của bạn"),
    "no_open": ("no open case in this selection", "không có phiếu nào đang mở trong lựa chọn này"),
    "too_many": ("more than {limit} letters: choose a collector, a unit or a stratum",
                 "hơn {limit} thư: hãy chọn một người thu thập, một đơn vị hoặc một tầng"),
    "unit": ("no unit {code!r}", "không có đơn vị {code!r}"),
}


class FieldworkError(InvestigationError):
    """A fieldwork request refused; `message(lang)` words it for the page."""

    def __init__(self, field: str, problem: str, **params):
        self.problem, self.params = problem, params
        if "state" in params:
            params["state_vi"] = STATE_WORDS.get(params["state"], params["state"])
        super().__init__(field, PROBLEMS[problem][0].format(**params))

    def message(self, lang: str = "en") -> str:
        english, vietnamese = PROBLEMS[self.problem]
        return (vietnamese if lang == "vi" else english).format(**self.params)


class CaseNotFound(LookupError):
    """No such case in this investigation, or not one this scope may see (both answer 404)."""


class LinkRefused(Exception):
    """A personal link that does not open: `reason` is unknown, used, not_started, closed or
    not_eligible."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def case_code(investigation_code: str, case_id: int) -> str:
    """The code printed on a case's letter and written on its paper form."""
    return f"{investigation_code}-{case_id:06d}"


def parse_case_code(code: str) -> tuple[str, int] | None:
    head, _, number = (code or "").strip().rpartition("-")
    if not head or not number.isascii() or not number.isdigit() or len(number) > 12:
        return None
    return head, int(number)


def find_case(investigation: Investigation, case_id: int, scope: Scope) -> SampleCase:
    query = scope.where(db.select(SampleCase).where(
        SampleCase.investigation_id == investigation.id, SampleCase.id == case_id))
    found = db.session.execute(query).scalar_one_or_none()
    if found is None:
        raise CaseNotFound(case_id)
    return found


def case_by_code(code: str, scope: Scope) -> tuple[Investigation, SampleCase]:
    """The case a paper form names by its printed code (a code of another investigation, or
    out of scope, is not found)."""
    parsed = parse_case_code(code)
    if parsed is None:
        raise CaseNotFound(code)
    investigation = db.session.execute(
        db.select(Investigation).filter_by(code=parsed[0])).scalar_one_or_none()
    if investigation is None:
        raise CaseNotFound(code)
    return investigation, find_case(investigation, parsed[1], scope)


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One row of a case list: plain values, nothing personal."""

    id: int
    code: str
    dossier_code: str
    stratum: str
    unit: str
    status: str
    status_at: object
    collector: str
    link_issued_at: object


def case_lines(investigation: Investigation, scope: Scope, status: str = "",
               collector_id: int | None = None, stratum: str = "",
               limit: int | None = 500) -> list[CaseLine]:
    query = (db.select(SampleCase.id, FrameDossier.dossier_code, SampleCase.stratum_key,
                       Unit.code, SampleCase.status, SampleCase.status_at, User.username,
                       SampleCase.token_issued_at)
             .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
             .join(Unit, Unit.id == FrameDossier.unit_id)
             .outerjoin(User, User.id == SampleCase.collector_id)
             .where(SampleCase.investigation_id == investigation.id)
             .order_by(SampleCase.stratum_key, SampleCase.id).limit(limit))
    if status:
        query = query.where(SampleCase.status == status)
    if collector_id is not None:
        query = query.where(SampleCase.collector_id == (collector_id or None))
    if stratum:
        query = query.where(SampleCase.stratum_key == stratum)
    return [CaseLine(row[0], case_code(investigation.code, row[0]), *row[1:6], row[6] or "",
                     row[7]) for row in db.session.execute(scope.where(query))]


def collectors() -> list[User]:
    """The accounts a case may be assigned to: data entry (field staff) and unit officers
    (commune officials deliver letters too), active ones only."""
    return list(db.session.execute(
        db.select(User).where(User.role.in_(COLLECTOR_ROLES), User.active.is_(True))
        .order_by(User.username)).scalars())


def _open_investigation(investigation: Investigation) -> None:
    if investigation.status not in ("drawn", "fieldwork"):
        raise FieldworkError("status", "state", state=investigation.status)


def assign(investigation: Investigation, case_ids: list[int], collector_id: int | None,
           scope: Scope) -> int:
    """Give cases to a collector (None: take them back); a history line per case. Returns
    how many changed hands. Only officers assign, and only cases in their scope."""
    begin_write()
    if not scope.manager:
        raise FieldworkError("collector", "officer")
    _open_investigation(investigation)
    collector = None
    if collector_id is not None:
        collector = db.session.get(User, collector_id)
        if collector is None or not collector.active or collector.role not in COLLECTOR_ROLES:
            raise FieldworkError("collector", "collector")
    found = list(db.session.execute(scope.where(db.select(SampleCase).where(
        SampleCase.investigation_id == investigation.id,
        SampleCase.id.in_(case_ids)))).scalars())
    if len(found) != len(set(case_ids)):
        raise FieldworkError("cases", "scope")
    name = collector.username if collector else ""
    changed = 0
    for case in found:
        if case.collector_id == collector_id:
            continue
        # Assignment is history too, so a status line names whose hands the case was in.
        db.session.add(CaseEvent(case=case, from_status=case.status, to_status=case.status,
                                 actor=scope.actor[:80],
                                 note=(f"assigned: {name}" if name else "unassigned")[:500]))
        case.collector_id = collector_id
        changed += 1
    audit.record(scope.actor, "assign_cases", "investigation", investigation.code,
                 new={"collector": name, "cases": sorted(c.id for c in found)})
    db.session.flush()
    return changed


def change_status(investigation: Investigation, case: SampleCase, status: str, note: str,
                  scope: Scope) -> CaseEvent:
    """A collector's or officer's outcome of a contact attempt. A collector changes only an
    open case; an officer may also correct an outcome. Never to or from "completed": that
    belongs to the stored response."""
    begin_write()
    if status not in MANUAL_STATUSES:
        raise FieldworkError("status", "manual")
    if case.status == "completed":
        raise FieldworkError("status", "completed")
    if not scope.manager and case.status not in OPEN_STATUSES:
        raise FieldworkError("status", "has_outcome")
    if len(note or "") > NOTE_MAX:
        raise FieldworkError("note", "note", limit=NOTE_MAX)
    _open_investigation(investigation)
    return cases.set_status(case, status, scope.actor, (note or "").strip())


# --- completing a case with a response -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkCase:
    """What a personal link's page needs, read once when it opens."""

    case_id: int
    investigation_code: str
    questionnaire_code: str
    unit_code: str
    unit_title: tuple[str, str]  # (vi, en)
    service_area: str | None


def link_case(token: str) -> LinkCase:
    """The open case of a personal link, or LinkRefused saying why not."""
    case = cases.case_for_token(token) if token and len(token) <= 100 else None
    if case is None:
        raise LinkRefused("unknown")
    if case.status == "completed":
        raise LinkRefused("used")
    investigation = db.session.get(Investigation, case.investigation_id)
    if investigation.status == "drawn":
        raise LinkRefused("not_started")
    if investigation.status != "fieldwork":
        raise LinkRefused("closed")
    if case.status not in LINK_OPEN:
        raise LinkRefused("not_eligible")
    return _context(investigation, case)


def paper_case(investigation: Investigation, case: SampleCase) -> LinkCase:
    """The context of a paper form entered against a case (open or with an outcome)."""
    if case.status == "completed":
        raise FieldworkError("status", "completed")
    _open_investigation(investigation)
    return _context(investigation, case)


def _context(investigation: Investigation, case: SampleCase) -> LinkCase:
    dossier = case.dossier
    unit = db.session.get(Unit, dossier.unit_id)
    area = db.session.get(ServiceArea, dossier.service_area_id)
    definition = qservice.definition_of(qservice.get_version(investigation.questionnaire.code))
    # The dossier's service area, when the questionnaire may carry it (a general form may).
    allowed = not definition.service_areas or area.code in definition.service_areas
    return LinkCase(case.id, investigation.code, investigation.questionnaire.code, unit.code,
                    (unit.name_vi, unit.name_en or unit.name_vi),
                    area.code if allowed else None)


def submit_by_link(token: str, payload: Mapping, lang: str) -> rservice.SubmitResult:
    """Store a personal link's answers as a "web" response and complete its case."""
    return _complete({**payload, "channel": "web", "submitted_at": None, "part": None},
                     lang, token_hash=hash_token(token), case_id=None, actor="link",
                     note="answered through the personal link")


def submit_paper(case_id: int, payload: Mapping, lang: str, actor: str,
                 submitted_at: str | None = None) -> rservice.SubmitResult:
    """Store a paper form entered against a case as a "paper" response and complete it."""
    return _complete({**payload, "channel": "paper", "submitted_at": submitted_at,
                      "part": None}, lang, token_hash=None, case_id=case_id, actor=actor,
                     note="paper form entered")


def _complete(payload: dict, lang: str, *, token_hash: str | None, case_id: int | None,
              actor: str, note: str) -> rservice.SubmitResult:
    # The case's token is the proof here, checked below under the case's lock; the response
    # carries none (no web link or receipt of the open collection), so it is prepared as data
    # entry prepares a paper row: answers and context checked, the date set by the server for
    # a link and read from the form for paper.
    payload["token"] = None
    prepared = rservice.prepare(payload, lang, data_entry=True)
    prepared.procedure_id = _procedure_id(token_hash, case_id)
    db.session.rollback()  # end the reads: the write starts from a fresh snapshot (SQLite)
    try:
        with write_turn():
            begin_write()
            case = _locked_case(token_hash, case_id)
            if case.status == "completed":
                existing = rservice.find_id(prepared.uuid)
                db.session.rollback()
                if existing is not None and existing == case.response_id:
                    return rservice.SubmitResult(existing, False, {})
                raise rservice.TokenAlreadyUsed("the case is completed")
            if token_hash is not None and case.status not in LINK_OPEN:
                raise rservice.TokenAlreadyUsed(f"the case is {case.status}")
            # the investigation's: estimated with its weights, beside and never pooled with the
            # open-collection figures (issue #20), so its answers go into no roll-up, and it is
            # marked so that no other figure reads it (`Response.in_figures`)
            response_id, _ = rservice.store(prepared, NOT_COUNTED)
            db.session.execute(update(Response).where(Response.id == response_id)
                               .values(investigation_id=case.investigation_id),
                               execution_options={"synchronize_session": False})
            cases.set_status(case, "completed", actor, note, response_id=response_id)
            db.session.commit()
    except IntegrityError:
        # The same page sent twice while the first was being stored: answered with it.
        db.session.rollback()
        existing = rservice.find_id(prepared.uuid)
        if existing is None:
            raise
        return rservice.SubmitResult(existing, False, {})
    except Exception:
        db.session.rollback()
        raise
    return rservice.SubmitResult(response_id, True, {})


def _case_query(token_hash: str | None, case_id: int | None):
    if token_hash is not None:
        return db.select(SampleCase).where(SampleCase.token_hash == token_hash)
    return db.select(SampleCase).where(SampleCase.id == case_id)


def _locked_case(token_hash: str | None, case_id: int | None) -> SampleCase:
    case = db.session.execute(
        _case_query(token_hash, case_id).with_for_update()).scalar_one_or_none()
    if case is None:
        raise rservice.TokenAlreadyUsed("the link was replaced")
    investigation = db.session.get(Investigation, case.investigation_id)
    if investigation.status != "fieldwork" and not (
            token_hash is None and investigation.status == "drawn"):
        raise rservice.TokenAlreadyUsed(f"the investigation is {investigation.status}")
    return case


def _procedure_id(token_hash: str | None, case_id: int | None) -> int | None:
    """The frame dossier's procedure, so the response is filed under it like a receipt's."""
    case = db.session.execute(_case_query(token_hash, case_id)).scalar_one_or_none()
    if case is None:
        return None
    return db.session.execute(db.select(Procedure.id).filter_by(
        code=case.dossier.procedure_code)).scalar_one_or_none()


def history(case: SampleCase) -> list[CaseEvent]:
    return list(case.events)


def is_final(status: str) -> bool:
    return status in FINAL_CASE_STATUSES
