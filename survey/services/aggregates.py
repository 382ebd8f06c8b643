"""Keeping the maintained roll-ups equal to the raw answers.

Three families of roll-ups (survey/models/aggregates.py): the answer counts, and the SIPAS
elements' pairs and incomplete respondents' answers. A submission adds its rows in its own
transaction. On SQLite, one writer at a time, it upserts them straight into the roll-ups. On
PostgreSQL it appends the finest rows to the family's delta table (an upsert of the same hot
rows by every submission would make them queue on row locks), and `fold` moves the appended
rows into the roll-ups in one statement per family: every report folds before it reads, and
so does every FOLD_EVERY-th submission, so the backlog stays small. Bulk loads and repairs call
`rebuild`, which recomputes everything from the raw answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy import delete, func, insert, select, text

from survey.database import insert_rows
from survey.extensions import db
from survey.models import (
    AnswerCount,
    AnswerCountDelta,
    ElementItemDelta,
    ElementItemUnit,
    ElementItemYear,
    ElementPairDelta,
    ElementPairUnit,
    ElementPairYear,
    VersionItem,
)
from survey.models.aggregates import AGGREGATED_TYPES, ROLLUPS
from survey.services import recount


@dataclass(frozen=True)
class Family:
    """Roll-ups of the same rows, coarse to fine (the last is the finest, which the others
    are sums of), the table a submission appends to on PostgreSQL, and their recount."""

    rollups: tuple[type, ...]
    delta: type
    recomputed: Callable

    @property
    def finest(self) -> type:
        return self.rollups[-1]

    def picks(self) -> tuple:
        """For each roll-up, the function picking its key out of the finest key."""
        finest = self.finest.KEY
        return tuple((model, itemgetter(*(finest.index(k) for k in model.KEY)))
                     for model in self.rollups)


ANSWERS = Family(ROLLUPS, AnswerCountDelta, recount.answers)
PAIRS = Family((ElementPairYear, ElementPairUnit), ElementPairDelta, recount.element_pairs)
ITEMS = Family((ElementItemYear, ElementItemUnit), ElementItemDelta, recount.element_items)
FAMILIES = (ANSWERS, PAIRS, ITEMS)
_PICKS = {family: family.picks() for family in FAMILIES}


@dataclass(frozen=True, slots=True)
class VersionItems:
    """What counting needs to know of a version's items."""

    types: dict[str, str]  # code -> item type
    elements: dict[str, str]  # the likert items of an element: code -> element
    sizes: dict[str, int]  # element -> number of its likert items
    overall: tuple[str, ...]  # the overall satisfaction item(s)
    rated: tuple[str, ...] = ()  # the items whose answers are counted (AGGREGATED_TYPES)


@dataclass(frozen=True, slots=True)
class Counted:
    """The rows to add to each roll-up: (model, [(key columns…, count)]) in the order of the
    model's KEY; `negative` when some counts go down (a deletion), so emptied rows must be
    removed."""

    rows: tuple[tuple[type, list[tuple]], ...]
    negative: bool = False

    def of(self, model: type) -> list[tuple]:
        return next((rows for m, rows in self.rows if m is model), [])


def count(responses: Iterable[Mapping], answers: Mapping[int, Mapping[str, object]],
          items: Mapping[int, VersionItems], sign: int = 1) -> Counted:
    """The roll-up rows for some responses (plain dicts with the response columns), in Python.

    `answers[response_id]` maps item codes to objects with value_int / missing_code;
    `items[version_id]` describes the version's items. `sign=-1` counts a removal.
    Pure computation, so a submission does it before it takes the write lock.
    """
    # plain dicts and .get: a Counter's += costs about twice as much, per answer
    fine: dict[Family, dict[tuple, int]] = {family: {} for family in FAMILIES}
    counts, pairs, complete = fine[ANSWERS], fine[PAIRS], fine[ITEMS]
    for response in responses:
        version = items[response["version_id"]]
        get = answers[response["id"]].get
        area = response.get("service_area_id") or 0
        base = (response["year"], response["month"], response["unit_id"],
                response["version_id"], area, response.get("procedure_id") or 0,
                response["channel"], response.get("respondent_type") or "")
        for code in version.rated:
            answer = get(code)
            if answer is None:
                continue
            value = answer.value_int if answer.value_int is not None else answer.missing_code
            if value is not None:
                key = (*base, code, value)
                counts[key] = counts.get(key, 0) + sign
        if version.elements:
            unit_base = (response["year"], response["unit_id"], response["version_id"], area)
            _count_elements(version, get, unit_base, sign, pairs, complete)
    rolled_up = []
    for family in FAMILIES:
        if not fine[family]:
            continue
        for model, pick in _PICKS[family]:
            if model is family.finest:
                rolled = fine[family]
            else:
                rolled = {}
                for key, n in fine[family].items():
                    picked = pick(key)
                    rolled[picked] = rolled.get(picked, 0) + n
            # Sorted, so that concurrent upserts on PostgreSQL lock rows in one order.
            rolled_up.append((model, [(*key, n) for key, n in sorted(rolled.items())]))
    return Counted(tuple(rolled_up), negative=sign < 0)


