"""A sampled investigation (issue #20): its frame, the frame's contacts, the sample and its
fieldwork history.

The frame (the dossiers resolved in the investigation's period) is one row per dossier, keyed
for the draw by its stratum and PSU. Contact details are kept apart in `frame_contact`,
encrypted (survey/services/investigation/contacts.py), so the frame itself holds nothing
personal and the contacts can be deleted on their own: those of the dossiers not drawn at the
draw, the rest when the fieldwork closes. A sampled case keeps the inclusion probability of
each stage and their product, which the weighting turns into 1/π (analysis.design_weights).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, StatusHistory, UTCDateTime, now_utc
from survey.models.units import _in

INVESTIGATION_STATUSES = ("draft", "drawn", "fieldwork", "closed")
APPLICANT_TYPES = ("individual", "organisation")
CASE_STATUSES = ("issued", "contacted", "completed", "refused", "not_eligible", "unreachable")
# Outcomes that end a case; the others are still open in the field.
FINAL_CASE_STATUSES = ("completed", "refused", "not_eligible", "unreachable")


def _probability(column: str) -> str:
    return f"{column} > 0 AND {column} <= 1"


class Investigation(Base):
    """One yearly (or other period's) sampled investigation and its recorded design.

    `design` is the plan as validated by survey/services/investigation/design.py (strata,
    allocation, minimum, stages, size); `draw` what the draw made of it (the size reached,
    every stratum's N_h and n_h, the PSUs' probabilities, numpy's version), so the sample can
    be explained and weighted without re-drawing it.
    """

    __tablename__ = "investigation"
    __table_args__ = (
        CheckConstraint(_in("status", INVESTIGATION_STATUSES), name="status"),
        CheckConstraint("period_from <= period_to", name="period_order"),
        # A drawn investigation has its seed: the draw is reproducible only from it.
        CheckConstraint("status = 'draft' OR seed IS NOT NULL", name="seed_when_drawn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    design: Mapped[dict] = mapped_column(JSON)
    # 63 bits: what `secrets.randbits(63)` gives when no seed is chosen, and what BIGINT holds.
    seed: Mapped[int | None] = mapped_column(BigInteger)
    draw: Mapped[dict | None] = mapped_column(JSON)
    frame_file: Mapped[str] = mapped_column(String(300), default="")
    frame_rows: Mapped[int] = mapped_column(Integer, default=0)
    frame_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    questionnaire = relationship("Questionnaire")


class FrameDossier(Base):
    """One resolved dossier of the frame. `line` is its row in the imported file: the frame's
    order, which the seeded draw depends on (analysis/survey_draw.py).

    No foreign keys, on purpose: the frame is a bulk snapshot of millions of rows, and on
    PostgreSQL each foreign key is a trigger run per inserted row, which made the import of
    2,000,000 dossiers five times slower (measured with COPY). The import checks every unit
    and service area against the catalogue in the same transaction (units are never deleted,
    they end), and the services delete an investigation's frame and contacts themselves.
    """

    __tablename__ = "frame_dossier"
    __table_args__ = (
        UniqueConstraint("investigation_id", "dossier_code"),
        CheckConstraint(_in("applicant_type", APPLICANT_TYPES), name="applicant_type"),
        # No index on the strata: at 2,000,000 rows it tripled the import's inserts (random
        # keys into a B-tree), and every reader of strata scans the investigation's whole frame.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investigation_id: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    dossier_code: Mapped[str] = mapped_column(String(60))
    procedure_code: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int] = mapped_column(Integer)
    service_area_id: Mapped[int] = mapped_column(Integer)
    applicant_type: Mapped[str] = mapped_column(String(20))
    resolved_on: Mapped[date] = mapped_column(Date)
    # Computed at import from the design's strata (codes joined by "|") and PSU (a commune).
    stratum_key: Mapped[str] = mapped_column(String(200))
    psu_key: Mapped[str] = mapped_column(String(60))


class FrameContact(Base):
    """A frame dossier's contact details, encrypted (AES-256-GCM, the key from the
    environment), keyed by the dossier's row. `key_id` names the key (a hash of it), so a
    wrong key is told apart from a damaged blob. Deleted for the dossiers not drawn at the
    draw, and for all when the fieldwork closes."""

    __tablename__ = "frame_contact"

    # The dossier's row is the key: one B-tree to write per contact (the frame's import is
    # timed at 2,000,000 rows), and the investigation is reached through it. No foreign key,
    # as for the frame (see FrameDossier); contacts.py deletes them.
    frame_dossier_id: Mapped[int] = mapped_column(Integer, primary_key=True,
                                                  autoincrement=False)
    key_id: Mapped[str] = mapped_column(String(16))
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class SampleCase(Base):
    """One drawn dossier. π = psu_probability × unit_probability (one stage: the PSU's is 1);
    design_weight = 1/π. Only a SHA-256 of the case's personal-link token is stored."""

    __tablename__ = "sample_case"
    __table_args__ = (
        CheckConstraint(_in("status", CASE_STATUSES), name="status"),
        CheckConstraint(_probability("psu_probability"), name="psu_probability"),
        CheckConstraint(_probability("unit_probability"), name="unit_probability"),
        CheckConstraint(_probability("inclusion"), name="inclusion"),
        CheckConstraint("design_weight >= 1", name="design_weight"),
        CheckConstraint("status = 'completed' OR response_id IS NULL", name="response_completed"),
        Index("ix_sample_case_stratum", "investigation_id", "stratum_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investigation_id: Mapped[int] = mapped_column(
        ForeignKey("investigation.id", ondelete="CASCADE"))
    frame_dossier_id: Mapped[int] = mapped_column(
        ForeignKey("frame_dossier.id", ondelete="CASCADE"), unique=True)
    stratum_key: Mapped[str] = mapped_column(String(200))
    psu_key: Mapped[str] = mapped_column(String(60))
    psu_probability: Mapped[float] = mapped_column(Float)
    unit_probability: Mapped[float] = mapped_column(Float)
    inclusion: Mapped[float] = mapped_column(Float)
    design_weight: Mapped[float] = mapped_column(Float)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="issued")
    status_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    collector_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), unique=True)

    dossier: Mapped[FrameDossier] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan")


class CaseEvent(StatusHistory, Base):
    """One change of a case's status: the fieldwork's history (the draw writes the first)."""

    __tablename__ = "case_event"
    __table_args__ = StatusHistory.checks(CASE_STATUSES)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("sample_case.id", ondelete="CASCADE"), index=True)
    case: Mapped[SampleCase] = relationship(back_populates="events")
