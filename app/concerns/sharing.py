"""Which of a child's concerns records the user sees (app/children/records.py has the rule).

A course of action and everything on it (its plan, meetings, and the sparring and
underretninger made from it) goes with the course: the unit it was opened in, the day and who
opened it. Sparring and underretninger without a course go with their own unit and day. To
change a record it must be one of the user's own units' (or her own): a record another unit
handed over with the parents' consent is read only.
"""

from __future__ import annotations

from flask import request

from app.children.records import RecordScope, own_scope, record_scope
from app.concerns.models import CourseOfAction, Meeting, SparringRequest, Underretning
from app.extensions import db


def scope_for(user, child_id: int) -> RecordScope:
    """What the user sees of the child's records in this request; a write sees only her own."""
    if request.method in ("GET", "HEAD"):
        return record_scope(user, child_id)
    return own_scope(user)


def sees_course(scope: RecordScope, course: CourseOfAction) -> bool:
    return scope.sees(course.unit_id, course.opened_on, course.opened_by_id)


def sees_meeting(scope: RecordScope, meeting: Meeting) -> bool:
    return sees_course(scope, meeting.course)


def sees_sparring(scope: RecordScope, sparring: SparringRequest) -> bool:
    if sparring.course_id is not None:
        return sees_course(scope, db.session.get(CourseOfAction, sparring.course_id))
    return scope.sees(sparring.unit_id, sparring.asked_on, sparring.created_by_id)


def sees_underretning(scope: RecordScope, underretning: Underretning) -> bool:
    if underretning.course_id is not None:
        return sees_course(scope, underretning.course)
    on = underretning.sent_on or underretning.created_at.date()
    return scope.sees(underretning.unit_id, on, underretning.created_by_id)


def course_condition(scope: RecordScope):
    """`sees_course` as SQL on CourseOfAction."""
    return scope.condition(
        CourseOfAction.unit_id, CourseOfAction.opened_on, CourseOfAction.opened_by_id
    )
