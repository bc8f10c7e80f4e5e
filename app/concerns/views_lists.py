"""Follow-up lists ("Mine opfølgninger", per unit) and the child-page section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.audit.services import log_access
from app.children.models import Child
from app.children.records import own_scope, record_scope
from app.children.scoping import visible_child_ids
from app.concerns import queries, services, sharing
from app.concerns.models import CourseOfAction, Meeting, PlanItem, SparringRequest, Underretning
from app.concerns.routes import bp
from app.extensions import db
from app.org.models import Unit
from app.org.queries import descendant_unit_ids
from app.request_memo import memo
from app.security import login_required


@dataclass
class FollowUp:
    kind: str  # "course" (its follow-up date) | "item" (a fokuspunkt or a meeting action)
    due_on: date
    state: str  # overdue | due
    course: CourseOfAction
    item: PlanItem | None

    @property
    def child(self) -> Child:
        return self.course.child


def load_follow_ups(rows, today: date) -> list[FollowUp]:
    """Turn follow_up_rows() into objects with two queries, whatever the number of rows."""
    course_ids = {r.course_id for r in rows}
    item_ids = {r.item_id for r in rows if r.item_id}
    courses = {
        c.id: c
        for c in db.session.scalars(
            select(CourseOfAction)
            .where(CourseOfAction.id.in_(course_ids))
            .options(selectinload(CourseOfAction.child), selectinload(CourseOfAction.unit))
        )
    }
    items = {
        i.id: i
        for i in db.session.scalars(
            select(PlanItem)
            .where(PlanItem.id.in_(item_ids))
            .options(selectinload(PlanItem.responsible), selectinload(PlanItem.meeting))
        )
    }
    return [
        FollowUp(
            kind=r.kind,
            due_on=r.due_on,
            state="overdue" if r.due_on < today else "due",
            course=courses[r.course_id],
            item=items.get(r.item_id),
        )
        for r in rows
    ]


def _log_children(child_ids) -> None:
    for child_id in sorted(set(child_ids)):
        log_access(child_id, "view", "follow-ups")


@bp.get("/opfoelgning")
@login_required
def follow_ups():
    """Mine opfølgninger: the user's own follow-ups, overdue and due within the window."""
    today = clock.today()
    settings = services.settings_for_user(current_user)
    until = date.fromordinal(today.toordinal() + settings.follow_up_window_days)
    rows = db.session.execute(
        queries.follow_up_rows(
            CourseOfAction.child_id.in_(visible_child_ids(current_user)), until, current_user.id
        )
    ).all()
    items = load_follow_ups(rows, today)
    _log_children(f.course.child_id for f in items)
    return render_template(
        "concerns/follow_ups.html",
        items=items,
        today=today,
        window=settings.follow_up_window_days,
        has_units=bool(current_user.unit_ids()),
    )


@bp.get("/opfoelgning/enheder")
@login_required
def unit_follow_ups():
    """Per unit: follow-ups due and overdue, yellow/red without a plan, missing receipts.

    `unit_id` narrows it to one unit (and those below); the leader's overview links here.
    """
    today = clock.today()
    settings = services.settings_for_user(current_user)
    mine = descendant_unit_ids(current_user.unit_ids())
    units = db.session.scalars(select(Unit).where(Unit.id.in_(mine)).order_by(Unit.name)).all()
    chosen = request.args.get("unit_id", type=int)
    unit_ids = descendant_unit_ids([chosen]) & mine if chosen in mine else mine
    visible = visible_child_ids(current_user)
    until = date.fromordinal(today.toordinal() + settings.follow_up_window_days)
    in_units = CourseOfAction.unit_id.in_(unit_ids) & CourseOfAction.child_id.in_(visible)
    items = load_follow_ups(
        db.session.execute(queries.follow_up_rows(in_units, until)).all(), today
    )
    without_plan = db.session.scalars(
        queries.without_plan(unit_ids, today, settings.plan_within_days)
        .where(CourseOfAction.child_id.in_(visible))
        .options(selectinload(CourseOfAction.child))
    ).all()
    receipts = db.session.scalars(
        queries.missing_receipts(unit_ids, today)
        .where(Underretning.child_id.in_(visible))
        .options(selectinload(Underretning.child))
    ).all()
    _log_children(
        [f.course.child_id for f in items]
        + [c.child_id for c in without_plan]
        + [u.child_id for u in receipts]
    )
    return render_template(
        "concerns/unit_follow_ups.html",
        items=items,
        without_plan=without_plan,
        receipts=receipts,
        units=units,
        chosen=chosen if chosen in mine else None,
        today=today,
        settings=settings,
    )


@dataclass
class ChildConcerns:
    courses: list
    meetings: list
    sparring: list
    underretninger: list
    open_course: CourseOfAction | None
    hidden: int = 0  # records from another unit the user does not see (no consent)


_CHILD_MODELS = (CourseOfAction, PlanItem, Meeting, SparringRequest, Underretning)


def child_summary(child: Child) -> ChildConcerns:
    """For the child-page section and the timeline beside it: the records the user sees
    (sharing.py), read once per request (the page itself logs the view)."""
    kept = memo("concerns.child_summary", depends_on=_CHILD_MODELS)
    if kept is not None and child.id in kept:
        return kept[child.id]
    scope = record_scope(current_user, child.id)
    every_course = db.session.scalars(
        queries.courses_for_child(child.id).options(selectinload(CourseOfAction.plan_items))
    ).all()
    courses = [c for c in every_course if sharing.sees_course(scope, c)]
    seen = {c.id for c in courses}
    lists = {
        "meetings": list(db.session.scalars(queries.meetings_for_child(child.id))),
        "sparring": list(db.session.scalars(queries.sparring_for_child(child.id))),
        "underretninger": list(db.session.scalars(queries.underretninger_for_child(child.id))),
    }
    shown = {
        "meetings": [m for m in lists["meetings"] if m.course_id in seen],
        "sparring": [
            s
            for s in lists["sparring"]
            if s.course_id in seen or (s.course_id is None and sharing.sees_sparring(scope, s))
        ],
        "underretninger": [
            u
            for u in lists["underretninger"]
            if u.course_id in seen or (u.course_id is None and sharing.sees_underretning(scope, u))
        ],
    }
    own = own_scope(current_user)
    hidden = len(every_course) - len(courses)
    hidden += sum(len(lists[k]) - len(shown[k]) for k in lists)
    summary = ChildConcerns(
        courses=courses,
        **shown,
        # The open course the user works on: her own units' (one handed over is read only).
        open_course=next(
            (c for c in courses if c.is_open and sharing.sees_course(own, c)),
            None,
        ),
        hidden=hidden,
    )
    if kept is not None:
        kept[child.id] = summary
    return summary
