"""Read queries for concerns, each a select() so the caller can count, paginate or list.

Used by the leader's overview and the child's timeline (assessments area) and by this area's
follow-up lists. `unit_ids` are the units whose courses count (the caller expands a leader's
units with descendant_unit_ids); the caller also applies child scoping where it lists children.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, func, literal, or_, select, union_all

from app.concerns.models import CourseOfAction, Meeting, PlanItem, SparringRequest, Underretning
from app.concerns.rules import Level

SERIOUS = (Level.GUL, Level.ROED, Level.AKUT)
DEFAULT_PLAN_DAYS = 7


def open_courses(unit_ids: Iterable[int]) -> Select[tuple[CourseOfAction]]:
    return select(CourseOfAction).where(
        CourseOfAction.status == "open", CourseOfAction.unit_id.in_(set(unit_ids))
    )


def without_plan(
    unit_ids: Iterable[int], today: date, days: int = DEFAULT_PLAN_DAYS
) -> Select[tuple[CourseOfAction]]:
    """Open yellow/red/acute courses opened at least `days` days ago with no action plan yet
    (no fokuspunkt). `days` is the municipality's `plan_within_days` (default 7)."""
    has_plan = exists().where(PlanItem.course_id == CourseOfAction.id)
    return (
        open_courses(unit_ids)
        .where(
            CourseOfAction.level.in_(SERIOUS),
            CourseOfAction.opened_on <= today - timedelta(days=days),
            ~has_plan,
        )
        .order_by(CourseOfAction.opened_on)
    )


def _overdue_item(today: date):
    return and_(
        PlanItem.course_id == CourseOfAction.id,
        PlanItem.done_on.is_(None),
        PlanItem.due_on < today,
    )


def overdue_follow_ups(unit_ids: Iterable[int], today: date) -> Select[tuple[CourseOfAction]]:
    """Open courses with a follow-up date before today, or an open plan item (fokuspunkt or an
    action agreed at a meeting) past its date. One row per course."""
    return (
        open_courses(unit_ids)
        .where(or_(CourseOfAction.follow_up_on < today, exists().where(_overdue_item(today))))
        .order_by(CourseOfAction.follow_up_on)
    )


def missing_receipts(unit_ids: Iterable[int], today: date) -> Select[tuple[Underretning]]:
    """Underretninger sent whose receipt was due (6 working days) before today and has not come."""
    return (
        select(Underretning)
        .where(
            Underretning.unit_id.in_(set(unit_ids)),
            Underretning.status == "sendt",
            Underretning.receipt_on.is_(None),
            Underretning.receipt_due_on < today,
        )
        .order_by(Underretning.receipt_due_on)
    )


def open_courses_for_child(child_id: int) -> Select[tuple[CourseOfAction]]:
    return (
        select(CourseOfAction)
        .where(CourseOfAction.child_id == child_id, CourseOfAction.status == "open")
        .order_by(CourseOfAction.opened_on.desc())
    )


def courses_for_child(child_id: int) -> Select[tuple[CourseOfAction]]:
    return (
        select(CourseOfAction)
        .where(CourseOfAction.child_id == child_id)
        .order_by(CourseOfAction.opened_on.desc(), CourseOfAction.id.desc())
    )


def meetings_for_child(child_id: int) -> Select[tuple[Meeting]]:
    return select(Meeting).where(Meeting.child_id == child_id).order_by(Meeting.id.desc())


def sparring_for_child(child_id: int) -> Select[tuple[SparringRequest]]:
    return (
        select(SparringRequest)
        .where(SparringRequest.child_id == child_id)
        .order_by(SparringRequest.asked_on.desc())
    )


def anonymous_sparring(unit_ids: Iterable[int]) -> Select[tuple[SparringRequest]]:
    return (
        select(SparringRequest)
        .where(SparringRequest.kind == "anonym", SparringRequest.unit_id.in_(set(unit_ids)))
        .order_by(SparringRequest.asked_on.desc(), SparringRequest.id.desc())
    )


def underretninger_for_child(child_id: int) -> Select[tuple[Underretning]]:
    return (
        select(Underretning)
        .where(Underretning.child_id == child_id)
        .order_by(Underretning.id.desc())
    )


def follow_up_rows(course_filter, until: date, user_id: int | None = None) -> Select:
    """Every follow-up due on or before `until` on open courses matching `course_filter` (a SQL
    condition on CourseOfAction): the courses' follow-up dates and the open plan items
    (fokuspunkter and meeting actions). With `user_id`: only the user's own (an item's
    responsible, or for an item without one and for the follow-up date, the course's
    tovholder). Rows: kind, course_id, child_id, item_id, due_on, text, responsible_id,
    meeting_id; sorted by date."""
    courses = select(
        literal("course").label("kind"),
        CourseOfAction.id.label("course_id"),
        CourseOfAction.child_id.label("child_id"),
        literal(None).label("item_id"),
        CourseOfAction.follow_up_on.label("due_on"),
        literal("").label("text"),
        CourseOfAction.responsible_id.label("responsible_id"),
        literal(None).label("meeting_id"),
    ).where(
        CourseOfAction.status == "open",
        CourseOfAction.follow_up_on.is_not(None),
        CourseOfAction.follow_up_on <= until,
        course_filter,
    )
    items = (
        select(
            literal("item"),
            PlanItem.course_id,
            CourseOfAction.child_id,
            PlanItem.id,
            PlanItem.due_on,
            PlanItem.action,
            func.coalesce(PlanItem.responsible_id, CourseOfAction.responsible_id),
            PlanItem.meeting_id,
        )
        .join(CourseOfAction, CourseOfAction.id == PlanItem.course_id)
        .where(
            CourseOfAction.status == "open",
            PlanItem.done_on.is_(None),
            PlanItem.due_on <= until,
            course_filter,
        )
    )
    both = union_all(courses, items).subquery()
    query = select(both).order_by(both.c.due_on, both.c.course_id, both.c.item_id)
    if user_id is not None:
        query = query.where(both.c.responsible_id == user_id)
    return query
