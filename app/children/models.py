"""The child (barnet), guardians (forældremyndighedsindehavere), enrolment history, caseload."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Recorded


class Child(Recorded, db.Model):
    # Lists are sorted by name: a page of 50 is read off the index, not a sort of every child
    # the user may see (a leader over a municipality sees 40,000).
    __table_args__ = (Index("ix_child_name", "first_name", "last_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    # Optional: a newborn or newly arrived child may have none yet. Never in a URL or a log.
    cpr: Mapped[str | None] = mapped_column(String(10), unique=True)
    # Gestational age at birth in whole weeks, for growth correction (premature < 37).
    gestational_age_weeks: Mapped[int | None]
    # Lower-cased "first last" for index-backed prefix search.
    search_name: Mapped[str] = mapped_column(String(170), index=True)

    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Guardian.id"
    )
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Enrolment.start_date"
    )
    caseloads: Mapped[list[Caseload]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Caseload.start_date"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return self.name


@db.event.listens_for(Child, "before_insert")
@db.event.listens_for(Child, "before_update")
def _set_search_name(mapper, connection, child: Child) -> None:
    child.search_name = f"{child.first_name} {child.last_name}".lower()


class Guardian(Recorded, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    relation: Mapped[str] = mapped_column(String(40), default="forælder")
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(40), default="dansk")
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    has_custody: Mapped[bool] = mapped_column(default=True)

    child: Mapped[Child] = relationship(back_populates="guardians")


class Enrolment(Recorded, db.Model):
    """Indmeldelse: the child in a unit from a date (to a date). Moving keeps the history.

    In a dagpleje the enrolment names the dagplejer whose home the child is in.
    """

    # child_id last: scoping ("children enrolled in these units now") reads the index alone.
    __table_args__ = (
        Index("ix_enrolment_unit_dates", "unit_id", "start_date", "end_date", "child_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    dagplejer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    child: Mapped[Child] = relationship(back_populates="enrolments")
    unit = relationship("Unit")
    dagplejer = relationship("User", foreign_keys=[dagplejer_id])

    def is_current(self, today: date) -> bool:
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class Caseload(Recorded, db.Model):
    """Which sundhedsplejerske follows which child (and so the family)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    nurse_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    child: Mapped[Child] = relationship(back_populates="caseloads")
    nurse = relationship("User", foreign_keys=[nurse_id])
