"""Login attempts: per-account failure limit kept in the rate limiter's storage
(memory in the demo, Redis in production so the limit holds across server processes)."""

from __future__ import annotations

import secrets

from flask import current_app
from limits import parse
from sqlalchemy import func, select, update

from app.auth.models import Invitation, User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.extensions import db, limiter
from app.models import utcnow

# Verify against a real hash even for unknown accounts, so timing does not reveal them.
_DUMMY_HASH = hash_password("not-a-real-password")


def _failure_limit():
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def lockout_minutes() -> int:
    """How long the failure window is, for the Danish message (at least one minute)."""
    return max(1, _failure_limit().get_expiry() // 60)


def is_locked(email: str) -> bool:
    return not limiter.limiter.test(_failure_limit(), "login-failure", email.lower())


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (and the failure is counted)."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if not (ok and user and user.active):
        limiter.limiter.hit(_failure_limit(), "login-failure", email)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(invitation: Invitation, password: str) -> None:
    """Use an invitation: the password is set, the link and any other open link stop working,
    and sessions elsewhere end."""
    user = invitation.user
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    now = utcnow()
    invitation.used_at = now
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.id != invitation.id,
        )
        .values(expires_at=now)
    )
    db.session.flush()
