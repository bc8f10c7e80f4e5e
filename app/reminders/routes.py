"""Påmindelser (settings, devices, test) and Notifikationer (the in-app list)."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import click
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.cli import AppGroup
from flask_login import current_user, user_logged_out
from markupsafe import Markup, escape
from sqlalchemy import select

from app import clock, signals
from app.audit.services import log_access
from app.auth.roles import Role
from app.extensions import csrf, db
from app.i18n import gettext as _
from app.org.models import Area, Municipality, Unit
from app.org.queries import descendant_unit_ids
from app.reminders import messages, queries, services, sources, sweep, urgent, vapid
from app.reminders.forms import ButtonForm, QuietHoursForm
from app.reminders.models import Notification
from app.reminders.rules import SERIOUS, Settings
from app.security import login_required, roles_required
from app.web import register_background, register_nav

bp = Blueprint("reminders", __name__)
PAGE_SIZE = 30


def _municipality_settings(user) -> Settings:
    """The reminder settings of the municipality of the user's first unit."""
    unit_ids = sorted(user.unit_ids())
    if not unit_ids:
        return Settings()
    raw = db.session.scalar(
        select(Municipality.settings)
        .join(Area, Area.municipality_id == Municipality.id)
        .join(Unit, Unit.area_id == Area.id)
        .where(Unit.id == unit_ids[0])
    )
    return sources.settings_or_defaults(raw)


def _settings_page(form: QuietHoursForm, status: int = 200):
    devices = db.session.scalars(queries.devices(current_user)).all()
    return (
        render_template(
            "reminders/settings.html",
            form=form,
            button=ButtonForm(),
            devices=devices,
            public_key=vapid.public_key_for_app(),
        ),
        status,
    )


@bp.get("/paamindelser")
@login_required
def settings():
    pref = queries.preference(current_user)
    defaults = _municipality_settings(current_user)
    form = QuietHoursForm(
        quiet_start=pref.quiet_start if pref else defaults.quiet_start,
        quiet_end=pref.quiet_end if pref else defaults.quiet_end,
        quiet_weekends=pref.quiet_weekends if pref else defaults.quiet_weekends,
    )
    return _settings_page(form)


@bp.post("/paamindelser/stille-timer")
@login_required
def quiet_hours():
    form = QuietHoursForm()
    if not form.validate_on_submit():
        return _settings_page(form, 422)
    services.save_quiet_hours(
        current_user, form.quiet_start.data, form.quiet_end.data, form.quiet_weekends.data
    )
    flash(_("Dine stille timer er gemt."), "success")
    return redirect(url_for("reminders.settings"), 303)


@bp.post("/paamindelser/enheder")
@login_required
def subscribe():
    """The page's script posts `PushSubscription.toJSON()` here after the user said yes."""
    try:
        sub = services.subscribe(
            current_user, request.get_json(silent=True) or {}, request.user_agent.string
        )
    except services.InvalidSubscription:
        return jsonify(error="invalid_subscription"), 400
    return jsonify(id=sub.id, label=sub.label), 201


