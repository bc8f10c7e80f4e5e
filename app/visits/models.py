"""Planned visits (the programme and needs-based visits) and visit records (journal content).

A `PlannedVisit` is an appointment: generated from the programme, added by hand, or planned
automatically after a screening above its cut-off. A `Visit` is the self-contained record made
at the visit (offline kind "visit"); it fulfils at most one planned visit. Records are never
silently edited: a correction stores the earlier content in `VisitRevision` with who and why.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Recorded, utcnow


class PlannedVisit(Recorded, db.Model):
    __tablename__ = "planned_visit"
    __table_args__ = (
        UniqueConstraint("child_id", "programme_code"),
        Index("ix_planned_visit_nurse_date", "nurse_id", "planned_date"),
        # The nurse's open visits (a few hundred) among all she ever had (thousands).
        Index("ix_planned_visit_nurse_status_date", "nurse_id", "status", "planned_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    source: Mapped[str] = mapped_column(String(16))  # program | behov | opfoelgning
    programme_code: Mapped[str | None] = mapped_column(String(32))
    visit_type: Mapped[str] = mapped_column(String(32))
    planned_date: Mapped[date] = mapped_column(Date)
    planned_time: Mapped[time | None] = mapped_column(Time)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planlagt")
    # Why a needs-based or follow-up visit was planned (e.g. "ADBB 7 ≥ 5").
    reason: Mapped[str | None] = mapped_column(Text)
    not_done_reason: Mapped[str | None] = mapped_column(String(20))
    not_done_note: Mapped[str | None] = mapped_column(Text)
    # The visit record whose screening planned this follow-up.
    source_visit_uuid: Mapped[str | None] = mapped_column(String(36), index=True)

    child = relationship("Child")
    nurse = relationship("User", foreign_keys=[nurse_id])
    changes: Mapped[list[PlannedVisitChange]] = relationship(
        back_populates="planned_visit",
        cascade="all, delete-orphan",
        order_by="PlannedVisitChange.id",
    )
    record: Mapped[Visit | None] = relationship(back_populates="planned_visit", uselist=False)


class PlannedVisitChange(db.Model):
    """History of a planned visit: moved (from → to) or marked not carried out, and why."""

    __tablename__ = "planned_visit_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    planned_visit_id: Mapped[int] = mapped_column(ForeignKey("planned_visit.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))  # flyttet | ikke_gennemfoert
    from_date: Mapped[date | None] = mapped_column(Date)
    from_time: Mapped[time | None] = mapped_column(Time)
    to_date: Mapped[date | None] = mapped_column(Date)
    to_time: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(Text)

    planned_visit: Mapped[PlannedVisit] = relationship(back_populates="changes")
    by = relationship("User")


class Visit(Recorded, db.Model):
    """The visit record (besøgsregistrering). Field names match the form and sync payload."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_child_date", "child_id", "visit_date"),
        Index("ix_visit_nurse_date", "nurse_id", "visit_date"),  # her records of today
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique and set by the device: a sync batch's visits go in one INSERT (see SyncReceipt).
    uuid: Mapped[str] = mapped_column(String(36), unique=True, insert_sentinel=True)
    form_version: Mapped[int] = mapped_column(Integer, default=1)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    planned_visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_visit.id"), unique=True
    )
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    visit_type: Mapped[str] = mapped_column(String(32))
    contact_form: Mapped[str] = mapped_column(String(16))
    visit_date: Mapped[date] = mapped_column(Date)
    visit_time: Mapped[time | None] = mapped_column(Time)
    present: Mapped[list] = mapped_column(JSON, default=list)  # codes, see PRESENT
    present_note: Mapped[str | None] = mapped_column(String(200))

    # Raw measurements: grams and millimetres (integers); a missing one has a reason.
    weight_g: Mapped[int | None]
    weight_reason: Mapped[str | None] = mapped_column(String(20))
    length_mm: Mapped[int | None]
    length_position: Mapped[str | None] = mapped_column(String(10))
    length_reason: Mapped[str | None] = mapped_column(String(20))
    head_mm: Mapped[int | None]
    head_reason: Mapped[str | None] = mapped_column(String(20))
    # Plausibility warnings shown after saving (never a block), e.g. [{"measure","z"}].
    warnings: Mapped[list] = mapped_column(JSON, default=list)

    feeding: Mapped[str | None] = mapped_column(String(20))
    indicators: Mapped[dict] = mapped_column(JSON, default=dict)  # code -> "0" | "1" | "2"
    observations: Mapped[str | None] = mapped_column(Text)  # journal note

    # ADBB: 8 item scores (0–4) or None.
    adbb_scores: Mapped[list | None] = mapped_column(JSON)
    adbb_total: Mapped[int | None]
    # EPDS per parent: 10 printed answer positions (0–3), and the total of the mapped scores.
    epds_mor: Mapped[list | None] = mapped_column(JSON)
    epds_mor_total: Mapped[int | None]
    epds_far: Mapped[list | None] = mapped_column(JSON)
    epds_far_total: Mapped[int | None]
    # EPDS item 10 answered other than "never": act today. Which parent(s), and what was done.
    epds_self_harm: Mapped[bool] = mapped_column(default=False)
    epds_self_harm_parents: Mapped[str | None] = mapped_column(
        String(10)
    )  # "mor", "far", "mor,far"

    child = relationship("Child")
    nurse = relationship("User", foreign_keys=[nurse_id])
    planned_visit: Mapped[PlannedVisit | None] = relationship(back_populates="record")
    revisions: Mapped[list[VisitRevision]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitRevision.id"
    )
    # What was done after EPDS item 10, one row per action, oldest first.
    actions: Mapped[list[VisitAction]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitAction.id"
    )

    @property
    def weight_kg(self) -> float | None:
        return None if self.weight_g is None else self.weight_g / 1000

    @property
    def length_cm(self) -> float | None:
        return None if self.length_mm is None else self.length_mm / 10

    @property
    def head_cm(self) -> float | None:
        return None if self.head_mm is None else self.head_mm / 10


