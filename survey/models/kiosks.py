"""One-stop desks and the kiosks that stand at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc
from survey.models.questionnaires import Questionnaire
from survey.models.units import Unit


class Desk(Base):
    """A one-stop desk (bộ phận một cửa) of a unit."""

    __tablename__ = "desk"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    code: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")

    unit: Mapped[Unit] = relationship()


class Kiosk(Base):
    """A touch screen registered to a unit and desk, showing one questionnaire.

    It is opened by a signed token that names the kiosk id and `token_nonce`; revoking sets
    `revoked_at`, and re-issuing changes the nonce so an old printed URL stops working.
    """

    __tablename__ = "kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    token_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Presses the kiosk page ignored because they came too soon after the previous one
    # (a double tap, a child drumming on the screen): reported, never stored as answers.
    ignored_presses: Mapped[int] = mapped_column(default=0, server_default="0")
    # Answers refused because they came sooner after the previous one than anybody can use
    # a kiosk (`min_interval_seconds`, or the KIOSK_MIN_INTERVAL_SECONDS setting when unset):
    # counted, never stored.
    throttled_responses: Mapped[int] = mapped_column(default=0, server_default="0")
    min_interval_seconds: Mapped[int | None]
    # Seconds without a tap before the "still there?" countdown (None: KIOSK_IDLE_SECONDS):
    # a busy desk wants the screen back sooner than a quiet one.
    idle_seconds: Mapped[int | None]

    unit: Mapped[Unit] = relationship()
    desk: Mapped[Desk | None] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()


class WebLink(Base):
    """A public web link an officer issued for one unit and questionnaire (channel "web").

    Like a kiosk it is opened by a signed token naming the link id and `token_nonce`, so the
    link proves an officer made it; revoking or letting it expire switches it off.
    """

    __tablename__ = "web_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    token_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
