"""Quarantines: responses set aside from every figure, kept, and restorable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc
from survey.models.kiosks import Desk, Kiosk, WebLink
from survey.models.units import _in

# A burst through one kiosk, desk poster or web link, or responses an administrator chose.
QUARANTINE_KINDS = ("kiosk_burst", "desk_burst", "link_burst", "manual")


class Quarantine(Base):
    """Responses an administrator set aside (`response.quarantine_id`), e.g. a burst.

    Quarantined responses stay stored but count in no figure: their answers were subtracted
    from the roll-ups when they were set aside, and are added back on restore. The row stays
    after a restore (with `restored_at`), so the audit trail and the page keep the history;
    `responses` is how many were set aside, which the responses themselves no longer say
    once restored.
    """

    __tablename__ = "quarantine"
    __table_args__ = (
        CheckConstraint(_in("kind", QUARANTINE_KINDS), name="kind"),
        CheckConstraint("first_at <= last_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk.id"))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("web_link.id"))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    responses: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(80))
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restored_by: Mapped[str | None] = mapped_column(String(80))

    kiosk: Mapped[Kiosk | None] = relationship()
    desk: Mapped[Desk | None] = relationship()
    link: Mapped[WebLink | None] = relationship()

    @property
    def source_name(self) -> str:
        """The kiosk, desk or web link the burst came through ("" for a manual one)."""
        if self.kiosk is not None:
            return self.kiosk.name
        if self.desk is not None:
            return f"{self.desk.code} · {self.desk.name_vi}"
        return self.link.label if self.link is not None else ""
