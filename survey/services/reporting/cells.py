"""The one place that turns stored answers into frequency tables (SQL GROUP BY).

The database groups by *stored* keys only (year, month, unit id, procedure id, item code, value,
...), so it returns one row per group and answer value, never one per response. Derived keys
(quarter, level, procedure group, a unit rolled up to its district) are then folded in Python
over that small result. Analysis code receives plain count arrays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from analysis.scales import SCALES
from survey.extensions import db
from survey.models import (
    Answer,
    AnswerCount,
    AnswerCountUnit,
    AnswerCountYear,
    Procedure,
    ProcedureGroup,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ServiceArea,
    Unit,
    VersionItem,
)
from survey.services import aggregates
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError

SENTINEL_ZERO = ("service_area", "procedure", "procedure_group")
RATING_TYPES = {"likert5": "likert5", "rating3": "rating3", "expectation4": "expectation4"}
MISSING = (97, 98, 99)


@dataclass
class References:
    """The small reference tables, loaded once per report."""

    units: dict[int, Unit]
    unit_by_code: dict[str, Unit]
    areas: dict[int, str]
    procedures: dict[int, tuple[str, str | None]]  # id -> (code, group code)

    @classmethod
    def load(cls) -> References:
        units = {u.id: u for u in db.session.execute(db.select(Unit)).scalars()}
        areas = dict(db.session.execute(db.select(ServiceArea.id, ServiceArea.code)).all())
        rows = db.session.execute(
            db.select(Procedure.id, Procedure.code, ProcedureGroup.code).outerjoin(
                ProcedureGroup, Procedure.group_id == ProcedureGroup.id)
        ).all()
        return cls(units, {u.code: u for u in units.values()}, areas,
                   {pid: (code, group) for pid, code, group in rows})

    def subtree_ids(self, code: str) -> list[int]:
        """Ids of the unit and every unit below it; an unknown code is the caller's error."""
        unit = self.unit_by_code.get(code)
        if unit is None:
            raise ScopeError("unit", f"unknown unit {code!r}")
        return [u.id for u in self.units.values() if u.path.startswith(unit.path)]

    def unit_conditions(self, scope: Scope, column) -> list:
        """Conditions on a unit-id column for the scope's unit, visible unit and levels.

        A subtree holding every unit (the province's root) is no condition at all, so such a
        report can read the roll-ups that have no unit.
        """
        conditions = []
        for code in (scope.unit, scope.visible_unit):
            if code is not None:
                ids = self.subtree_ids(code)
                if len(ids) < len(self.units):
                    conditions.append(column.in_(ids))
        if scope.levels:
            ids = [u.id for u in self.units.values() if u.level in scope.levels]
            conditions.append(column.in_(ids or [-1]))
        return conditions

    def restricts_units(self, scope: Scope) -> bool:
        """Whether the scope leaves any unit out (its unit conditions are not empty)."""
        return bool(scope.levels) or any(
            len(self.subtree_ids(code)) < len(self.units)
            for code in (scope.unit, scope.visible_unit) if code is not None)

    def ancestor_at(self, unit: Unit, level: str) -> Unit:
        """The unit's ancestor at `level`, or the unit itself when it is not below one."""
        current: Unit | None = unit
        while current is not None:
            if current.level == level:
                return current
            current = self.units.get(current.parent_id) if current.parent_id else None
        return unit


@dataclass
class Cells:
    """Frequency tables per group: counts[key] is a K-array (index 0 = code 1)."""

    dimensions: tuple[str, ...]
    scale: str
    counts: dict[tuple, np.ndarray]
    no_answer: dict[tuple, int]

    @property
    def points(self) -> int:
        return SCALES[self.scale].points


def resolve_stream(scope: Scope) -> str:
    """The stream the questionnaires belong to; mixing the two streams is refused."""
    if not scope.questionnaires:
        return scope.stream
    rows = db.session.execute(
        db.select(Questionnaire.code, Questionnaire.kind)
        .where(Questionnaire.code.in_(scope.questionnaires))
    ).all()
    unknown = set(scope.questionnaires) - {code for code, _ in rows}
    if unknown:
        raise ScopeError("questionnaire", f"unknown questionnaire {sorted(unknown)[0]!r}")
    kinds = {kind for _, kind in rows}
    if len(kinds) > 1:
        raise ScopeError(
            "questionnaire",
            "per-dossier ratings and the sample survey are never pooled (self-selected ratings "
            "are not a sample); ask for one stream at a time",
        )
    return kinds.pop()


