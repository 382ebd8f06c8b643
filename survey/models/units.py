"""Units (the administrative hierarchy), service areas, procedure groups and procedures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, now_utc

UNIT_LEVELS = ("province", "department", "district", "commune")
# What can happen to a unit (docs/METHODOLOGY.md §10). A merge and a split hand the unit's
# territory to successors; an abolished unit hands it to nobody (its sub-units were moved
# first); a rename and a move keep the territory.
UNIT_EVENT_KINDS = ("merge", "split", "rename", "move", "abolish")
PROCEDURE_LEVELS = ("province", "district", "commune")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Base):
    """A department, district or commune office (or the province itself).

    `path` is the chain of codes from the root (``/HN/HN-D01/``); it lets a report roll a unit's
    sub-units up with one indexed prefix match instead of a recursive query.
    """

    __tablename__ = "unit"
    __table_args__ = (CheckConstraint(_in("level", UNIT_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    path: Mapped[str] = mapped_column(String(1000), index=True)
    # The one service a unit is named after (a department of land, of construction...), so its
    # posters and kiosks open that service's questionnaire. Empty for units that handle many
    # services (districts, communes, the province): their officers pick, from a general form.
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_area.id"))
    # The unit's life: None is "before any record" / "still exists". `valid_to` is the first day
    # it no longer existed (the effective date of the event that ended it), so a day d belongs
    # to the unit when valid_from <= d < valid_to.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    service_area: Mapped[ServiceArea | None] = relationship()

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

    def exists_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day < self.valid_to))


class UnitEvent(Base):
    """Something that happened to a unit on a date, by a decision (số quyết định).

    `effective` is the first day of the new state. A merge has one successor (share 1), a split
    several whose shares (of the unit's dossiers or territory) add up to 1; a move records the
    parents before and after, a rename the names before and after.
    """

    __tablename__ = "unit_event"
    __table_args__ = (
        CheckConstraint(_in("kind", UNIT_EVENT_KINDS), name="kind"),
        UniqueConstraint("unit_id", "kind", "effective"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective: Mapped[date] = mapped_column(Date)
    decision_number: Mapped[str] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date)
    old_parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    new_parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    old_name_vi: Mapped[str] = mapped_column(String(200), default="")
    new_name_vi: Mapped[str] = mapped_column(String(200), default="")
    old_name_en: Mapped[str] = mapped_column(String(200), default="")
    new_name_en: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    old_parent: Mapped[Unit | None] = relationship(foreign_keys=[old_parent_id])
    new_parent: Mapped[Unit | None] = relationship(foreign_keys=[new_parent_id])
    successors: Mapped[list[UnitEventSuccessor]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="UnitEventSuccessor.unit_id")

    def __repr__(self) -> str:
        return f"<UnitEvent {self.kind} {self.unit_id} {self.effective}>"


class UnitEventSuccessor(Base):
    """A unit that took over (a share of) the territory of a merged or split unit."""

    __tablename__ = "unit_event_successor"
    __table_args__ = (
        PrimaryKeyConstraint("event_id", "unit_id"),
        CheckConstraint("share > 0 AND share <= 1", name="share"),
    )

    event_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("unit_event.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("unit.id", ondelete="RESTRICT"),
                                         index=True)
    share: Mapped[float] = mapped_column(Float, default=1.0)

    event: Mapped[UnitEvent] = relationship(back_populates="successors")
    unit: Mapped[Unit] = relationship()


class ServiceArea(Base):
    """A field of procedures: land, id_card, marriage, construction, or one an office adds."""

    __tablename__ = "service_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")


class ProcedureGroup(Base):
    """A group of procedures as the council's appendix lists them."""

    __tablename__ = "procedure_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    service_area_id: Mapped[int] = mapped_column(ForeignKey("service_area.id"))

    service_area: Mapped[ServiceArea] = relationship()


class Procedure(Base):
    """One administrative procedure (thủ tục hành chính) of the catalogue."""

    __tablename__ = "procedure"
    __table_args__ = (CheckConstraint(_in("level", PROCEDURE_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500), default="")
    service_area_id: Mapped[int] = mapped_column(ForeignKey("service_area.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_group.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))

    service_area: Mapped[ServiceArea] = relationship()
    group: Mapped[ProcedureGroup | None] = relationship()
