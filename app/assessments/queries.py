"""Read queries on assessments, built as select() so callers paginate, count or test exists().

Other areas may use: `child_history(child_id)`, `latest_positions(child_ids)` (the current
position of each child) and `current_assessments()`. They hold every unit's records: a screen
shows only those the user sees (app/children/records.py: another unit's records need the
parents' consent).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import selectinload

from app.assessments.models import Assessment, AssessmentKind, assessment_basis
from app.children.models import Enrolment


def current_assessments() -> Select[tuple[Assessment]]:
    """Every assessment as it stands now (corrected versions left out)."""
    return select(Assessment).where(Assessment.current.is_(True))


def child_history(child_id: int) -> Select[tuple[Assessment]]:
    """A child's assessments in every unit, oldest first (the caller shows those the user
    sees: record_scope)."""
    return (
        current_assessments()
        .where(Assessment.child_id == child_id)
        .options(selectinload(Assessment.unit), selectinload(Assessment.assessor))
        .order_by(Assessment.assessed_on, Assessment.id)
    )


def series_versions(series_uuid: str) -> Select[tuple[Assessment]]:
    """Every version of one assessment, first to latest (the correction history)."""
    return (
        select(Assessment)
        .where(Assessment.series_uuid == series_uuid)
        .options(selectinload(Assessment.created_by))
        .order_by(Assessment.revision)
    )


def last_concluded_query(child_id: int, unit_id: int, since: date | None) -> Select:
    """The date of the last concluding assessment of the child in the unit (since enrolment)."""
    query = select(func.max(Assessment.assessed_on)).where(
        Assessment.child_id == child_id,
        Assessment.unit_id == unit_id,
        Assessment.current.is_(True),
        Assessment.concluding.is_(True),
    )
    if since is not None:
        query = query.where(Assessment.assessed_on >= since)
    return query


def last_concluded_on(child_id: int, unit_id: int, since: date | None) -> date | None:
    from app.extensions import db

    return db.session.scalar(last_concluded_query(child_id, unit_id, since))


def _unlinked():
    return ~exists().where(assessment_basis.c.individual_id == Assessment.id)


def pending_individuals(child_id: int, unit_id: int, since: date | None) -> Select:
    """Individual assessments not yet used for a joint one, made since the last conclusion."""
    query = (
        current_assessments()
        .where(
            Assessment.child_id == child_id,
            Assessment.unit_id == unit_id,
            Assessment.kind == AssessmentKind.INDIVIDUAL,
            _unlinked(),
        )
        .options(selectinload(Assessment.assessor))
        .order_by(Assessment.assessed_on, Assessment.id)
    )
    if since is not None:
        query = query.where(Assessment.assessed_on >= since)
    return query


def ranked_concluding(child_ids, visible=None, per_unit: bool = False):
    """Concluding assessments numbered per child, latest first (rn = 1 is the current one);
    `visible`: a condition on Assessment (a RecordScope's), else every unit's; `per_unit`:
    numbered per child and unit (rn = 1 is the child's current one in each unit)."""
    partition = (Assessment.child_id, Assessment.unit_id) if per_unit else Assessment.child_id
    return (
        select(
            Assessment.child_id,
            Assessment.id,
            Assessment.unit_id,
            Assessment.position,
            Assessment.assessed_on,
            func.row_number()
            .over(
                partition_by=partition,
                order_by=(Assessment.assessed_on.desc(), Assessment.id.desc()),
            )
            .label("rn"),
        )
        .where(
            Assessment.current.is_(True),
            Assessment.concluding.is_(True),
            Assessment.child_id.in_(child_ids),
            *(() if visible is None else (visible,)),
        )
        .subquery()
    )


def latest_positions(child_ids, depth: int = 1, visible=None) -> Select:
    """(child_id, id, unit_id, position, assessed_on, rn) of each child's latest concluding
    assessments; `depth=2` adds the previous one for the trend. `child_ids` may be a select;
    `visible` as in ranked_concluding."""
    ranked = ranked_concluding(child_ids, visible)
    return select(ranked).where(ranked.c.rn <= depth)


def last_concluded_per_unit(child_ids) -> Select:
    """(child_id, unit_id, last date) of concluding assessments, for due dates in bulk."""
    return (
        select(Assessment.child_id, Assessment.unit_id, func.max(Assessment.assessed_on))
        .where(
            Assessment.current.is_(True),
            Assessment.concluding.is_(True),
            Assessment.child_id.in_(child_ids),
        )
        .group_by(Assessment.child_id, Assessment.unit_id)
    )


def last_concluded_in_enrolment():
    """The date of the last concluding assessment of an enrolment's child in its unit since the
    enrolment started: a scalar subquery correlated with Enrolment."""
    return (
        select(func.max(Assessment.assessed_on))
        .where(
            Assessment.child_id == Enrolment.child_id,
            Assessment.unit_id == Enrolment.unit_id,
            Assessment.current.is_(True),
            Assessment.concluding.is_(True),
            Assessment.assessed_on >= Enrolment.start_date,
        )
        .correlate(Enrolment)
        .scalar_subquery()
    )


def pending_individuals_for(child_ids) -> Select:
    """(child_id, unit_id, assessor_id, assessed_on) of unlinked individual assessments."""
    return select(
        Assessment.child_id, Assessment.unit_id, Assessment.assessor_id, Assessment.assessed_on
    ).where(
        Assessment.current.is_(True),
        Assessment.kind == AssessmentKind.INDIVIDUAL,
        Assessment.child_id.in_(child_ids),
        _unlinked(),
    )
