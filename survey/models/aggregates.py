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

The SIPAS elements' Cronbach's α and drivers need per-respondent quantities, so two more
families of counts keep their sufficient statistics, per element and respondent, at the unit
and the year level (the channel and respondent-type filters fall back to a scan):

- `element_pair_*`: how many respondents had each (element score total, items of the element
  answered, overall answer) — the Spearman drivers read exactly these pairs, and α its
  complete respondents' totals and squared totals;
- `element_item_*`: the answer values of respondents who left some of the element's items
  unanswered. α takes its per-item sums over the respondents who answered them all: the
  answer counts' sums less these (few incomplete respondents, so a submission writes a few
  rows here rather than one per answer).
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


class _ElementKey:
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    element: Mapped[str] = mapped_column(String(1), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class _Pairs(_ElementKey):
    total: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    answered: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    overall: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 0: not answered


class _Items(_ElementKey):
    item_code: Mapped[str] = mapped_column(String(63), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


class ElementPairUnit(_Pairs, Base):
    __tablename__ = "element_pair_unit"
    KEY = ("year", "unit_id", "version_id", "service_area_id", "element", "total", "answered",
           "overall")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ElementPairYear(_Pairs, Base):
    __tablename__ = "element_pair_year"
    KEY = ("year", "version_id", "service_area_id", "element", "total", "answered", "overall")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)


class ElementItemUnit(_Items, Base):
    __tablename__ = "element_item_unit"
    KEY = ("year", "unit_id", "version_id", "service_area_id", "element", "item_code", "value")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ElementItemYear(_Items, Base):
    __tablename__ = "element_item_year"
    KEY = ("year", "version_id", "service_area_id", "element", "item_code", "value")
    __table_args__ = (PrimaryKeyConstraint(*KEY),)


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


class _ElementDelta:
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    unit_id: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer)
    service_area_id: Mapped[int] = mapped_column(Integer)
    element: Mapped[str] = mapped_column(String(1))
    n: Mapped[int] = mapped_column(BigInteger)


class ElementPairDelta(_ElementDelta, Base):
    """Element pairs added or removed since the last fold; PostgreSQL only."""

    __tablename__ = "element_pair_delta"
    KEY = ElementPairUnit.KEY

    total: Mapped[int] = mapped_column(SmallInteger)
    answered: Mapped[int] = mapped_column(SmallInteger)
    overall: Mapped[int] = mapped_column(SmallInteger)


class ElementItemDelta(_ElementDelta, Base):
    """Complete respondents' element answers added or removed since the last fold."""

    __tablename__ = "element_item_delta"
    KEY = ElementItemUnit.KEY

    item_code: Mapped[str] = mapped_column(String(63))
    value: Mapped[int] = mapped_column(SmallInteger)
