"""Courses of action (handleveje), action plans, sparring, meetings and underretninger.

Journal-like: nothing here is deleted, and a change to something already recorded keeps the
earlier values, who, when and why in a ConcernEvent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.concerns.rules import Answer, Level
from app.extensions import db
from app.models import Recorded, Timestamped

SOURCES = ("assessment", "visit", "manual")


def _enum(cls, length: int = 16):
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class CourseOfAction(Recorded, db.Model):
    """Handlevej: opened by a yellow/red/acute concern about a child, worked through in steps."""

    __tablename__ = "course_of_action"
    __table_args__ = (Index("ix_course_of_action_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # The unit the child was in when the course was opened (the history follows the child).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    level: Mapped[Level] = mapped_column(_enum(Level, 8))
    # What opened it: "assessment" | "visit" | "manual", and that record's id.
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    opened_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # Tovholder: who keeps the course moving (the opener unless handed on).
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Rød/akut: the leader is told the same day. "besked" (sent by Opspor) or "personligt".
    leader_informed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    leader_informed_how: Mapped[str | None] = mapped_column(String(16))

    # Step: parents informed and involved (not when the concern is abuse by the parents).
    parents_informed_on: Mapped[date | None] = mapped_column(Date)
    parents_how: Mapped[str | None] = mapped_column(String(40))
    parents_reaction: Mapped[str | None] = mapped_column(Text)
    parents_exempt: Mapped[bool] = mapped_column(default=False)
    parents_exempt_reason: Mapped[str | None] = mapped_column(Text)

    # Step: the next follow-up.
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)

    # Step (rød/akut): the underretning question and its answer.
    underretning_answer: Mapped[Answer | None] = mapped_column(_enum(Answer, 12))
    underretning_reason: Mapped[str | None] = mapped_column(Text)
    underretning_answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    underretning_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closing_note: Mapped[str | None] = mapped_column(Text)
    # The child's position when the course was closed: "groen" | "gul" | "roed".
    closing_position: Mapped[str | None] = mapped_column(String(8))

    child = relationship("Child")
    unit = relationship("Unit")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    responsible = relationship("User", foreign_keys=[responsible_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    underretning_answered_by = relationship("User", foreign_keys=[underretning_answered_by_id])
    plan_items: Mapped[list[PlanItem]] = relationship(
        back_populates="course", order_by="PlanItem.id"
    )
    sources: Mapped[list[CourseSource]] = relationship(
        back_populates="course", order_by="CourseSource.id"
    )
    meetings: Mapped[list[Meeting]] = relationship(back_populates="course", order_by="Meeting.id")

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def parents_done(self) -> bool:
        return self.parents_exempt or self.parents_informed_on is not None


class CourseSource(Timestamped, db.Model):
    """Each assessment, visit or manual concern that led to the course: opening is idempotent
    per source, and a later source with a higher position escalates the same course."""

    __tablename__ = "course_source"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course_of_action.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int | None]
    level: Mapped[Level] = mapped_column(_enum(Level, 8))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    course: Mapped[CourseOfAction] = relationship(back_populates="sources")


class PlanItem(Recorded, db.Model):
    """Fokuspunkt in the action plan: what we see, what we do, who, by when. Agreed actions
    from a meeting are plan items too (meeting_id set), so every follow-up lives in one place."""

    __tablename__ = "plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course_of_action.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    observation: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    responsible_text: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    done_note: Mapped[str | None] = mapped_column(Text)

    course: Mapped[CourseOfAction] = relationship(back_populates="plan_items")
    meeting: Mapped[Meeting | None] = relationship(back_populates="actions")
    responsible = relationship("User", foreign_keys=[responsible_id])
    done_by = relationship("User", foreign_keys=[done_by_id])

    @property
    def who(self) -> str:
        names = [n for n in (getattr(self.responsible, "name", None), self.responsible_text) if n]
        return ", ".join(names)


class SparringRequest(Recorded, db.Model):
    """Ekstern faglig sparring. Anonymous: no child, only the unit, the age and a description
    checked for personal data. Named: on the child, with consent or another legal basis."""

    __tablename__ = "sparring_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # anonym | navngivet
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course_of_action.id"))
    partner: Mapped[str] = mapped_column(String(40))
    age_text: Mapped[str | None] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    # Named only: "samtykke" (consent) or "andet" (another legal basis), described in the note.
    legal_basis: Mapped[str | None] = mapped_column(String(12))
    legal_basis_note: Mapped[str | None] = mapped_column(Text)
    # Anonymous only: the personal-data warning was shown and the user confirmed the text.
    pii_confirmed: Mapped[bool] = mapped_column(default=False)
    asked_on: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answered_by: Mapped[str | None] = mapped_column(String(120))

    unit = relationship("Unit")
    child = relationship("Child")
    author = relationship("User", foreign_keys="SparringRequest.created_by_id")

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonym"


class Meeting(Recorded, db.Model):
    """A meeting about a child with the dialogmodel: forberedelse, mødet, evaluering."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course_of_action.id"), index=True)
    # forberedelse → moede → evaluering → afsluttet
    phase: Mapped[str] = mapped_column(String(16), default="forberedelse")

    planned_on: Mapped[date | None] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(Text)
    questions: Mapped[str | None] = mapped_column(Text)
    planned_participants: Mapped[str | None] = mapped_column(Text)
    roles: Mapped[str | None] = mapped_column(Text)
    agreed_with_parents: Mapped[str | None] = mapped_column(Text)
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(40))

    held_on: Mapped[date | None] = mapped_column(Date)
    participants: Mapped[str | None] = mapped_column(Text)
    observations: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    concerns: Mapped[str | None] = mapped_column(Text)
    next_meeting_on: Mapped[date | None] = mapped_column(Date)

    evaluated_on: Mapped[date | None] = mapped_column(Date)
    actions_worked: Mapped[str | None] = mapped_column(String(8))  # ja | delvist | nej
    evaluation_note: Mapped[str | None] = mapped_column(Text)
    new_position: Mapped[str | None] = mapped_column(String(8))  # groen | gul | roed
    decision: Mapped[str | None] = mapped_column(String(12))  # fortsaet | luk | eskaler

    course: Mapped[CourseOfAction] = relationship(back_populates="meetings")
    child = relationship("Child")
    actions: Mapped[list[PlanItem]] = relationship(back_populates="meeting", order_by="PlanItem.id")


