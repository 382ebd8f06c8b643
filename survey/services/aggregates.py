"""Keeping `answer_count` equal to the raw answers.

A submission adds its counts in its own transaction (an upsert per answer value); bulk loads
and repairs call `rebuild`, which recomputes everything from the raw answers in one statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy import and_, delete, func, insert, select

from survey.database import execute_many
from survey.extensions import db
from survey.models import Answer, AnswerCount, Response, VersionItem
from survey.models.aggregates import AGGREGATED_TYPES, ROLLUPS

_UPSERTS: dict[tuple[str, str], object] = {}


def _upsert(model):
    """One compiled "add n to the row, or create it" statement per roll-up and dialect.

    Executed with a list of parameter sets (executemany), so SQLAlchemy compiles it once per
    process instead of once per request.
    """
    dialect = db.session.get_bind().dialect.name
    key = (model.__tablename__, dialect)
    if key not in _UPSERTS:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        table = model.__table__
        statement = dialect_insert(table)
        _UPSERTS[key] = statement.on_conflict_do_update(
            index_elements=list(model.KEY), set_={"n": table.c.n + statement.excluded.n})
    return _UPSERTS[key]


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


def apply(counted: Counted) -> None:
    """Add counted rows to the roll-ups: one executemany upsert per table."""
    for model, rows in counted.rows:
        execute_many(db.session.connection(), _upsert(model), rows)
        if counted.negative:
            db.session.execute(delete(model).where(model.n <= 0))


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
    cheaper than scanning the answers again.
    """
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
    """Rows where a roll-up and a fresh recomputation disagree (empty = all equal)."""
    wrong = []
    for model in ROLLUPS:
        fresh = {tuple(r[:-1]): r[-1] for r in db.session.execute(recomputed(model)).all()}
        kept = {tuple(getattr(row, k) for k in model.KEY): row.n
                for row in db.session.execute(select(model)).scalars()}
        wrong += sorted((model.__tablename__, key, kept.get(key), fresh.get(key))
                        for key in set(fresh) | set(kept) if kept.get(key) != fresh.get(key))
    return wrong
