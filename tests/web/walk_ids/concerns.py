"""Walk registrations for concerns (app/concerns): objects of a child and unit no walking user
may reach. Owned by the concerns area."""

from __future__ import annotations

from datetime import timedelta

from app.concerns.models import (
    CourseOfAction,
    Meeting,
    PlanItem,
    SparringRequest,
    Underretning,
)
from app.concerns.rules import Level
from app.extensions import db
from app.models import utcnow
from tests.web.walk_ids import foreign_id


@foreign_id("course_id")
def course_of_foreign_child(world) -> int:
    course = CourseOfAction(
        child_id=world.foreign_child.id,
        unit_id=world.foreign_unit.id,
        level=Level.ROED,
        source="manual",
        opened_on=world.today,
        opened_at=utcnow(),
        opened_by_id=world.foreign_user.id,
        responsible_id=world.foreign_user.id,
    )
    db.session.add(course)
    db.session.flush()
    return course.id


@foreign_id("item_id")
def plan_item_of_foreign_child(world) -> int:
    item = PlanItem(
        course_id=world.id_for("course_id"),
        action="Fokuspunkt",
        due_on=world.today + timedelta(days=7),
    )
    db.session.add(item)
    db.session.flush()
    return item.id


@foreign_id("meeting_id")
def meeting_of_foreign_child(world) -> int:
    meeting = Meeting(
        child_id=world.foreign_child.id,
        course_id=world.id_for("course_id"),
        phase="evaluering",
        planned_on=world.today,
        purpose="Formål",
        held_on=world.today,
        participants="Forældrene",
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting.id


@foreign_id("sparring_id")
def anonymous_sparring_of_foreign_unit(world) -> int:
    """Anonymous: reached only through membership of the unit (no child to scope by)."""
    sparring = SparringRequest(
        kind="anonym",
        unit_id=world.foreign_unit.id,
        partner="ppr",
        age_text="2 år",
        question="Et spørgsmål",
        asked_on=world.today,
    )
    db.session.add(sparring)
    db.session.flush()
    return sparring.id


@foreign_id("underretning_id")
def underretning_of_foreign_child(world) -> int:
    found = Underretning(
        child_id=world.foreign_child.id,
        course_id=world.id_for("course_id"),
        unit_id=world.foreign_unit.id,
        status="sendt",
        sent_on=world.today,
        channel="Brev",
        receipt_due_on=world.today + timedelta(days=8),
    )
    db.session.add(found)
    db.session.flush()
    return found.id
