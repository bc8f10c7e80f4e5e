"""Writing the access log. Called by every view and change of a child's data."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user

from app.audit.models import AccessLog
from app.extensions import db

_PENDING = "opspor.access_log"


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
    row = AccessLog(
        user_id=user.id,
        role=role,
        child_id=child_id,
        action=action,
        what=what,
        channel=channel,
        occurred_at=occurred_at,
    )
    if has_request_context():
        # Written when the request commits (write_pending), not at the next autoflush: on
        # SQLite the first insert takes the database's single write lock, and a page that
        # logged its read at the start would hold it for its whole rendering, making every
        # save on the server wait for it.
        request.environ.setdefault(_PENDING, []).append(row)
    else:
        db.session.add(row)


def write_pending() -> None:
    """Add this request's access-log rows to the session (the request commits next)."""
    rows = request.environ.pop(_PENDING, None)
    if rows:
        db.session.add_all(rows)


def drop_pending() -> None:
    """A request that failed logs nothing: its changes are rolled back too."""
    request.environ.pop(_PENDING, None)
