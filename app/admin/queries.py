"""Read queries for the administration screens, built as select() where the caller decides."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.admin.scoping import administrable_children
from app.auth.models import Invitation, Membership, User
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.children.queries import filter_by_text
from app.extensions import db
from app.org.models import Area, Unit


def units_for_admin() -> Select[tuple[Unit]]:
    return (
        select(Unit)
        .options(selectinload(Unit.area), selectinload(Unit.parent))
        .order_by(Unit.active.desc(), Unit.name)
    )


def areas() -> Select[tuple[Area]]:
    return select(Area).order_by(Area.name)


def current_counts_by_unit(today: date) -> dict[int, int]:
    """How many children each unit has today: a number, not child data."""
    rows = db.session.execute(
        select(Enrolment.unit_id, func.count(func.distinct(Enrolment.child_id)))
        .where(
            Enrolment.start_date <= today,
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
        )
        .group_by(Enrolment.unit_id)
    )
    return dict(rows.all())


def staff(text: str = "", show_inactive: bool = False) -> Select[tuple[User]]:
    query = select(User).options(
        selectinload(User.memberships).selectinload(Membership.unit),
        selectinload(User.memberships).selectinload(Membership.supervisor),
    )
    if not show_inactive:
        query = query.where(User.active.is_(True))
    text = (text or "").strip().lower()
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    return query.order_by(User.name)


def open_invitations(user_ids: list[int]) -> dict[int, Invitation]:
    """The newest unused invitation per user (expired ones included: the list says so)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(Invitation)
        .where(Invitation.user_id.in_(user_ids), Invitation.used_at.is_(None))
        .order_by(Invitation.created_at)
    )
    return {inv.user_id: inv for inv in rows}


def members_with_role(role: Role, unit_ids: set[int] | None = None) -> Select[tuple[User]]:
    """Active users holding `role`, optionally only in `unit_ids` (for choices in forms)."""
    condition = and_(Membership.user_id == User.id, Membership.role == role)
    if unit_ids is not None:
        condition = and_(condition, Membership.unit_id.in_(unit_ids))
    return (
        select(User)
        .where(User.active.is_(True), select(Membership.id).where(condition).exists())
        .order_by(User.name)
    )


def dagplejer_memberships(unit_ids: set[int] | None) -> Select[tuple[Membership]]:
    """Dagplejer memberships in the given units (None: all), for the enrolment form."""
    query = (
        select(Membership)
        .join(User, Membership.user_id == User.id)
        .where(Membership.role == Role.DAGPLEJER, User.active.is_(True))
        .options(selectinload(Membership.user), selectinload(Membership.unit))
        .order_by(User.name)
    )
    if unit_ids is not None:
        query = query.where(Membership.unit_id.in_(unit_ids))
    return query


def find_children(user, text: str, limit: int = 25) -> Select[tuple[Child]]:
    """Search among the children `user` may administer (by name or birth date)."""
    return (
        filter_by_text(administrable_children(user), text)
        .options(selectinload(Child.enrolments).selectinload(Enrolment.unit))
        .order_by(Child.first_name, Child.last_name)
        .limit(limit)
    )


def invitation_status(user: User, invitation: Invitation | None) -> tuple[str, object]:
    """('password' | 'invited' | 'expired' | 'none', expiry) for the staff list."""
    from datetime import UTC

    from app.models import utcnow

    if user.password_hash:
        return "password", None
    if invitation is None:
        return "none", None
    expires = invitation.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive UTC
        expires = expires.replace(tzinfo=UTC)
    return ("invited" if expires > utcnow() else "expired"), expires