def scope_conditions(scope: Scope, refs: References, stream: str, source=Response) -> list:
    """WHERE conditions on `source` (Response, or AnswerCount which has the same columns),
    joined to Questionnaire through its version."""
    conditions = [Questionnaire.kind == stream]
    if scope.questionnaires:
        conditions.append(Questionnaire.code.in_(scope.questionnaires))
    if scope.service_areas:
        ids = [i for i, code in refs.areas.items() if code in scope.service_areas]
        conditions.append(source.service_area_id.in_(ids or [-1]))
    if refs.restricts_units(scope):  # the year roll-ups have no unit_id
        conditions += refs.unit_conditions(scope, source.unit_id)
    if scope.channels:
        conditions.append(source.channel.in_(scope.channels))
    if scope.respondent_types:
        conditions.append(source.respondent_type.in_(scope.respondent_types))
    if scope.year_from:
        conditions.append(source.year >= scope.year_from)
    if scope.year_to:
        conditions.append(source.year <= scope.year_to)
    return conditions


def answers_in_scope(scope: Scope, refs: References, stream: str, *columns):
    """SELECT `columns` FROM the answers inside the scope, each joined to its response, its
    version's item and its questionnaire: the one join every raw scan starts from."""
    return (
        select(*columns)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                VersionItem.code == Answer.item_code))
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(*scope_conditions(scope, refs, stream))
        .where(Response.quarantine_id.is_(None))  # set aside: in no figure (response_admin)
    )


def measure_condition(measure: Measure):
    if measure.kind == "overall":
        return VersionItem.is_overall.is_(True)
    if measure.kind == "elements":
        return and_(VersionItem.element.is_not(None), VersionItem.item_type == "likert5")
    return VersionItem.code == measure.item


# How each requested dimension is read from the stored columns.
STORED = {
    "year": lambda src: src.year,
    "quarter": lambda src: src.month,
    "month": lambda src: src.month,
    "service_area": lambda src: src.service_area_id,
    "unit": lambda src: src.unit_id,
    "level": lambda src: src.unit_id,
    "procedure": lambda src: src.procedure_id,
    "procedure_group": lambda src: src.procedure_id,
    "element": lambda src: VersionItem.element,
    "item": lambda src: src.item_code,
    "channel": lambda src: src.channel,
    "respondent_type": lambda src: src.respondent_type,
}


def fetch_cells(
    scope: Scope, grouping: Grouping, measure: Measure, refs: References,
    extra: tuple[str, ...] = (), use_aggregates: bool = True,
) -> Cells:
    """Frequency tables of the measured answers, grouped by `grouping` (+ `extra`) dimensions.

    Read from the maintained `answer_count` table unless the grouping needs something it does
    not keep (a demographic answer), in which case the raw answers are scanned.
    """
    stream = resolve_stream(scope)
    if measure.kind == "item":
        _check_item(measure.item)
    dims = tuple(grouping.dimensions) + tuple(d for d in extra if d not in grouping.dimensions)
    if use_aggregates and not grouping.demographics:
        rows = _aggregate_rows(scope, dims, measure, refs, stream)
    else:
        rows = _raw_rows(scope, dims, grouping, measure, refs, stream)
    return _fold(rows, dims, grouping, refs, measure)


FINE_DIMENSIONS = {"quarter", "month", "procedure", "procedure_group", "channel",
                   "respondent_type"}


def rollup_for(scope: Scope, dims: tuple[str, ...], refs: References):
    """The coarsest roll-up that has every dimension the report groups or filters by."""
    if FINE_DIMENSIONS & set(dims) or scope.channels or scope.respondent_types:
        return AnswerCount
    if {"unit", "level"} & set(dims) or refs.restricts_units(scope):
        return AnswerCountUnit
    return AnswerCountYear


