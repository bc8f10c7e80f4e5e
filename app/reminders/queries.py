"""Reads for the pages: a user's notifications and devices, as select()s."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from app.extensions import db
from app.reminders.models import Notification, PushSubscription, ReminderPreference


def notifications(user) -> Select[tuple[Notification]]:
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def devices(user) -> Select[tuple[PushSubscription]]:
    return (
        select(PushSubscription)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at, PushSubscription.id)
    )


def preference(user) -> ReminderPreference | None:
    return db.session.scalar(
        select(ReminderPreference).where(ReminderPreference.user_id == user.id)
    )
