"""What a report covers (filters), how it groups, and which answers it measures.

Plain data in, SQL conditions out. The API parses request parameters into a `Scope`; nothing
here reads `request`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.models.responses import CHANNELS, RESPONDENT_TYPES
from survey.models.units import UNIT_LEVELS

STREAMS = ("survey", "dossier_rating")
# How figures of units that merged, split or moved are shown (docs/METHODOLOGY.md §10):
# re-attributed to the units that exist today (the default), or under the units that recorded
# them. Without any unit event the two are the same figures.
VIEWS = ("today", "recorded")
# Dimensions a report can group by; `demographic:<item>` is accepted too.
DIMENSIONS = (
    "year", "quarter", "month", "service_area", "unit", "level", "procedure",
    "procedure_group", "element", "item", "channel", "respondent_type",
)
MEASURES = ("overall", "elements")  # and "item:<code>"


class ScopeError(ValueError):
    """A report request that cannot be answered; `parameter` names the culprit."""

    def __init__(self, parameter: str, message: str, allowed: list | tuple | None = None):
        self.parameter = parameter
        self.allowed = list(allowed) if allowed is not None else None
        super().__init__(message)


@dataclass(frozen=True)
class Scope:
    """Filters of a report. Empty tuples mean "all"; years are inclusive."""

    questionnaires: tuple[str, ...] = ()
    service_areas: tuple[str, ...] = ()
    unit: str | None = None  # the unit and everything below it
    levels: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    respondent_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    # A unit officer's own unit: applied on top of `unit`, never widened by it.
    visible_unit: str | None = None
    stream: str = "survey"
    view: str = "today"

    def __post_init__(self):
        _check_each("level", self.levels, UNIT_LEVELS)
        _check_each("channel", self.channels, CHANNELS)
        _check_each("respondent_type", self.respondent_types, RESPONDENT_TYPES)
        if self.stream not in STREAMS:
            raise ScopeError("stream", f"unknown stream {self.stream!r}", STREAMS)
        if self.view not in VIEWS:
            raise ScopeError("view", f"unknown view {self.view!r}", VIEWS)
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise ScopeError("from", "'from' is after 'to'")


@dataclass(frozen=True)
class Grouping:
    dimensions: tuple[str, ...] = ("year",)
    # Fold units below this level into their ancestor at it (a league table of districts).
    unit_rollup: str | None = None
    demographics: tuple[str, ...] = field(default=())  # item codes named in demographic:<code>

    @classmethod
    def parse(cls, names: list[str], unit_rollup: str | None = None) -> Grouping:
        dims, demographics = [], []
        for name in names:
            if name.startswith("demographic:"):
                code = name.split(":", 1)[1]
                if not code:
                    raise ScopeError("by", "demographic: needs an item code")
                demographics.append(code)
                dims.append(name)
            elif name in DIMENSIONS:
                dims.append(name)
            else:
                raise ScopeError("by", f"cannot group by {name!r}",
                                 [*DIMENSIONS, "demographic:<item_code>"])
        if len(set(dims)) != len(dims):
            raise ScopeError("by", "a dimension is named twice")
        if len(demographics) > 2:
            raise ScopeError("by", "at most two demographic variables may be crossed")
        if unit_rollup is not None and unit_rollup not in UNIT_LEVELS:
            raise ScopeError("rollup", f"unknown level {unit_rollup!r}", UNIT_LEVELS)
        return cls(tuple(dims), unit_rollup, tuple(demographics))


@dataclass(frozen=True)
class Measure:
    kind: str  # "overall", "elements" or "item"
    item: str | None = None

    @classmethod
    def parse(cls, text: str) -> Measure:
        if text in MEASURES:
            return cls(text)
        if text.startswith("item:") and len(text) > 5:
            return cls("item", text[5:])
        raise ScopeError("measure", f"unknown measure {text!r}", [*MEASURES, "item:<code>"])


def _check_each(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for value in values:
        if value not in allowed:
            raise ScopeError(name, f"unknown {name} {value!r}", allowed)
