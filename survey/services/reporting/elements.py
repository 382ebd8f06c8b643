"""The five SIPAS elements (docs/METHODOLOGY.md §2–3): indices, α and importance–performance.

α and the drivers need per-respondent quantities. They are read from maintained roll-ups of
their sufficient statistics (survey/models/aggregates.py): how many respondents had each
(element score total, items answered, overall answer); for α's item sums, the answer counts
less the answers of respondents who left some of the element's items out. The channel and
respondent-type filters, which those roll-ups do not keep, fall back to one scan of the
answers in the database. Neither path sends one row per respondent to Python.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

import numpy as np
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    false,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased

import analysis
from survey.extensions import db
from survey.models import (
    Answer,
    AnswerCountUnit,
    AnswerCountYear,
    ElementItemUnit,
    ElementItemYear,
    ElementPairUnit,
    ElementPairYear,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    VersionItem,
)
from survey.services import aggregates
from survey.services.reporting import views
from survey.services.reporting.cache import cached
from survey.services.reporting.cells import (
    References,
    answers_in_scope,
    fetch_cells,
    rollup_in_scope,
)
from survey.services.reporting.indices import SMALL_N, view_note
from survey.services.reporting.reattributed import RowView
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError


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


def _overall_codes(scope: Scope) -> list[str]:
    query = (select(VersionItem.code).distinct()
             .join(QuestionnaireVersion, QuestionnaireVersion.id == VersionItem.version_id)
             .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
             .where(VersionItem.is_overall.is_(True), Questionnaire.kind == "survey"))
    return list(db.session.execute(query).scalars())


def _per_respondent(scope: Scope, refs: References, codes: list[str], view: RowView,
                    only: set[tuple[int, int]] | None = None) -> Table:
    """A temporary table, one row per respondent and element: the element's answers pivoted
    into columns x0..xN, their sum and number, and the respondent's overall answer (and,
    when the view maps units, the respondent's recorded unit, year and month; `only`: the
    respondents of those (unit, year) alone).

    One scan of the answers feeds both α and the drivers; the table lives only for this
    report's transaction.
    """
    where = [Column(name, Integer) for name in WHERE] if view.reads_units else []
    columns = [Column("response_id", Integer), Column("element", String(1)),
               Column("total", Integer), Column("answered", Integer), Column("overall", Integer),
               *where, *(Column(f"x{i}", Integer) for i in range(len(codes)))]
    table = Table(f"tmp_elements_{uuid.uuid4().hex[:12]}", MetaData(), *columns,
                  prefixes=["TEMPORARY"])
    connection = db.session.connection()
    table.create(bind=connection)
    overall = aliased(Answer, name="overall_answer")
    recorded = (Response.unit_id, Response.year, Response.month) if where else ()
    query = (
        answers_in_scope(
            scope, refs, "survey", Answer.response_id, VersionItem.element,
            func.sum(Answer.value_int), func.count(Answer.value_int), func.max(overall.value_int),
            *recorded,
            *(func.max(case((Answer.item_code == code, Answer.value_int))) for code in codes))
        .outerjoin(overall, and_(overall.response_id == Answer.response_id,
                                 overall.item_code.in_(_overall_codes(scope) or ["-"])))
        .where(VersionItem.element.is_not(None), VersionItem.item_type == "likert5",
               Answer.value_int.is_not(None))
        .group_by(Answer.response_id, VersionItem.element, *recorded)
    )
    if only is not None:  # the plain lists first, which the response indexes serve
        query = query.where(Response.unit_id.in_({u for u, _ in only}),
                            Response.year.in_({y for _, y in only}),
                            tuple_(Response.unit_id, Response.year).in_(sorted(only)))
    connection.execute(insert(table).from_select([c.name for c in columns], query))
    return table


# The recorded unit, year and month a row of the per-respondent table keeps for the view.
WHERE = ("unit_id", "year", "month")


class _Parts:
    """What α, the drivers and the respondents per element are made of, summed over groups
    each counted for the share of it the report holds: α's sufficient statistics, the pair
    table (element, total, answered, overall) and the respondents. Shares make them
    fractional; `result` rounds the counts to whole respondents once."""

    def __init__(self):
        self.sums: dict[str, list] = {}
        self.table: dict[tuple, float] = defaultdict(float)
        self.respondents: dict[str, float] = defaultdict(float)

    def add_sums(self, element: str, weight: float, n: float, total: float, square: float,
                 item_sums: list[float], item_squares: list[float]) -> None:
        current = self.sums.setdefault(element, [0.0, 0.0, 0.0, [0.0] * len(item_sums),
                                                 [0.0] * len(item_squares)])
        current[0] += weight * n
        current[1] += weight * total
        current[2] += weight * square
        for i, (s, q) in enumerate(zip(item_sums, item_squares, strict=True)):
            current[3][i] += weight * s
            current[4][i] += weight * q

    def add(self, other: _Parts) -> None:
        for element, (n, total, square, sums, squares) in other.sums.items():
            self.add_sums(element, 1.0, n, total, square, sums, squares)
        for key, n in other.table.items():
            self.table[key] += n
        for element, n in other.respondents.items():
            self.respondents[element] += n

    def result(self, items: dict[str, list[str]]) -> tuple[dict, dict, dict]:
        # a split's share of a pair's count is an estimate, rounded to whole respondents once
        whole = [(*key, w) for key, n in self.table.items() if (w := int(round(n))) > 0]
        return (_alphas_from(self.sums, items), _pairs_by_element(whole),
                {element: int(round(n)) for element, n in self.respondents.items()})


def _complete(element_column, answered_column, items: dict[str, list[str]]):
    """Respondents who answered all the element's items (of every questionnaire in scope)."""
    return answered_column == case({e: len(c) for e, c in items.items()},
                                   value=element_column, else_=-1)


