"""Single-use dossier tokens: the QR code printed on a receipt lets its holder rate that dossier.

Only a SHA-256 of the token is stored: the token is 16 random bytes, so a fast hash is enough,
and a leaked database cannot be turned into ratings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc
from survey.models.questionnaires import Questionnaire
from survey.models.responses import Response
from survey.models.units import Procedure, Unit, _in

ON_TIME_STATUSES = ("early", "on_time", "late")


class DossierToken(Base):
    """One dossier's rating token; `response_id` is set when it is used, once."""

    __tablename__ = "dossier_token"
    __table_args__ = (
        CheckConstraint(
            "on_time_status IS NULL OR " + _in("on_time_status", ON_TIME_STATUSES),
            name="on_time_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(60), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    issued_by: Mapped[str] = mapped_column(String(80), default="")
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the same dossier code is issued again (a reprinted receipt): one dossier has
    # one live token, so the code on the old paper stops working.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deleted response frees the link, but `used_at` keeps the token used.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), unique=True
    )
    # Filled in later by the one-stop software when the result is returned.
    on_time_status: Mapped[str | None] = mapped_column(String(10))

    unit: Mapped[Unit] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    response: Mapped[Response | None] = relationship()
