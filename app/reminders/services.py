"""Writes: device subscriptions, quiet hours, notifications, and the once-only ledger."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections import defaultdict
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from app import clock
from app.extensions import db
from app.reminders.models import (
    Notification,
    PushSubscription,
    ReminderPreference,
    SentReminder,
)
from app.reminders.rules import KINDS, Reminder


class InvalidSubscription(ValueError):
    """The browser sent something that is not a usable PushSubscription."""


def _b64url(value: str, length: int) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidSubscription("keys") from exc
    if len(raw) != length:
        raise InvalidSubscription("keys")
    return value.rstrip("=")


def _check_endpoint(endpoint: str) -> str:
    """HTTPS only (push services are); plain HTTP only to loopback when configured (tests)."""
    parts = urlsplit(endpoint or "")
    if parts.scheme == "https" and parts.hostname and len(endpoint) <= 1024:
        return endpoint
    if parts.scheme == "http" and current_app.config.get("REMINDERS_ALLOW_HTTP_LOOPBACK"):
        try:
            if ipaddress.ip_address(parts.hostname or "").is_loopback:
                return endpoint
        except ValueError:
            pass
    raise InvalidSubscription("endpoint")


def parse_subscription(data: dict) -> dict:
    """{endpoint, keys: {p256dh, auth}} as `PushSubscription.toJSON()` gives it, validated."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise InvalidSubscription("format")
    keys = data["keys"]
    p256dh = _b64url(str(keys.get("p256dh", "")), 65)
    if base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))[0] != 4:
        raise InvalidSubscription("keys")
    return {
        "endpoint": _check_endpoint(str(data.get("endpoint", ""))),
        "p256dh": p256dh,
        "auth": _b64url(str(keys.get("auth", "")), 16),
    }


def device_label(user_agent: str) -> str:
    """ "Chrome på Android": enough to tell one's devices apart, without storing the UA string."""
    ua = user_agent or ""
    if "Edg/" in ua:
        browser = "Edge"
    elif "Firefox/" in ua or "FxiOS" in ua:
        browser = "Firefox"
    elif "SamsungBrowser" in ua:
        browser = "Samsung Internet"
    elif "Chrome/" in ua or "CriOS" in ua:
        browser = "Chrome"
    elif "Safari/" in ua:
        browser = "Safari"
    else:
        browser = "Browser"
    for marker, system in (
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ):
        if marker in ua:
            return f"{browser} på {system}"
    return browser


def subscribe(user, data: dict, user_agent: str = "") -> PushSubscription:
    """Store (or move to `user`) the browser's subscription. Adds and flushes."""
    fields = parse_subscription(data)
    sub = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == fields["endpoint"])
    )
    if sub is None:
        sub = PushSubscription(endpoint=fields["endpoint"])
        db.session.add(sub)
    sub.user_id = user.id
    sub.p256dh, sub.auth = fields["p256dh"], fields["auth"]
    sub.label = device_label(user_agent)
    sub.failures = 0
    db.session.flush()
    return sub


def resubscribe(old_endpoint: str | None, data: dict, user=None, user_agent: str = ""):
    """`pushsubscriptionchange`: the browser replaced its subscription.

    The old endpoint proves which device this is (the worker may have no session); without one,
    the logged-in user is the owner. Returns the new row, or None if neither is known.
    """
    old = None
    if old_endpoint:
        old = db.session.scalar(
            select(PushSubscription).where(PushSubscription.endpoint == old_endpoint)
        )
    owner = old.user if old is not None else user
    if owner is None:
        return None
    label = old.label if old is not None else ""
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    sub = subscribe(owner, data, user_agent)
    if label and not user_agent:
        sub.label = label
    return sub


def unsubscribe(user, subscription_id: int) -> bool:
    sub = db.session.get(PushSubscription, subscription_id)
    if sub is None or sub.user_id != user.id:
        return False
    db.session.delete(sub)
    db.session.flush()
    return True


def unsubscribe_endpoint(user, endpoint: str) -> bool:
    sub = db.session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )
    if sub is None:
        return False
    db.session.delete(sub)
    db.session.flush()
    return True


