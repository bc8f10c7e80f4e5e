"""Walk registrations for transitions (app/transitions): a finished, fully consented schema of
the foreign child, already readable by the foreign børnehave (the child started there today),
so the walk proves the receiving gate checks the unit, not just consent and dates. Owned by the
transitions area."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.children.models import Enrolment
from app.extensions import db
from app.models import utcnow
from app.org.models import UnitKind
from app.transitions import definitions
from app.transitions.models import HandoverMeeting, TransitionConsent, TransitionSchema
from tests.factories import make_unit
from tests.web.walk_ids import foreign_id


@foreign_id("schema_id")
def schema_of_foreign_child(world) -> int:
    child = world.foreign_child
    boernehave = make_unit("Fremmed børnehave", UnitKind.BOERNEHAVE)
    receiving = Enrolment(child=child, unit=boernehave, start_date=world.today)
    db.session.add(receiving)
    db.session.flush()
    sending = next(e for e in child.enrolments if e.unit_id == world.foreign_unit.id)
    finished = datetime.combine(world.today - timedelta(days=20), time(10), tzinfo=UTC)
    schema = TransitionSchema(
        uuid="00000000-0000-4000-8000-00000000f0f0",
        form_version=definitions.current().version,
        child_id=child.id,
        target=f"enrolment:{receiving.id}",
        kind="enrolment",
        start_date=world.today,
        sending_enrolment_id=sending.id,
        sending_unit_id=sending.unit_id,
        receiving_enrolment_id=receiving.id,
        receiving_unit_id=boernehave.id,
        receiving_name=boernehave.name,
        answers={"social_wellbeing": "Fremmed barns oplysninger"},
        status="finished",
        finished_at=finished,
    )
    db.session.add(schema)
    for guardian in child.guardians:
        schema.consents.append(
            TransitionConsent(
                guardian_id=guardian.id,
                guardian_name=guardian.name,
                method="device",
                signed_name=guardian.name,
                signed_on=world.today - timedelta(days=20),
                given_at=utcnow(),
                shared_with_unit_id=boernehave.id,
                shared_with_name=boernehave.name,
            )
        )
    db.session.flush()
    return schema.id


@foreign_id("consent_id")
def consent_of_foreign_schema(world) -> int:
    schema = db.session.get(TransitionSchema, world.id_for("schema_id"))
    return schema.consents[0].id


@foreign_id("handover_id")
def handover_meeting_of_foreign_schema(world) -> int:
    """A meeting either side may change (booked before the side was recorded)."""
    schema = db.session.get(TransitionSchema, world.id_for("schema_id"))
    meeting = HandoverMeeting(
        schema=schema,
        meeting_on=world.today + timedelta(days=7),
        participants="Fremmede deltagere",
        booked_from=None,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting.id
