"""Report requests written as name=value pairs (the API's query string, the command line's
options, the dashboard's URL) parsed into a `Scope`, a `Grouping` and a `Measure`.

One parser for every entry point, beside the objects it builds: each refusal is a `ScopeError`
naming the parameter and, where there is a fixed list, the allowed values; the web layer turns
it into a 400, the command line into a usage error.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey.services.periods import YEARS, parse_year
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError

FILTERS = ("questionnaire", "service_area", "unit", "level", "channel", "respondent_type",
           "from", "to", "stream", "view")
SHAPES = ("by", "measure", "rollup")


def list_argument(args: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Several values travel as one comma-separated value: level=district,commune."""
    raw = args.get(name, "")
    return tuple(v.strip() for v in raw.split(",") if v.strip())


def year_argument(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    year = parse_year(raw)
    if year is None:
        raise ScopeError(name, f"{name!r} must be a year from {YEARS[0]} to {YEARS[1]} "
                               f"such as 2024, not {raw[:40]!r}")
    return year


def check_known(args: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    for name in args:
        if name not in allowed:
            raise ScopeError(name, f"unknown parameter {name!r}", allowed)


def scope_from(args: Mapping[str, str], visible_unit: str | None = None) -> Scope:
    """The filters, narrowed to `visible_unit` (a unit officer's unit) when one is given."""
    return Scope(
        questionnaires=list_argument(args, "questionnaire"),
        service_areas=list_argument(args, "service_area"),
        unit=args.get("unit") or None,
        levels=list_argument(args, "level"),
        channels=list_argument(args, "channel"),
        respondent_types=list_argument(args, "respondent_type"),
        year_from=year_argument(args, "from"),
        year_to=year_argument(args, "to"),
        visible_unit=visible_unit,
        stream=args.get("stream") or "survey",
        view=args.get("view") or "today",
    )


def shape_from(args: Mapping[str, str], default_by: str = "year") -> tuple[Grouping, Measure]:
    by = list(list_argument(args, "by")) if "by" in args else [default_by] if default_by else []
    grouping = Grouping.parse(by, args.get("rollup") or None)
    return grouping, Measure.parse(args.get("measure") or "overall")
