"""Reads: the nurse's agenda, a child's visits and growth. Queries are select() builders;
the few helpers that assemble view data say so."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.roles import Role
from app.children.models import Child
from app.children.scoping import child_visible
from app.extensions import db
from app.org.models import UnitKind
from app.visits import growth
from app.visits.models import ChildSexChange, PlannedVisit, Visit, VisitAction
from app.visits.programme import classify

COMING_DAYS = 7
# Rows per list on the home screen; the rest are one tap away ("Vis alle (N)"). Today's planned
# visits and registered visits still waiting for an urgent action are always shown in full.
HOME_LIMIT = 10


def may_see_health_records(user: User) -> bool:
    """Health-visit records are health data: the health visitors and their leaders see them,
    not the daycare staff who can see the same child."""
    if user.has_role(Role.SUNDHEDSPLEJERSKE):
        return True
    return any(
        m.role == Role.LEDER and m.unit.kind == UnitKind.SUNDHEDSPLEJEDISTRIKT
        for m in user.memberships
    )


def my_planned(user: User) -> Select[tuple[PlannedVisit]]:
    """Open planned visits assigned to the nurse, for children she can still see."""
    return (
        select(PlannedVisit)
        .where(
            PlannedVisit.nurse_id == user.id,
            PlannedVisit.status == "planlagt",
            child_visible(user, PlannedVisit.child_id),
        )
        .options(selectinload(PlannedVisit.child).selectinload(Child.guardians))
    )


def planned_between(user: User, first: date, last: date) -> Select[tuple[PlannedVisit]]:
    return (
        my_planned(user)
        .where(PlannedVisit.planned_date >= first, PlannedVisit.planned_date <= last)
        .order_by(
            PlannedVisit.planned_date,
            PlannedVisit.planned_time.is_(None),
            PlannedVisit.planned_time,
            PlannedVisit.id,
        )
    )


def done_today(user: User, today: date) -> Select[tuple[Visit]]:
    return (
        select(Visit)
        .where(Visit.nurse_id == user.id, Visit.visit_date == today)
        .options(selectinload(Visit.child))
        .order_by(Visit.visit_time.is_(None), Visit.visit_time, Visit.id)
    )


def overdue(user: User, today: date) -> Select[tuple[PlannedVisit]]:
    """Date passed without a record, and (for programme visits) the window still open."""
    return (
        my_planned(user)
        .where(
            PlannedVisit.planned_date < today,
            or_(
                PlannedVisit.source != "program",
                PlannedVisit.window_end.is_(None),
                PlannedVisit.window_end >= today,
            ),
        )
        .order_by(PlannedVisit.planned_date, PlannedVisit.id)
    )


def covered_in_window():
    """A visit of the contact's type recorded inside its window: a catch-up visit (a needs
    visit or another record of that type) covers the contact that was missed."""
    return exists().where(
        Visit.child_id == PlannedVisit.child_id,
        Visit.visit_type == PlannedVisit.visit_type,
        Visit.visit_date >= PlannedVisit.window_start,
        Visit.visit_date <= PlannedVisit.window_end,
    )


def gaps(user: User, today: date, lookback_days: int) -> Select[tuple[PlannedVisit]]:
    """Programme contacts whose window closed without a visit of their type. One marked not
    carried out becomes a gap when its window closes: until then it may be planned again."""
    return (
        select(PlannedVisit)
        .where(
            PlannedVisit.nurse_id == user.id,
            PlannedVisit.source == "program",
            child_visible(user, PlannedVisit.child_id),
            PlannedVisit.window_end >= today - timedelta(days=lookback_days),
            # IN first: the index on (nurse, status) then skips the visits carried out.
            PlannedVisit.status.in_(("ikke_gennemfoert", "planlagt")),
            PlannedVisit.window_end < today,
            ~covered_in_window(),
        )
        .options(selectinload(PlannedVisit.child))
        .order_by(PlannedVisit.window_end, PlannedVisit.id)
    )


def action_missing():
    return and_(
        Visit.epds_self_harm.is_(True),
        ~exists().where(VisitAction.visit_id == Visit.id),
    )


def needs_action_today(user: User, today: date) -> Select[tuple[Visit]]:
    """Visits registered today with self-harm thoughts in the EPDS and no action recorded."""
    return done_today(user, today).where(action_missing())


def others_done_today(user: User, today: date) -> Select[tuple[Visit]]:
    """The rest of today's records, latest registered first."""
    return done_today(user, today).where(~action_missing()).order_by(None).order_by(Visit.id.desc())


