"""Managing staff accounts after creation: role and unit, deactivation, passwords. Audited.

Creation itself is `accounts.create_user`; these operations reuse its rules (roles, a unit
for every unit officer, the minimum password length) so the CLI and the admin pages agree.
"""

from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from survey.extensions import db
from survey.models import User
from survey.services import audit
from survey.services.accounts import MIN_PASSWORD_LENGTH, AccountError, _resolve_unit


def get(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountError("no user %(id)s", id=user_id)
    return user


def all_users() -> list[User]:
    return list(db.session.execute(db.select(User).order_by(User.username)).scalars())


def _admins_left(excluding: User) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != excluding.id)
    ).scalar_one()


def update(user: User, role: str, unit_code: str | None, active: bool, actor: str) -> User:
    """Change role, unit and whether the account may log in."""
    unit = _resolve_unit(role, unit_code or None)
    if user.role == "admin" and (role != "admin" or not active) and not _admins_left(user):
        # Without an active admin nobody could undo this from the web.
        raise AccountError("the last active admin cannot lose the role or be deactivated")
    old = {"role": user.role, "unit": user.unit.code if user.unit else None,
           "active": user.active}
    if user.active and not active:
        end_sessions(user)  # a deactivated account is out at once, not at its next login
    user.role, user.unit, user.active = role, unit, active
    new = {"role": role, "unit": unit.code if unit else None, "active": active}
    if old != new:
        audit.record(actor, "update", "user", user.username, old=old, new=new)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of this user (see accounts.user_for_session)."""
    user.session_version += 1
    db.session.flush()


def _check_new(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("the password needs at least %(n)s characters", n=MIN_PASSWORD_LENGTH)


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password proves it is them at the keyboard."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("the current password is wrong")
    _check_new(new)
    user.password_hash = generate_password_hash(new)
    # Whoever copied a cookie (or left a session open elsewhere) is out; the caller logs the
    # current session in again with the new version.
    end_sessions(user)
    # passwords are never written to the log, only that one changed
    audit.record(user.username, "change_password", "user", user.username)
    db.session.flush()


def reset_password(user: User, actor: str) -> str:
    """A new random password, returned once to be handed over; ends the user's sessions."""
    password = secrets.token_urlsafe(12)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    audit.record(actor, "reset_password", "user", user.username)
    db.session.flush()
    return password
