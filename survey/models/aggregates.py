"""Maintained answer counts: what the reports read instead of scanning every answer.

Three roll-ups of the same counts, from fine to coarse, so a report reads the smallest one
that still has its dimensions:

- `answer_count`: month × unit × questionnaire version × service area × procedure × channel ×
  respondent type × item × value (any filter or grouping except demographics);
- `answer_count_unit`: year × unit × version × service area × item × value (league tables);
- `answer_count_year`: year × version × service area × item × value (the overview).

Dimensions use 0 / '' instead of NULL so the primary key lets an upsert find its row (NULLs
never conflict). Only rating items are counted; `value` is the code or the missing code.

On PostgreSQL a submission does not update these rows itself: every response would update the
same few hundred rows, so concurrent submissions would queue on their row locks and every
update would leave a dead row version behind. It appends its counts to `answer_count_delta`
instead, and `survey.services.aggregates.fold` moves them into the three roll-ups in one
statement, before any report reads them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base

AGGREGATED_TYPES = ("likert5", "rating3", "expectation4")


class _Counts:
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(63), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class AnswerCount(_Counts, Base):
    __tablename__ = "answer_count"
    KEY = ("year", "month", "unit_id", "version_id", "service_area_id", "procedure_id",
           "channel", "respondent_type", "item_code", "value")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)  # year first: reports filter on years

    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    respondent_type: Mapped[str] = mapped_column(String(20), primary_key=True)


class AnswerCountUnit(_Counts, Base):
    __tablename__ = "answer_count_unit"
    KEY = ("year", "unit_id", "version_id", "service_area_id", "item_code", "value")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class AnswerCountYear(_Counts, Base):
    __tablename__ = "answer_count_year"
    KEY = ("year", "version_id", "service_area_id", "item_code", "value")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)


# coarse to fine: a report takes the first whose dimensions it needs are all there
ROLLUPS = (AnswerCountYear, AnswerCountUnit, AnswerCount)


class AnswerCountDelta(Base):
    """Counts added (or, negative, removed) since the last fold; PostgreSQL only."""

    __tablename__ = "answer_count_delta"
    KEY = AnswerCount.KEY

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    unit_id: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer)
    service_area_id: Mapped[int] = mapped_column(Integer)
    procedure_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    respondent_type: Mapped[str] = mapped_column(String(20))
    item_code: Mapped[str] = mapped_column(String(63))
    value: Mapped[int] = mapped_column(SmallInteger)
    n: Mapped[int] = mapped_column(BigInteger)
