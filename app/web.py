"""Cross-cutting web concerns: login manager, security headers, caching headers, navigation."""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import current_user
from flask_talisman import Talisman

from app.extensions import db, login_manager
from app.form_errors import error_items

# No inline scripts or styles, nothing from another origin.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def _load_user(session_id: str):
    from app.auth.models import User

    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def init_app(app: Flask) -> None:
    from app.security import unauthorized_response

    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(unauthorized_response)
    # Off: "basic" protection only marks a session non-fresh (there are no fresh-login views),
    # and it did so by rewriting an anonymous session's cookie on whatever request looked at the
    # user next, e.g. a static file the login page asked for, answered after the login and
    # carrying the anonymous session back. The session token ends sessions everywhere instead.
    login_manager.session_protection = None

    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        strict_transport_security=app.config["FORCE_HTTPS"],
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )

    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["form_error_items"] = error_items
    app.jinja_env.globals["child_sections"] = child_sections

    @app.before_request
    def _idle_timeout():
        # The session is a signed cookie, and a response that sends it back replaces what the
        # browser holds, also what a request running alongside changed meanwhile (a login, a
        # flash message). So the cookie goes back only when this request changed the session
        # (SESSION_REFRESH_EACH_REQUEST is off), or, to slide the idle timeout, on a page or
        # form of the user's own: the session made permanent at login then ends after
        # PERMANENT_SESSION_LIFETIME without one.
        if session.permanent and users_own_request():
            session.modified = True

    @app.after_request
    def _vary_and_cache(response):
        response.vary.add("HX-Request")
        htmx_post = request.headers.get("HX-Request") and request.method != "GET"
        if htmx_post and response.status_code >= 400:
            # A rejected form shown again (422/409/400) or an error page: htmx would push the
            # POST-only address of a boosted form, and a reload there is a 405.
            response.headers.setdefault("HX-Push-Url", "false")
        if current_user.is_authenticated and request.endpoint != "static":
            # Personal pages: never stored by shared caches; the service worker decides itself.
            response.headers.setdefault("Cache-Control", "private, no-cache")
        return response


# Requests that run in the background (the service worker's fetches, a page's own scripts) as
# registered by the areas; static files and HTMX fragments are known here.
_BACKGROUND: list = []


def register_background(predicate) -> None:
    """`predicate()` is true for a request the user did not open or send herself."""
    if predicate not in _BACKGROUND:
        _BACKGROUND.append(predicate)


def users_own_request() -> bool:
    """A page or form of the user's own, not a static file, a fragment a page reads for itself
    (a suggestion, a search result: it may run alongside the user's next form) or another
    background request."""
    if request.endpoint == "static":
        return False
    htmx, boosted = request.headers.get("HX-Request"), request.headers.get("HX-Boosted")
    if htmx and not boosted and request.method == "GET":
        return False
    return not any(predicate() for predicate in _BACKGROUND)


# Navigation: each area registers its own entries, so base.html never needs editing per area.
_NAV: list[tuple[int, str, object, object]] = []


def register_nav(endpoint: str, label, visible=lambda user: True, order: int = 50) -> None:
    """Add a main-navigation entry. `label` is a lazy_gettext string."""
    _NAV[:] = [item for item in _NAV if item[1] != endpoint]
    _NAV.append((order, endpoint, label, visible))
    _NAV.sort(key=lambda item: item[0])


def nav_items(user) -> list[tuple[str, object]]:
    return [(endpoint, label) for _, endpoint, label, visible in _NAV if visible(user)]


# Sections on the child's page and home screens per role, registered by the areas.
_CHILD_SECTIONS: list[tuple[int, str]] = []
_HOME_SCREENS: dict[str, object] = {}


def register_child_section(template: str, order: int = 50) -> None:
    """A partial included on the child's page; it receives `child`, `today`, `current_user`."""
    if template not in [t for _, t in _CHILD_SECTIONS]:
        _CHILD_SECTIONS.append((order, template))
        _CHILD_SECTIONS.sort()


def child_sections() -> list[str]:
    return [template for _, template in _CHILD_SECTIONS]


def register_home_screen(role: str, view) -> None:
    """The function that renders `role`'s home screen (its working screen)."""
    _HOME_SCREENS[role] = view


def home_screen(role: str | None):
    return _HOME_SCREENS.get(role) if role else None
