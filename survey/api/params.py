"""Query parameters of the analysis API, parsed into plain report objects.

Every refusal names the parameter and, where there is a fixed list, the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey.access import Principal
from survey.api.errors import BadParameter
from survey.services.periods import YEARS, parse_year
from survey.services.reporting import Grouping, Measure, Scope, ScopeError

FILTERS = ("questionnaire", "service_area", "unit", "level", "channel", "respondent_type",
           "from", "to", "stream", "view")
SHAPES = ("by", "measure", "rollup")


def _list(args: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = args.get(name, "")
    return tuple(v.strip() for v in raw.split(",") if v.strip())


def year_parameter(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    year = parse_year(raw)
    if year is None:
        raise BadParameter(name, f"{name!r} must be a year from {YEARS[0]} to {YEARS[1]} "
                                 f"such as 2024, not {raw[:40]!r}")
    return year


def check_known(args: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    for name in args:
        if name not in allowed:
            raise BadParameter(name, f"unknown parameter {name!r}", allowed)


def parse_scope(args: Mapping[str, str], principal: Principal | None) -> Scope:
    """Filters from the query string, narrowed to what the principal may see."""
    visible = principal.unit_scope.code if principal and principal.unit_scope else None
    try:
        return Scope(
            questionnaires=_list(args, "questionnaire"),
            service_areas=_list(args, "service_area"),
            unit=args.get("unit") or None,
            levels=_list(args, "level"),
            channels=_list(args, "channel"),
            respondent_types=_list(args, "respondent_type"),
            year_from=year_parameter(args, "from"),
            year_to=year_parameter(args, "to"),
            visible_unit=visible,
            stream=args.get("stream") or "survey",
            view=args.get("view") or "today",
        )
    except ScopeError as error:
        raise BadParameter(error.parameter, str(error), error.allowed) from error


def parse_shape(args: Mapping[str, str], default_by: str = "year") -> tuple[Grouping, Measure]:
    try:
        by = list(_list(args, "by")) if "by" in args else [default_by] if default_by else []
        grouping = Grouping.parse(by, args.get("rollup") or None)
        measure = Measure.parse(args.get("measure") or "overall")
    except ScopeError as error:
        raise BadParameter(error.parameter, str(error), error.allowed) from error
    return grouping, measure


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
