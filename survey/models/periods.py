"""Reporting years that have been closed: their figures are signed and must not move."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, now_utc


class ClosedYear(Base):
    """A year closed for reporting: no answer dated inside it is accepted any more."""

    __tablename__ = "closed_year"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_by: Mapped[str] = mapped_column(String(80), default="")