class Underretning(Recorded, db.Model):
    """Support for a professional's underretning: a draft, when/how it was sent, the receipt
    (due within 6 working days) and the feedback. The duty is personal: no approval step."""

    __tablename__ = "underretning"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course_of_action.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="kladde")  # kladde | sendt

    writer_relation: Mapped[str | None] = mapped_column(Text)
    concern: Mapped[str | None] = mapped_column(Text)
    observations: Mapped[str | None] = mapped_column(Text)
    tried: Mapped[str | None] = mapped_column(Text)
    parents_text: Mapped[str | None] = mapped_column(Text)
    other: Mapped[str | None] = mapped_column(Text)

    sent_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(120))
    sent_to: Mapped[str | None] = mapped_column(String(160))
    receipt_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    receipt_on: Mapped[date | None] = mapped_column(Date)
    investigation_started: Mapped[str | None] = mapped_column(String(8))  # ja | nej
    feedback_on: Mapped[date | None] = mapped_column(Date)
    feedback_note: Mapped[str | None] = mapped_column(Text)

    child = relationship("Child")
    course = relationship("CourseOfAction")
    unit = relationship("Unit")
    author = relationship("User", foreign_keys="Underretning.created_by_id")

    @property
    def is_sent(self) -> bool:
        return self.status == "sendt"


class ConcernEvent(Timestamped, db.Model):
    """Append-only history of this area's records: what happened, and for a correction the
    earlier values (before), who and why."""

    __tablename__ = "concern_event"
    __table_args__ = (Index("ix_concern_event_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    subject: Mapped[str] = mapped_column(String(16))  # course | meeting | underretning | sparring
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    before: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user = relationship("User")
