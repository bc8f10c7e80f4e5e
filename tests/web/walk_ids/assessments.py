"""Walk registrations for assessments (app/assessments): an assessment of a child no walking
user may see. Owned by the assessments area."""

from __future__ import annotations

import uuid

from app.assessments import rules
from app.assessments.models import Assessment, AssessmentKind
from app.assessments.positions import Position
from app.extensions import db
from tests.web.walk_ids import foreign_id


@foreign_id("assessment_id")
def assessment_of_foreign_child(world) -> int:
    child = world.foreign_child
    code = str(uuid.uuid4())
    assessment = Assessment(
        uuid=code,
        series_uuid=code,
        form_version=1,
        child_id=child.id,
        unit_id=world.foreign_unit.id,
        kind=AssessmentKind.JOINT,
        assessor_id=world.foreign_dagplejepaedagog.id,
        assessor_role="dagplejepaedagog",
        concluding=True,
        assessed_on=world.today,
        age_band=rules.age_band(child.birth_date, world.today),
        indicators=["psykisk.gul.1"],
        notes={},
        position=Position.GUL,
        justification="Fremmed barns vurdering",
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment.id