def save_quiet_hours(user, start: int, end: int, weekends: bool) -> ReminderPreference:
    pref = db.session.scalar(
        select(ReminderPreference).where(ReminderPreference.user_id == user.id)
    )
    if pref is None:
        pref = ReminderPreference(user_id=user.id)
        db.session.add(pref)
    pref.quiet_start, pref.quiet_end, pref.quiet_weekends = start, end, weekends
    db.session.flush()
    return pref


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's notifications read; returns how many changed."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=clock.now())).rowcount


def resolve_link(link: tuple[str, tuple]) -> str:
    """The reminder's page in the app; the notifications list if that page does not exist."""
    from app.reminders.push import path_for

    endpoint, values = link
    try:
        return path_for(endpoint, **dict(values))
    except BuildError:
        return path_for("reminders.notifications")


def test_notification(user) -> Notification:
    """ "Send en testnotifikation": in the list at once, pushed right after the commit."""
    notification = Notification(
        user_id=user.id,
        kind="test",
        count=1,
        url=resolve_link(("reminders.settings", ())),
        urgent=True,
        push_state="pending",
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def _unsent(reminder: Reminder, subjects: list[str]) -> list[str]:
    sent = set(
        db.session.scalars(
            select(SentReminder.subject_key).where(
                SentReminder.rule == reminder.rule,
                SentReminder.period == reminder.period,
                SentReminder.user_id == reminder.user_id,
                SentReminder.subject_key.in_(subjects),
            )
        )
    )
    return [s for s in subjects if s not in sent]


def drop_recorded(reminders: list[Reminder]) -> list[Reminder]:
    """The reminders without the subjects the ledger already has (none left: dropped), read in
    a few queries, so a sweep does not insert, and fail on, what was sent before. The unique
    constraint stays the guard against a sweep racing this one."""
    wanted: dict[str, tuple[set, set, set]] = defaultdict(lambda: (set(), set(), set()))
    for r in reminders:
        periods, users, subjects = wanted[r.rule]
        periods.add(r.period)
        users.add(r.user_id)
        subjects.update(r.subjects)
    recorded: set[tuple] = set()
    for rule, (periods, users, subjects) in wanted.items():
        ordered = sorted(subjects)
        for start in range(0, len(ordered), 500):
            rows = db.session.execute(
                select(SentReminder.subject_key, SentReminder.period, SentReminder.user_id).where(
                    SentReminder.rule == rule,
                    SentReminder.period.in_(periods),
                    SentReminder.user_id.in_(users),
                    SentReminder.subject_key.in_(ordered[start : start + 500]),
                )
            )
            recorded.update(tuple(row) for row in rows)
    kept = []
    for r in reminders:
        left = [s for s in r.subjects if (s, r.period, r.user_id) not in recorded]
        if left:
            kept.append(r if len(left) == len(r.subjects) else r.with_subjects(left))
    return kept


def record(reminder: Reminder) -> Notification | None:
    """Insert the ledger rows and the notification in one transaction, and commit it.

    The unique constraint on (rule, subject, period, user) decides: when another sweep got there
    first the insert fails, we roll back, and try again with only the subjects nobody has sent
    yet (none left → nothing to send). Called by the sweep, a job boundary of its own.
    """
    subjects = list(reminder.subjects)
    for _attempt in range(4):
        if not subjects:
            return None
        count = reminder.count if reminder.count is not None else len(subjects)
        notification = Notification(
            user_id=reminder.user_id,
            kind=reminder.rule,
            count=count,
            unit_id=reminder.unit_id,
            unit_name=reminder.unit_name,
            details=dict(reminder.details),
            url=resolve_link(reminder.link),
            urgent=KINDS[reminder.rule].urgent,
            push_state="pending",
        )
        db.session.add(notification)
        db.session.flush()
        for subject in subjects:
            db.session.add(
                SentReminder(
                    rule=reminder.rule,
                    subject_key=subject,
                    period=reminder.period,
                    user_id=reminder.user_id,
                    notification_id=notification.id,
                )
            )
        try:
            db.session.commit()
            return notification
        except IntegrityError:
            db.session.rollback()
            subjects = _unsent(reminder, subjects)
            db.session.rollback()
    return None
