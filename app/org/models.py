"""Municipality → areas/districts → units. Units nest (a dagpleje has dagplejegrupper)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Timestamped


class UnitKind(StrEnum):
    SUNDHEDSPLEJEDISTRIKT = "sundhedsplejedistrikt"
    DAGPLEJE = "dagpleje"
    DAGPLEJEGRUPPE = "dagplejegruppe"
    VUGGESTUE = "vuggestue"
    BOERNEHAVE = "boernehave"
    INTEGRERET = "integreret"

    @property
    def is_dagpleje(self) -> bool:
        return self in (UnitKind.DAGPLEJE, UnitKind.DAGPLEJEGRUPPE)


class Municipality(Timestamped, db.Model):
    """Kommune. `settings` overrides the defaults in app.org.settings per municipality."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    areas: Mapped[list[Area]] = relationship(back_populates="municipality", order_by="Area.name")


class Area(Timestamped, db.Model):
    """Område/distrikt: a grouping of units for administration and leadership."""

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    municipality: Mapped[Municipality] = relationship(back_populates="areas")
    units: Mapped[list[Unit]] = relationship(back_populates="area", order_by="Unit.name")


class Unit(Timestamped, db.Model):
    """Enhed: a health-visiting district, a dagpleje(gruppe) or an institution."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=32))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)

    area: Mapped[Area] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", back_populates="children_units"
    )
    children_units: Mapped[list[Unit]] = relationship(back_populates="parent")

    @property
    def municipality(self) -> Municipality:
        return self.area.municipality

    def __str__(self) -> str:
        return self.name
