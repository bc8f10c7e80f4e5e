"""Walk registrations for the health visits (app/visits): a visit record and a planned visit of
a child no walking user may reach. Owned by the visits area."""

from __future__ import annotations

import uuid

from app.extensions import db
from app.visits.models import PlannedVisit, Visit
from tests.web.walk_ids import foreign_id


@foreign_id("visit_id")
def visit_of_foreign_child(world) -> int:
    visit = Visit(
        uuid=str(uuid.uuid4()),
        form_version=1,
        child_id=world.foreign_child.id,
        nurse_id=world.foreign_nurse.id,
        visit_type="behov",
        contact_form="hjemmebesoeg",
        visit_date=world.today,
        weight_g=9000,
        observations="Fremmed barns notat.",
    )
    db.session.add(visit)
    db.session.flush()
    return visit.id


@foreign_id("planned_id")
def planned_visit_of_foreign_child(world) -> int:
    planned = PlannedVisit(
        child_id=world.foreign_child.id,
        nurse_id=world.foreign_nurse.id,
        source="behov",
        visit_type="behov",
        planned_date=world.today,
        reason="Fremmed barn.",
    )
    db.session.add(planned)
    db.session.flush()
    return planned.id
