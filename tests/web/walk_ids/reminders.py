"""Walk registrations for reminders (seeded by the foundation's route walk; the reminders area
owns this file from here on): public endpoints, and another user's notification and push
subscription."""

from __future__ import annotations

from app.extensions import db
from app.reminders.models import Notification, PushSubscription
from tests.web.walk_ids import foreign_id, public

# Public by design (see their docstrings in app/reminders/routes.py): the VAPID public key, and
# `pushsubscriptionchange` from the service worker, which may run without a session.
public("reminders.public_key", "reminders.subscription_changed")


@foreign_id("notification_id")
def notification_of_foreign_user(world) -> int:
    """A reminder in another user's list: nobody else may open (and so mark read) it."""
    note = Notification(
        user_id=world.foreign_user.id,
        kind="assessment_due",
        count=2,
        unit_id=world.foreign_unit.id,
        unit_name=world.foreign_unit.name,
        url="/overblik",
    )
    db.session.add(note)
    db.session.flush()
    return note.id


@foreign_id("subscription_id")
def subscription_of_foreign_user(world) -> int:
    """Another user's phone: nobody else may unsubscribe it."""
    device = PushSubscription(
        user_id=world.foreign_user.id,
        endpoint="https://push.example.invalid/walk-foreign-device",
        p256dh="BOr" + "A" * 84,
        auth="A" * 22,
        label="Fremmed telefon",
    )
    db.session.add(device)
    db.session.flush()
    return device.id
