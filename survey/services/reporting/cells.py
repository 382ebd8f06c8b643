"""The one place that turns stored answers into frequency tables (SQL GROUP BY).

The database groups by *stored* keys only (year, month, unit id, procedure id, item code, value,
...), so it returns one row per group and answer value, never one per response. Derived keys
(quarter, level, procedure group, a unit rolled up to its district) are then folded in Python
over that small result. Analysis code receives plain count arrays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

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
    UnitEvent,
    VersionItem,
)
from survey.services import aggregates
from survey.services.lineage.graph import Lineage
from survey.services.lineage.store import load_lineage
from survey.services.reporting import views
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
    # The units' events; None when there is none, so that both views are the same figures and
    # no report spends anything on them.
    lineage: Lineage | None = None

    @classmethod
    def load(cls) -> References:
        units = {u.id: u for u in db.session.execute(db.select(Unit)).scalars()}
        areas = dict(db.session.execute(db.select(ServiceArea.id, ServiceArea.code)).all())
        rows = db.session.execute(
            db.select(Procedure.id, Procedure.code, ProcedureGroup.code).outerjoin(
                ProcedureGroup, Procedure.group_id == ProcedureGroup.id)
        ).all()
        any_event = db.session.execute(db.select(UnitEvent.id).limit(1)).first()
        return cls(units, {u.code: u for u in units.values()}, areas,
                   {pid: (code, group) for pid, code, group in rows},
                   load_lineage() if any_event else None)

    def subtree_ids(self, code: str) -> list[int]:
        """Ids of the unit and every unit below it; an unknown code is the caller's error."""
        unit = self.unit_by_code.get(code)
        if unit is None:
            raise ScopeError("unit", f"unknown unit {code!r}")
        return [u.id for u in self.units.values() if u.path.startswith(unit.path)]

    def unit_conditions(self, scope: Scope, column) -> list:
        """Conditions on a unit-id column for the scope's unit, visible unit and levels.

        A subtree holding every unit (the province's root) is no condition at all, so such a
        report can read the roll-ups that have no unit. With unit events the rows read are
        those of every unit whose figures can land in the scope (`views`); the fold keeps
        the right shares of them.
        """
        if self.lineage is not None and self.restricts_units(scope):
            ids = self.view_source_ids(scope)
            if ids is not None:
                return [column.in_(ids or [-1])]
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

    def view_source_ids(self, scope: Scope) -> list[int] | None:
        """With unit events: the recorded units a scope reads (None: the plain conditions)."""
        if scope.view == "today":
            return views.Reattribution(self.lineage, self, scope).source_ids()
        if views.has_moves(self.lineage):
            ids = views.recorded_source_ids(self.lineage, self, scope)
            if ids is not None and scope.levels:
                ids = [i for i in ids if self.units[i].level in scope.levels]
            return ids
        return None

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
    # On today's units, the groups holding part of a split unit's figures: key -> recorded
    # source (unit, year, month) -> today's units of it in the group. Counts are then floats.
    parts: dict[tuple, dict[tuple, frozenset[int]]] = field(default_factory=dict)
    reattribution: views.Reattribution | None = None

    @property
    def points(self) -> int:
        return SCALES[self.scale].points

    def is_estimate(self, key: tuple) -> bool:
        """Whether the group's figure includes a share of a split (an estimate, not a count)."""
        return any(self.reattribution.is_estimate(source, targets)
                   for source, targets in self.parts.get(key, {}).items())

    @property
    def estimated(self) -> set[tuple]:
        return {key for key in self.parts if self.is_estimate(key)}

    def whole(self) -> Cells:
        """The same tables in whole answers: a re-attributed share (a float) is rounded in each
        answer value, once, where the statistics start (the exact tests need counts)."""
        if not self.parts and all(c.dtype.kind in "iu" for c in self.counts.values()):
            return self
        counts = {k: np.rint(c).astype(np.int64) for k, c in self.counts.items()}
        no_answer = {k: int(round(v)) for k, v in self.no_answer.items()}
        return replace(self, counts=counts, no_answer=no_answer)


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
        .where(Response.in_figures)  # quarantined or an investigation's: in no figure
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
    plan = ViewPlan.of(scope, dims, grouping, refs, use_aggregates and not grouping.demographics)
    # "era" (as recorded, see views.Eras) is worked out from the unit and month, not read
    read = tuple(d for d in dims if d != "era") + (plan.hidden if plan else ())
    if use_aggregates and not grouping.demographics:
        rows = (plan.read_rows(scope, read, measure, stream) if plan and plan.splits
                else _aggregate_rows(scope, read, measure, refs, stream))
    else:
        rows = _raw_rows(scope, read, grouping, measure, refs, stream)
    if plan is None:
        return _fold(rows, dims, grouping, refs, measure)
    return plan.fold(rows, dims, grouping, measure)


