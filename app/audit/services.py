"""Writing the access log. Called by every view and change of a child's data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from app.audit.models import AccessLog
from app.extensions import db

_PENDING = "opspor.access_log"
READS = frozenset({"view", "print", "export"})


def log_access(
    child_id: int,
    action: str,
    what: str | Callable[[], str] = "child",
    *,
    user=None,
    role: str | None = None,
    channel: str = "online",
    occurred_at: datetime | None = None,
) -> None:
    """Record that `user` (default: the current user) did `action` on `what` of a child.

    `role` is the role the user acted in; by default the user's primary role, or
    "administrator" for an administrator without a unit role. Never put CPR numbers in `what`.
    `what` may be a function that gives it, for a record not flushed yet (its id is still
    unknown): it is called when the row is written, after a flush.
    """
    user = user or current_user
    if role is None:
        primary = user.primary_role
        role = primary.value if primary else ("administrator" if user.is_admin else None)
    row = {
        "user_id": user.id,
        "role": role,
        "child_id": child_id,
        "action": action,
        "what": what,
        "channel": channel,
        "occurred_at": occurred_at,
    }
    if has_request_context():
        # Written when the request commits (write_pending), not at the next autoflush: on
        # SQLite the first insert takes the database's single write lock, and a page that
        # logged its read at the start would hold it for its whole rendering, making every
        # save on the server wait for it.
        request.environ.setdefault(_PENDING, []).append(row)
    else:
        db.session.add(AccessLog(**_resolved([row])[0]))


def _resolved(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any(callable(row["what"]) for row in rows):
        db.session.flush()  # the records the functions name get their ids
    return [{**row, "what": _what(row["what"])} for row in rows]


def _what(what: str | Callable[[], str]) -> str:
    return what() if callable(what) else what


def write_pending() -> None:
    """Write this request's access-log rows (the request commits next), in one executemany."""
    rows = request.environ.pop(_PENDING, None)
    if rows:
        db.session.execute(insert(AccessLog), _resolved(rows))


def leave_pending() -> None:
    """Add this request's access-log rows to the session, for whoever commits it."""
    rows = request.environ.pop(_PENDING, None)
    if rows:
        db.session.add_all([AccessLog(**row) for row in _resolved(rows)])


def pending_count() -> int:
    """How many rows this request has logged so far (see drop_pending)."""
    return len(request.environ.get(_PENDING, ()))


def drop_pending(keep: int = 0) -> None:
    """Forget the rows logged after the first `keep`: their changes were rolled back (all of
    them when a request failed)."""
    rows = request.environ.get(_PENDING)
    if rows is not None:
        del rows[keep:]


def keep_reads_only() -> None:
    """Forget this request's logged changes (rolled back) but keep its reads: a form shown
    again with its errors still showed the child's data."""
    rows = request.environ.get(_PENDING)
    if rows is not None:
        rows[:] = [row for row in rows if row["action"] in READS]
