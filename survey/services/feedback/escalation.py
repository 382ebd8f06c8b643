"""Overdue cases go to the unit's leader.

A case still open (received, in progress, reopened) after its deadline is escalated once:
`escalated_at` is set, the history says to whom, and the leader is told by e-mail. The leader
of a unit is the address FEEDBACK_LEADER_EMAILS gives for it, or for the nearest unit above it
(a commune's case goes to its own chairman's address when there is one, else to the
district's or the province's; the case of a commune that has since merged goes to the leader
of the commune it merged into). Without any address the escalation is still recorded (and the
case is marked on the officers' list), and its history says nobody was e-mailed.

Run by `hailong feedback escalate` (from cron or a systemd timer, e.g. every morning).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from survey.database import begin_write
from survey.extensions import db
from survey.models import Unit, now_utc
from survey.models.feedback import OPEN_STATUSES, FeedbackCase
from survey.services import audit
from survey.services.feedback import FeedbackError, contacts
from survey.services.feedback.cases import _event
from survey.services.feedback.scope import answering_unit
from survey.services.feedback.senders import sender_for


@dataclass(frozen=True, slots=True)
class Escalated:
    case_id: int
    unit_code: str
    leader_unit: str  # whose address was used; "" when none is configured
    sent: bool
    detail: str


def parse_leaders(text: str) -> dict[str, str]:
    """"HN=a@x.vn,HN-D01=b@x.vn" -> {"HN": "a@x.vn", ...}; FeedbackError on a bad part."""
    leaders: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        code, sep, address = part.partition("=")
        if not sep or not code.strip() or not contacts.EMAIL.fullmatch(address.strip()):
            raise FeedbackError("FEEDBACK_LEADER_EMAILS",
                                f"{part!r} is not UNIT_CODE=e-mail address")
        leaders[code.strip()] = address.strip()
    return leaders


def leader_of(unit: Unit, leaders: dict[str, str]) -> tuple[str, str] | None:
    """(unit code, address) of the nearest unit up `unit`'s path with a leader address."""
    for code in reversed([c for c in unit.path.split("/") if c]):
        if code in leaders:
            return code, leaders[code]
    return None


def overdue(now: datetime) -> list[FeedbackCase]:
    return list(db.session.execute(
        db.select(FeedbackCase).where(FeedbackCase.status.in_(OPEN_STATUSES),
                                      FeedbackCase.due_at < now,
                                      FeedbackCase.escalated_at.is_(None))
        .order_by(FeedbackCase.due_at, FeedbackCase.id)).scalars())


def _body(case: FeedbackCase, link: str) -> str:
    return (f"Phản ánh, kiến nghị số {case.id} gửi {case.unit.name_vi} đã quá hạn trả lời "
            f"(hạn: {case.due_at:%d/%m/%Y %H:%M} UTC) mà chưa được trả lời.\n\n"
            f"Xem và chỉ đạo xử lý: {link}\n")


def escalate_overdue(config: dict, actor: str = "system", now: datetime | None = None,
                     link_for=None) -> list[Escalated]:
    """Escalate every overdue case once; what was done for each. `link_for(case)` makes the
    officer page's address for the e-mail (the CLI has no request to build one)."""
    begin_write()
    now = now or now_utc()
    leaders = parse_leaders(config.get("FEEDBACK_LEADER_EMAILS", ""))
    done = []
    for case in overdue(now):
        unit = case.unit
        # a case of a unit that has since merged or split goes to the leader of the unit
        # whose officers answer it now
        leader = leader_of(answering_unit(unit), leaders)
        case.escalated_at = now
        if leader is None:
            sent, detail, leader_unit = False, "escalated: no leader address configured", ""
        else:
            leader_unit, address = leader
            link = link_for(case) if link_for else f"/feedback/cases/{case.id}"
            result = sender_for("email").send(
                address, f"Phản ánh số {case.id} quá hạn – {unit.name_vi}", _body(case, link))
            sent = result.sent
            detail = f"escalated to the leader of {leader_unit}: {result.detail}"
        _event(case, case.status, case.status, actor, detail, at=now)
        audit.record(actor, "feedback.escalate", "feedback_case", case.id,
                     new={"leader_unit": leader_unit, "sent": sent})
        done.append(Escalated(case.id, unit.code, leader_unit, sent, detail))
    db.session.flush()
    return done