def _scan_parts(per: Table, items: dict[str, list[str]], codes: list[str],
                view: RowView) -> _Parts:
    """α's sums over the respondents who answered all the element's items, the pair table and
    the respondents, from the per-respondent table (grouped queries: no row per respondent)."""
    parts = _Parts()
    recorded = [per.c[name] for name in WHERE] if view.reads_units else []

    def weight(element, where) -> float:
        return view.weight(element, *where) if where else 1.0

    complete = _complete(per.c.element, per.c.answered, items)
    columns = [per.c[f"x{i}"] for i in range(len(codes))]
    position = {code: i for i, code in enumerate(codes)}
    for element, n, total, square, *rest in db.session.execute(
            select(per.c.element, func.count(), func.sum(per.c.total),
                   func.sum(per.c.total * per.c.total), *(func.sum(c) for c in columns),
                   *(func.sum(c * c) for c in columns), *recorded)
            .where(complete).group_by(per.c.element, *recorded)):
        item_sums, where = rest[:2 * len(codes)], rest[2 * len(codes):]
        wanted = [position[c] for c in items[element]]
        parts.add_sums(element, weight(element, where), int(n), float(total), float(square),
                       [float(item_sums[i]) for i in wanted],
                       [float(item_sums[len(codes) + i]) for i in wanted])
    for element, total, answered, overall, n, *where in db.session.execute(
            select(per.c.element, per.c.total, per.c.answered, per.c.overall, func.count(),
                   *recorded)
            .group_by(per.c.element, per.c.total, per.c.answered, per.c.overall, *recorded)):
        n = int(n) * weight(element, where)
        parts.respondents[element] += n
        if overall is not None:
            parts.table[(element, total, answered, overall)] += n
    return parts


