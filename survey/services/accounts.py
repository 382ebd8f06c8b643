"""Staff accounts and API keys: creation, password checks with lockout, key lookup."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from survey.config import ROLES
from survey.extensions import db
from survey.models import ApiKey, Unit, User, now_utc
from survey.services import audit

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
API_KEY_PREFIX = "hl_"


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


@dataclass(frozen=True, slots=True)
class NewApiKey:
    name: str
    key: str  # shown once; only its hash is stored


def _resolve_unit(role: str, unit_code: str | None) -> Unit | None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    unit = None
    if unit_code:
        unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
        if unit is None:
            raise AccountError(f"unknown unit code {unit_code!r}")
    if role == "unit_officer" and unit is None:
        raise AccountError("a unit officer needs --unit CODE")
    return unit


def create_user(
    username: str, password: str, role: str, unit_code: str | None = None, actor: str = "cli"
) -> User:
    username = username.strip()
    if not username:
        raise AccountError("the username is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    unit = _resolve_unit(role, unit_code)
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise AccountError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        unit=unit,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", username, new={"role": role, "unit": unit_code})
    return user


def authenticate(username: str, password: str) -> User | None:
    """Return the user when the password is right and the account is neither off nor locked.

    Failures are counted; after MAX_FAILED_LOGINS the account is locked for LOCKOUT, which
    slows guessing even from many addresses (the per-address rate limit covers the rest).
    """
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    now = now_utc()
    if user is None:
        # Spend the same time as a real check so a wrong name is not told from a wrong password.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            audit.record("system", "lock", "user", username)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(
    name: str, role: str, unit_code: str | None = None, actor: str = "cli"
) -> NewApiKey:
    unit = _resolve_unit(role, unit_code)
    if db.session.execute(db.select(ApiKey.id).filter_by(name=name)).first():
        raise AccountError(f"an API key named {name!r} already exists")
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiKey(name=name, key_hash=hash_api_key(key), role=role, unit=unit))
    db.session.flush()
    audit.record(actor, "create", "api_key", name, new={"role": role, "unit": unit_code})
    return NewApiKey(name=name, key=key)


def find_api_key(key: str) -> ApiKey | None:
    """The active key matching a bearer token, or None."""
    found = db.session.execute(
        db.select(ApiKey).filter_by(key_hash=hash_api_key(key))
    ).scalar_one_or_none()
    if found is None or found.revoked_at is not None:
        return None
    return found


def ensure_admin() -> tuple[str, str] | None:
    """Create the first admin when there is no admin; return (username, password) once."""
    if db.session.execute(db.select(User.id).filter_by(role="admin")).first():
        return None
    password = secrets.token_urlsafe(12)
    create_user("admin", password, "admin", actor="setup")
    return "admin", password
