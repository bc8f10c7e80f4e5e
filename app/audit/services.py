"""Writing the access log. Called by every view and change of a child's data."""

from __future__ import annotations

from datetime import datetime

from flask_login import current_user

from app.audit.models import AccessLog
from app.extensions import db


def log_access(
    child_id: int,
    action: str,
    what: str = "child",
    *,
    user=None,
    role: str | None = None,
    channel: str = "online",
    occurred_at: datetime | None = None,
) -> None:
    """Record that `user` (default: the current user) did `action` on `what` of a child.

    `role` is the role the user acted in; by default the user's primary role, or
    "administrator" for an administrator without a unit role. Never put CPR numbers in `what`.
    """
    user = user or current_user
    if role is None:
        primary = user.primary_role
        role = primary.value if primary else ("administrator" if user.is_admin else None)
    db.session.add(
        AccessLog(
            user_id=user.id,
            role=role,
            child_id=child_id,
            action=action,
            what=what,
            channel=channel,
            occurred_at=occurred_at,
        )
    )
