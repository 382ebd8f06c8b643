"""A case's contact: checked, sealed with the investigation contacts' sealing, deleted at close.

The address is sealed by survey/services/investigation/contacts.Sealer (AES-256-GCM,
HAILONG_CONTACT_KEY), not by a copy of it: one key, one format, one place to audit. Its
associated data names this case (investigation 0, which no investigation has, and
"feedback-case:ID"), so a blob copied to another case or to a frame row does not open.
An e-mail address goes in the sealer's e-mail field, a phone number (SMS, Zalo) in its phone
field. Nothing here writes the address anywhere else: not the history, not the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.extensions import db
from survey.models import now_utc
from survey.models.feedback import CONTACT_CHANNELS, FeedbackCase, FeedbackContact
from survey.services.feedback import FeedbackError
from survey.services.investigation.contacts import CONTACT_FIELDS, Sealer, _secure

# Not every address RFC 5322 allows: one a citizen types and a mail server delivers.
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
# A Vietnamese mobile number: 0 or +84/84, then a mobile prefix (3, 5, 7, 8, 9) and 8 digits.
MOBILE = re.compile(r"(?:\+?84|0)([35789]\d{8})")
SEPARATORS = re.compile(r"[\s.\-()]")
NOT_A_CASE = 0  # the investigation id in the sealed blob's context: none has id 0


@dataclass(frozen=True, slots=True)
class Contact:
    channel: str
    address: str


def normalise(channel: str, address: str) -> Contact:
    """The contact as stored, or FeedbackError("address" | "channel", code)."""
    if channel not in CONTACT_CHANNELS:
        raise FeedbackError("channel", "unknown_channel")
    text = (address or "").strip()
    if not text:
        raise FeedbackError("address", "missing_address")
    if channel == "email":
        if len(text) > 254 or not EMAIL.fullmatch(text):
            raise FeedbackError("address", "bad_email")
        return Contact(channel, text)
    found = MOBILE.fullmatch(SEPARATORS.sub("", text))
    if found is None:
        raise FeedbackError("address", "bad_phone")
    return Contact(channel, "0" + found.group(1))


def _context(case_id: int) -> tuple[int, str]:
    return NOT_A_CASE, f"feedback-case:{case_id}"


def _fields(contact: Contact) -> tuple[str, ...]:
    field = "email" if contact.channel == "email" else "phone"
    return tuple(contact.address if name == field else "" for name in CONTACT_FIELDS)


def attach(case: FeedbackCase, contact: Contact, sealer: Sealer | None = None) -> None:
    """Seal and store `contact` for `case` (which has an id), replacing any earlier one."""
    sealer = sealer or Sealer()
    blob = sealer.seal(*_context(case.id), _fields(contact))
    if case.contact is None:
        case.contact = FeedbackContact(channel=contact.channel, key_id=sealer.key_id, blob=blob,
                                       consent_at=now_utc())
    else:
        case.contact.channel, case.contact.key_id = contact.channel, sealer.key_id
        case.contact.blob, case.contact.consent_at = blob, now_utc()
    db.session.flush()


def open_contact(case: FeedbackCase, sealer: Sealer | None = None) -> Contact | None:
    row = case.contact
    if row is None:
        return None
    opened = (sealer or Sealer()).open(*_context(case.id), row.key_id, row.blob)
    return Contact(row.channel, opened.get("email") or opened.get("phone") or "")


def delete(case: FeedbackCase) -> bool:
    """Delete the case's contact for good (SQLite: secure_delete); whether there was one."""
    if case.contact is None:
        return False
    db.session.flush()
    deleted = _secure(db.delete(FeedbackContact).where(FeedbackContact.case_id == case.id))
    db.session.expire(case, ["contact"])
    return deleted > 0