@bp.post("/paamindelser/enheder/<int:subscription_id>/fjern")
@login_required
def unsubscribe(subscription_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not services.unsubscribe(current_user, subscription_id):
        abort(404)
    flash(_("Enheden får ikke længere påmindelser."), "success")
    return redirect(url_for("reminders.settings"), 303)


@bp.post("/paamindelser/enheder/fjern-denne")
@login_required
def unsubscribe_this():
    """The page's script, after `subscription.unsubscribe()` on this device."""
    endpoint = (request.get_json(silent=True) or {}).get("endpoint", "")
    services.unsubscribe_endpoint(current_user, str(endpoint))
    return jsonify(ok=True)


@bp.post("/paamindelser/skift")
@csrf.exempt
def subscription_changed():
    """`pushsubscriptionchange` from the service worker, which may hold no CSRF token.

    JSON only (a cross-site form cannot send it without a CORS preflight, which we never
    allow), and the old endpoint — known only to that browser and us — or the session says
    whose device it is.
    """
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        abort(415)
    user = current_user if current_user.is_authenticated else None
    try:
        sub = services.resubscribe(
            data.get("oldEndpoint"), data.get("subscription") or {}, user, ""
        )
    except services.InvalidSubscription:
        return jsonify(error="invalid_subscription"), 400
    if sub is None:
        return jsonify(error="unknown_device"), 404
    return jsonify(id=sub.id), 201


@bp.get("/paamindelser/noegle")
def public_key():
    """The VAPID public key (applicationServerKey), for the page and the worker."""
    key = vapid.public_key_for_app()
    if key is None:
        return jsonify(error="push_not_configured"), 404
    return jsonify(publicKey=key)


@bp.post("/paamindelser/test")
@login_required
def send_test():
    if not ButtonForm().validate_on_submit():
        abort(400)
    notification = services.test_notification(current_user)
    sweep.after_commit(("deliver", notification.id))
    if db.session.scalar(queries.devices(current_user).limit(1)) is None:
        # Nothing to push to (delivery marks it so): it is only in the list.
        flash(
            _(
                "Du har ingen enheder med påmindelser. "
                "Testnotifikationen står under Notifikationer."
            ),
            "info",
        )
    else:
        flash(_("Testnotifikationen er sendt. Den står også under Notifikationer."), "success")
    return redirect(url_for("reminders.settings"), 303)


@bp.get("/notifikationer")
@login_required
def notifications():
    page = db.paginate(queries.notifications(current_user), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "reminders/notifications.html",
        page=page,
        button=ButtonForm(),
        unread=queries.unread_count(current_user),
    )


@bp.get("/notifikationer/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """A click (in the list or on the phone) marks it read and opens its page."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    services.mark_read(current_user, notification.id)
    return redirect(notification.url or url_for("reminders.notifications"), 303)


@bp.get("/notifikationer/screeninger/<int:unit_id>")
@roles_required(Role.LEDER)
def urgent_screenings(unit_id: int):
    """Where "screening kræver handling i dag" leads: the district's recent EPDS item 10
    screenings, newest first, with whether an action is recorded. Names only here, to the
    leaders of the district (or of a unit above it)."""
    if unit_id not in descendant_unit_ids(current_user.unit_ids(Role.LEDER)):
        abort(404)
    unit = db.session.get(Unit, unit_id)
    if unit is None or not sources.installed("visits"):
        abort(404)
    today = clock.today()
    days = urgent.look_back(unit_id)
    rows = urgent.rows_for(current_user, unit_id, today - timedelta(days=days), today)
    for row in rows:
        log_access(row.visit.child_id, "view", f"urgent-screening:visit:{row.visit.id}")
    return render_template(
        "reminders/urgent_screenings.html", unit=unit, rows=rows, days=days, today=today
    )


@bp.post("/notifikationer/laest")
@login_required
def mark_all_read():
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.mark_read(current_user)
    flash(_("Alle notifikationer er markeret som læst."), "success")
    return redirect(url_for("reminders.notifications"), 303)


class _NotificationsLabel:
    """The nav entry with its unread badge (a number in text, not only a coloured dot)."""

    def __str__(self) -> str:
        return _("Notifikationer")

    def __html__(self) -> str:
        label = escape(_("Notifikationer"))
        count = queries.unread_count(current_user) if current_user.is_authenticated else 0
        if not count:
            return str(label)
        return str(
            Markup(
                '{} <span class="nav-badge">{}<span class="visually-hidden"> {}</span></span>'
            ).format(label, count, _("ulæste"))
        )


# ---- domain events: send right after the commit, the sweep is the safety net -------------


def _level(record) -> str:
    value = getattr(record, "level", None) or getattr(record, "position", None)
    return str(getattr(value, "value", value) or "")


def _on_course_opened(sender, course=None, **_data) -> bool:
    """Returns True when the leaders will be told (red/acute): the sender may record that."""
    course = course if course is not None else sender  # concerns sends the course as sender
    if _level(course) in SERIOUS:
        sweep.after_commit(("sweep", ("red_concern",)))
        return True
    return False


def _on_assessment_recorded(sender, assessment=None, **_data) -> None:
    assessment = assessment if assessment is not None else sender
    if _level(assessment) in SERIOUS:
        sweep.after_commit(("sweep", ("red_concern",)))


def _on_logout(sender, user=None, **_data) -> None:
    """Log ud on a shared tablet: the page's script puts this device's endpoint in the logout
    form, and the device stops getting this user's reminders (flask_login's signal, sent
    inside the logout request, which commits)."""
    endpoint = request.form.get("push_endpoint", "") if has_request_context() else ""
    if endpoint and user is not None and getattr(user, "id", None) is not None:
        services.unsubscribe_endpoint(user, endpoint)


def _on_urgent_screening(sender, **_data) -> None:
    sweep.after_commit(("sweep", ("urgent_screening",)))


def _on_transition_handed_over(sender, **_data) -> None:
    sweep.after_commit(("sweep", ("transition_ack",)))


# ---- CLI ----------------------------------------------------------------------------------

reminders_cli = AppGroup("reminders", help="Påmindelser: the sweep and the VAPID keys.")


@reminders_cli.command("run")
def run_command() -> None:
    """Run one reminder sweep (for cron or a systemd timer, e.g. every 5 minutes)."""
    result = sweep.run()
    click.echo(
        f"Reminders: {result.planned} planned, {result.recorded} new, {result.pushed} pushed."
    )


@reminders_cli.command("vapid")
@click.option("--force", is_flag=True, help="Replace an existing key (devices must resubscribe).")
def vapid_command(force: bool) -> None:
    """Generate the VAPID key pair in the instance folder and print the public key."""
    from flask import current_app

    path = vapid.key_file(current_app)
    try:
        keys = vapid.generate(path, force=force)
    except FileExistsError:
        raise click.ClickException(f"{path} exists; use --force to replace it.") from None
    click.echo(f"Private key written to {path} (the app reads it from there).")
    # Only what configuration reads: browsers get the public key from the app itself.
    click.echo(f"Public key (served by the app, nothing to set): {vapid.public_key(keys)}")
    click.echo("Or configure by environment instead of the file:")
    click.echo(f"OPSPOR_VAPID_PRIVATE_KEY={vapid.private_raw(keys)}")


def _configure(app: Flask) -> None:
    env = os.environ.get
    app.config.setdefault("VAPID_PRIVATE_KEY", env("OPSPOR_VAPID_PRIVATE_KEY", ""))
    app.config.setdefault("VAPID_KEY_FILE", env("OPSPOR_VAPID_KEY_FILE", ""))
    app.config.setdefault(
        "VAPID_SUBJECT", env("OPSPOR_VAPID_SUBJECT", "mailto:opspor@kommune.example")
    )
    app.config.setdefault(
        "REMINDERS_INTERVAL_SECONDS", int(env("OPSPOR_REMINDER_INTERVAL_SECONDS", "60"))
    )
    app.config.setdefault("REMINDERS_RETRY_DELAYS", (1.0, 5.0))
    app.config.setdefault("REMINDERS_RETRY_MAX_DELAY", 30.0)
    # After a commit: "thread" in a server, "inline" in tests (deterministic), or "off".
    app.config.setdefault("REMINDERS_IMMEDIATE", "inline" if app.testing else "thread")
    app.config.setdefault("REMINDERS_ALLOW_HTTP_LOOPBACK", False)


def _endpoint_hash(endpoint: str) -> str:
    """Lets the page mark "this device" without the endpoint (a capability URL) in the HTML."""
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _title(notification: Notification) -> str:
    return messages.title(notification.kind)


def _body(notification: Notification) -> str:
    return messages.body(
        notification.kind, notification.count, notification.unit_name, notification.details
    )


def _lines(notification: Notification) -> list[str]:
    return messages.lines(notification.kind, notification.details)


def _worker_request() -> bool:
    """The worker asks for the key and reports a changed subscription on its own."""
    return request.endpoint in ("reminders.public_key", "reminders.subscription_changed")


def init_app(app: Flask) -> None:
    _configure(app)
    app.register_blueprint(bp)
    app.add_template_filter(_endpoint_hash, "endpoint_hash")
    app.add_template_global(_title, "notification_title")
    app.add_template_global(_body, "notification_body")
    app.add_template_global(_lines, "notification_lines")
    app.cli.add_command(reminders_cli)
    register_nav(
        "reminders.notifications", _NotificationsLabel(), lambda u: bool(u.roles), order=80
    )
    register_background(_worker_request)
    sweep.listen_for_commits()
    signals.course_opened.connect(_on_course_opened)
    signals.assessment_recorded.connect(_on_assessment_recorded)
    signals.urgent_screening.connect(_on_urgent_screening)
    signals.transition_handed_over.connect(_on_transition_handed_over)
    user_logged_out.connect(_on_logout, app)

    @app.before_request
    def _start_demo_timer():
        # The demo makes its VAPID keys and starts its sweep with the first request, so CLI
        # commands (`flask demo seed`) never start a timer.
        if app.config.get("DEMO_MODE") and sweep.start_timer(app):
            vapid.load(app)
