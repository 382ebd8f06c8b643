"""The in-app list: alerts within a principal's unit scope, read marks, acknowledgement.

A unit officer sees the alerts of their unit and the units below it (another unit's alert is
a 404, like one that does not exist); admins and analysts (the leaders' accounts) see every
alert. "Unread" is per account: an alert shown in the list is marked read for that account.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select

from survey.database import begin_write
from survey.extensions import db
from survey.models import Alert, AlertRead, Unit, now_utc
from survey.models.alerts import ALERT_KINDS
from survey.services import audit
from survey.services.alerts import AlertError

FILTERS = ("open", "", "acknowledged")
MAX_NOTE = 500


def in_scope(query, scope: Unit | None):
    """Narrow an Alert query to the subtree of `scope` (None: everything)."""
    if scope is None:
        return query
    return query.join(Unit, Unit.id == Alert.unit_id).where(
        Unit.path.startswith(scope.path, autoescape=True))


def listing(scope: Unit | None, state: str = "open", kind: str = "",
            limit: int = 200) -> list[Alert]:
    query = in_scope(select(Alert), scope)
    if state in ("open", "acknowledged"):
        query = query.where(Alert.state == state)
    if kind in ALERT_KINDS:
        query = query.where(Alert.kind == kind)
    return list(db.session.execute(
        query.order_by(Alert.day.desc(), Alert.id.desc()).limit(limit)).scalars())


def get_in_scope(alert_id: int, scope: Unit | None) -> Alert | None:
    return db.session.execute(in_scope(select(Alert).where(Alert.id == alert_id), scope)
                              ).scalar_one_or_none()


def _unread(user_id: int):
    return ~exists().where(AlertRead.alert_id == Alert.id, AlertRead.user_id == user_id)


def unread_count(scope: Unit | None, user_id: int) -> int:
    """Open alerts in scope this account has not seen: the menu's badge (one query)."""
    query = in_scope(select(func.count(Alert.id)), scope).where(
        Alert.state == "open", _unread(user_id))
    return db.session.execute(query).scalar_one()


def unread_ids(alerts: list[Alert], user_id: int) -> set[int]:
    if not alerts:
        return set()
    read = set(db.session.execute(select(AlertRead.alert_id).where(
        AlertRead.user_id == user_id, AlertRead.alert_id.in_([a.id for a in alerts]))).scalars())
    return {a.id for a in alerts} - read


def mark_read(alert_ids: set[int], user_id: int) -> None:
    """Flushes; the request commits. Ids already read are skipped by the caller's set."""
    if not alert_ids:
        return
    begin_write()
    db.session.add_all(AlertRead(alert_id=i, user_id=user_id) for i in sorted(alert_ids))
    db.session.flush()


def acknowledge(alert: Alert, actor: str, note: str = "") -> None:
    """Someone has looked at the alert and taken it in hand; audited. Once only."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise AlertError("note", f"at most {MAX_NOTE} characters")
    if alert.state == "acknowledged":
        raise AlertError("state", "the alert is already acknowledged")
    begin_write()
    alert.state, alert.acknowledged_by = "acknowledged", actor[:80]
    alert.acknowledged_at, alert.acknowledged_note = now_utc(), note
    audit.record(actor, "alert.acknowledge", "alert", str(alert.id),
                 old={"state": "open"}, new={"state": "acknowledged", "note": note})
    db.session.flush()
