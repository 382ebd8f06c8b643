"""Staff accounts and API keys: creation, password checks, sessions, key lookup; managing an
account after its creation (role, unit, deactivation, passwords) is `users.py`."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from survey.extensions import db
from survey.models import ApiKey, Unit, User, now_utc
from survey.roles import ROLES
from survey.services import audit

MIN_PASSWORD_LENGTH = 10
API_KEY_PREFIX = "hl_"


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why.

    `str()` is the English sentence the CLI prints; `translated()` words it in the user's
    language for the web pages (the templates are msgids of the main catalogue).
    """

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)

    def translated(self) -> str:
        from flask_babel import gettext

        return gettext(self.template, **self.params)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    name: str
    key: str  # shown once; only its hash is stored


def _resolve_unit(role: str, unit_code: str | None) -> Unit | None:
    if role not in ROLES:
        raise AccountError("unknown role '%(role)s'; roles: %(roles)s", role=role,
                           roles=", ".join(ROLES))
    unit = None
    if unit_code:
        unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
        if unit is None:
            raise AccountError("unknown unit code '%(code)s'", code=unit_code)
    if role == "unit_officer" and unit is None:
        raise AccountError("a unit officer needs a unit (--unit CODE)")
    return unit


def create_user(
    username: str, password: str, role: str, unit_code: str | None = None, actor: str = "cli"
) -> User:
    username = username.strip()
    if not username:
        raise AccountError("the username is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("the password needs at least %(n)s characters", n=MIN_PASSWORD_LENGTH)
    unit = _resolve_unit(role, unit_code)
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise AccountError("user '%(name)s' already exists", name=username)
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


def authenticate(username: str, password: str, *, refused: bool = False) -> User | None:
    """Return the user when the password is right and the account may log in.

    Every call does exactly one slow hash check, whatever the outcome (unknown name, wrong
    password, deactivated account, an attempt already `refused` by the login throttle, or
    success), so the time an answer takes tells nothing about the account. There is no
    lockout: one that anybody can trigger would keep staff out (the web layer throttles
    failures per client instead, survey/auth/throttle.py).
    """
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    matches = check_password_hash(
        user.password_hash if user is not None else _DUMMY_HASH, password)
    if refused or user is None or not matches or not user.active:
        return None
    user.last_login_at = now_utc()
    return user


def record_login_burst(username: str, address: str, budget: str) -> None:
    """Audit that failed logins used up a throttle budget (once per budget and window).

    The name typed is kept only when it is an account's: people type their password into the
    username field, and a password must never reach the log.
    """
    known = db.session.execute(db.select(User.id).filter_by(username=username)).first()
    name = username if known else ""
    if budget == "address":
        audit.record("system", "login_throttled", "address", address,
                     new={"budget": budget, "account": name or None})
    else:
        audit.record("system", "login_throttled", "user", name,
                     new={"budget": budget, "address": address, "known_account": bool(known)})


_SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")


def user_for_session(session_id: str) -> User | None:
    """The user a session or remember-me cookie names, unless that session has been ended.

    The id is "user id:session version" (User.get_id); ending sessions raises the version, so
    every cookie issued before, copied or not, stops working. Ids from before versions existed
    (no colon) are refused: their holders log in again.
    """
    match = _SESSION_ID.fullmatch(session_id or "")
    if match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or user.session_version != int(match.group(2)):
        return None
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(
    name: str, role: str, unit_code: str | None = None, actor: str = "cli"
) -> NewApiKey:
    unit = _resolve_unit(role, unit_code)
    if db.session.execute(db.select(ApiKey.id).filter_by(name=name)).first():
        raise AccountError("an API key named '%(name)s' already exists", name=name)
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
