"""Access rules as decorators that answer a browser, an HTMX request and a JSON request."""

from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, redirect, request, url_for
from flask_login import current_user

from app.auth.roles import Role
from app.i18n import gettext as _


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def unauthorized_response():
    """Not logged in: JSON gets 401, HTMX gets HX-Redirect, a browser the login page."""
    login_url = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if wants_json():
        return jsonify(error="login_required", message=_("Du skal logge ind igen.")), 401
    if request.htmx:
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return unauthorized_response()
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: Role):
    """The user must hold one of `roles` in some unit; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
