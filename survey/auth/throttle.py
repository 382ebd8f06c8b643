"""Login throttling: failed attempts slow down whoever makes them and never lock the account.

The counts live in Flask-Limiter's storage (memory in development, Redis in production, so
every worker shares them), but are kept here by hand rather than with `@limiter.limit`: a
decorator answers 429 before the view runs, so that answer would skip the password-hash check
and come back measurably sooner, and it would count successful logins too.

Only failures count, in two budgets that refuse further attempts until their window ends:
- one account from one client address: an attacker elsewhere cannot keep the real user out;
- one client address over every account: one password sprayed over many names.
A third budget, one account from anywhere, refuses nothing (that would be the lockout again)
but has a burst written to the audit log, where an administrator sees it.
"""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import quote

from flask import current_app
from limits import RateLimitItem, parse

from survey.extensions import limiter

ACCOUNT_ADDRESS = "account_address"
ADDRESS = "address"
ACCOUNT = "account"
BUDGETS: dict[str, RateLimitItem] = {
    ACCOUNT_ADDRESS: parse("5 per 5 minutes"),
    ADDRESS: parse("20 per 10 minutes"),
    ACCOUNT: parse("30 per hour"),
}
REFUSING = (ACCOUNT_ADDRESS, ADDRESS)

log = logging.getLogger(__name__)


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True) and limiter.enabled
                and limiter.initialized)


def _identifiers(budget: str, username: str, address: str) -> tuple[str, ...]:
    # Quoted so that a "/" in a name cannot make two different pairs share one storage key.
    account = quote(username.casefold(), safe="")
    parts = {ACCOUNT_ADDRESS: (account, address), ADDRESS: (address,), ACCOUNT: (account,)}
    # The prefix keeps apps that share one Redis apart, as it does for the limiter's own keys.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "hailong"
    return (prefix, "login-failures", budget, *parts[budget])


def retry_after(username: str, address: str) -> int | None:
    """Seconds until this client may try this account again, or None when it may now."""
    if not _enabled():
        return None
    waits = []
    try:
        for budget in REFUSING:
            item, ids = BUDGETS[budget], _identifiers(budget, username, address)
            if not limiter.limiter.test(item, *ids):
                reset = limiter.limiter.get_window_stats(item, *ids).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
    except Exception:  # the storage (Redis) is down
        # Login goes on unthrottled rather than not at all; each attempt still costs a slow
        # hash check.
        log.exception("login throttle storage unavailable; not throttling")
        return None
    return max(waits) if waits else None


def record_failure(username: str, address: str) -> list[str]:
    """Count a failed attempt; return the budgets this attempt used up (to be audited once)."""
    if not _enabled():
        return []
    used_up = []
    try:
        for budget, item in BUDGETS.items():
            ids = _identifiers(budget, username, address)
            if limiter.limiter.hit(item, *ids) and \
                    limiter.limiter.get_window_stats(item, *ids).remaining == 0:
                used_up.append(budget)
    except Exception:  # as in retry_after
        log.exception("login throttle storage unavailable; failure not counted")
    return used_up


def record_success(username: str, address: str) -> None:
    """The user got in: their own typing mistakes from this address are forgotten."""
    if not _enabled():
        return
    try:
        limiter.limiter.clear(BUDGETS[ACCOUNT_ADDRESS],
                              *_identifiers(ACCOUNT_ADDRESS, username, address))
    except Exception:  # as in retry_after
        log.exception("login throttle storage unavailable")