class VisitRevision(db.Model):
    """The content of a visit record before a correction, who corrected it, when and why."""

    __tablename__ = "visit_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    version: Mapped[int]  # the record's version the content belonged to
    content: Mapped[dict] = mapped_column(JSON)
    corrected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)

    visit: Mapped[Visit] = relationship(back_populates="revisions")
    corrected_by = relationship("User")


class VisitAction(db.Model):
    """An action taken after EPDS item 10 ("Hvad har du gjort i dag?"): who wrote it and when.
    Each is its own row, so a later action never takes the author or time of an earlier one."""

    __tablename__ = "visit_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    visit: Mapped[Visit] = relationship(back_populates="actions")
    by = relationship("User")


@db.event.listens_for(VisitRevision, "before_update")
@db.event.listens_for(VisitRevision, "before_delete")
@db.event.listens_for(VisitAction, "before_update")
@db.event.listens_for(VisitAction, "before_delete")
def _history_is_kept(mapper, connection, target) -> None:
    raise RuntimeError("Visit revisions and actions are journal history and are never changed.")


class ChildSex(db.Model):
    """The child's sex for the growth reference, when the CPR number does not give it
    (no CPR yet). Kept here because growth is the only use of it."""

    __tablename__ = "visit_child_sex"

    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), primary_key=True)
    sex: Mapped[str] = mapped_column(String(8))  # pige | dreng


class ChildSexChange(db.Model):
    """A change of the child's sex for growth (every z-score depends on it): the earlier value
    (recorded or from the CPR number), who changed it, when, and on which visit record."""

    __tablename__ = "visit_child_sex_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))
    old_sex: Mapped[str] = mapped_column(String(8))
    new_sex: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    visit = relationship("Visit")
    changed_by = relationship("User")
