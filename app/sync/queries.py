"""Reads: the conflicts a user may see and decide."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from app.auth.roles import Role
from app.children.models import Child
from app.children.scoping import child_scope
from app.sync.models import Conflict


def visible_conflicts(user, *, open_only: bool = True) -> Select[tuple[Conflict]]:
    """Conflicts the user authored, and for a leader those about children in his units."""
    if not getattr(user, "is_authenticated", False):
        return select(Conflict).where(false())
    condition = Conflict.created_by_id == user.id
    if Role.LEDER in user.roles:
        in_scope = select(Child.id).where(child_scope(user))
        condition = or_(condition, Conflict.child_id.in_(in_scope))
    query = select(Conflict).where(condition)
    if open_only:
        query = query.where(Conflict.resolved_at.is_(None))
    return query.order_by(Conflict.created_at.desc(), Conflict.id.desc())