def _count_elements(version: VersionItems, get: Callable, base: tuple, sign: int,
                    pairs: dict, incomplete: dict) -> None:
    """One respondent's element pairs, and the answers of the elements they left incomplete
    (`get` looks up the respondent's answer to an item code)."""
    overall = 0
    for code in version.overall:
        answer = get(code)
        if answer is not None and answer.value_int is not None:
            overall = max(overall, answer.value_int)
    answered: dict[str, list[tuple[str, int]]] = {}
    for code, element in version.elements.items():
        answer = get(code)
        if answer is not None and answer.value_int is not None:
            answered.setdefault(element, []).append((code, answer.value_int))
    for element, values in answered.items():
        key = (*base, element, sum(v for _, v in values), len(values), overall)
        pairs[key] = pairs.get(key, 0) + sign
        if len(values) < version.sizes[element]:
            for code, value in values:
                key = (*base, element, code, value)
                incomplete[key] = incomplete.get(key, 0) + sign


def deferred() -> bool:
    """Whether rows go through the delta tables and `fold` (PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


def writes(counted: Counted, dialect_name: str) -> list[tuple]:
    """What `apply` writes for these counts: (table, columns, rows as tuples of the columns,
    the column a row already there adds to, or None for a plain append). The driver path of
    a submission writes the same."""
    if dialect_name == "postgresql":  # the finest rows; fold rolls them up
        return [(family.delta.__table__, (*family.finest.KEY, "n"), counted.of(family.finest),
                 None) for family in FAMILIES]
    return [(model.__table__, (*model.KEY, "n"), rows, "n") for model, rows in counted.rows]


def apply(counted: Counted) -> None:
    """Add counted rows to the roll-ups (SQLite), or append them for `fold` (PostgreSQL)."""
    connection = db.session.connection()
    for table, columns, rows, add in writes(counted, connection.dialect.name):
        insert_rows(connection, table, rows, add_on_conflict=add, columns=columns)
    if counted.negative and not deferred():
        for model, _ in counted.rows:  # a deletion: drop the rows that fell to zero
            db.session.execute(delete(model).where(model.n <= 0))


# Folds take this advisory lock, so a report waits for a fold under way and then sees its
# result; rebuild takes it too.
FOLD_LOCK = 0x6861696C6F6E67  # "hailong"
FOLD_EVERY = 256


def _fold_sql(family: Family) -> str:
    key = ", ".join(family.finest.KEY)
    steps = []
    for model in family.rollups:
        table, columns = model.__tablename__, ", ".join(model.KEY)
        steps.append(
            f"{table} AS (INSERT INTO {table} ({columns}, n) "
            f"SELECT {columns}, SUM(n) FROM fine GROUP BY {columns} ORDER BY {columns} "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n)")
    # Data-modifying WITH clauses run once and to completion; the rows a fold deletes are
    # exactly the rows it adds, even when submissions commit while it runs.
    return (f"WITH moved AS (DELETE FROM {family.delta.__tablename__} RETURNING {key}, n), "
            f"fine AS (SELECT {key}, SUM(n) AS n FROM moved GROUP BY {key}), "
            + ", ".join(steps) +
            " SELECT COUNT(*), COALESCE(BOOL_OR(n < 0), false) FROM moved")


_FOLD_SQL = {family: text(_fold_sql(family)) for family in FAMILIES}


def fold() -> int:
    """Move the appended rows into the roll-ups, in a transaction of its own; PostgreSQL.

    Returns how many appended rows were folded (0 on SQLite, where there are none).
    """
    if not deferred():
        return 0
    total = 0
    with db.engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
        for family in FAMILIES:
            moved, negative = connection.execute(_FOLD_SQL[family]).one()
            if negative:  # responses were deleted: drop the rows that fell to zero
                for model in family.rollups:
                    connection.execute(delete(model).where(model.n <= 0))
            total += moved
    return total


def add_responses(responses: Iterable[Mapping], answers: Mapping[int, Mapping[str, object]],
                  items: Mapping[int, VersionItems], sign: int = 1) -> int:
    """Count stored responses in every roll-up; returns the finest answer-count row count."""
    counted = count(responses, answers, items, sign)
    apply(counted)
    return len(counted.of(AnswerCount))


def version_items(version_ids: Iterable[int]) -> dict[int, VersionItems]:
    found: dict[int, list] = {}
    rows = db.session.execute(select(VersionItem.version_id, VersionItem.code,
                                     VersionItem.item_type, VersionItem.element,
                                     VersionItem.is_overall)
                              .where(VersionItem.version_id.in_(set(version_ids))))
    for version_id, *row in rows:
        found.setdefault(version_id, []).append(row)
    out = {}
    for version_id, rows in found.items():
        elements = {code: element for code, kind, element, _ in rows
                    if element is not None and kind == "likert5"}
        out[version_id] = VersionItems(
            types={code: kind for code, kind, _, _ in rows}, elements=elements,
            sizes=dict(Counter(elements.values())),
            overall=tuple(code for code, _, _, overall in rows if overall),
            rated=tuple(code for code, kind, _, _ in rows if kind in AGGREGATED_TYPES))
    return out


_ITEMS: dict[tuple[str, int], VersionItems] = {}
_NONE = VersionItems({}, {}, {}, ())


def cached_item_types(version_ids: Iterable[int]) -> dict[int, VersionItems]:
    """`version_items`, remembered per database: a published version never changes."""
    where = db.session.get_bind().url.render_as_string()
    missing = [v for v in set(version_ids) if (where, v) not in _ITEMS]
    for version_id, items in (version_items(missing) if missing else {}).items():
        _ITEMS[(where, version_id)] = items
    return {v: _ITEMS.get((where, v), _NONE) for v in version_ids}


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every roll-up from the raw answers (after a bulk load, or to repair).

    The finest table of each family is computed from the answers; the coarser ones from it,
    which is far cheaper than scanning the answers again. On PostgreSQL, submissions wait
    while it runs: it locks the appended rows, drops them, and counts their responses from
    the answers. Returns the finest answer-count row count. `progress(tables done, tables)`
    hears of each table recomputed.
    """
    step = recount.steps(FAMILIES, progress)
    if deferred():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
        for family in FAMILIES:
            db.session.execute(text(f"LOCK TABLE {family.delta.__tablename__} "
                                    "IN EXCLUSIVE MODE"))
            db.session.execute(delete(family.delta))
    for family in FAMILIES:
        finest = family.finest
        db.session.execute(delete(finest))
        db.session.execute(insert(finest).from_select([*finest.KEY, "n"],
                                                      family.recomputed(finest)))
        step()
        for model in family.rollups[:-1]:
            columns = [getattr(finest, k) for k in model.KEY]
            db.session.execute(delete(model))
            db.session.execute(insert(model).from_select(
                [*model.KEY, "n"], select(*columns, func.sum(finest.n)).group_by(*columns)))
            step()
    return db.session.execute(select(func.count()).select_from(AnswerCount)).scalar_one()


def differences(progress: Callable[[int, int], None] | None = None) -> list[tuple]:
    """Rows where a roll-up and a fresh recomputation disagree (empty = all equal).

    Meant for a quiet database: a response stored while it runs may be in one and not yet in
    the other. `progress(tables done, tables)` hears of each table compared.
    """
    step = recount.steps(FAMILIES, progress)
    fold()
    wrong = []
    for family in FAMILIES:
        for model in family.rollups:
            fresh = {tuple(r[:-1]): r[-1]
                     for r in db.session.execute(family.recomputed(model)).all()}
            kept = {tuple(getattr(row, k) for k in model.KEY): row.n
                    for row in db.session.execute(select(model)).scalars()}
            wrong += sorted((model.__tablename__, key, kept.get(key), fresh.get(key))
                            for key in set(fresh) | set(kept)
                            if kept.get(key) != fresh.get(key))
            step()
    return wrong
