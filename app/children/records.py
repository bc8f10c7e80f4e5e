"""Which of a child's wellbeing records a viewer sees, for the areas that show them
(assessments; courses of action with their plans, meetings, sparring and underretninger).

Seeing the child is not enough: a record made in another unit is seen only with the parents'
consent on a transition schema (the rule is app/transitions/sharing.py, read here only when
that area is installed; without it nothing is handed over). Lists use `own_scope` (the
viewer's own units, one SQL condition); a child's page and a record's page use `record_scope`,
which adds what a handover shared, read once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.util import find_spec

from sqlalchemy import ColumnElement, false, or_

from app import clock
from app.children.scoping import record_unit_ids
from app.request_memo import memo
from app.transitions.sharing import sees_record


@dataclass(frozen=True)
class RecordScope:
    user_id: int | None
    own_units: frozenset[int]
    shared_before: date | None = None  # records dated before this day were handed over

    def sees(self, unit_id: int | None, on: date, author_id: int | None = None) -> bool:
        return sees_record(
            unit_id,
            on,
            own_units=self.own_units,
            shared_before=self.shared_before,
            by_viewer=author_id is not None and author_id == self.user_id,
        )

    def condition(self, unit_col, on_col, author_col=None) -> ColumnElement[bool]:
        """`sees` as SQL on a record's columns: unit sets and dates, no per-row subquery."""
        parts = []
        if self.own_units:
            parts.append(unit_col.in_(self.own_units))
        if self.shared_before is not None:
            parts.append(on_col < self.shared_before)
        if author_col is not None and self.user_id is not None:
            parts.append(author_col == self.user_id)
        return or_(*parts) if parts else false()


def _transitions_installed() -> bool:
    from app import AREAS

    return "transitions" in AREAS and find_spec("app.transitions.models") is not None


def own_scope(user) -> RecordScope:
    """The records of the viewer's own units (and her own): what lists show."""
    return RecordScope(getattr(user, "id", None), frozenset(record_unit_ids(user)))


def _depends_on() -> tuple[type, ...]:
    from app.auth.models import Membership, User
    from app.children.models import Enrolment, Guardian
    from app.org.models import Unit

    models: tuple[type, ...] = (Membership, User, Unit, Enrolment, Guardian)
    if _transitions_installed():
        from app.transitions.models import TransitionConsent, TransitionSchema

        models += (TransitionSchema, TransitionConsent)
    return models


def record_scope(user, child_id: int, today: date | None = None) -> RecordScope:
    """What `user` sees of this child's records (kept for the request until the rows it was
    read from change: a withdrawal in the same request is seen at once)."""
    today = today or clock.today()
    kept = memo("children.record_scope", depends_on=_depends_on())
    key = (getattr(user, "id", None), int(child_id), today)
    if kept is not None and key in kept:
        return kept[key]
    scope = own_scope(user)
    if _transitions_installed() and getattr(user, "is_authenticated", False):
        from app.transitions.sharing import shared_before_for

        scope = RecordScope(
            scope.user_id, scope.own_units, shared_before_for(user, child_id, today)
        )
    if kept is not None:
        kept[key] = scope
    return scope
