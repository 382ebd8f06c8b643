"""Query parameters of the analysis API: the parsing of survey/services/reporting/arguments.py
(shared with the command line and the dashboard) with its refusals as 400 answers, and the same
parameters described for the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import ValidationError

from survey.access import Principal
from survey.api.errors import BadParameter
from survey.api.schemas import Query
from survey.services.periods import YEARS
from survey.services.reporting import Grouping, Measure, Scope, ScopeError, arguments
from survey.services.reporting.arguments import FILTERS, SHAPES  # noqa: F401 - re-exported


def _bad(error: ScopeError) -> BadParameter:
    return BadParameter(error.parameter, str(error), error.allowed)


def year_parameter(args: Mapping[str, str], name: str) -> int | None:
    try:
        return arguments.year_argument(args, name)
    except ScopeError as error:
        raise _bad(error) from error


def check_known(args: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    try:
        arguments.check_known(args, allowed)
    except ScopeError as error:
        raise _bad(error) from error


def parse_scope(args: Mapping[str, str], principal: Principal | None) -> Scope:
    """Filters from the query string, narrowed to what the principal may see."""
    visible = principal.unit_scope.code if principal and principal.unit_scope else None
    try:
        return arguments.scope_from(args, visible)
    except ScopeError as error:
        raise _bad(error) from error


def parse_shape(args: Mapping[str, str], default_by: str = "year") -> tuple[Grouping, Measure]:
    try:
        return arguments.shape_from(args, default_by)
    except ScopeError as error:
        raise _bad(error) from error


Q = TypeVar("Q", bound=Query)


def query_from(model: type[Q], args: Mapping[str, str]) -> Q:
    """The query string validated through `model` (unknown names refused first); the first
    value refused is answered as a 400 naming that parameter."""
    check_known(args, tuple(model.model_fields))
    given = {name: value for name, value in args.items() if value != ""}  # empty: not given
    try:
        return model.model_validate(given)
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        name = str(problem["loc"][0]) if problem["loc"] else ""
        raw = str(given.get(name, ""))[:40]
        raise BadParameter(name, f"{name!r}: {problem['msg']}, not {raw!r}") from None


# --- the same parameters in the OpenAPI description -------------------------------------------


def _comma_list(items: dict) -> dict:
    # Several values travel as one comma-separated value: level=district,commune
    return {"schema": {"type": "array", "items": items}, "style": "form", "explode": False}


def _year_schema() -> dict:
    return {"schema": {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}}


def _described() -> dict[str, dict]:
    from survey.models.responses import CHANNELS, RESPONDENT_TYPES
    from survey.models.units import UNIT_LEVELS
    from survey.services.reporting.scope import DIMENSIONS, MEASURES, STREAMS, VIEWS
    from survey.services.units import CODE_PATTERN

    return {
        "questionnaire": {"description": "questionnaire codes (of one stream)",
                          **_comma_list({"type": "string"})},
        "service_area": {"description": "service area codes", **_comma_list({"type": "string"})},
        "unit": {"description": "a unit code: the unit and all units below it",
                 "schema": {"type": "string", "pattern": CODE_PATTERN.pattern}},
        "level": {"description": "unit levels", **_comma_list({"enum": list(UNIT_LEVELS)})},
        "channel": {"description": "channels", **_comma_list({"enum": list(CHANNELS)})},
        "respondent_type": {"description": "respondent types",
                            **_comma_list({"enum": list(RESPONDENT_TYPES)})},
        "from": {"description": "first year", **_year_schema()},
        "to": {"description": "last year (not before 'from')", **_year_schema()},
        "stream": {"description": "the sample survey (default) or the per-dossier ratings; "
                   "never pooled", "schema": {"enum": list(STREAMS)}},
        "view": {"description": "today (default): figures of units that merged, split or "
                 "moved re-attributed to today's units (a split's shares marked estimated); "
                 "recorded: under the units that recorded them, rolled up to the parents of "
                 "the time (METHODOLOGY §10)", "schema": {"enum": list(VIEWS)}},
        "by": {"description": "dimensions to group by (demographic:<item_code> at most twice)",
               **_comma_list({"anyOf": [{"enum": list(DIMENSIONS)},
                                        {"type": "string", "pattern": "^demographic:.+$"}]})},
        "measure": {"description": "overall (default), elements, or item:<code>",
                    "schema": {"anyOf": [{"enum": list(MEASURES)},
                                         {"type": "string", "pattern": "^item:.+$"}]}},
        "rollup": {"description": "fold units below this level into their ancestor at it",
                   "schema": {"enum": list(UNIT_LEVELS)}},
    }


def described(*names: str, **overrides: dict) -> list[dict]:
    """OpenAPI query parameters for `names`; `overrides` replaces a name's description."""
    known = _described()
    # An empty value means "not given", as an HTML form sends an empty field.
    return [{"name": name, "in": "query", "allowEmptyValue": True,
             **(overrides[name] if name in overrides else known[name])} for name in names]
