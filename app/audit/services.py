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
    channel: str = "online",
    occurred_at: datetime | None = None,
) -> None:
    user = user or current_user
    role = user.primary_role
    db.session.add(
        AccessLog(
            user_id=user.id,
            role=role.value if role else None,
            child_id=child_id,
            action=action,
            what=what,
            channel=channel,
            occurred_at=occurred_at,
        )
    )
