"""EPDS item 10 screenings that need action today: which district each belongs to.

The reminders' source (sources.urgent_screenings) and the leader's list the reminder opens
(routes.urgent_screenings) read the same rows, so the list always shows what the
notification counted. A screening belongs to the nurse's district (her first health-visitor
membership), or else to the child's health district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from app import clock
from app.auth.models import Membership
from app.auth.roles import Role
from app.extensions import db
from app.org.models import Unit


@dataclass(frozen=True)
class Item10:
    visit_id: int
    child_id: int
    nurse_id: int | None
    unit_id: int
    visit_date: date
    created_at: datetime | None

    @property
    def on(self) -> date:
        """When it became news: the visit's day, or the day it was recorded (synced late)."""
        recorded = clock.local_date(self.created_at) if self.created_at else self.visit_date
        return max(self.visit_date, recorded)


def item10_since(since: date, child_ids=None) -> list[Item10]:
    """Visits with EPDS item 10 answered other than "never", dated or recorded from `since`
    on, each with its district; `child_ids` (a select) limits them to children one may see."""
    from app.children.models import Enrolment
    from app.org.models import UnitKind
    from app.visits.models import Visit

    query = select(
        Visit.id, Visit.nurse_id, Visit.child_id, Visit.visit_date, Visit.created_at
    ).where(
        Visit.epds_self_harm.is_(True),
        or_(Visit.visit_date >= since, Visit.created_at >= clock.local_midnight(since)),
    )
    if child_ids is not None:
        query = query.where(Visit.child_id.in_(child_ids))
    rows = db.session.execute(query).all()
    if not rows:
        return []
    nurse_units: dict[int, int] = {}
    for user_id, unit_id in db.session.execute(
        select(Membership.user_id, Membership.unit_id)
        .where(
            Membership.role == Role.SUNDHEDSPLEJERSKE,
            Membership.user_id.in_({r.nurse_id for r in rows if r.nurse_id}),
        )
        .order_by(Membership.id)
    ):
        nurse_units.setdefault(user_id, unit_id)
    districts: dict[int, int] = {}
    for child_id, unit_id in db.session.execute(
        select(Enrolment.child_id, Enrolment.unit_id)
        .join(Unit, Unit.id == Enrolment.unit_id)
        .where(
            Enrolment.child_id.in_({r.child_id for r in rows}),
            Unit.kind == UnitKind.SUNDHEDSPLEJEDISTRIKT,
        )
        .order_by(Enrolment.start_date)
    ):
        districts[child_id] = unit_id
    found = []
    for r in rows:
        unit_id = nurse_units.get(r.nurse_id) or districts.get(r.child_id)
        if unit_id is not None:
            found.append(Item10(r.id, r.child_id, r.nurse_id, unit_id, r.visit_date, r.created_at))
    return found


@dataclass
class UrgentRow:
    visit: object  # app.visits.models.Visit, with child, nurse and actions loaded
    on: date

    @property
    def acted(self) -> bool:
        return bool(self.visit.actions)


def look_back(unit_id: int) -> int:
    """Days the leader's list reaches back: the unit's `recent_days`, at least URGENT_DAYS."""
    from app.org.models import Area, Municipality
    from app.reminders.rules import URGENT_DAYS
    from app.reminders.sources import settings_or_defaults

    raw = db.session.scalar(
        select(Municipality.settings)
        .join(Area, Area.municipality_id == Municipality.id)
        .join(Unit, Unit.area_id == Area.id)
        .where(Unit.id == unit_id)
    )
    return max(URGENT_DAYS, settings_or_defaults(raw).recent_days)


def rows_for(user, unit_id: int, since: date, today: date) -> list[UrgentRow]:
    """The district's item 10 screenings from `since` on, of children the user sees (the
    caller has checked that he leads the district), newest first."""
    from sqlalchemy.orm import selectinload

    from app.children.scoping import visible_child_ids
    from app.visits.models import Visit

    found = [r for r in item10_since(since, visible_child_ids(user, today)) if r.unit_id == unit_id]
    if not found:
        return []
    visits = {
        v.id: v
        for v in db.session.scalars(
            select(Visit)
            .where(Visit.id.in_({r.visit_id for r in found}))
            .options(
                selectinload(Visit.child), selectinload(Visit.nurse), selectinload(Visit.actions)
            )
        )
    }
    found.sort(key=lambda r: (r.on, r.visit_date, r.visit_id), reverse=True)
    return [UrgentRow(visits[r.visit_id], r.on) for r in found]
