"""Walk registrations for reminders (seeded by the foundation's route walk; the reminders area
owns this file from here on and adds factories for `notification_id` and `subscription_id`)."""

from __future__ import annotations

from tests.web.walk_ids import public

# Public by design (see their docstrings in app/reminders/routes.py): the VAPID public key, and
# `pushsubscriptionchange` from the service worker, which may run without a session.
public("reminders.public_key", "reminders.subscription_changed")
