"""The five SIPAS elements: indices, Cronbach's α and importance–performance (METHODOLOGY §2–3).

α and the drivers need per-respondent quantities; the database computes them (sums, sums of
squares, and a table of (element score, overall answer) pairs), never sending one row per
respondent to Python.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

import analysis
from survey.extensions import db
from survey.models import Answer, Questionnaire, QuestionnaireVersion, Response, VersionItem
from survey.services.reporting.cells import References, fetch_cells, scope_conditions
from survey.services.reporting.indices import SMALL_N
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError


def _scoped_answers(scope: Scope, refs: References):
    """SELECT … FROM answer joined to its response and questionnaire, inside the scope."""
    return (
        select()
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(*scope_conditions(scope, refs, "survey"))
    )


def element_items(scope: Scope, refs: References) -> dict[str, list[str]]:
    """The likert5 item codes of each element in the questionnaires of the scope."""
    query = (
        select(VersionItem.element, VersionItem.code).distinct()
        .join(QuestionnaireVersion, QuestionnaireVersion.id == VersionItem.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(VersionItem.element.is_not(None), VersionItem.item_type == "likert5",
               Questionnaire.kind == "survey")
    )
    if scope.questionnaires:
        query = query.where(Questionnaire.code.in_(scope.questionnaires))
    items: dict[str, list[str]] = defaultdict(list)
    for element, code in db.session.execute(query).all():
        items[element].append(code)
    return {e: sorted(codes) for e, codes in sorted(items.items())}


def _respondent_totals(scope: Scope, refs: References):
    """Per respondent and element: the sum and number of valid likert5 answers (a subquery)."""
    return (
        _scoped_answers(scope, refs)
        .add_columns(Answer.response_id, VersionItem.element,
                     func.sum(Answer.value_int).label("total"),
                     func.count(Answer.value_int).label("answered"))
        .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                VersionItem.code == Answer.item_code))
        .where(VersionItem.element.is_not(None), VersionItem.item_type == "likert5",
               Answer.value_int.is_not(None))
        .group_by(Answer.response_id, VersionItem.element)
        .subquery("per_respondent")
    )


def alphas(scope: Scope, refs: References, items: dict[str, list[str]]) -> dict:
    """Cronbach's α per element, over respondents who answered every item of it.

    Two grouped queries for all elements: item sums and sums of squares, and total-score sums
    and sums of squares; `analysis` turns those sufficient statistics into α.
    """
    per = _respondent_totals(scope, refs)
    complete = per.c.answered == case(
        {e: len(codes) for e, codes in items.items()}, value=per.c.element, else_=-1)
    item_rows = db.session.execute(
        select(VersionItem.element, Answer.item_code, func.sum(Answer.value_int),
               func.sum(Answer.value_int * Answer.value_int))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                VersionItem.code == Answer.item_code))
        .join(per, and_(per.c.response_id == Answer.response_id,
                        per.c.element == VersionItem.element))
        .where(complete, Answer.value_int.is_not(None))
        .group_by(VersionItem.element, Answer.item_code)
    ).all()
    totals = {
        element: (n, total, square) for element, n, total, square in db.session.execute(
            select(per.c.element, func.count(), func.sum(per.c.total),
                   func.sum(per.c.total * per.c.total)).where(complete).group_by(per.c.element)
        ).all()
    }
    sums: dict[str, list] = defaultdict(list)
    for element, _code, total, square in item_rows:
        sums[element].append((float(total), float(square)))
    out = {}
    for element, codes in items.items():
        n, total, square = totals.get(element, (0, 0, 0))
        if len(codes) < 2 or n < 2 or len(sums[element]) != len(codes):
            out[element] = None
            continue
        item_sums = np.array(sums[element])
        out[element] = analysis.cronbach_alpha_from_sums(
            n, item_sums[:, 0], item_sums[:, 1], float(total), float(square))
    return out


def driver_tables(scope: Scope, refs: References) -> dict[str, tuple]:
    """Per element: distinct (mean element score, overall answer) pairs and their counts."""
    per = _respondent_totals(scope, refs)
    overall = aliased(Answer, name="overall_answer")
    overall_item = aliased(VersionItem, name="overall_item")
    rows = db.session.execute(
        select(per.c.element, per.c.total, per.c.answered, overall.value_int, func.count())
        .join(overall, overall.response_id == per.c.response_id)
        .join(Response, Response.id == overall.response_id)
        .join(overall_item, and_(overall_item.version_id == Response.version_id,
                                 overall_item.code == overall.item_code))
        .where(overall_item.is_overall.is_(True), overall.value_int.is_not(None))
        .group_by(per.c.element, per.c.total, per.c.answered, overall.value_int)
    ).all()
    grouped: dict[str, list] = defaultdict(list)
    for element, total, answered, value, count in rows:
        grouped[element].append((total / answered, value, count))
    return {e: tuple(np.array(column, dtype=float) for column in zip(*pairs, strict=True))
            for e, pairs in grouped.items()}


def elements(scope: Scope, benchmark: float, refs: References | None = None) -> dict:
    if scope.stream != "survey" or (scope.questionnaires and _has_ratings(scope)):
        raise ScopeError("questionnaire", "the SIPAS elements exist in the sample survey only")
    refs = refs or References.load()
    items = element_items(scope, refs)
    cells = fetch_cells(scope, Grouping(()), Measure("elements"), refs, extra=("element", "item"))
    tables: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for (element, item), counts in cells.counts.items():
        tables[element][item] = counts
    reliability_of = alphas(scope, refs, items)
    pairs = driver_tables(scope, refs)
    rows, tables_used, performance = [], {}, {}
    for element, codes in items.items():
        present = [code for code in codes if code in tables[element]]
        index = analysis.element_index([tables[element][code] for code in present])
        reliability = reliability_of.get(element)
        small = index.n < SMALL_N
        rows.append({
            "element": element, "items": codes, "n_answers": index.n,
            "share": None if small or index.value is None else index.value,
            "item_shares": dict(zip(present, index.item_shares, strict=True)),
            "alpha": reliability.alpha if reliability else None,
            "alpha_n": reliability.n_respondents if reliability else 0,
            "alpha_low": reliability.low if reliability else None,
        })
        if not small and index.value is not None and element in pairs:
            tables_used[element] = pairs[element]
            performance[element] = index.value
    drivers = analysis.importance_performance_from_tables(tables_used, performance)
    by_element = {d.element: d for d in drivers.elements}
    for row in rows:
        d = by_element.get(row["element"])
        row.update(importance=d.importance if d else None,
                   importance_p=d.importance_p_value if d else None,
                   importance_n=d.n_pairs if d else 0,
                   quadrant=d.quadrant if d else None)
    overall = analysis.overall_index({r["element"]: r["share"] for r in rows})
    return {
        "method": {
            "element_index": "mean of the element's items' % satisfied (answers 4-5 of 5)",
            "overall_index": "mean of the element indices (equal weights)",
            "alpha": "Cronbach's alpha over respondents who answered every item; low < 0.7",
            "importance": "Spearman rho between the element's mean score and the overall "
                          "item; quadrants split at the means (Martilla & James 1977)",
            "benchmark": benchmark,
        },
        "overall_index": overall.value,
        "mean_importance": drivers.mean_importance,
        "mean_performance": drivers.mean_performance,
        "elements": rows,
    }


def _has_ratings(scope: Scope) -> bool:
    kinds = db.session.execute(
        select(Questionnaire.kind).where(Questionnaire.code.in_(scope.questionnaires))
    ).scalars()
    return any(kind != "survey" for kind in kinds)