def _alphas_from(sums: dict[str, tuple], items: dict[str, list[str]]) -> dict:
    """α per element from (n, Σ total, Σ total², Σ x per item, Σ x² per item).

    On today's units n may hold shares of a split's respondents: α is then the weighted α
    (every sum scaled to n rounded to whole respondents, which leaves α unchanged, as it
    depends on the sums only through means)."""
    out: dict[str, analysis.AlphaResult | None] = {e: None for e in items}
    for element, (n, total, square, item_sums, item_squares) in sums.items():
        whole = int(round(n))
        if len(items[element]) < 2 or whole < 2:
            continue
        scale = whole / n
        out[element] = analysis.cronbach_alpha_from_sums(
            whole, np.array(item_sums) * scale, np.array(item_squares) * scale,
            total * scale, square * scale)
    return out


def _pairs_by_element(rows) -> dict[str, tuple]:
    grouped: dict[str, list] = defaultdict(list)
    for element, total, answered, value, count in rows:
        grouped[element].append((total / answered, value, count))
    return {e: tuple(np.array(column, dtype=float) for column in zip(*pairs, strict=True))
            for e, pairs in grouped.items()}


def _scanned_parts(scope: Scope, refs: References, items: dict[str, list[str]],
                   view: RowView, only: set[tuple[int, int]] | None = None) -> _Parts:
    codes = [code for element_codes in items.values() for code in element_codes]
    per = _per_respondent(scope, refs, codes, view, only)
    try:
        return _scan_parts(per, items, codes, view)
    finally:
        per.drop(bind=db.session.connection())


def _scanned(scope: Scope, refs: References, items: dict[str, list[str]],
             view: RowView | None = None) -> tuple[dict, dict, dict]:
    """α, the driver pairs and the respondents per element from one scan of the answers in
    scope (the filters the element roll-ups do not keep: channel, respondent type)."""
    view = view or RowView(scope, refs)
    return _scanned_parts(scope, refs, items, view).result(items)


