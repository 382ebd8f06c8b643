"""Keeping `answer_count` equal to the raw answers.

A submission adds its counts in its own transaction. On SQLite, one writer at a time, it
upserts them straight into the roll-ups. On PostgreSQL it appends them to
`answer_count_delta` (an upsert of the same hot rows by every submission would make them queue
on row locks), and `fold` moves the appended counts into the roll-ups in one statement: every
report folds before it reads, and so does every FOLD_EVERY-th submission, so the backlog stays
small. Bulk loads and repairs call `rebuild`, which recomputes everything from the raw answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy import and_, delete, func, insert, select, text

from survey.database import insert_rows
from survey.extensions import db
from survey.models import Answer, AnswerCount, AnswerCountDelta, Response, VersionItem
from survey.models.aggregates import AGGREGATED_TYPES, ROLLUPS

# The rows to add to each roll-up: (model, [{key columns…, "n": count}]); `negative` when
# some counts go down (a deletion), so emptied rows must be removed.
# For each roll-up, the function picking its key out of the finest key.
_PICKS = tuple((model, itemgetter(*(AnswerCount.KEY.index(k) for k in model.KEY)))
               for model in ROLLUPS)


@dataclass(frozen=True, slots=True)
class Counted:
    rows: tuple[tuple[type, list[dict]], ...]
    negative: bool = False


def count(responses: Iterable[Mapping], answers: Mapping[int, Mapping[str, object]],
          item_types: Mapping[int, Mapping[str, str]], sign: int = 1) -> Counted:
    """The roll-up rows for some responses (plain dicts with the response columns), in Python.

    `answers[response_id]` maps item codes to objects with value_int / missing_code;
    `item_types[version_id]` maps item codes to their type. `sign=-1` counts a removal.
    Pure computation, so a submission does it before it takes the write lock.
    """
    counts: Counter = Counter()
    for response in responses:
        types = item_types[response["version_id"]]
        base = (response["year"], response["month"], response["unit_id"],
                response["version_id"], response.get("service_area_id") or 0,
                response.get("procedure_id") or 0, response["channel"],
                response.get("respondent_type") or "")
        for code, answer in answers[response["id"]].items():
            value = answer.value_int if answer.value_int is not None else answer.missing_code
            if value is not None and types.get(code) in AGGREGATED_TYPES:
                counts[(*base, code, value)] += sign
    if not counts:
        return Counted(())
    rolled_up = []
    for model, pick in _PICKS:
        rolled: Counter = Counter()
        for key, n in counts.items():
            rolled[pick(key)] += n
        names = model.KEY
        # Sorted, so that concurrent upserts on PostgreSQL lock rows in one order (no deadlock).
        rolled_up.append((model, [{**dict(zip(names, key, strict=True)), "n": n}
                                  for key, n in sorted(rolled.items())]))
    return Counted(tuple(rolled_up), negative=sign < 0)


def deferred() -> bool:
    """Whether counts go through `answer_count_delta` and `fold` (PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


def apply(counted: Counted) -> None:
    """Add counted rows to the roll-ups (SQLite), or append them for `fold` (PostgreSQL)."""
    connection = db.session.connection()
    if deferred():
        for model, rows in counted.rows:
            if model is AnswerCount:  # the finest counts; fold rolls them up
                insert_rows(connection, AnswerCountDelta.__table__, rows)
        return
    for model, rows in counted.rows:
        insert_rows(connection, model.__table__, rows, add_on_conflict="n")
        if counted.negative:
            db.session.execute(delete(model).where(model.n <= 0))


# Folds take this advisory lock, so a report waits for a fold under way and then sees its
# result; rebuild takes it too.
FOLD_LOCK = 0x6861696C6F6E67  # "hailong"
FOLD_EVERY = 256


def _fold_sql() -> str:
    key = ", ".join(AnswerCount.KEY)
    steps = []
    for model in ROLLUPS:
        columns = ", ".join(model.KEY)
        steps.append(
            f"{model.__tablename__} AS (INSERT INTO {model.__tablename__} ({columns}, n) "
            f"SELECT {columns}, SUM(n) FROM fine GROUP BY {columns} ORDER BY {columns} "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {model.__tablename__}.n + excluded.n)")
    # Data-modifying WITH clauses run once and to completion; the rows a fold deletes are
    # exactly the rows it adds, even when submissions commit while it runs.
    return (f"WITH moved AS (DELETE FROM answer_count_delta RETURNING {key}, n), "
            f"fine AS (SELECT {key}, SUM(n) AS n FROM moved GROUP BY {key}), "
            + ", ".join(steps) +
            " SELECT COUNT(*), COALESCE(BOOL_OR(n < 0), false) FROM moved")


def fold() -> int:
    """Move the appended counts into the roll-ups, in a transaction of its own; PostgreSQL.

    Returns how many appended rows were folded (0 on SQLite, where there are none).
    """
    if not deferred():
        return 0
    with db.engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
        moved, negative = connection.execute(text(_fold_sql())).one()
        if negative:  # responses were deleted: drop the rows that fell to zero
            for model in ROLLUPS:
                connection.execute(delete(model).where(model.n <= 0))
    return moved


def add_responses(responses: Iterable[Mapping], answers: Mapping[int, Mapping[str, object]],
                  item_types: Mapping[int, Mapping[str, str]], sign: int = 1) -> int:
    """Count the answers of stored responses in every roll-up; returns the finest row count."""
    counted = count(responses, answers, item_types, sign)
    apply(counted)
    return len(counted.rows[-1][1]) if counted.rows else 0


def version_item_types(version_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    types: dict[int, dict[str, str]] = {}
    rows = db.session.execute(select(VersionItem.version_id, VersionItem.code,
                                     VersionItem.item_type)
                              .where(VersionItem.version_id.in_(set(version_ids))))
    for version_id, code, item_type in rows:
        types.setdefault(version_id, {})[code] = item_type
    return types


_TYPES: dict[tuple[str, int], dict[str, str]] = {}


def cached_item_types(version_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """`version_item_types`, remembered per database: a published version never changes."""
    where = db.session.get_bind().url.render_as_string()
    missing = [v for v in set(version_ids) if (where, v) not in _TYPES]
    for version_id, types in (version_item_types(missing) if missing else {}).items():
        _TYPES[(where, version_id)] = types
    return {v: _TYPES.get((where, v), {}) for v in version_ids}


def recomputed(model=AnswerCount):
    """SELECT of what a roll-up must hold, computed from the raw answers."""
    source = {
        "year": Response.year, "month": Response.month, "unit_id": Response.unit_id,
        "version_id": Response.version_id,
        "service_area_id": func.coalesce(Response.service_area_id, 0),
        "procedure_id": func.coalesce(Response.procedure_id, 0), "channel": Response.channel,
        "respondent_type": func.coalesce(Response.respondent_type, ""),
        "item_code": Answer.item_code,
        "value": func.coalesce(Answer.value_int, Answer.missing_code),
    }
    columns = [source[k] for k in model.KEY]
    return (
        select(*columns, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                VersionItem.code == Answer.item_code))
        .where(VersionItem.item_type.in_(AGGREGATED_TYPES), source["value"].is_not(None))
        .group_by(*columns)
    )


def rebuild() -> int:
    """Recompute every roll-up from the raw answers (after a bulk load, or to repair).

    The finest table is computed from the answers; the coarser ones from it, which is far
    cheaper than scanning the answers again. On PostgreSQL, submissions wait while it runs:
    it locks the appended counts, drops them, and counts their responses from the answers.
    """
    if deferred():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
        db.session.execute(text("LOCK TABLE answer_count_delta IN EXCLUSIVE MODE"))
        db.session.execute(delete(AnswerCountDelta))
    db.session.execute(delete(AnswerCount))
    db.session.execute(insert(AnswerCount).from_select([*AnswerCount.KEY, "n"], recomputed()))
    for model in ROLLUPS:
        if model is AnswerCount:
            continue
        columns = [getattr(AnswerCount, k) for k in model.KEY]
        db.session.execute(delete(model))
        db.session.execute(insert(model).from_select(
            [*model.KEY, "n"], select(*columns, func.sum(AnswerCount.n)).group_by(*columns)))
    return db.session.execute(select(func.count()).select_from(AnswerCount)).scalar_one()


def differences() -> list[tuple]:
    """Rows where a roll-up and a fresh recomputation disagree (empty = all equal).

    Meant for a quiet database: a response stored while it runs may be in one and not yet in
    the other.
    """
    fold()
    wrong = []
    for model in ROLLUPS:
        fresh = {tuple(r[:-1]): r[-1] for r in db.session.execute(recomputed(model)).all()}
        kept = {tuple(getattr(row, k) for k in model.KEY): row.n
                for row in db.session.execute(select(model)).scalars()}
        wrong += sorted((model.__tablename__, key, kept.get(key), fresh.get(key))
                        for key in set(fresh) | set(kept) if kept.get(key) != fresh.get(key))
    return wrong
