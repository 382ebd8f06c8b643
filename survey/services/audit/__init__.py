"""Writing the audit log. Services call `record` in the same transaction as the change; reading
it back (the filtered listing, the CSV) is `log.py`."""

from __future__ import annotations

from survey.extensions import db
from survey.models import AuditEntry


def record(
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str = "",
    old: dict | None = None,
    new: dict | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=str(entity_key),
        old_values=old,
        new_values=new,
    )
    db.session.add(entry)
    return entry
