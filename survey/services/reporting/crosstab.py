"""Cross-tabulations for sociological questions: a categorical item by another item or by a
dimension of the response (year, service area, level, channel, respondent type).

The database counts (GROUP BY the two values); `analysis.crosstab` does the statistics. Missing
answers (97/98/99) and respondents without one of the two values are left out and counted.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import String, and_, cast, func, literal, select
from sqlalchemy.orm import aliased

import analysis
from analysis.privacy import FREE, HIDDEN, VISIBLE, complementary_suppression
from survey.extensions import db
from survey.models import (
    Answer,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Unit,
    VersionItem,
)
from survey.services.reporting.cells import (
    RATING_TYPES,
    References,
    resolve_stream,
    scope_conditions,
)
from survey.services.reporting.indices import view_note
from survey.services.reporting.reattributed import RowView
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError
from survey.services.reporting.suppression import SMALL_N, protected_cells, sort_key

CATEGORICAL = ("likert5", "rating3", "expectation4", "yes_no", "single_choice", "nps")
RESPONSE_DIMENSIONS = {
    "year": lambda: Response.year,
    "service_area": lambda: Response.service_area_id,
    "level": lambda: Unit.level,
    "channel": lambda: Response.channel,
    "respondent_type": lambda: Response.respondent_type,
}


def categorical_items(stream: str = "survey") -> list[tuple[str, str]]:
    """(code, type) of the items a cross-tab may use, in questionnaire order."""
    rows = db.session.execute(
        select(VersionItem.code, VersionItem.item_type, func.min(VersionItem.position))
        .join(QuestionnaireVersion, QuestionnaireVersion.id == VersionItem.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(VersionItem.item_type.in_(CATEGORICAL), Questionnaire.kind == stream)
        .group_by(VersionItem.code, VersionItem.item_type)
        .order_by(func.min(VersionItem.position), VersionItem.code)
    ).all()
    return [(code, kind) for code, kind, _ in rows]


def _value(alias):
    return func.coalesce(alias.value_text, cast(alias.value_int, String))


def crosstab_report(scope: Scope, row_item: str, column: str,
                    refs: References | None = None) -> dict:
    """Counts of `row_item` by `column` (an item code or a response dimension).

    Each column is a group: one of fewer than 30 respondents shows its total only, and so
    does the smallest other when it would be the only one hidden. A rating item by a
    response dimension hides the groups that /indices?measure=item:<row>&by=<column> hides.
    """
    refs = refs or References.load()
    stream = resolve_stream(scope)
    allowed = {code for code, _ in categorical_items(stream)}
    if row_item not in allowed:
        raise ScopeError("row", f"{row_item!r} is not a categorical item", sorted(allowed))
    if column not in RESPONSE_DIMENSIONS and column not in allowed:
        raise ScopeError("column", f"cannot cross by {column!r}",
                         [*RESPONSE_DIMENSIONS, *sorted(allowed)])
    if column == row_item:
        raise ScopeError("column", "choose two different variables")
    first = aliased(Answer, name="row_answer")
    query = (
        select(_value(first))
        .select_from(first)
        .join(Response, Response.id == first.response_id)
        .join(Unit, Unit.id == Response.unit_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(*scope_conditions(scope, refs, stream), first.item_code == literal(row_item),
               first.missing_code.is_(None))
        .where(Response.in_figures)  # quarantined or an investigation's: in no figure
    )
    if column in RESPONSE_DIMENSIONS:
        key = RESPONSE_DIMENSIONS[column]()
        query = query.add_columns(key).where(key.is_not(None))
    else:
        second = aliased(Answer, name="column_answer")
        key = _value(second)
        query = query.add_columns(key).join(second, and_(
            second.response_id == Response.id, second.item_code == literal(column),
            second.missing_code.is_(None)))
    view = RowView(scope, refs, by_unit=column == "level")
    grouped = (_value(first), key)
    if view.reads_units:  # the recorded unit-month decides where a group's count goes
        grouped += (Response.unit_id, Response.year, Response.month)
    rows = db.session.execute(
        query.add_columns(*grouped[2:], func.count()).group_by(*grouped)).all()
    if view.reads_units:
        rows = _in_view(rows, column, refs, view)
    shared = None
    if column in RESPONSE_DIMENSIONS and _rating(row_item):
        shared = protected_cells(scope, Grouping((column,)), Measure("item", row_item), refs)
    table = _table(rows, column, refs, shared)
    table["estimated_columns"] = [c for c in table["columns"]
                                  if view.is_estimate(_column_key(c, column, refs))]
    table["estimated"] = bool(table["estimated_columns"])
    table["method"] = {"test": table["method"], **view_note(scope, refs)}
    if view.today:
        table["method"]["estimated"] = (
            "a column holding part of a split unit's answers (by the split's documented "
            "shares) is an estimate: its counts are those shares rounded to whole answers "
            "once, per cell, before the test")
    return table


def _in_view(rows, column: str, refs: References, view: RowView) -> list[tuple]:
    """The grouped rows (row value, column key, unit, year, month, n) in the scope's view:
    (row value, column key, n) with n in whole answers. On today's units a level column is the
    level of the unit the answers went to."""
    counts: dict[tuple, float] = defaultdict(float)
    for value, key, unit_id, year, month, n in rows:
        for target, share, source in view.spread(unit_id, year, month):
            if column == "level":
                key = refs.units[target].level
            view.note(_column_key(key, column, refs), source, target)
            counts[(value, key)] += int(n) * share
    # a split's share of a count is an estimate, rounded once where the statistics start
    return [(value, key, whole) for (value, key), n in counts.items()
            if (whole := int(round(n))) > 0]


def _column_key(key, column: str, refs: References) -> str:
    """A column as the table names it (service areas by code)."""
    return str(refs.areas.get(key, key) if column == "service_area" else key)


def _rating(code: str) -> bool:
    types = set(db.session.execute(
        select(VersionItem.item_type).distinct().where(VersionItem.code == code)).scalars())
    return bool(types) and types <= set(RATING_TYPES)


def _hidden_columns(col_keys: list, totals: list[int], shared) -> list[bool]:
    """Which columns show their total only (see crosstab_report)."""
    if shared is not None:
        return [shared.is_hidden((key,)) or n < SMALL_N for key, n in zip(col_keys, totals,
                                                                          strict=True)]
    order = sorted(range(len(col_keys)), key=lambda i: sort_key((col_keys[i],)))
    total = sum(totals)
    # the columns in the listing order, then their total (hidden only when small: it is
    # the whole scope's figure, never a complement)
    n = [totals[i] for i in order] + [total]
    fixed = [FREE] * len(order) + [HIDDEN if total < SMALL_N else VISIBLE]
    result = complementary_suppression(n, [(len(order), list(range(len(order))))],
                                       min_n=SMALL_N, fixed=fixed)
    hidden = [False] * len(col_keys)
    for position, i in enumerate(order):
        hidden[i] = bool(result.hidden[position])
    return hidden


def _table(rows, column: str, refs: References, shared) -> dict:
    def label(value):
        return refs.areas.get(value, value) if column == "service_area" else value

    row_keys = sorted({r[0] for r in rows}, key=_natural)
    col_keys = sorted({label(r[1]) for r in rows}, key=_natural)
    counts = [[0] * len(col_keys) for _ in row_keys]
    for value, key, n in rows:
        counts[row_keys.index(value)][col_keys.index(label(key))] += n
    result = None
    hidden: list[bool] = []
    if row_keys and col_keys:
        totals = [sum(row[j] for row in counts) for j in range(len(col_keys))]
        hidden = _hidden_columns(col_keys, totals, shared)
        result = _suppressed(analysis.crosstab(counts).to_dict(), counts, hidden,
                             sum(totals) < SMALL_N)
    return {
        "rows": [str(k) for k in row_keys], "columns": [str(k) for k in col_keys],
        "suppressed_columns": [str(k) for k, h in zip(col_keys, hidden, strict=True) if h],
        "result": result,
        "method": "Pearson χ² without continuity correction; Cramér's V; missing answers "
                  "and respondents without both values are left out; a column of fewer "
                  f"than {SMALL_N} respondents shows its total only, as does the smallest "
                  "other when it would be the only one hidden; the test pools the hidden "
                  "columns into one",
    }


def _suppressed(full: dict, counts: list[list[int]], hidden: list[bool], small: bool) -> dict:
    """The cross-tab with hidden columns' cells and percentages blanked, and its test on the
    table with those columns pooled (which reveals only their sum, known from the totals)."""
    table = np.array(counts, dtype=np.int64)
    shown = ~np.array(hidden, dtype=bool)
    pooled = table[:, shown]
    if not shown.all():
        pooled = np.column_stack([pooled, table[:, ~shown].sum(axis=1)])
    tested = analysis.crosstab(pooled).to_dict()
    for name in ("chi2", "dof", "p_value", "cramers_v", "min_expected", "low_expected",
                 "warning", "shape_tested"):
        full[name] = tested[name]
    for name in ("counts", "row_pct", "col_pct"):
        full[name] = [[None if hidden[j] else v for j, v in enumerate(row)]
                      for row in full[name]]
    if small:  # the whole scope is a small group: its distribution is its result too
        full.update(row_totals=[None] * len(full["row_totals"]), chi2=None, dof=None,
                    p_value=None, cramers_v=None, min_expected=None, low_expected=0)
    return full


def _natural(value) -> tuple:
    text = str(value)
    number = text.removeprefix("-")
    # ASCII digits only: "²" passes isdigit() but not int()
    return (0, int(text), "") if number.isascii() and number.isdigit() else (1, 0, text)
