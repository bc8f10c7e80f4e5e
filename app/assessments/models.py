"""Trivselsvurderinger: individual (egen) and joint (fælles) wellbeing assessments.

An assessment is journal-like: never deleted or overwritten. A correction is a new row in the
same series (`series_uuid`) that supersedes the previous one (`supersedes_id`) with a reason;
only the `current` flag of the old row changes, so every earlier version stays readable.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.assessments.positions import Position
from app.extensions import db
from app.models import Recorded


def _enum(cls, length: int) -> Enum:
    """Store the enum's values ("groen"), the stable codes other areas and exports use."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class AssessmentKind(StrEnum):
    INDIVIDUAL = "individual"  # egen vurdering
    JOINT = "joint"  # fælles vurdering


# Which individual assessments (as they were then) a joint assessment was based on.
assessment_basis = Table(
    "assessment_basis",
    db.metadata,
    Column("joint_id", ForeignKey("assessment.id"), primary_key=True),
    Column("individual_id", ForeignKey("assessment.id"), primary_key=True, index=True),
)


class Assessment(Recorded, db.Model):
    __table_args__ = (
        Index("ix_assessment_child_unit_date", "child_id", "unit_id", "assessed_on"),
        Index("ix_assessment_unit_date", "unit_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique and set by the device: a sync batch's assessments go in one INSERT.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, insert_sentinel=True)
    form_version: Mapped[int] = mapped_column(Integer)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # The unit the child was in when assessed: the history follows the child across units.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[AssessmentKind] = mapped_column(_enum(AssessmentKind, 16))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assessor_role: Mapped[str | None] = mapped_column(String(32))
    with_parents: Mapped[bool] = mapped_column(Boolean, default=False)
    # Joint, or a sundhedsplejerske's with the parents: it concludes a round (rules.is_concluding).
    concluding: Mapped[bool] = mapped_column(Boolean, default=False)
    participants: Mapped[str | None] = mapped_column(String(300))
    assessed_on: Mapped[date] = mapped_column(Date)
    age_band: Mapped[str] = mapped_column(String(8))
    indicators: Mapped[list] = mapped_column(JSON, default=list)  # ticked indicator codes
    notes: Mapped[dict] = mapped_column(JSON, default=dict)  # area code → note
    position: Mapped[Position] = mapped_column(_enum(Position, 8))
    justification: Mapped[str | None] = mapped_column(Text)
    parents_discussed_on: Mapped[date | None] = mapped_column(Date)
    parents_discussed_how: Mapped[str | None] = mapped_column(String(80))
    parents_view: Mapped[str | None] = mapped_column(Text)

    # Versions: a correction supersedes the previous row of the same series.
    series_uuid: Mapped[str] = mapped_column(String(36), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    child = relationship("Child")
    unit = relationship("Unit")
    assessor = relationship("User", foreign_keys=[assessor_id])
    created_by = relationship("User", foreign_keys="Assessment.created_by_id")
    supersedes: Mapped[Assessment | None] = relationship(remote_side="Assessment.id")
    basis: Mapped[list[Assessment]] = relationship(
        secondary=assessment_basis,
        primaryjoin="Assessment.id == assessment_basis.c.joint_id",
        secondaryjoin="Assessment.id == assessment_basis.c.individual_id",
        order_by="Assessment.assessed_on",
    )

    @property
    def is_joint(self) -> bool:
        return self.kind is AssessmentKind.JOINT

    def __repr__(self) -> str:
        return f"<Assessment {self.id} child={self.child_id} {self.kind} {self.position}>"


class UnitStamp(db.Model):
    """A token per unit that every write changing the unit's overview figures replaces in the
    same transaction (stamps.py); the figures cache (figures_cache.py) is keyed by it. No
    foreign key: a stamp must never stand in the way of anything done to a unit."""

    __tablename__ = "unit_stamp"

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))


class StoredFigures(db.Model):
    """A unit's overview figures as last computed by any worker, under the day and the unit's
    stamp token they were computed for (figures_cache.py): one worker computes, every worker and
    every restart reads them. A cache, so no foreign key either."""

    __tablename__ = "overview_figures"

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date)
    token: Mapped[str | None] = mapped_column(String(32))
    figures: Mapped[dict] = mapped_column(JSON)


class ChildPosition(db.Model):
    """Each child's current position in each unit that assessed it: its latest current
    concluding assessment made there (latest.py keeps it in the same flush as the
    assessments). The overview counts a unit's positions from it by key, instead of ranking
    every assessment of thousands of children at each recompute."""

    __tablename__ = "child_position"

    child_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    assessment_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[Position] = mapped_column(_enum(Position, 8))
    assessed_on: Mapped[date] = mapped_column(Date)