def _aggregate_rows(scope, dims, measure, refs, stream) -> list:
    aggregates.fold()  # PostgreSQL: counts appended by recent submissions join the roll-ups
    src = rollup_for(scope, dims, refs)
    columns = [STORED[d](src) for d in dims]
    value_int = case((src.value < 97, src.value))
    missing = case((src.value >= 97, src.value))
    query = (
        rollup_in_scope(src, scope, refs, stream,
                        *columns, VersionItem.item_type, value_int, missing, func.sum(src.n))
        .join(VersionItem, and_(VersionItem.version_id == src.version_id,
                                VersionItem.code == src.item_code))
        .where(measure_condition(measure))
        .group_by(*columns, VersionItem.item_type, src.value)
    )
    return db.session.execute(query).all()


def rollup_in_scope(src, scope: Scope, refs: References, stream: str, *columns):
    """SELECT `columns` FROM a roll-up table's rows inside the scope, joined to their
    questionnaire through the version (the roll-ups' counterpart of `answers_in_scope`)."""
    return (select(*columns).select_from(src)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == src.version_id)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(*scope_conditions(scope, refs, stream, source=src)))


def _raw_rows(scope, dims, grouping, measure, refs, stream) -> list:
    demo_alias = {code: aliased(Answer, name=f"demo_{i}")
                  for i, code in enumerate(grouping.demographics)}
    columns = [
        demo_alias[d.split(":", 1)[1]].value_text if d.startswith("demographic:")
        else Answer.item_code if d == "item" else STORED[d](Response)
        for d in dims
    ]
    query = (
        answers_in_scope(scope, refs, stream, *columns, VersionItem.item_type, Answer.value_int,
                         Answer.missing_code, func.count().label("n"))
        .where(measure_condition(measure))
        .where(or_(Answer.value_int.is_not(None), Answer.missing_code.is_not(None)))
    )
    for code, alias in demo_alias.items():
        query = query.outerjoin(alias, and_(alias.response_id == Response.id,
                                            alias.item_code == literal(code)))
    group_cols = [*columns, VersionItem.item_type, Answer.value_int, Answer.missing_code]
    return db.session.execute(query.group_by(*group_cols)).all()


def _check_item(code: str) -> None:
    types = set(db.session.execute(
        select(VersionItem.item_type).distinct().where(VersionItem.code == code)).scalars())
    if not types:
        raise ScopeError("measure", f"no published questionnaire has an item {code!r}")
    if not types <= set(RATING_TYPES):
        raise ScopeError("measure", f"item {code!r} is not a rating item "
                                    f"({', '.join(sorted(types))}); use a cross-tab instead")


def _fold(rows, dims, grouping: Grouping, refs: References, measure: Measure) -> Cells:
    types = {row[len(dims)] for row in rows}
    scales = {RATING_TYPES.get(t) for t in types}
    if None in scales or len(scales) > 1:
        what = measure.item or measure.kind
        raise ScopeError("measure", f"{what!r} is not a single rating scale "
                                    f"(item types: {', '.join(sorted(map(str, types)))})")
    scale = scales.pop() if scales else ("rating3" if measure.kind == "overall" else "likert5")
    points = SCALES[scale].points
    counts: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(points, dtype=np.int64))
    no_answer: dict[tuple, int] = defaultdict(int)
    for row in rows:
        key = tuple(_derive(d, v, grouping, refs) for d, v in zip(dims, row, strict=False))
        value, missing = row[len(dims) + 1], row[len(dims) + 2]
        n = int(row[len(dims) + 3])  # PostgreSQL sums bigints as numeric
        if missing is not None:
            no_answer[key] += n
            counts[key]  # a group of only "no answer" still exists, with n = 0
        elif 1 <= value <= points:
            counts[key][value - 1] += n
    return Cells(dims, scale, dict(counts), dict(no_answer))


def _derive(dimension: str, value, grouping: Grouping, refs: References):
    # the counts table writes "none" as 0 / '' so that its primary key can hold it
    if value is None or value == "" or (value == 0 and dimension in SENTINEL_ZERO):
        return None
    if dimension == "quarter":
        return (value - 1) // 3 + 1
    if dimension == "service_area":
        return refs.areas.get(value)
    if dimension in ("unit", "level"):
        unit = refs.units[value]
        if grouping.unit_rollup:
            unit = refs.ancestor_at(unit, grouping.unit_rollup)
        return unit.code if dimension == "unit" else unit.level
    if dimension == "procedure":
        return refs.procedures.get(value, (None, None))[0]
    if dimension == "procedure_group":
        return refs.procedures.get(value, (None, None))[1]
    return value