class ViewPlan:
    """What a report reads beyond its dimensions to show the scope's view, and how the rows
    are mapped (see `views`): None when nothing changes (no unit event, or no unit in the
    report)."""

    def __init__(self, scope: Scope, dims, grouping: Grouping, refs: References, hidden,
                 reattribution=None, inside=None):
        self.scope, self.refs, self.hidden = scope, refs, hidden
        self.reattribution, self.inside = reattribution, inside
        self.rollup = grouping.unit_rollup if scope.view == "recorded" else None
        # `read_rows`: the units whose rows are read by year (None: every row is), and the
        # (unit ids, years) of the rows read by month (None: no row needs it)
        self.by_year: set[int] | None = None
        self.monthly: tuple[list[int], list[int]] | None = None
        self.any_year = 0

    @property
    def splits(self) -> bool:
        return self.by_year is not None or self.monthly is not None

    @classmethod
    def of(cls, scope, dims, grouping, refs, rolled_up: bool) -> ViewPlan | None:
        lineage = refs.lineage
        units = {"unit", "level"} & set(dims)
        if lineage is None or not (units or refs.restricts_units(scope)):
            return None
        if scope.view == "today":
            hidden = tuple(d for d in ("unit", "year") if d not in dims and (
                d == "year" or not units))
            # a month is read when the roll-up read has it anyway
            if "month" not in dims and (not rolled_up or rollup_for(scope, dims, refs)
                                        is AnswerCount):
                hidden += ("month",)
            plan = cls(scope, dims, grouping, refs, hidden,
                       reattribution=views.Reattribution(lineage, refs, scope))
            if rolled_up and "year" in hidden and "month" not in hidden:
                # only units re-attributed differently from one year to another need their
                # rows by year: the others' rows summed over the years map the same
                years = views.probe_years(lineage)
                plan.by_year = plan.reattribution.year_dependent(refs.units, years)
                plan.any_year = years[0]
            return plan
        if not views.has_moves(lineage):
            return None  # as recorded without moves: the rows as they are
        inside = views.recorded_inside(lineage, refs, scope)
        if inside is None and not (units and grouping.unit_rollup) and "era" not in dims:
            return None
        # parents are read on the first day of each month, so halves of a year go to the
        # parent of their time (the monthly roll-up)
        hidden = tuple(d for d in ("unit", "year", "month") if d not in dims and (
            d != "unit" or not units))
        plan = cls(scope, dims, grouping, refs, hidden, inside=inside)
        if "month" in hidden and rolled_up and rollup_for(
                scope, tuple(d for d in dims if d != "era") + hidden[:-1], refs) \
                is not AnswerCount:
            # only the units whose chain of parents changed need their rows by year, and by
            # month in the years of a move: every other unit lies under the same parents all
            # along (unless the report reads the monthly roll-up anyway)
            eras = views.Eras.of(lineage)
            ids, years = eras.by_month(refs.units)
            if ids:
                plan.monthly = (ids, years)
            else:  # every move took effect on 1 January: no row needs its month
                plan.hidden = hidden[:-1]
            if "year" in hidden:
                plan.by_year = {u for u in refs.units if eras.moved(u)}
                plan.any_year = views.probe_years(lineage)[0]
        return plan

    def read_rows(self, scope: Scope, read: tuple[str, ...], measure: Measure,
                  stream: str) -> list:
        """The rows `read` (the hidden dimensions last), in up to three reads of roll-ups
        where the one read of the monthly roll-up by year and month costs its size
        (procedures, channels...) on every league table, and reading years that the
        mapping does not need multiplies the rows by the years:

        - every unit but `by_year`'s, summed over the years (the year then stands as
          `any_year`, which maps these units as any year would);
        - `by_year`'s units by year (every unit, when by_year is None);
        - the rows `monthly` names by month; rows of other reads have month None (placed on
          1 January, where their unit lies under the same parents all year).
        """
        month = "month" in self.hidden
        unit_at = read.index("unit") if "unit" in read else read.index("level")
        year_at = read.index("year")
        ids, years = self.monthly or ([], [])
        monthly = (set(ids), set(years))

        def rows_of(dims, where=None, keep=lambda row: True):
            """The rows of a read of `dims` (a part of `read`), placed in `read`'s order."""
            found = _aggregate_rows(scope, dims, measure, self.refs, stream, where=where)
            fill = {"year": self.any_year, "month": None}
            at = [dims.index(d) if d in dims else None for d in read]
            tail = len(dims)
            return [(*(row[i] if i is not None else fill[d] for i, d in zip(at, read,
                                                                             strict=True)),
                     *row[tail:]) for row in found if keep(row)]

        def by_month(row):  # a row of the `read` order
            return row[unit_at] in monthly[0] and row[year_at] in monthly[1]

        yearly = tuple(d for d in read if d != "month") if month else read
        rows = []
        if self.by_year is not None:
            coarse = tuple(d for d in yearly if d != "year")
            rows += [r for r in rows_of(coarse) if r[unit_at] not in self.by_year]
            if self.by_year:
                data_years = _data_years()
                rows += [r for r in rows_of(yearly, lambda src: and_(
                    src.year.in_(data_years), src.unit_id.in_(sorted(self.by_year))))
                    if not by_month(r)]
        else:
            rows += [r for r in rows_of(yearly) if not by_month(r)]
        if self.monthly is not None:
            # every month named: the monthly roll-up's key is (year, month, unit...), so the
            # database looks up these units' rows instead of scanning the whole year
            rows += rows_of(read, lambda src: and_(
                src.year.in_(years), src.month.in_(range(1, 13)), src.unit_id.in_(ids)))
        return rows

    def fold(self, rows, dims, grouping: Grouping, measure: Measure) -> Cells:
        read = tuple(d for d in dims if d != "era") + self.hidden
        at = {d: read.index(d) for d in ("unit", "level", "year", "month") if d in read}
        # positions in the output key (dims); the era is put in from the unit and month
        unit_at = [dims.index(d) for d in ("unit", "level") if d in dims]
        era_at = dims.index("era") if "era" in dims else None
        take = [read.index(d) if d != "era" else None for d in dims]
        eras = views.Eras.of(self.refs.lineage) if era_at is not None else None
        width = len(dims)
        mapped, sources = [], []
        for row in rows:
            unit_id = row[at["unit"] if "unit" in at else at["level"]]
            year = row[at["year"]]
            month = row[at["month"]] if "month" in at else None
            tail = tuple(row[len(read):])
            head = [row[i] if i is not None else None for i in take]
            if era_at is not None and unit_id is not None:
                head[era_at] = eras.era(unit_id, views.day_of(year, month))
            if unit_id is None:
                mapped.append((*head, *tail))
                sources.append(None)
                continue
            if self.reattribution is None:  # as recorded, moves
                day = views.day_of(year, month)
                if self.inside is not None and not self.inside(unit_id, day):
                    continue
                if self.rollup:
                    unit_id = views.ancestor_on(self.refs.lineage, self.refs, unit_id,
                                                self.rollup, day)
                    for i in unit_at:
                        if i < width:
                            head[i] = unit_id
                mapped.append((*head, *tail))
                sources.append(None)
                continue
            spread = self.reattribution.spread(unit_id, year, month)
            source = (unit_id, year, month or 0)
            for target, share in spread:
                for i in unit_at:
                    if i < width:
                        head[i] = target
                mapped.append((*head, *tail[:3], float(tail[3]) * share))
                sources.append((source, target) if share < 1 - 1e-9
                               or len(spread) > 1 else None)
        if self.rollup:
            grouping = replace(grouping, unit_rollup=None)
        return _fold(mapped, dims, grouping, self.refs, measure,
                     sources if self.reattribution else None, self.reattribution)


