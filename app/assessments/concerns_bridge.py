"""What the assessments screens read from the concerns area (handleveje), in one place.

The concerns area owns its data; we only call its query functions (each returns a select()).
If the area is not installed the screens show assessments only and say so.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from importlib.util import find_spec

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.i18n import lazy_gettext as _l

# list key in our URLs → (query function in app.concerns.queries, title)
LISTS = {
    "uden-handleplan": _l("Gul og rød uden handleplan"),
    "opfoelgninger": _l("Forsinkede opfølgninger"),
    "kvitteringer": _l("Underretninger uden kvittering"),
}
_FUNCTIONS = {
    "uden-handleplan": "without_plan",
    "opfoelgninger": "overdue_follow_ups",
    "kvitteringer": "missing_receipts",
}


def _queries():
    """The concerns area's queries, when that area is installed in this app."""
    if "concerns" not in current_app.blueprints or find_spec("app.concerns.queries") is None:
        return None
    try:
        return import_module("app.concerns.queries")
    except ImportError:
        return None


def _function(key: str):
    module = _queries()
    return getattr(module, _FUNCTIONS[key], None) if module else None


def available() -> dict[str, bool]:
    return {key: _function(key) is not None for key in LISTS}


def unit_counts(unit_ids: set[int], today: date) -> dict[int, dict[str, int]]:
    """Per unit, how many rows each concerns list has (one GROUP BY query per list)."""
    counts: dict[int, dict[str, int]] = {}
    if not unit_ids:
        return counts
    for key in LISTS:
        fn = _function(key)
        if fn is None:
            continue
        rows = fn(unit_ids, today).order_by(None)
        # The list's own table and conditions, counted per unit: no subquery of whole rows.
        unit = rows.column_descriptions[0]["entity"].unit_id
        query = rows.with_only_columns(unit, func.count(), maintain_column_froms=True)
        for unit_id, n in db.session.execute(query.group_by(unit)):
            counts.setdefault(unit_id, {})[key] = n
    return counts


def list_rows(key: str, unit_ids: set[int], today: date) -> list | None:
    """The records behind one concerns number (courses or underretninger), or None."""
    fn = _function(key)
    if fn is None:
        return None
    return list(db.session.scalars(fn(unit_ids, today).limit(500)))


def red_news_courses(unit_ids: set[int], child_ids: set[int], visible) -> list:
    """Open courses in `unit_ids` of visible children that are red/acute or belong to one of
    `child_ids`: (id, child_id, unit_id, level, opened_on, reached), `reached` the last time
    the course was raised to its level (as the reminders read it). One grouped query."""
    module = _queries()
    if module is None or not unit_ids:
        return []
    from app.concerns.models import CourseOfAction, CourseSource
    from app.concerns.rules import Level

    same_level = and_(
        CourseSource.course_id == CourseOfAction.id, CourseSource.level == CourseOfAction.level
    )
    columns = (
        CourseOfAction.id,
        CourseOfAction.child_id,
        CourseOfAction.unit_id,
        CourseOfAction.level,
        CourseOfAction.opened_on,
    )
    query = (
        module.open_courses(unit_ids)
        .with_only_columns(*columns, func.max(CourseSource.created_at).label("reached"))
        .outerjoin(CourseSource, same_level)
        .where(
            or_(
                CourseOfAction.level.in_((Level.ROED, Level.AKUT)),
                CourseOfAction.child_id.in_(child_ids),
            ),
            CourseOfAction.child_id.in_(visible),
        )
        .group_by(*columns)
    )
    return list(db.session.execute(query))


def watch_figures() -> None:
    """The concerns rows behind the overview's counts move its change stamps (stamps.py)."""
    if find_spec("app.concerns.models") is None:
        return
    from app.assessments import stamps
    from app.concerns.models import CourseOfAction, PlanItem, Underretning

    stamps.watch(CourseOfAction, {"unit_id": "unit"})
    stamps.watch(Underretning, {"unit_id": "unit"})
    stamps.watch(PlanItem, {"course_id": "course"})
    stamps.resolver(
        "course", lambda ids: select(CourseOfAction.unit_id).where(CourseOfAction.id.in_(ids))
    )


def children_without_plan(child_ids: list[int], today: date) -> set[int]:
    """Children among `child_ids` with a yellow/red course still without an action plan."""
    fn = _function("uden-handleplan")
    if fn is None or not child_ids:
        return set()
    from app.children.models import Enrolment

    unit_ids = set(
        db.session.scalars(select(Enrolment.unit_id).where(Enrolment.child_id.in_(child_ids)))
    )
    rows = fn(unit_ids, today).order_by(None)
    child_id = rows.column_descriptions[0]["entity"].child_id
    query = rows.with_only_columns(child_id, maintain_column_froms=True)
    return set(db.session.scalars(query.where(child_id.in_(child_ids))))


def child_items(child) -> dict[str, list] | None:
    """A child's courses, meetings, sparring and underretninger for the timeline, or None;
    `hidden`: the child has records from another unit the user does not see. The concerns
    area's own child summary, which its section on the same page reads too."""
    if _queries() is None:
        return None
    try:
        child_summary = getattr(import_module("app.concerns.views_lists"), "child_summary", None)
    except ImportError:
        return None
    if child_summary is None:
        return None
    summary = child_summary(child)
    return {
        "courses": summary.courses,
        "meetings": summary.meetings,
        "sparring": summary.sparring,
        "underretninger": summary.underretninger,
        "hidden": getattr(summary, "hidden", 0),
    }
