"""The PAR INDEX: the province's yearly administrative-reform score, entered, not computed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, now_utc


class ParIndexEntry(Base):
    """One year of the external PAR INDEX series.

    `method_break` marks a year whose method differs from the year before (2016 and 2017 did),
    so charts draw a break instead of joining the points, and never mix it with survey shares.
    """

    __tablename__ = "par_index_entry"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, unique=True)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(SmallInteger)
    method_break: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(80), default="")
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