def _rolled_up(scope: Scope, refs: References, items: dict[str, list[str]],
               view: RowView | None = None) -> tuple[dict, dict, dict]:
    """α, the driver pairs and the respondents per element from the maintained roll-ups:
    O(groups) rows. Every respondent who answered an item of the element has one pair.
    In a view that maps units each group also keeps its recorded unit and year, and counts
    for the share of it the report holds (`reattributed`)."""
    aggregates.fold()  # PostgreSQL: rows appended by recent submissions join the roll-ups
    view = view or RowView(scope, refs)
    by_unit = refs.restricts_units(scope)
    # As recorded, a unit filter holds a moved unit only for the months it lay inside; the
    # element roll-ups keep no month, so the (unit, year) groups that crossed the boundary
    # within the year (a few units, in the year of their move) are read from the answers.
    straddling: set[tuple[int, int]] = set()
    crossed: dict[tuple[int, int], bool] = {}

    def in_scope(table, *columns):
        return rollup_in_scope(table, scope, refs, "survey", *columns)

    def recorded(table) -> tuple:
        # the month is not kept by the element roll-ups: a year is attributed as a whole,
        # as the indices read from the same level of roll-up are
        return (table.unit_id, table.year) if view.reads_units else ()

    def weight(element, where) -> float | None:
        if not where:
            return 1.0
        if view.inside is not None:
            key = tuple(where)
            if key not in crossed:
                crossed[key] = _straddles(view, *key)
            if crossed[key]:
                straddling.add(key)
                return None
        return view.weight(element, *where, None)

    parts = _Parts()
    p = ElementPairUnit if by_unit else ElementPairYear
    pairs = db.session.execute(
        in_scope(p, p.element, p.total, p.answered, p.overall, func.sum(p.n), *recorded(p))
        .group_by(p.element, p.total, p.answered, p.overall, *recorded(p))).all()
    complete = {e: len(c) for e, c in items.items()}
    stats: dict[str, list[float]] = {}
    for element, total, answered, overall, n, *where in pairs:
        share = weight(element, where)
        if share is None:
            continue
        n = int(n) * share
        parts.respondents[element] += n
        if overall != 0:
            parts.table[(element, total, answered, overall)] += n
        if answered == complete.get(element):
            current = stats.setdefault(element, [0.0, 0.0, 0.0])
            current[0] += n
            current[1] += float(total) * n
            current[2] += float(total) ** 2 * n
    # The complete respondents' item sums: every answer of versions that ask exactly the
    # element's items in scope (only they have complete respondents), less the answers of
    # those versions' incomplete respondents.
    versions = _versions_asking(items)

    def asked(version_column, element_column):
        return tuple_(version_column, element_column).in_(versions) if versions else false()

    a = AnswerCountUnit if by_unit else AnswerCountYear
    every = (in_scope(a, VersionItem.element, a.item_code, a.value, func.sum(a.n), *recorded(a))
             .join(VersionItem, and_(VersionItem.version_id == a.version_id,
                                     VersionItem.code == a.item_code))
             .where(a.value < 97, asked(a.version_id, VersionItem.element))
             .group_by(VersionItem.element, a.item_code, a.value, *recorded(a)))
    t = ElementItemUnit if by_unit else ElementItemYear
    partial = (in_scope(t, t.element, t.item_code, t.value, func.sum(t.n), *recorded(t))
               .where(asked(t.version_id, t.element))
               .group_by(t.element, t.item_code, t.value, *recorded(t)))
    item_sums: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for query, sign in ((every, 1), (partial, -1)):
        for element, code, value, n, *where in db.session.execute(query):
            share = weight(element, where)
            if share is None:
                continue
            n = sign * int(n) * share
            current = item_sums[element].setdefault(code, [0.0, 0.0])
            current[0] += float(value) * n
            current[1] += float(value) ** 2 * n
    for element, (n, total, square) in stats.items():
        per_item = [item_sums[element].get(code, [0.0, 0.0]) for code in items[element]]
        parts.add_sums(element, 1.0, n, total, square, [s for s, _ in per_item],
                       [q for _, q in per_item])
    if straddling:
        parts.add(_scanned_parts(scope, refs, items, view, straddling))
    return parts.result(items)


def _straddles(view: RowView, unit_id: int, year: int) -> bool:
    """Whether the unit lay inside the scope's units for some months of the year only."""
    eras = views.Eras.of(view.refs.lineage)
    if eras.era(unit_id, date(year, 1, 1)) == eras.era(unit_id, date(year, 12, 1)):
        return False  # its chain of parents did not change within the year
    found = {view.inside(unit_id, date(year, month, 1)) for month in range(1, 13)}
    return len(found) > 1


def _versions_asking(items: dict[str, list[str]]) -> list[tuple[int, str]]:
    """(version, element) whose likert items of the element are exactly `items[element]`."""
    asked: dict[tuple[int, str], set[str]] = defaultdict(set)
    for version_id, element, code in db.session.execute(
            select(VersionItem.version_id, VersionItem.element, VersionItem.code)
            .where(VersionItem.element.is_not(None), VersionItem.item_type == "likert5")):
        asked[(version_id, element)].add(code)
    return [key for key, codes in asked.items() if codes == set(items.get(key[1], ()))]


