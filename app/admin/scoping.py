"""Who may administer which children and units (registration, enrolments, caseloads).

This is the one deliberate exception to `app.children.scoping`, and it is narrow:

- an administrator works municipality-wide, as the municipality's pladsanvisning does: he can
  find any child by name or birth date and register, enrol, move or end enrolments and assign
  health visitors. He sees only what that needs (name, birth date, enrolments, caseload): never
  the CPR number, guardians' details or anything the professionals record;
- a leader administers the children with a current or coming enrolment in the units he leads
  (and the units below them), and enrols or moves children only into those units.

Every view and change made here is written to the access log.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import Select, exists, false, or_, select

from app import clock
from app.auth.models import User
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.extensions import db
from app.org.models import Unit
from app.org.queries import descendant_unit_ids


def can_administer_children(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or user.has_role(Role.LEDER)
    )


def led_unit_ids(user: User) -> set[int]:
    return descendant_unit_ids(user.unit_ids(Role.LEDER))


def administrable_children(user: User, today: date | None = None) -> Select[tuple[Child]]:
    """select() of the children `user` may register, enrol, move or assign a nurse to."""
    if not can_administer_children(user):
        return select(Child).where(false())
    if user.is_admin:
        return select(Child)
    today = today or clock.today()
    unit_ids = led_unit_ids(user)
    return select(Child).where(
        exists().where(
            Enrolment.child_id == Child.id,
            Enrolment.unit_id.in_(unit_ids),
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
        )
    )


def get_administrable_child_or_404(user: User, child_id: int) -> Child:
    child = db.session.scalar(administrable_children(user).where(Child.id == child_id))
    if child is None:
        abort(404)
    return child


def manageable_unit_ids(user: User) -> set[int] | None:
    """Units whose enrolments `user` may start, end or move; None means every unit."""
    if user.is_admin:
        return None
    return led_unit_ids(user)


def may_manage_unit(user: User, unit_id: int) -> bool:
    allowed = manageable_unit_ids(user)
    return allowed is None or unit_id in allowed


def target_units(user: User) -> Select[tuple[Unit]]:
    """Active units `user` may enrol a child into."""
    query = select(Unit).where(Unit.active.is_(True))
    allowed = manageable_unit_ids(user)
    if allowed is not None:
        query = query.where(Unit.id.in_(allowed))
    return query.order_by(Unit.name)


def sees_child_details(user: User, child_id: int, today: date | None = None) -> bool:
    """Guardians and the full CPR number are shown in the administration only to a leader of the
    child's unit, never to an administrator as such."""
    if not user.has_role(Role.LEDER):
        return False
    today = today or clock.today()
    query = select(
        exists().where(
            Enrolment.child_id == child_id,
            Enrolment.unit_id.in_(led_unit_ids(user)),
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
        )
    )
    return bool(db.session.scalar(query))
