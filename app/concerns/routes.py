"""Blueprint `concerns`: courses of action, sparring, meetings, underretninger, follow-ups.

The views live in views_*.py by topic; this module wires them into the app.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request
from flask_login import current_user

from app.children.scoping import get_child_or_404
from app.extensions import db
from app.i18n import lazy_gettext as _l

bp = Blueprint("concerns", __name__)


def course_or_404(child_id: int, course_id: int):
    """The course, if it belongs to a child the user may see and the user sees the course
    itself (another unit's only with the parents' consent, and read only); 404 otherwise."""
    from app.concerns.models import CourseOfAction
    from app.concerns.sharing import scope_for, sees_course

    child = get_child_or_404(current_user, child_id)
    course = db.session.get(CourseOfAction, course_id)
    if course is None or course.child_id != child.id:
        abort(404)
    if not sees_course(scope_for(current_user, child.id), course):
        abort(404)
    return child, course


def is_partial() -> bool:
    """A targeted HTMX request (not a boosted navigation) gets only the fragment."""
    return bool(request.htmx) and not request.htmx.boosted


def init_app(app: Flask) -> None:
    from app.concerns import (  # noqa: F401 (the views register themselves on bp)
        views_course,
        views_lists,
        views_meetings,
        views_sparring,
        views_underretning,
    )
    from app.concerns.seed import seed_concerns
    from app.concerns.views_lists import child_summary
    from app.demo.seed import register_seeder
    from app.web import register_child_section, register_nav

    app.register_blueprint(bp)
    app.jinja_env.globals["concerns_for_child"] = child_summary
    register_child_section("concerns/_child_section.html", order=40)
    register_nav("concerns.follow_ups", _l("Opfølgning"), lambda u: bool(u.roles), order=40)
    register_seeder(seed_concerns)
