"""Report results kept per data version, so a dashboard reloaded without new data is free.

The data version is read from two primary-key maxima: every new response raises the largest
response id, and every other change to what reports read (deletions, imports of statistics,
publications, the PAR INDEX) writes an audit entry. Both are index look-ups, not scans.
Each worker keeps its own small cache; a stale entry can only be served until the next change.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from functools import wraps

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEntry, Response
from survey.services.reporting.cells import References

MAX_ENTRIES = 128
_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def data_version() -> tuple:
    response = db.session.execute(select(func.max(Response.id))).scalar()
    audit = db.session.execute(select(func.max(AuditEntry.id))).scalar()
    return db.session.get_bind().url.render_as_string(), response, audit


def cached(function):
    """Cache a report function on its arguments (all hashable; `refs` is left out)."""

    @wraps(function)
    def wrapper(*args, refs=None, **kwargs):
        # Reference tables are a convenience passed by some callers, not part of the question.
        if args and isinstance(args[-1], References):
            *args, refs = args
        key = (function.__qualname__, tuple(args), tuple(sorted(kwargs.items())),
               data_version())
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return copy.deepcopy(_entries[key])
        result = function(*args, refs=refs, **kwargs)
        with _lock:
            _entries[key] = copy.deepcopy(result)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return result

    wrapper.uncached = function
    return wrapper


def remembered(key: tuple, compute):
    """`compute()` once per key and data version, shared by the reports that need it (the
    suppression layers); the value is kept as it is, so callers must not change it."""
    full = ("remembered", key, data_version())
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]
    value = compute()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
