"""The overgangsskema, the parents' consents and the handover meeting.

The schema is a self-contained record (offline contract: client uuid, form_version). Its
answers are a JSON object keyed by the field names of its definition version. Consents are
never deleted: a withdrawal is recorded on the consent (who, when, why).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Recorded


class TransitionSchema(Recorded, db.Model):
    __tablename__ = "transition_schema"
    __table_args__ = (UniqueConstraint("child_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    form_version: Mapped[int]
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # "enrolment:<id>" or "school:<date>" (see rules.coming_transition).
    target: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))  # enrolment | school
    start_date: Mapped[date] = mapped_column(Date)
    sending_enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    sending_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    receiving_enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolment.id"), index=True
    )
    receiving_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # The receiving unit's name, or the school the parents name (not in Opspor).
    receiving_name: Mapped[str] = mapped_column(String(160), default="")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Latest wellbeing position and action plan, only when the parents agree.
    include_wellbeing: Mapped[bool] = mapped_column(default=False)
    wellbeing: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | finished
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    child = relationship("Child")
    sending_unit = relationship("Unit", foreign_keys=[sending_unit_id])
    receiving_unit = relationship("Unit", foreign_keys=[receiving_unit_id])
    sending_enrolment = relationship("Enrolment", foreign_keys=[sending_enrolment_id])
    receiving_enrolment = relationship("Enrolment", foreign_keys=[receiving_enrolment_id])
    created_by = relationship("User", foreign_keys="TransitionSchema.created_by_id")
    finished_by = relationship("User", foreign_keys=[finished_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
    consents: Mapped[list[TransitionConsent]] = relationship(
        back_populates="schema", order_by="TransitionConsent.id", cascade="all, delete-orphan"
    )
    meetings: Mapped[list[HandoverMeeting]] = relationship(
        back_populates="schema", order_by="HandoverMeeting.meeting_on", cascade="all, delete-orphan"
    )

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def as_payload(self) -> dict:
        """The record as its form sends it (flat fields), for the sync area's conflict view."""
        return {
            "uuid": self.uuid,
            "child_id": str(self.child_id),
            "form_version": str(self.form_version),
            "target": self.target,
            "action": "finish" if self.finished else "draft",
            "include_wellbeing": "y" if self.include_wellbeing else "",
            "receiving_name": self.receiving_name if self.kind == "school" else "",
            **self.answers,
        }

    @property
    def starts_on(self) -> date:
        """The start in the receiving unit as the enrolment says now (it may have moved)."""
        e = self.receiving_enrolment
        return e.start_date if e is not None else self.start_date


class TransitionConsent(Recorded, db.Model):
    """One guardian's consent to hand the schema over: who, when, how, what, with whom."""

    __tablename__ = "transition_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    schema_id: Mapped[int] = mapped_column(ForeignKey("transition_schema.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("guardian.id"), index=True)
    guardian_name: Mapped[str] = mapped_column(String(160))
    method: Mapped[str] = mapped_column(String(8))  # device | paper
    signed_name: Mapped[str | None] = mapped_column(String(160))  # typed on the device
    signed_on: Mapped[date] = mapped_column(Date)
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    share_schema: Mapped[bool] = mapped_column(default=True)
    share_wellbeing_history: Mapped[bool] = mapped_column(default=False)
    shared_with_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    shared_with_name: Mapped[str] = mapped_column(String(160))
    note: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_note: Mapped[str | None] = mapped_column(Text)

    schema: Mapped[TransitionSchema] = relationship(back_populates="consents")
    guardian = relationship("Guardian")
    recorded_by = relationship("User", foreign_keys="TransitionConsent.created_by_id")
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class HandoverMeeting(Recorded, db.Model):
    """An optional overleveringsmøde, prepared like every meeting with the dialogmodel
    (the fields of app.concerns' Meeting preparation and its form). The side that booked it
    may change or cancel it; a cancelled meeting is kept, with who, when and why."""

    __tablename__ = "handover_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    schema_id: Mapped[int] = mapped_column(ForeignKey("transition_schema.id"), index=True)
    meeting_on: Mapped[date] = mapped_column(Date)
    meeting_time: Mapped[time | None] = mapped_column(Time)
    place: Mapped[str | None] = mapped_column(String(160))
    # "sending" | "receiving": that side may change or cancel it (None: booked before this
    # was recorded, so either side may).
    booked_from: Mapped[str | None] = mapped_column(String(10))
    participants: Mapped[str] = mapped_column(Text)
    # Dialogmodel, forberedelse.
    purpose: Mapped[str | None] = mapped_column(Text)
    questions: Mapped[str | None] = mapped_column(Text)
    roles: Mapped[str | None] = mapped_column(Text)
    agreed_with_parents: Mapped[str | None] = mapped_column(Text)
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    schema: Mapped[TransitionSchema] = relationship(back_populates="meetings")
    booked_by = relationship("User", foreign_keys="HandoverMeeting.created_by_id")
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def may_change_from(self, side: str) -> bool:
        return not self.cancelled and self.booked_from in (None, side)