@dataclass
class Capped:
    """The first rows of a list and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


def capped(query: Select, limit: int | None) -> Capped:
    """Up to `limit` rows (all with None); counted in SQL only when there are more."""
    if limit is None:
        items = list(db.session.scalars(query))
        return Capped(items, len(items))
    items = list(db.session.scalars(query.limit(limit + 1)))
    if len(items) <= limit:
        return Capped(items, len(items))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Capped(items[:limit], total)


def gaps_by_child(user: User, today: date, lookback_days: int, limit: int | None) -> Capped:
    """Children with gaps, by name, each with its gaps (few rows: a window of lookback days)."""
    by_child: dict[int, tuple[Child, list[PlannedVisit]]] = {}
    for planned in db.session.scalars(gaps(user, today, lookback_days)):
        by_child.setdefault(planned.child_id, (planned.child, []))[1].append(planned)
    children = sorted(by_child.values(), key=lambda item: item[0].name)
    return Capped(children[:limit] if limit is not None else children, len(children))


def coming(user: User, today: date) -> Select[tuple[PlannedVisit]]:
    return planned_between(user, today + timedelta(days=1), today + timedelta(days=COMING_DAYS))


@dataclass
class Agenda:
    today: list[PlannedVisit]
    needs_action: list[Visit]
    done_today: Capped  # sorted by time for the page
    coming: Capped
    overdue: Capped
    gaps_by_child: Capped


def agenda(user: User, today: date, lookback_days: int, limit: int | None = HOME_LIMIT) -> Agenda:
    """The nurse's home screen (assembles the lists), each list capped at `limit` rows."""
    done = capped(others_done_today(user, today), limit)
    done.items.sort(key=lambda v: (v.visit_time is None, v.visit_time or 0, v.id))
    return Agenda(
        today=db.session.scalars(planned_between(user, today, today)).all(),
        needs_action=db.session.scalars(needs_action_today(user, today)).all(),
        done_today=done,
        coming=capped(coming(user, today), limit),
        overdue=capped(overdue(user, today), limit),
        gaps_by_child=gaps_by_child(user, today, lookback_days, limit),
    )


def child_planned(child_id: int) -> Select[tuple[PlannedVisit]]:
    return (
        select(PlannedVisit)
        .where(PlannedVisit.child_id == child_id)
        .options(selectinload(PlannedVisit.record), selectinload(PlannedVisit.changes))
        .order_by(PlannedVisit.planned_date, PlannedVisit.id)
    )


def child_visits(child_id: int) -> Select[tuple[Visit]]:
    """The child's visit records, newest first."""
    return (
        select(Visit)
        .where(Visit.child_id == child_id)
        .options(selectinload(Visit.nurse), selectinload(Visit.actions))
        .order_by(Visit.visit_date.desc(), Visit.visit_time.desc(), Visit.id.desc())
    )


def sex_changes(child_id: int) -> Select[tuple[ChildSexChange]]:
    """Changes of the child's sex for growth, oldest first."""
    return (
        select(ChildSexChange)
        .where(ChildSexChange.child_id == child_id)
        .options(selectinload(ChildSexChange.changed_by), selectinload(ChildSexChange.visit))
        .order_by(ChildSexChange.id)
    )


def status_of(planned: PlannedVisit, today: date) -> str:
    return classify(planned.status, planned.planned_date, planned.window_end, planned.source, today)


@dataclass
class Growth:
    sex: str | None
    series: dict[str, list[growth.Point]] = field(default_factory=dict)
    flags: list[growth.Flag] = field(default_factory=list)

    @property
    def has_points(self) -> bool:
        return any(self.series.values())


def child_growth(child: Child, sex: str | None) -> Growth:
    """Every measurement of the child against WHO 2006, oldest first, with the flags."""
    visits = db.session.scalars(
        select(Visit)
        .where(Visit.child_id == child.id)
        .order_by(Visit.visit_date, Visit.visit_time, Visit.id)
    ).all()
    result = Growth(sex=sex, series={"weight": [], "length": [], "head": []})
    for visit in visits:
        for measure, value, position in (
            ("weight", visit.weight_kg, None),
            ("length", visit.length_cm, visit.length_position),
            ("head", visit.head_cm, None),
        ):
            if value is None:
                continue
            result.series[measure].append(
                growth.make_point(
                    measure,
                    visit.visit_date,
                    value,
                    child.birth_date,
                    child.gestational_age_weeks,
                    sex,
                    position,
                )
            )
    result.flags = growth.growth_flags(result.series)
    return result
