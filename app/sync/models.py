"""What the sync endpoint keeps: a receipt per item it holds, and conflicts kept beside records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Recorded, utcnow


class SyncReceipt(db.Model):
    """One outbox item the server holds (accepted, a duplicate of one it had, or a conflict).

    Written in the same transaction as the record, so "has a receipt" means "the server has it":
    the device's reconciliation pass asks exactly that. The fingerprint makes a re-sent item a
    duplicate and a changed item under the same id a conflict, whatever the record kind does.
    """

    __table_args__ = (Index("ix_sync_receipt_user_received", "user_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique and set by the device: lets a batch's receipts be inserted in one statement that
    # returns their ids (SQLite has no other way to match returned ids to rows).
    item_id: Mapped[str] = mapped_column(String(36), unique=True, insert_sentinel=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    record_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # accepted | duplicate | conflict | logged
    record_type: Mapped[str | None] = mapped_column(String(80))
    record_id: Mapped[int | None] = mapped_column(Integer)
    conflict_id: Mapped[int | None] = mapped_column(ForeignKey("conflict.id"))
    created_on_device_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Conflict(Recorded, db.Model):
    """An offline version the server did not apply, kept beside the record it collided with.

    `created_by` is the offline version's author. Resolving chooses the server's version, the
    offline one, or a merge; the chosen content is applied as a normal, versioned edit through
    the record kind's own submit function, so nothing is overwritten silently.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(String(36), index=True)
    record_uuid: Mapped[str] = mapped_column(String(36), index=True)
    record_type: Mapped[str | None] = mapped_column(String(80))
    record_id: Mapped[int | None] = mapped_column(Integer)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)
    server_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)  # the offline version, as the device sent it
    server_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)  # the record when it arrived
    labels: Mapped[dict] = mapped_column(JSON, default=dict)  # field name -> label on the device
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_on_device_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(String(16))  # server | offline | merged
    resolution_note: Mapped[str | None] = mapped_column(Text)

    author = relationship("User", foreign_keys="Conflict.created_by_id")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    child = relationship("Child")

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
