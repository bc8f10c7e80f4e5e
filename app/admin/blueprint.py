"""The administration blueprint and what its views share."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user
from wtforms import Form

from app.admin.scoping import can_administer_children
from app.admin.services import Problem
from app.security import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def child_admin_required(view):
    """Administrators and leaders: registration, enrolments and caseloads."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_administer_children(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def attach(form: Form, problem: Problem) -> None:
    """Put a service's message next to the field it names (dotted for sub-forms)."""
    if not problem.field:
        form.form_errors.append(problem.message)
        return
    target = form
    for part in problem.field.split("."):
        target = target[part] if isinstance(target, Form) else target.form[part]
    target.errors = [*target.errors, problem.message]


def no_store(response):
    """Pages that show a secret once (an invitation link) must not be cached anywhere."""
    response.headers["Cache-Control"] = "no-store"
    return response
