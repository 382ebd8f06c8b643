"""Units (the administrative hierarchy), service areas, procedure groups and procedures."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base

UNIT_LEVELS = ("province", "department", "district", "commune")
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

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    service_area: Mapped[ServiceArea | None] = relationship()

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


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
