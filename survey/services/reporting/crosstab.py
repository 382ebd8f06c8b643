"""Cross-tabulations for sociological questions: a categorical item by another item or by a
dimension of the response (year, service area, level, channel, respondent type).

The database counts (GROUP BY the two values); `analysis.crosstab` does the statistics. Missing
answers (97/98/99) and respondents without one of the two values are left out and counted.
"""

from __future__ import annotations

from sqlalchemy import String, and_, cast, func, literal, select
from sqlalchemy.orm import aliased

import analysis
from survey.extensions import db
from survey.models import (
    Answer,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Unit,
    VersionItem,
)
from survey.services.reporting.cells import References, resolve_stream, scope_conditions
from survey.services.reporting.scope import Scope, ScopeError

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
    """Counts of `row_item` by `column` (an item code or a response dimension)."""
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
        .where(Response.quarantine_id.is_(None))  # set aside: in no figure (response_admin)
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
    rows = db.session.execute(
        query.add_columns(func.count()).group_by(_value(first), key)).all()
    return _table(rows, column, refs)


def _table(rows, column: str, refs: References) -> dict:
    def label(value):
        return refs.areas.get(value, value) if column == "service_area" else value

    row_keys = sorted({r[0] for r in rows}, key=_natural)
    col_keys = sorted({label(r[1]) for r in rows}, key=_natural)
    counts = [[0] * len(col_keys) for _ in row_keys]
    for value, key, n in rows:
        counts[row_keys.index(value)][col_keys.index(label(key))] += n
    result = analysis.crosstab(counts) if row_keys and col_keys else None
    return {
        "rows": [str(k) for k in row_keys], "columns": [str(k) for k in col_keys],
        "result": result.to_dict() if result else None,
        "method": "Pearson χ² without continuity correction; Cramér's V; missing answers "
                  "and respondents without both values are left out",
    }


def _natural(value) -> tuple:
    text = str(value)
    number = text.removeprefix("-")
    # ASCII digits only: "²" passes isdigit() but not int()
    return (0, int(text), "") if number.isascii() and number.isdigit() else (1, 0, text)
