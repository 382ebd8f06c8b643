"""The dashboards' filters: request arguments ↔ a reporting `Scope`, and the filter form.

The URL holds the filters, so a view can be shared by copying it. Parsing is the one the API and
the command line use (survey/services/reporting/arguments.py), narrowed to a unit officer's own
unit. Without a year in the URL a page
shows the last complete year (`periods.last_complete_year`): in January the new year holds a
handful of answers, and a page that defaulted to it would publish "– (n = 2)".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, request
from flask_babel import gettext as _

from survey.access import current_principal
from survey.dashboard import labels
from survey.errors import BadParameterPage
from survey.extensions import db
from survey.models import ServiceArea, Unit
from survey.models.responses import CHANNELS, RESPONDENT_TYPES
from survey.models.units import UNIT_LEVELS
from survey.services import periods
from survey.services.reporting import Scope, ScopeError, arguments
from survey.services.reporting.scope import VIEWS

FIELDS = ("from", "to", "service_area", "level", "unit", "channel", "respondent_type", "view")
# How a page without a year in its URL chooses one:
YEAR = "year"      # the last complete year alone (league table, comments, exports)
SERIES = "series"  # every year up to the last complete one (the trend pages)


@dataclass
class Filters:
    args: dict[str, str]  # what the URL says: links carry these, never the defaults
    scope: Scope
    defaults: dict[str, str] = field(default_factory=dict)  # years chosen for the user
    partial_year: int | None = None  # the current year, when the selection reaches it

    def with_(self, **changes) -> dict[str, str]:
        """The filters as URL arguments, with some changed (None removes one)."""
        merged = {**self.args, **changes}
        return {k: v for k, v in merged.items() if v not in (None, "")}

    def shown(self, name: str) -> str:
        """The value a filter field shows: the URL's, else the default in effect."""
        return self.args.get(name) or self.defaults.get(name, "")

    @property
    def year(self) -> int | None:
        """The one year a headline speaks of: the last of the selection."""
        return self.scope.year_to


def current_filters(default: str | None = None, **fixed) -> Filters:
    """Filters from the query string (plus `fixed` ones from the path); a 400 page naming
    the parameter on a bad value. `default` (YEAR or SERIES) chooses the years of a URL
    without any, and turns on the note about a partial year."""
    args = {k: request.args[k] for k in FIELDS if request.args.get(k)}
    args.update({k: v for k, v in fixed.items() if v})
    defaults: dict[str, str] = {}
    if default and "from" not in args and "to" not in args:
        last = str(periods.last_complete_year())
        defaults = {"to": last, "from": last} if default == YEAR else {"to": last}
    ended = _check_codes(args)
    # the page of a unit that no longer exists shows it as recorded unless told otherwise
    # (its history is on its successors' pages on today's units)
    implied = {"view": "recorded"} if ended and "view" not in args else {}
    try:
        scope = arguments.scope_from({**args, **defaults, **implied}, _visible_unit())
    except ScopeError as error:
        raise BadParameterPage(error.parameter, _message(error, args)) from error
    reaches = scope.year_to is None or periods.is_partial(scope.year_to)
    partial = periods.last_complete_year() + 1 if default and reaches else None
    return Filters(args, scope, defaults, partial)


def _visible_unit() -> str | None:
    principal = current_principal()
    return principal.unit_scope.code if principal and principal.unit_scope else None


def _message(error: ScopeError, args: dict[str, str]) -> str:
    """The refusal in the user's language."""
    name, value = error.parameter, args.get(error.parameter, "")
    first, last = (periods.parse_year(args.get(k)) for k in ("from", "to"))
    if name in ("from", "to") and first and last and first > last:
        return _("the first year (%(first)s) is after the last (%(last)s).",
                 first=args.get("from"), last=args.get("to"))
    if name in ("from", "to"):
        return _("“%(value)s” is not a year; write a year such as %(year)s.",
                 value=value[:40], year=periods.last_complete_year())
    words = {"view": (VIEWS, lambda c: str(labels.VIEWS[c])),
             "channel": (CHANNELS, labels.channel_label),
             "level": (UNIT_LEVELS, lambda c: str(labels.LEVELS[c])),
             "respondent_type": (RESPONDENT_TYPES, lambda c: str(labels.RESPONDENT_TYPES[c]))}
    if name in words:
        codes, label = words[name]
        return _("“%(value)s” is not one of: %(allowed)s.", value=value[:40],
                 allowed=", ".join(f"{label(c)} ({c})" for c in codes))
    return str(error)


def _check_codes(args: dict[str, str]) -> bool:
    """A unit or service area the database does not know: 400, not an empty page or a 500.
    Whether the unit no longer exists (and may then be shown only as recorded)."""
    code = args.get("unit")
    ended = db.session.execute(db.select(Unit.valid_to).filter_by(code=code)).first() \
        if code else None
    if code and ended is None:
        raise BadParameterPage("unit", _("there is no unit with the code “%(code)s”.",
                                         code=code[:40]))
    gone = ended is not None and ended[0] is not None
    if gone and args.get("view") == "today":
        raise BadParameterPage("unit", _(
            "the unit “%(code)s” no longer exists (merged, split or abolished): its history "
            "is counted under the units that took it over; choose “As recorded” to see it "
            "under its own name.", code=code[:40]))
    wanted = [c.strip() for c in args.get("service_area", "").split(",") if c.strip()]
    if wanted:
        known = set(db.session.execute(
            db.select(ServiceArea.code).where(ServiceArea.code.in_(wanted))).scalars())
        for area in wanted:
            if area not in known:
                raise BadParameterPage(
                    "service_area", _("there is no service area with the code “%(code)s”.",
                                      code=area[:40]))
    return gone


def choice(name: str, allowed, fallback: str) -> str:
    """A page's own option (not a filter) from the URL: `fallback` when absent, 400 when
    not one of `allowed`."""
    value = request.args.get(name)
    if not value:
        return fallback
    if value not in allowed:
        raise BadParameterPage(name, _("“%(value)s” is not one of: %(allowed)s.",
                                       value=value[:40], allowed=", ".join(allowed)))
    return value


def visible_units() -> list[Unit]:
    """Units the current principal may choose: their own subtree for a unit officer."""
    principal = current_principal()
    query = db.select(Unit).order_by(Unit.path)
    if principal is not None and principal.unit_scope is not None:
        query = query.where(Unit.path.startswith(principal.unit_scope.path))
    return list(db.session.execute(query).scalars())


def check_visible(unit: Unit) -> None:
    principal = current_principal()
    if principal is not None and principal.unit_scope is not None \
            and not unit.path.startswith(principal.unit_scope.path):
        abort(403)


def form_options() -> dict:
    return {
        "service_areas": list(db.session.execute(
            db.select(ServiceArea).order_by(ServiceArea.code)).scalars()),
        "levels": UNIT_LEVELS, "units": visible_units(), "channels": CHANNELS,
        "respondent_types": RESPONDENT_TYPES, "views": VIEWS,
    }
