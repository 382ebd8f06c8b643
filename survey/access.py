"""Who may do what: the role model every page and API route uses.

A request acts for a *principal*: a logged-in staff user (session) or an API client (a bearer
key). Routes ask for a capability, never for a role name, so the role matrix lives here alone.
A unit officer's principal carries its unit, and every query about responses must be narrowed
with `unit_scope` so an officer never sees another unit's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, g, jsonify, redirect, request, url_for
from flask_login import current_user

from survey.models import Unit

# capability -> roles that have it
CAPABILITIES: dict[str, frozenset[str]] = {
    "analyse": frozenset({"admin", "analyst", "unit_officer"}),
    "export": frozenset({"admin", "analyst", "unit_officer"}),
    "design": frozenset({"admin", "designer"}),
    "manage_kiosks": frozenset({"admin", "unit_officer"}),
    "issue_tokens": frozenset({"admin", "unit_officer", "data_entry"}),
    "import_responses": frozenset({"admin", "data_entry"}),
    "import_records": frozenset({"admin", "data_entry"}),
    "submit": frozenset({"admin", "unit_officer", "data_entry"}),
    "administer": frozenset({"admin"}),
    # the admin pages: accounts, the unit tree and the audit log
    "manage_users": frozenset({"admin"}),
    "manage_units": frozenset({"admin"}),
    "view_audit": frozenset({"admin"}),
    # a sampled investigation's fieldwork (#20): officers assign cases, print letters, read
    # progress; collectors (data entry, field staff) work only on the cases assigned to them
    "manage_fieldwork": frozenset({"admin", "unit_officer"}),
    "fieldwork": frozenset({"admin", "unit_officer", "data_entry"}),
    # feedback cases (#23): officers read their unit subtree's cases, admins and analysts (the
    # leaders' accounts) every case; officers and admins answer and move them
    "feedback": frozenset({"admin", "analyst", "unit_officer"}),
    "handle_feedback": frozenset({"admin", "unit_officer"}),
    # early-warning alerts (#23): officers read and acknowledge their subtree's, admins and
    # analysts (the leaders' accounts) every alert
    "alerts": frozenset({"admin", "analyst", "unit_officer"}),
    # every staff role: one's own password
    "own_account": frozenset({"admin", "designer", "analyst", "unit_officer", "data_entry"}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # "user" or "api_key"
    name: str
    role: str
    unit: Unit | None

    def can(self, capability: str) -> bool:
        return self.role in CAPABILITIES[capability]

    @property
    def unit_scope(self) -> Unit | None:
        """The unit whose subtree bounds what this principal sees; None means everything."""
        return self.unit if self.role == "unit_officer" else None


def bearer_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return key.strip()
    return None


def current_principal() -> Principal | None:
    """The principal of this request, or None for a citizen or visitor."""
    if "principal" in g:
        return g.principal
    principal = None
    key = bearer_key()
    if key is not None:
        from survey.services.accounts import find_api_key

        found = find_api_key(key)
        if found is not None:
            principal = Principal("api_key", found.name, found.role, found.unit)
    elif current_user.is_authenticated:
        principal = Principal("user", current_user.username, current_user.role, current_user.unit)
    g.principal = principal
    return principal


def api_requires(capability: str):
    """For JSON routes: 401 without credentials, 403 without the capability."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                response = jsonify(error="authentication required",
                                   detail="log in, or send Authorization: Bearer KEY")
                response.status_code = 401
                response.headers["WWW-Authenticate"] = 'Bearer realm="hailong"'
                return response
            if not principal.can(capability):
                return jsonify(error="forbidden", detail=f"your role may not {capability}"), 403
            return view(*args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def page_requires(capability: str):
    """For HTML routes: to the login page without a session, 403 without the capability."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path))
            principal = current_principal()
            if principal is None or not principal.can(capability):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
