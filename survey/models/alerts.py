"""Early-warning alerts (issue #23, docs/EARLY_WARNING.md): the daily roll-ups the watch
reads, the alerts it raises, who has read them, and the weekly digests already sent.

- `rating_day`: per local day x unit x service area, the overall ratings and how many were
  satisfied; `kiosk_hour`: per kiosk and hour (UTC), the responses it sent. The watch keeps
  both (survey/services/alerts/daily.py) and the charts read only them, never the answers.
- `alert`: one alarm. `kind` is `cusum` (a unit x service's satisfied share fell: the CUSUM
  crossed its limit on `day`) or `burst` (a kiosk sent far more than its usual rate in one
  hour: anti-gaming, a separate type). The unique key makes the watch idempotent: running it
  twice over the same day finds the alert it made and creates nothing.
- `alert_read`: per officer, the alerts they have seen (the unread count in the menu).
- `alert_digest`: the weekly digests sent, one per recipient address and week, so a second
  run of `hailong alerts digest` sends nothing twice.

Dimensions without a value are 0 rather than NULL (no service area, no kiosk, no hour), as in
the answer roll-ups: NULLs never conflict in a unique key.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc
from survey.models.units import _in

ALERT_KINDS = ("cusum", "burst")
ALERT_STATES = ("open", "acknowledged")


class RatingDay(Base):
    """The overall ratings of one local day (HAILONG_TIMEZONE) at a unit for a service area."""

    __tablename__ = "rating_day"
    __table_args__ = (
        PrimaryKeyConstraint("unit_id", "service_area_id", "day"),
        CheckConstraint("satisfied <= n", name="satisfied_le_n"),
        Index("ix_rating_day_day", "day"),
    )

    unit_id: Mapped[int] = mapped_column(Integer)
    service_area_id: Mapped[int] = mapped_column(Integer)  # 0: none
    day: Mapped[date] = mapped_column(Date)
    n: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)


class KioskHour(Base):
    """How many responses a kiosk sent in one hour (its start, UTC)."""

    __tablename__ = "kiosk_hour"
    __table_args__ = (PrimaryKeyConstraint("kiosk_id", "hour"), Index("ix_kiosk_hour_hour", "hour"))

    kiosk_id: Mapped[int] = mapped_column(Integer)
    hour: Mapped[datetime] = mapped_column(UTCDateTime)
    n: Mapped[int] = mapped_column(Integer)


class WatchState(Base):
    """Where the roll-ups stand: the highest response id already counted (one row)."""

    __tablename__ = "alert_watch_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    counted_through: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alert(Base):
    """One alarm of the watch, for a unit (and service area, or kiosk) on a day.

    `statistic` and `threshold`: the CUSUM S on the day and its limit h, or a burst's count in
    the hour and the smallest count flagged. `chart` holds what the picture needs (the days,
    S, n, satisfied, p0, p1; or the hour's count and the usual rate), so the page and the
    e-mail draw the chart that triggered the alert without reading the roll-ups again.
    """

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
        CheckConstraint(_in("state", ALERT_STATES), name="state"),
        CheckConstraint("state <> 'acknowledged' OR acknowledged_at IS NOT NULL",
                        name="acknowledged"),
        UniqueConstraint("kind", "unit_id", "service_area_id", "kiosk_id", "day", "hour",
                         name="uq_alert_once"),
        Index("ix_alert_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    service_area_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: none
    kiosk_id: Mapped[int] = mapped_column(Integer, default=0)  # burst only
    day: Mapped[date] = mapped_column(Date)  # local day
    hour: Mapped[int] = mapped_column(SmallInteger, default=0)  # burst: the local hour
    statistic: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    chart: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified: Mapped[str] = mapped_column(String(500), default="")  # what the e-mails did
    acknowledged_by: Mapped[str] = mapped_column(String(80), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_note: Mapped[str] = mapped_column(String(500), default="")

    unit = relationship("Unit")


class AlertRead(Base):
    """An officer has seen an alert (in the list): it no longer counts as unread for them."""

    __tablename__ = "alert_read"
    __table_args__ = (PrimaryKeyConstraint("alert_id", "user_id"),)

    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class AlertDigest(Base):
    """A weekly digest sent to one address (the week's Monday), so it is sent once."""

    __tablename__ = "alert_digest"
    __table_args__ = (PrimaryKeyConstraint("week", "recipient"),)

    week: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(String(200), default="")
