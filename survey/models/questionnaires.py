"""Questionnaires, their immutable published versions, and the items of each version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc
from survey.models.units import _in

QUESTIONNAIRE_KINDS = ("survey", "dossier_rating")
QUESTIONNAIRE_STATUSES = ("draft", "active", "retired")
ELEMENTS = ("A", "B", "C", "D", "E")


class Questionnaire(Base):
    """A questionnaire as authors see it: one draft being edited and its published versions."""

    __tablename__ = "questionnaire"
    __table_args__ = (
        CheckConstraint(_in("kind", QUESTIONNAIRE_KINDS), name="kind"),
        CheckConstraint(_in("status", QUESTIONNAIRE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(63), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # The draft is the author's working copy (a plain definition dict); publishing freezes it.
    # Deferred: a submission loads the questionnaire row, never needs the (large) draft.
    draft: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    draft_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(Base):
    """A published, immutable version. Responses point here, never at the draft."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    number: Mapped[int]
    # Deferred: parsed definitions are cached by content_hash, so the JSON is read only once.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    published_by: Mapped[str] = mapped_column(String(80), default="")

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    items: Mapped[list[VersionItem]] = relationship(
        back_populates="version", order_by="VersionItem.position"
    )


class VersionItem(Base):
    """One item of a published version, kept as columns so reports can join and group by it."""

    __tablename__ = "version_item"
    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        CheckConstraint(
            "element IS NULL OR " + _in("element", ELEMENTS), name="element"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(63))
    item_type: Mapped[str] = mapped_column(String(30))
    element: Mapped[str | None] = mapped_column(String(1))
    is_overall: Mapped[bool] = mapped_column(default=False)
    demographic: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int]

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="items")