FINE_DIMENSIONS = {"quarter", "month", "procedure", "procedure_group", "channel",
                   "respondent_type"}


def rollup_for(scope: Scope, dims: tuple[str, ...], refs: References):
    """The coarsest roll-up that has every dimension the report groups or filters by."""
    if FINE_DIMENSIONS & set(dims) or scope.channels or scope.respondent_types:
        return AnswerCount
    if {"unit", "level"} & set(dims) or refs.restricts_units(scope):
        return AnswerCountUnit
    return AnswerCountYear


def _aggregate_rows(scope, dims, measure, refs, stream, where=None) -> list:
    """The grouped rows of the smallest roll-up holding `dims`; `where(src)`, when given, is
    one more condition on that roll-up's rows."""
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
    if where is not None:
        query = query.where(where(src))
    return db.session.execute(query).all()


def _data_years() -> list[int]:
    """The years the roll-ups hold (the yearly one is a few hundred rows a year)."""
    return sorted(db.session.execute(select(AnswerCountYear.year).distinct()).scalars())


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


def _fold(rows, dims, grouping: Grouping, refs: References, measure: Measure,
          sources=None, reattribution=None) -> Cells:
    types = {row[len(dims)] for row in rows}
    scales = {RATING_TYPES.get(t) for t in types}
    if None in scales or len(scales) > 1:
        what = measure.item or measure.kind
        raise ScopeError("measure", f"{what!r} is not a single rating scale "
                                    f"(item types: {', '.join(sorted(map(str, types)))})")
    scale = scales.pop() if scales else ("rating3" if measure.kind == "overall" else "likert5")
    points = SCALES[scale].points
    # shares of a split make counts fractional (`views`)
    kind = np.float64 if sources is not None else np.int64
    counts: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(points, dtype=kind))
    no_answer: dict[tuple, int] = defaultdict(int)
    parts: dict[tuple, dict[tuple, set[int]]] = defaultdict(lambda: defaultdict(set))
    for i, row in enumerate(rows):
        key = tuple(_derive(d, v, grouping, refs) for d, v in zip(dims, row, strict=False))
        value, missing = row[len(dims) + 1], row[len(dims) + 2]
        n = row[len(dims) + 3]
        n = int(n) if sources is None else float(n)  # PostgreSQL sums bigints as numeric
        if sources is not None and sources[i] is not None:
            source, target = sources[i]
            parts[key][source].add(target)
        if missing is not None:
            no_answer[key] += n
            counts[key]  # a group of only "no answer" still exists, with n = 0
        elif 1 <= value <= points:
            counts[key][value - 1] += n
    return Cells(dims, scale, dict(counts), dict(no_answer),
                 {k: {s: frozenset(t) for s, t in v.items()} for k, v in parts.items()},
                 reattribution)


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
