"""Query parameters of the analysis API, parsed into plain report objects.

Every refusal names the parameter and, where there is a fixed list, the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey.access import Principal
from survey.api.errors import BadParameter
from survey.services.reporting import Grouping, Measure, Scope, ScopeError

FILTERS = ("questionnaire", "service_area", "unit", "level", "channel", "respondent_type",
           "from", "to", "stream")
SHAPES = ("by", "measure", "rollup")


def _list(args: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = args.get(name, "")
    return tuple(v.strip() for v in raw.split(",") if v.strip())


def _year(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        raise BadParameter(name, f"{name!r} must be a year such as 2024, not {raw!r}")
    return int(raw)


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
            year_from=_year(args, "from"),
            year_to=_year(args, "to"),
            visible_unit=visible,
            stream=args.get("stream") or "survey",
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
