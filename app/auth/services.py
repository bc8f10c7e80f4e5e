"""Login attempts: per-account failure limit kept in the rate limiter's storage
(memory in the demo, Redis in production so the limit holds across server processes)."""

from __future__ import annotations

from flask import current_app
from limits import parse
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.extensions import db, limiter

# Verify against a real hash even for unknown accounts, so timing does not reveal them.
_DUMMY_HASH = hash_password("not-a-real-password")


def _failure_limit():
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


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
