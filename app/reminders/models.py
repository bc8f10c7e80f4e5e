"""Devices subscribed to Web Push, the in-app notifications, and the ledger of sent reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models import Timestamped


class PushSubscription(Timestamped, db.Model):
    """One browser on one device (a PushSubscription from `pushManager.subscribe`).

    The endpoint is unique: when another user subscribes the same browser (a shared tablet), the
    row moves to that user, so the device only ever gets one person's reminders.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    # "Chrome på Android": shown in the user's list of devices; never the full user-agent string.
    label: Mapped[str] = mapped_column(String(120), default="")
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(default=0)

    user = relationship("User")

    def info(self) -> dict:
        """The subscription as pywebpush wants it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Notification(db.Model):
    """An entry in the user's "Notifikationer". Every reminder is one, pushed or not.

    Holds no child's name or CPR: kind, count, unit name and a link, like the push itself. The
    text is made from these when shown, so it follows the reader's language.
    """

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(default=1)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    unit_name: Mapped[str] = mapped_column(String(120), default="")
    # Extra counts for digests, e.g. {"overdue": 2, "soon": 3} or per-unit rows. No personal data.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300), default="/")
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # pending → sending → sent | failed | none (no device); claimed atomically before sending.
    push_state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    # When sent; while "sending", when it was claimed (a stale claim is taken again).
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user = relationship("User")


class SentReminder(db.Model):
    """The ledger that makes each reminder go out at most once per subject and period.

    Two sweeps (or two servers) racing both try to insert the same row; the database lets one
    win and the other gets an IntegrityError and sends nothing.
    """

    __table_args__ = (UniqueConstraint("rule", "subject_key", "period", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


class ReminderPreference(Timestamped, db.Model):
    """A user's own quiet hours; without a row the municipality's defaults apply."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    quiet_start: Mapped[int] = mapped_column(default=18)
    quiet_end: Mapped[int] = mapped_column(default=7)
    quiet_weekends: Mapped[bool] = mapped_column(default=True)