@cached
def elements(scope: Scope, benchmark: float, refs: References | None = None) -> dict:
    if scope.stream != "survey" or (scope.questionnaires and _has_ratings(scope)):
        raise ScopeError("questionnaire", "the SIPAS elements exist in the sample survey only")
    refs = refs or References.load()
    items = element_items(scope, refs)
    cells = fetch_cells(scope, Grouping(()), Measure("elements"), refs,
                        extra=("element", "item")).whole()
    tables: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for (element, item), counts in cells.counts.items():
        tables[element][item] = counts
    reliability_of, pairs, respondents = {}, {}, {}
    view = RowView(scope, refs)
    if items and (scope.channels or scope.respondent_types):
        reliability_of, pairs, respondents = _scanned(scope, refs, items, view)
    elif items:  # else no published survey yet: nothing to read
        reliability_of, pairs, respondents = _rolled_up(scope, refs, items, view)
    rows, tables_used, performance = [], {}, {}
    for element, codes in items.items():
        present = [code for code in codes if code in tables[element]]
        index = analysis.element_index([tables[element][code] for code in present])
        rows.append(_element_row(element, codes, present, tables[element], index,
                                 respondents.get(element, 0), reliability_of.get(element)))
        if not rows[-1]["suppressed"] and index.value is not None and element in pairs:
            tables_used[element] = pairs[element]
            performance[element] = index.value
    drivers = analysis.importance_performance_from_tables(tables_used, performance)
    by_element = {d.element: d for d in drivers.elements}
    for row in rows:
        d = by_element.get(row["element"])
        row.update(importance=d.importance if d else None,
                   importance_p=d.importance_p_value if d else None,
                   importance_n=(d.n_pairs if d else 0) if not row["suppressed"] else None,
                   quadrant=d.quadrant if d else None)
        # an element's figures hold part of a split unit's answers (METHODOLOGY §10)
        row["estimated"] = view.is_estimate(row["element"]) or any(
            cells.is_estimate((row["element"], code)) for code in row["items"])
    estimate_note = {"estimated": "an element holding part of a split unit's respondents (by "
                                  "the split's documented shares) is an estimate: its counts "
                                  "are those shares rounded to whole answers once; alpha is "
                                  "the alpha of the shares"} if view.today else {}
    # The overall index is a function of every element's: shown only when they all are.
    overall = analysis.overall_index({r["element"]: r["share"] for r in rows})
    return {
        "method": {
            "element_index": "mean of the element's items' % satisfied (answers 4-5 of 5)",
            "overall_index": "mean of the element indices (equal weights)",
            "alpha": "Cronbach's alpha over respondents who answered every item; low < 0.7",
            "importance": "Spearman rho between the element's mean score and the overall "
                          "item; quadrants split at the means (Martilla & James 1977)",
            "small_n": f"an item of fewer than {SMALL_N} respondents shows n only; an element "
                       f"of fewer than {SMALL_N} respondents, or with such an item, shows n "
                       "only (its index is a function of its items' shares), and the overall "
                       "index only when every element is shown",
            "benchmark": benchmark,
            **view_note(scope, refs),
            **estimate_note,
        },
        "overall_index": None if any(r["suppressed"] for r in rows) else overall.value,
        "estimated": any(r["estimated"] for r in rows),
        "mean_importance": drivers.mean_importance,
        "mean_performance": drivers.mean_performance,
        "elements": rows,
    }


def _element_row(element, codes, present, tables, index, respondents, reliability) -> dict:
    """One element: respondents (n), and what it may show of its result."""
    item_n = {code: int(tables[code].sum()) for code in present}
    hidden_items = {code for code, n in item_n.items() if n < SMALL_N}
    suppressed = respondents < SMALL_N or bool(hidden_items) or index.value is None
    shares = dict(zip(present, index.item_shares, strict=True))
    return {
        "element": element, "items": codes, "n": respondents, "n_answers": index.n,
        "item_n": item_n, "suppressed": suppressed,
        "share": None if suppressed else index.value,
        "item_shares": {code: None if suppressed or code in hidden_items else share
                        for code, share in shares.items()},
        "alpha": reliability.alpha if reliability and not suppressed else None,
        "alpha_n": (reliability.n_respondents if reliability else 0)
        if not suppressed else None,
        "alpha_low": reliability.low if reliability and not suppressed else None,
    }


def _has_ratings(scope: Scope) -> bool:
    kinds = db.session.execute(
        select(Questionnaire.kind).where(Questionnaire.code.in_(scope.questionnaires))
    ).scalars()
    return any(kind != "survey" for kind in kinds)
