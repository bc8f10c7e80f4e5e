"""Staff users (medarbejdere), memberships of units, and invitation links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, Enum, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.roles import Role
from app.extensions import db
from app.models import Timestamped, utcnow


class User(UserMixin, Timestamped, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Certified for ADBB and similar qualifications, e.g. {"adbb": true}.
    qualifications: Mapped[dict] = mapped_column(JSON, default=dict)
    # Bumped on logout/password change: invalidates sessions on every device.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: the session token ends old sessions on logout
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def unit_ids(self, *roles: Role) -> set[int]:
        return {m.unit_id for m in self.memberships if not roles or m.role in roles}

    @property
    def primary_role(self) -> Role | None:
        """The role whose home screen the user gets: leader first, then the Role order."""
        if Role.LEDER in self.roles:
            return Role.LEDER
        return next((r for r in Role if r in self.roles), None)

    def __str__(self) -> str:
        return self.name


class Membership(Timestamped, db.Model):
    """A user's role in a unit. A dagplejer's membership names her dagplejepædagog."""

    __table_args__ = (UniqueConstraint("user_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    unit = relationship("Unit")
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])


class Invitation(Timestamped, db.Model):
    """A one-time link to set a password. Only a hash of the token is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, days: int, by: User | None = None) -> tuple[Invitation, str]:
        token = secrets.token_urlsafe(32)
        invitation = cls(
            user=user,
            token_hash=cls.hash_token(token),
            expires_at=utcnow() + timedelta(days=days),
            created_by_id=by.id if by else None,
        )
        db.session.add(invitation)
        return invitation, token

    @classmethod
    def find_valid(cls, token: str) -> Invitation | None:
        invitation = db.session.scalar(select(cls).where(cls.token_hash == cls.hash_token(token)))
        if invitation is None or invitation.used_at is not None:
            return None
        expires = invitation.expires_at
        if expires.tzinfo is None:  # SQLite returns naive datetimes
            from datetime import UTC

            expires = expires.replace(tzinfo=UTC)
        return invitation if expires > utcnow() else None
