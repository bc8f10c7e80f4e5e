"""Writes for courses of action, sparring and meetings (the underretning draft: drafting.py).
Add and flush, never commit: the request boundary commits once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from app import clock
from app.auth.models import Membership, User
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.children.records import own_scope
from app.concerns import rules
from app.concerns.models import (
    ConcernEvent,
    CourseOfAction,
    CourseSource,
    Meeting,
    PlanItem,
    SparringRequest,
)
from app.concerns.rules import Answer, Level
from app.concerns.sharing import course_condition
from app.extensions import db
from app.i18n import gettext as _
from app.org.models import Unit
from app.signals import course_opened

# ---------------------------------------------------------------------------------------------
# Settings and organisation helpers


def settings_for_unit(unit: Unit | None) -> rules.ConcernSettings:
    raw = unit.municipality.settings if unit is not None else {}
    return rules.concern_settings((raw or {}).get("concerns"))


def settings_for_user(user: User) -> rules.ConcernSettings:
    unit = next((m.unit for m in user.memberships), None)
    return settings_for_unit(unit)


def ancestor_ids(unit: Unit | None) -> list[int]:
    ids = []
    while unit is not None and unit.id not in ids:
        ids.append(unit.id)
        unit = unit.parent
    return ids


def leaders_of(unit: Unit | None) -> list[User]:
    """The leaders of the unit and of the units above it (a dagpleje's leader leads its groups)."""
    return _members_up_from(unit, Membership.role == Role.LEDER)


def staff_of(unit: Unit | None) -> list[User]:
    """Staff who can be responsible for a plan item: members of the unit and its leaders."""
    return _members_up_from(unit)


def _members_up_from(unit: Unit | None, *membership_filters) -> list[User]:
    """Active users, by name, with a membership (matching the filters) in the unit or above it."""
    ids = ancestor_ids(unit)
    if not ids:
        return []
    query = (
        # EXISTS rather than DISTINCT: PostgreSQL cannot compare User's JSON column.
        select(User)
        .where(
            User.active,
            select(Membership.id)
            .where(Membership.user_id == User.id, Membership.unit_id.in_(ids), *membership_filters)
            .exists(),
        )
        .order_by(User.name)
    )
    return list(db.session.scalars(query))


def unit_for(user: User, child: Child, today: date) -> Unit | None:
    """The child's current unit as the user knows it: one the user works in if there is one
    (a nurse opening from a visit: her district), else the child's daycare unit."""
    from app.org.queries import descendant_unit_ids

    current = [e for e in child.enrolments if e.is_current(today)]
    mine = descendant_unit_ids(user.unit_ids())
    for enrolment in current:
        if enrolment.unit_id in mine or enrolment.dagplejer_id == user.id:
            return enrolment.unit
    current.sort(key=lambda e: e.unit.kind.value == "sundhedsplejedistrikt")
    return current[0].unit if current else None


def enrolment_in(child: Child, unit_id: int | None) -> Enrolment | None:
    found = [e for e in child.enrolments if e.unit_id == unit_id]
    return found[-1] if found else None


# ---------------------------------------------------------------------------------------------
# History


def record_event(
    subject: str,
    subject_id: int,
    kind: str,
    user: User,
    *,
    child_id: int | None,
    before: dict | None = None,
    note: str | None = None,
) -> ConcernEvent:
    event = ConcernEvent(
        subject=subject,
        subject_id=subject_id,
        kind=kind,
        user_id=user.id,
        child_id=child_id,
        before=before,
        note=note,
    )
    db.session.add(event)
    return event


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def snapshot(obj, fields: Iterable[str]) -> dict:
    return {name: _json(getattr(obj, name)) for name in fields}


def apply_changes(
    obj, values: dict, *, subject: str, kind: str, user: User, child_id: int | None, reason: str
) -> bool:
    """Set `values` on `obj`. If any already-recorded field changes, keep the earlier values in
    a correction event with the reason. Returns True if anything changed."""
    before = snapshot(obj, values)
    after = {k: _json(v) for k, v in values.items()}
    if before == after:
        return False
    was_recorded = any(v not in (None, False, "") for v in before.values())
    for name, value in values.items():
        setattr(obj, name, value)
    obj.updated_by_id = user.id
    record_event(
        subject,
        obj.id,
        f"{kind}-corrected" if was_recorded else kind,
        user,
        child_id=child_id,
        before=before if was_recorded else None,
        note=reason or None,
    )
    return True


def needs_reason(obj, values: dict) -> bool:
    """A correction (changing what was already recorded) needs a reason."""
    before = snapshot(obj, values)
    after = {k: _json(v) for k, v in values.items()}
    return before != after and any(v not in (None, False, "") for v in before.values())


def events_for(subject: str, subject_id: int) -> list[ConcernEvent]:
    return list(
        db.session.scalars(
            select(ConcernEvent)
            .where(ConcernEvent.subject == subject, ConcernEvent.subject_id == subject_id)
            .order_by(ConcernEvent.id)
        )
    )


# ---------------------------------------------------------------------------------------------
# Opening a course of action


def find_source(source: str, source_id: int | None) -> CourseSource | None:
    if source_id is None:
        return None
    return db.session.scalar(
        select(CourseSource).where(
            CourseSource.source == source, CourseSource.source_id == source_id
        )
    )


def open_course_for_child(child_id: int, user: User | None = None) -> CourseOfAction | None:
    """The child's open course; with `user`, the one in the user's own units: a course
    another unit opened is not hers to add to (she may not even see it), so a concern she
    raises opens her unit's own course."""
    query = (
        select(CourseOfAction)
        .where(CourseOfAction.child_id == child_id, CourseOfAction.status == "open")
        .order_by(CourseOfAction.id.desc())
        .limit(1)
    )
    if user is not None:
        query = query.where(course_condition(own_scope(user)))
    return db.session.scalar(query)


def open_course(
    user: User,
    child: Child,
    level: Level,
    source: str,
    source_id: int | None = None,
    reason: str | None = None,
) -> tuple[CourseOfAction, str]:
    """Open a course for `child`, idempotently per (source, source_id).

    Returns (course, outcome) with outcome "existing" (this source already led to a course),
    "opened" (a new course), "linked" (the child's open course gained a source) or "escalated"
    (the open course's level rose, e.g. gul → rød). A child has at most one open course.
    """
    linked = find_source(source, source_id)
    if linked is not None:
        return linked.course, "existing"
    course = open_course_for_child(child.id, user)
    now, today = clock.now(), clock.today()
    if course is None:
        unit = unit_for(user, child, today)
        course = CourseOfAction(
            child_id=child.id,
            unit_id=unit.id if unit else None,
            level=level,
            source=source,
            source_id=source_id,
            reason=reason or None,
            status="open",
            opened_on=today,
            opened_at=now,
            opened_by_id=user.id,
            responsible_id=user.id,
            created_by_id=user.id,
            updated_by_id=user.id,
        )
        db.session.add(course)
        db.session.flush()
        outcome = "opened"
        record_event("course", course.id, "opened", user, child_id=child.id, note=reason or None)
    elif rules.escalates(course.level, level):
        record_event(
            "course",
            course.id,
            "escalated",
            user,
            child_id=child.id,
            before={"level": course.level.value},
            note=reason or None,
        )
        course.level = level
        course.updated_by_id = user.id
        # The leader must hear about the new position the same day, even if told of the old.
        course.leader_informed_at = None
        course.leader_informed_how = None
        outcome = "escalated"
    else:
        outcome = "linked"
        record_event("course", course.id, "linked", user, child_id=child.id, note=reason or None)
    db.session.add(
        CourseSource(
            course=course, source=source, source_id=source_id, level=level, created_by_id=user.id
        )
    )
    db.session.flush()
    if outcome in ("opened", "escalated"):
        notify_leader(course, user)
    return course, outcome


def notify_leader(course: CourseOfAction, user: User) -> None:
    """Send `course_opened` (the reminders area pushes it to the unit's leaders). Record that the
    leader was informed only when someone received it, or when the opener is the leader."""
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    receivers = course_opened.send(course, user=user)
    unit = db.session.get(Unit, course.unit_id) if course.unit_id else None
    if user in leaders_of(unit):
        course.leader_informed_at = clock.now()
        course.leader_informed_how = "selv"
    elif any(result for _receiver, result in receivers):
        # A receiver answers True only when it really notified a leader (red/acute, a leader
        # exists); a unit without a leader leaves the step open for the user to do by hand.
        course.leader_informed_at = clock.now()
        course.leader_informed_how = "besked"
    if course.leader_informed_at:
        record_event(
            "course",
            course.id,
            "leader-informed",
            user,
            child_id=course.child_id,
            note=course.leader_informed_how,
        )


def confirm_leader_told(course: CourseOfAction, user: User) -> None:
    """The professional told the leader in person (or by phone): recorded with who and when."""
    course.leader_informed_at = clock.now()
    course.leader_informed_how = "personligt"
    course.updated_by_id = user.id
    record_event(
        "course", course.id, "leader-informed", user, child_id=course.child_id, note="personligt"
    )


# ---------------------------------------------------------------------------------------------
# The steps of a course

PARENT_FIELDS = (
    "parents_informed_on",
    "parents_how",
    "parents_reaction",
    "parents_exempt",
    "parents_exempt_reason",
)


def parents_values(form) -> dict:
    exempt = bool(form.parents_exempt.data)
    return {
        "parents_informed_on": None if exempt else form.parents_informed_on.data,
        "parents_how": None if exempt else (form.parents_how.data or None),
        "parents_reaction": None if exempt else (form.parents_reaction.data or None),
        "parents_exempt": exempt,
        "parents_exempt_reason": (form.parents_exempt_reason.data or None) if exempt else None,
    }


def add_plan_item(course: CourseOfAction, user: User, data: dict, meeting: Meeting | None = None):
    item = PlanItem(
        course_id=course.id,
        meeting_id=meeting.id if meeting else None,
        observation=data.get("observation") or None,
        action=data["action"],
        responsible_id=data.get("responsible_id") or None,
        responsible_text=data.get("responsible_text") or None,
        due_on=data["due_on"],
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    db.session.add(item)
    db.session.flush()
    record_event(
        "course", course.id, "plan-item-added", user, child_id=course.child_id, note=item.action
    )
    return item


def mark_done(item: PlanItem, user: User, note: str | None) -> None:
    item.done_on = clock.today()
    item.done_by_id = user.id
    item.done_note = note or None
    item.updated_by_id = user.id
    record_event(
        "course",
        item.course_id,
        "plan-item-done",
        user,
        child_id=item.course.child_id,
        note=item.action,
    )


def answer_question(course: CourseOfAction, user: User, answer: Answer, reason: str | None):
    before = snapshot(course, ("underretning_answer", "underretning_reason"))
    course.underretning_answer = answer
    course.underretning_reason = reason or None
    course.underretning_answered_at = clock.now()
    course.underretning_answered_by_id = user.id
    course.updated_by_id = user.id
    record_event(
        "course",
        course.id,
        "underretning-answered",
        user,
        child_id=course.child_id,
        before=before if before["underretning_answer"] else None,
        note=answer.value,
    )


def close_course(course: CourseOfAction, user: User, note: str, position: str) -> None:
    course.status = "closed"
    course.closed_at = clock.now()
    course.closed_by_id = user.id
    course.closing_note = note
    course.closing_position = position
    course.updated_by_id = user.id
    record_event("course", course.id, "closed", user, child_id=course.child_id, note=note)


# ---------------------------------------------------------------------------------------------
# Sparring


def known_names(child: Child) -> list[str]:
    return [child.first_name, child.last_name, *(g.name for g in child.guardians)]


def create_sparring(user: User, **values) -> SparringRequest:
    request = SparringRequest(
        asked_on=clock.today(), created_by_id=user.id, updated_by_id=user.id, **values
    )
    db.session.add(request)
    db.session.flush()
    record_event(
        "sparring", request.id, "asked", user, child_id=request.child_id, note=request.partner
    )
    return request


# ---------------------------------------------------------------------------------------------
# Meetings


def advance_meeting(
    meeting: Meeting, user: User, phase: str, phase_values: dict, next_phase: str, reason
):
    """Save one phase (forberedelse | moede | evaluering) and move on to `next_phase`."""
    changed = apply_changes(
        meeting,
        phase_values,
        subject="meeting",
        kind=phase,
        user=user,
        child_id=meeting.child_id,
        reason=reason,
    )
    order = ("forberedelse", "moede", "evaluering", "afsluttet")
    if order.index(next_phase) > order.index(meeting.phase):
        meeting.phase = next_phase
    return changed


def apply_decision(meeting: Meeting, user: User) -> None:
    """The evaluation's decision acts on the course: close it, or escalate gul → rød."""
    course = meeting.course
    if not course.is_open:
        return
    if meeting.decision == "luk":
        close_course(
            course,
            user,
            meeting.evaluation_note or _("Lukket efter evaluering på mødet"),
            meeting.new_position or "groen",
        )
    elif meeting.decision == "eskaler" and course.level is Level.GUL:
        record_event(
            "course",
            course.id,
            "escalated",
            user,
            child_id=course.child_id,
            before={"level": course.level.value},
            note=_("Eskaleret efter evaluering på mødet"),
        )
        course.level = Level.ROED
        course.leader_informed_at = None
        course.leader_informed_how = None
        notify_leader(course, user)
