"""Feedback cases (issue #23, SIPAS element E): a dissatisfied rating or a comment the
responsible unit must answer, its contact kept apart, and its history.

A case holds nothing personal. The citizen's way back (an e-mail address or a phone number)
lives in `feedback_contact`, only with the citizen's explicit consent, sealed like the
investigation's contacts (survey/services/investigation/contacts.py), and is deleted when the
case closes. Without consent a case still reaches the unit; it just cannot be answered back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, StatusHistory, UTCDateTime, now_utc
from survey.models.units import _in

FEEDBACK_STATUSES = ("received", "in_progress", "answered", "closed", "reopened")
# Statuses in which the unit still owes the citizen an answer: the deadline runs.
OPEN_STATUSES = ("received", "in_progress", "reopened")
FEEDBACK_SOURCES = ("rating", "comment")
CONTACT_CHANNELS = ("email", "sms", "zalo")


class FeedbackCase(Base):
    """One piece of feedback routed to the unit that must answer it.

    `due_at` is fixed when the case opens (or reopens): the service area's deadline in working
    days. `escalated_at` is set once, when the case was still open past `due_at` and the unit's
    leader was told.
    """

    __tablename__ = "feedback_case"
    __table_args__ = (
        CheckConstraint(_in("status", FEEDBACK_STATUSES), name="status"),
        CheckConstraint(_in("source", FEEDBACK_SOURCES), name="source"),
        CheckConstraint("opened_at <= due_at", name="due_after_open"),
        # An answered case says when and by whom; the answer itself may be short, never absent.
        CheckConstraint("status <> 'answered' OR (answered_at IS NOT NULL AND answer <> '')",
                        name="answered"),
        Index("ix_feedback_case_open", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: one response opens at most one case (a second submission of the offer form
    # finds it). SET NULL: deleting a response for good keeps the unit's case and figures.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_area.id"))
    source: Mapped[str] = mapped_column(String(10), default="rating")
    status: Mapped[str] = mapped_column(String(20), default="received")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str] = mapped_column(String(80), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit = relationship("Unit")
    service_area = relationship("ServiceArea")
    contact: Mapped[FeedbackContact | None] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True)
    events: Mapped[list[FeedbackEvent]] = relationship(
        back_populates="case", order_by="FeedbackEvent.id", cascade="all, delete-orphan",
        passive_deletes=True)


class FeedbackContact(Base):
    """How to reach the citizen of one case, given with consent; sealed, deleted at close.

    `blob` is the address sealed with HAILONG_CONTACT_KEY (nonce ‖ ciphertext ‖ tag) bound to
    the case id, so it opens for this case only; `key_id` names the key that sealed it.
    """

    __tablename__ = "feedback_contact"
    __table_args__ = (CheckConstraint(_in("channel", CONTACT_CHANNELS), name="channel"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_case.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    channel: Mapped[str] = mapped_column(String(10))
    key_id: Mapped[str] = mapped_column(String(16))
    blob: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[FeedbackCase] = relationship(back_populates="contact")


class FeedbackEvent(StatusHistory, Base):
    """One line of a case's history: a change of status, or (from = to) an escalation, a
    delivery or the contact's deletion, said in `note`."""

    __tablename__ = "feedback_event"
    __table_args__ = StatusHistory.checks(FEEDBACK_STATUSES)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True)
    case: Mapped[FeedbackCase] = relationship(back_populates="events")
