"""Each child's assessment status for a list ("Mine børn"): position, trend, next due, to-dos.

A fixed number of queries for any number of children; due dates are computed by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.assessments import rules, settings
from app.assessments.models import Assessment
from app.assessments.positions import Position
from app.assessments.queries import (
    last_concluded_per_unit,
    latest_positions,
    pending_individuals_for,
)
from app.auth.models import Membership, User
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.children.records import own_scope
from app.children.scoping import scoped_unit_ids
from app.extensions import db
from app.org.models import UnitKind


@dataclass
class ChildStatus:
    child: Child
    enrolment: Enrolment | None
    position: Position | None = None
    assessed_on: date | None = None
    latest_id: int | None = None
    trend: str | None = None
    due: date | None = None
    overdue: bool = False
    due_soon: bool = False
    pending: int = 0
    mine_pending: bool = False
    minimum: int = 2
    # A dagplejepædagog in a dagpleje makes the joint assessment with the dagplejer, after hers.
    joint_only: bool = False
    todo: list[str] = field(default_factory=list)

    @property
    def unit(self):
        return self.enrolment.unit if self.enrolment else None


@dataclass
class UserUnits:
    """What decides which of a child's enrolments a user works in."""

    user_id: int
    units: set[int]
    supervised: set[int]
    nurse: bool

    @classmethod
    def of(cls, user: User) -> UserUnits:
        supervised: set[int] = set()
        if Role.DAGPLEJEPAEDAGOG in user.roles:
            supervised = set(
                db.session.scalars(
                    select(Membership.user_id).where(
                        Membership.supervisor_id == user.id, Membership.role == Role.DAGPLEJER
                    )
                )
            )
        return cls(user.id, scoped_unit_ids(user), supervised, Role.SUNDHEDSPLEJERSKE in user.roles)

    def pick(self, child: Child, today: date) -> Enrolment | None:
        current = [e for e in child.enrolments if e.is_current(today)]
        if not current:
            return None

        def score(e: Enrolment) -> tuple[int, int]:
            own = (
                e.unit_id in self.units
                or (e.dagplejer_id is not None and e.dagplejer_id == self.user_id)
                or e.dagplejer_id in self.supervised
            )
            district = e.unit.kind is UnitKind.SUNDHEDSPLEJEDISTRIKT
            return (0 if own else 1, 0 if district == self.nurse else 1)

        return min(current, key=score)


def child_statuses(
    user: User, children: list[Child], today: date, without_plan: set[int] | None = None
) -> list[ChildStatus]:
    """Statuses for `children` (enrolments and units already loaded)."""
    if not children:
        return []
    ids = [c.id for c in children]
    latest: dict[int, dict[int, tuple]] = {}
    # Positions from the user's own units only: another unit's need the parents' consent, and
    # a child new here is "not assessed" until assessed here (the child's page shows what a
    # handover shared).
    own = own_scope(user).condition(
        Assessment.unit_id, Assessment.assessed_on, Assessment.assessor_id
    )
    for row in db.session.execute(latest_positions(ids, depth=2, visible=own)):
        latest.setdefault(row.child_id, {})[row.rn] = row
    last_in_unit = {
        (child_id, unit_id): last
        for child_id, unit_id, last in db.session.execute(last_concluded_per_unit(ids))
    }
    pending_rows: dict[tuple[int, int], list] = {}
    for row in db.session.execute(pending_individuals_for(ids)):
        pending_rows.setdefault((row.child_id, row.unit_id), []).append(row)
    who = UserUnits.of(user)
    supervisor = Role.DAGPLEJEPAEDAGOG in user.roles and not (
        user.roles & {Role.DAGPLEJER, Role.PAEDAGOG}
    )
    schedules: dict[str, rules.Schedule] = {}
    without_plan = without_plan or set()
    statuses = []
    for child in children:
        enrolment = who.pick(child, today)
        status = ChildStatus(child, enrolment)
        mine = latest.get(child.id, {})
        if 1 in mine:
            status.position = Position(mine[1].position)
            status.assessed_on = mine[1].assessed_on
            status.latest_id = mine[1].id
            if 2 in mine:
                status.trend = rules.trend(mine[1].position, mine[2].position)
        if enrolment is not None:
            unit = enrolment.unit
            kind = unit.kind.value
            if kind not in schedules:
                schedules[kind] = settings.schedule_for(unit.municipality, unit.kind)
            schedule = schedules[kind]
            last = last_in_unit.get((child.id, unit.id))
            if last is not None and last < enrolment.start_date:
                last = None
            status.due = rules.next_due(schedule, child.birth_date, enrolment.start_date, last)
            status.overdue = rules.is_overdue(status.due, today)
            round_ = rules.current_round(schedule, today) if schedule.has_rounds else None
            status.due_soon = rules.due_soon(status.due, today, round_)
            since = last or enrolment.start_date
            pending = [
                r for r in pending_rows.get((child.id, unit.id), ()) if r.assessed_on >= since
            ]
            status.pending = len(pending)
            status.mine_pending = any(r.assessor_id == user.id for r in pending)
            status.minimum = rules.minimum_individual(
                unit.kind.is_dagpleje, settings.minimum_config(unit.municipality)
            )
            status.joint_only = supervisor and unit.kind.is_dagpleje
        status.todo = todo(status, child.id in without_plan)
        statuses.append(status)
    return statuses


def todo(status: ChildStatus, without_plan: bool) -> list[str]:
    """What needs doing, most urgent first (codes; the template words them)."""
    items = []
    if status.overdue:
        items.append("overdue")
    if status.pending >= status.minimum and status.pending:
        items.append("joint")
    elif status.joint_only and (status.overdue or status.due_soon):
        items.append("waiting_dagplejer")
    elif (status.overdue or status.due_soon) and not status.mine_pending:
        items.append("own")
    elif status.mine_pending:
        items.append("waiting")
    if without_plan and status.position is not None and status.position.needs_course_of_action:
        items.append("plan")
    return items


URGENCY = {"overdue": 0, "plan": 1, "joint": 2, "own": 3, "waiting": 4, "waiting_dagplejer": 4}


def by_urgency(statuses: list[ChildStatus]) -> list[ChildStatus]:
    def key(s: ChildStatus):
        first = min((URGENCY[t] for t in s.todo), default=9)
        return (first, s.due or date.max, s.child.first_name, s.child.last_name)

    return sorted(statuses, key=key)
