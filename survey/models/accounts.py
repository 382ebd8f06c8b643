"""Staff accounts and API keys. Citizens never have an account."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc
from survey.models.units import Unit, _in
from survey.roles import ROLES


class User(UserMixin, Base):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        # A unit officer without a unit would see everything, the opposite of the role.
        CheckConstraint("role <> 'unit_officer' OR unit_id IS NOT NULL", name="officer_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's user id (get_id): raising it ends every session and remember-me
    # cookie issued before, as logout, a password change or deactivation must.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        """What Flask-Login stores in the session and the remember-me cookie."""
        return f"{self.id}:{self.session_version}"


class ApiKey(Base):
    """A key for machine clients (the one-stop software). Only its SHA-256 is stored.

    Keys are 32 random bytes, so a fast hash is as safe as a slow one and lets every request be
    checked in one indexed lookup.
    """

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("role <> 'unit_officer' OR unit_id IS NOT NULL", name="officer_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship()
