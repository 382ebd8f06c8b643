"""Who an alert goes to: the unit's officers and its leader.

Accounts carry no e-mail address, so the addresses are settings, per unit code like the
leaders' for feedback escalations:

- ALERT_EMAILS (`HN-D01=ubnd.d01@example.vn,HN-D01=vp.d01@example.vn,HN=...`): the officers'
  mailboxes; an address given for a unit receives the alerts of that unit and of every unit
  below it (as an officer of the unit sees them in the list);
- FEEDBACK_LEADER_EMAILS: the leader, the nearest unit up the path with an address (the same
  rule as a feedback case's escalation).

An address that appears several times (a district's office for two communes) is sent one
message per alert all the same: recipients are deduplicated.
"""

from __future__ import annotations

from survey.models import Unit
from survey.services.alerts import AlertError
from survey.services.feedback import FeedbackError, contacts
from survey.services.feedback.escalation import leader_of, parse_leaders


def parse_officers(text: str) -> list[tuple[str, str]]:
    """"HN=a@x.vn,HN-D01=b@x.vn" -> [("HN", "a@x.vn"), ...]; a code may repeat."""
    pairs = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        code, sep, address = part.partition("=")
        if not sep or not code.strip() or not contacts.EMAIL.fullmatch(address.strip()):
            raise AlertError("ALERT_EMAILS", f"{part!r} is not UNIT_CODE=e-mail address")
        pairs.append((code.strip(), address.strip()))
    return pairs


def leaders_setting(config) -> dict[str, str]:
    try:
        return parse_leaders(config.get("FEEDBACK_LEADER_EMAILS", ""))
    except FeedbackError as problem:
        raise AlertError(problem.field, problem.message) from None


def addresses(config) -> list[tuple[str, str]]:
    """Every (unit code, address) that receives alerts: officers' and leaders'."""
    return parse_officers(config.get("ALERT_EMAILS", "")) + sorted(leaders_setting(config).items())


def for_unit(unit: Unit, config) -> list[str]:
    """The addresses an alert of `unit` goes to, officers' first, without repeats."""
    path = {c for c in unit.path.split("/") if c}
    found = [address for code, address in parse_officers(config.get("ALERT_EMAILS", ""))
             if code in path]
    leader = leader_of(unit, leaders_setting(config))
    if leader is not None:
        found.append(leader[1])
    return list(dict.fromkeys(found))
