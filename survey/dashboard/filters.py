"""The dashboards' filters: request arguments ↔ a reporting `Scope`, and the filter form.

The URL holds the filters, so a view can be shared by copying it. Parsing reuses the API's
`parse_scope`, which narrows a unit officer to their own unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request

from survey.access import current_principal
from survey.api.errors import BadParameter
from survey.api.params import parse_scope
from survey.extensions import db
from survey.models import ServiceArea, Unit
from survey.models.responses import CHANNELS, RESPONDENT_TYPES
from survey.models.units import UNIT_LEVELS
from survey.services.reporting import Scope

FIELDS = ("from", "to", "service_area", "level", "unit", "channel", "respondent_type")


@dataclass
class Filters:
    args: dict[str, str]
    scope: Scope

    def with_(self, **changes) -> dict[str, str]:
        """The filters as URL arguments, with some changed (None removes one)."""
        merged = {**self.args, **changes}
        return {k: v for k, v in merged.items() if v not in (None, "")}


def current_filters(**fixed) -> Filters:
    """Filters from the query string (plus `fixed` ones from the path); 400 on a bad value."""
    args = {k: request.args[k] for k in FIELDS if request.args.get(k)}
    args.update({k: v for k, v in fixed.items() if v})
    try:
        scope = parse_scope(args, current_principal())
    except BadParameter as error:
        abort(400, description=str(error))
    return Filters(args, scope)


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
        "respondent_types": RESPONDENT_TYPES,
    }
