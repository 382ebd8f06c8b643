"""Dossier statistics: the counts of the official report, per period, unit and group."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base
from survey.models.units import ProcedureGroup, ServiceArea, Unit, _in

PERIOD_KINDS = ("year", "quarter", "month")
COUNT_COLUMNS = (
    "received_online",
    "received_direct",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_within",
    "pending_overdue",
)


class DossierStat(Base):
    """One row of the report "tình hình, kết quả giải quyết TTHC".

    These are counts of the whole population, so their rates are exact (docs/METHODOLOGY.md §7).
    A group is always a service area, and optionally a finer procedure group within it.
    """

    __tablename__ = "dossier_stat"
    __table_args__ = (
        CheckConstraint(_in("period_kind", PERIOD_KINDS), name="period_kind"),
        CheckConstraint(
            "(period_kind = 'year' AND period_number = 0)"
            " OR (period_kind = 'quarter' AND period_number BETWEEN 1 AND 4)"
            " OR (period_kind = 'month' AND period_number BETWEEN 1 AND 12)",
            name="period_number",
        ),
        *(CheckConstraint(f"{c} >= 0", name=f"{c}_non_negative") for c in COUNT_COLUMNS),
        # The report's own identity: what is resolved or pending is what was received.
        CheckConstraint(
            "resolved_early + resolved_on_time + resolved_late + pending_within + pending_overdue"
            " = received_online + received_direct + carried_over",
            name="balanced",
        ),
        Index("ix_dossier_stat_period_unit", "year", "period_kind", "period_number", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(SmallInteger)
    period_number: Mapped[int] = mapped_column(SmallInteger, default=0)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    service_area_id: Mapped[int] = mapped_column(ForeignKey("service_area.id"))
    procedure_group_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_group.id"))
    received_online: Mapped[int] = mapped_column(default=0)
    received_direct: Mapped[int] = mapped_column(default=0)
    carried_over: Mapped[int] = mapped_column(default=0)
    resolved_early: Mapped[int] = mapped_column(default=0)
    resolved_on_time: Mapped[int] = mapped_column(default=0)
    resolved_late: Mapped[int] = mapped_column(default=0)
    pending_within: Mapped[int] = mapped_column(default=0)
    pending_overdue: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship()
    service_area: Mapped[ServiceArea] = relationship()
    procedure_group: Mapped[ProcedureGroup | None] = relationship()
