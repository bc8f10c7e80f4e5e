"""Login, logout, invitation links and the language choice."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm, SetPasswordForm
from app.auth.models import Invitation
from app.extensions import limiter
from app.i18n import gettext as _
from app.security import login_required

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect.

    Browsers read a backslash as a slash (`/\\evil.example` is `//evil.example`) and drop tabs
    and newlines inside URLs, so those are refused along with anything with a scheme or host.
    """
    if not target or not target.startswith("/") or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("children.home"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        email = form.email.data
        if services.is_locked(email):
            form.password.errors.append(
                _(
                    "For mange forkerte forsøg. Vent %(minutes)s minutter, og prøv igen.",
                    minutes=services.lockout_minutes(),
                )
            )
            status = 429
        else:
            user = services.authenticate(email, form.password.data)
            if user:
                session.clear()
                login_user(user)
                session.permanent = True
                return redirect(_safe_next(form.next.data) or url_for("children.home"), 303)
            form.password.errors.append(_("Forkert e-mail eller adgangskode."))
            status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form, demo_users=_demo_users()), status


def _demo_users():
    from flask import current_app

    if not current_app.config["DEMO_MODE"]:
        return []
    from app.demo.seed import DEMO_LOGINS

    return DEMO_LOGINS


@bp.post("/logout")
@login_required
def logout():
    # A new session token ends this session everywhere, also a copied cookie (sessions are
    # signed cookies, so clearing this browser's cookie alone would not be enough).
    current_user.session_token = secrets.token_hex(16)
    logout_user()
    session.clear()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Set a password with a one-time link. The token is in the path, so the page is never
    cached and sends no referrer (a <meta> in the template: the security headers set the
    site-wide policy last); only the token's hash is stored."""
    headers = {"Cache-Control": "no-store"}
    invitation = Invitation.find_valid(token)
    if invitation is None or not invitation.user.active:
        return render_template("auth/invitation_invalid.html"), 404, headers
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(invitation, form.password.data)
        flash(_("Din adgangskode er gemt. Log ind for at fortsætte."), "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.is_submitted() else 200
    page = render_template("auth/invitation.html", form=form, user=invitation.user)
    return page, status, headers


@bp.post("/sprog")
def set_language():
    locale = request.form.get("locale")
    if locale not in ("da", "en"):
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
    return redirect(_safe_next(request.form.get("next")) or url_for("children.home"), 303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
