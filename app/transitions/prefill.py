"""What the schema may carry from Opspor, with the parents' agreement: the latest concluding
wellbeing assessment with the open action plan (fokuspunkter), and, if every consent says so,
the wellbeing history (positions over time). Each only as far as the viewer may see it herself
(app/children/records.py: another unit's records only with the parents' consent), so the sender
never hands over, say, a later assessment the sundhedsplejerske made with the parents.

Read through the assessments area (`child_history`) and the concerns area (courses of action
with plan items). Either may be absent in a deployment: then there is nothing to prefill and
the schema says so. The snapshot is copied into the schema when it is saved, so what the
parents agreed to is exactly what is handed over.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.assessments.positions import DEFAULT_LABELS, Position
from app.children.records import record_scope
from app.extensions import db
from app.i18n import format_date


def _label(code: str) -> str:
    try:
        return DEFAULT_LABELS[Position(code)]
    except ValueError:
        return code


def _area_active(name: str) -> bool:
    """Only read an area that is switched on (its tables exist only then)."""
    from app import AREAS

    return name in AREAS


def _concluding(child_id: int, viewer) -> list:
    """The child's concluding assessments that `viewer` sees, oldest first."""
    if not _area_active("assessments"):
        return []
    try:
        from app.assessments.queries import child_history
    except ImportError:
        return []
    scope = record_scope(viewer, child_id)
    return [
        a
        for a in db.session.scalars(child_history(child_id))
        if a.concluding and scope.sees(a.unit_id, a.assessed_on, a.assessor_id)
    ]


def _point(assessment) -> dict:
    code = str(getattr(assessment.position, "value", assessment.position))
    on: date = assessment.assessed_on
    return {"position": code, "label": _label(code), "assessed_on": format_date(on)}


def action_plan_text(child_id: int, viewer) -> str:
    """The open action plan's items as plain lines (what we do, who, by when), of the latest
    open course `viewer` sees."""
    if not _area_active("concerns"):
        return ""
    try:
        from app.concerns.models import CourseOfAction
        from app.concerns.sharing import course_condition
    except ImportError:
        return ""
    course = db.session.scalar(
        select(CourseOfAction)
        .where(
            CourseOfAction.child_id == child_id,
            CourseOfAction.status == "open",
            course_condition(record_scope(viewer, child_id)),
        )
        .order_by(CourseOfAction.opened_on.desc(), CourseOfAction.id.desc())
        .limit(1)
    )
    if course is None:
        return ""
    lines = []
    for item in course.plan_items:
        if item.done_on is not None:
            continue
        who = item.responsible_text or (
            item.responsible.name if getattr(item, "responsible", None) else ""
        )
        parts = [item.action]
        if item.observation:
            parts.insert(0, f"{item.observation}:")
        tail = ", ".join(p for p in (who, f"inden {format_date(item.due_on)}") if p)
        lines.append(f"• {' '.join(parts)} ({tail})")
    return "\n".join(lines)


def latest_wellbeing(child_id: int, viewer) -> dict | None:
    """The latest concluding assessment and the open action plan that `viewer` (the sender)
    sees, or None if she sees no concluding assessment."""
    history = _concluding(child_id, viewer)
    if not history:
        return None
    return {**_point(history[-1]), "action_plan": action_plan_text(child_id, viewer)}


def wellbeing_history(child_id: int, viewer) -> list[dict]:
    """Positions over time (concluding assessments `viewer` sees), oldest first."""
    return [_point(a) for a in _concluding(child_id, viewer)]
