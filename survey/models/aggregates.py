"""Maintained answer counts: what the default reports read instead of scanning every answer.

One row per month × unit × questionnaire version × service area × procedure × channel ×
respondent type × item × answer value, holding how many answers fall in it. Dimensions use
0 / '' instead of NULL so that the primary key makes an upsert find its row (NULLs never
conflict). Only rating items are counted; `value` is the code or the missing code 97–99.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base

AGGREGATED_TYPES = ("likert5", "rating3", "expectation4")


class AnswerCount(Base):
    __tablename__ = "answer_count"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    respondent_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(63), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
