"""The service worker, the offline page, the outbox page, the sync API and conflicts."""

from __future__ import annotations

from datetime import UTC
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from app import clock
from app.audit.services import log_access
from app.extensions import db
from app.i18n import format_datetime
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.security import login_required
from app.sync import batch, openapi, plan, rules, services, texts, worker
from app.sync.forms import ResolveForm
from app.sync.models import Conflict
from app.sync.queries import visible_conflicts
from app.sync.registry import may_see, submitter
from app.web import register_background, register_child_section, register_nav

bp = Blueprint("sync", __name__)
NO_STORE = {"Cache-Control": "no-store"}


def api_login_required(view):
    """JSON endpoints: 401 with a Danish message when the session has expired."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return jsonify(error="login_required", message=_("Du skal logge ind igen.")), 401
        return view(*args, **kwargs)

    return wrapped


# -- the worker and the offline pages ------------------------------------------------------------


@bp.get("/sw.js")
def service_worker():
    response = Response(worker.render(), mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/sw/<name>")
def worker_module(name: str):
    path = worker.module_path(name)
    if path is None:
        abort(404)
    response = Response(path.read_bytes(), mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    """The page a navigation gets when it is neither online nor cached. No personal data."""
    return render_template("sync/offline.html")


@bp.get("/udbakke")
@login_required
def outbox():
    conflicts = db.session.scalar(
        select(func.count()).select_from(visible_conflicts(current_user).subquery())
    )
    return render_template("sync/outbox.html", conflict_count=conflicts)


# -- the JSON API --------------------------------------------------------------------------------


@bp.get("/api/csrf")
@api_login_required
def csrf_token():
    return jsonify(csrf_token=generate_csrf(), user_id=current_user.id), 200, NO_STORE


def _limits() -> dict:
    config = current_app.config
    return {
        "items": config["SYNC_MAX_ITEMS"],
        "bytes": config["SYNC_MAX_BYTES"],
        "item_bytes": config["SYNC_MAX_ITEM_BYTES"],
    }


def _too_large():
    return jsonify(error="too_large", message=_("Det sendte er for stort."), **_limits()), 413


@bp.post("/api/sync")
@api_login_required
def sync():
    if (request.content_length or 0) > current_app.config["SYNC_MAX_BYTES"]:
        return _too_large()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
        return jsonify(error="bad_request", message=_("Forespørgslen kunne ikke forstås.")), 400
    items = body.get("items", [])
    if len(items) > current_app.config["SYNC_MAX_ITEMS"]:
        return _too_large()
    user = current_user._get_current_object()  # not the proxy, asked a few times per item
    results = [result.as_json() for result in batch.take_batch(user, items)]
    views = body.get("views") if isinstance(body.get("views"), list) else []
    taken = services.log_offline_views(user, views)
    return jsonify(results=results, views=taken), 200, NO_STORE


@bp.post("/api/sync/reconcile")
@api_login_required
def reconcile():
    body = request.get_json(silent=True)
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or len(ids) > 5000:
        return jsonify(error="bad_request", message=_("Forespørgslen kunne ikke forstås.")), 400
    missing = services.missing_item_ids(current_user, [str(i) for i in ids])
    return jsonify(missing=missing), 200, NO_STORE


@bp.get("/api/offline/plan")
@api_login_required
def offline_plan():
    return jsonify(plan.build_plan(current_user)), 200, NO_STORE


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(openapi.spec(_limits()))


# -- conflicts -----------------------------------------------------------------------------------


@bp.get("/konflikter")
@login_required
def conflicts():
    found = db.session.scalars(visible_conflicts(current_user).limit(200)).all()
    return render_template("sync/conflicts.html", conflicts=found)


def _visible_conflict_or_404(conflict_id: int) -> Conflict:
    query = visible_conflicts(current_user, open_only=False).where(Conflict.id == conflict_id)
    conflict = db.session.scalar(query)
    if conflict is None:
        abort(404)
    return conflict


@bp.route("/konflikter/<int:conflict_id>", methods=["GET", "POST"])
@login_required
def conflict(conflict_id: int):
    conflict = _visible_conflict_or_404(conflict_id)
    record = services.load_record(conflict.record_type, conflict.record_id)
    if record is not None and not may_see(conflict.kind, current_user, record):
        abort(404)  # the live record is shown: the user must still be allowed to see it
    current = services.snapshot(record, conflict.payload.keys())
    rows = rules.compare(current, conflict.payload)
    form = ResolveForm()
    status = 200
    result = None
    if conflict.is_open and form.validate_on_submit():
        differing = {row.field for row in rows if row.differs}
        take = set(request.form.getlist("take")) & differing
        result = services.resolve_conflict(
            current_user, conflict, form.choice.data, take, (form.reason.data or "").strip()
        )
        if result is None:
            flash(_("Konflikten er afgjort."), "success")
            return redirect(url_for("sync.conflicts"), 303)
        status = 422
    elif form.is_submitted():
        status = 422
    if conflict.child_id is not None:
        log_access(conflict.child_id, "view", f"conflict:{conflict.id}")
    return render_template(
        "sync/conflict.html",
        conflict=conflict,
        record=record,
        rows=rows,
        labels=(conflict.labels or {}),
        form=form,
        result=result,
        can_apply=submitter(conflict.kind) is not None and record is not None,
    ), status


def _has_open_conflicts(user) -> bool:
    query = visible_conflicts(user).with_only_columns(Conflict.id).limit(1)
    return db.session.scalar(query) is not None


def child_conflicts(child_id: int) -> list[Conflict]:
    query = visible_conflicts(current_user).where(Conflict.child_id == child_id)
    return list(db.session.scalars(query.limit(20)))


def _sync_time(value) -> str:
    """A stored UTC time in local time (SQLite hands back naive datetimes)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value)


# The worker's script and modules, the offline page it stores, and the JSON API (the outbox
# sends, the worker plans): none of them is a step the user took.
_WORKER_AND_API = frozenset(
    {
        "sync.service_worker",
        "sync.worker_module",
        "sync.offline",
        "sync.csrf_token",
        "sync.sync",
        "sync.reconcile",
        "sync.offline_plan",
        "sync.openapi_json",
    }
)


def _background_request() -> bool:
    """The worker's own requests, and the pages it fetches to prepare the device."""
    return request.endpoint in _WORKER_AND_API or bool(request.headers.get("X-Opspor-Prepare"))


def init_app(app: Flask) -> None:
    app.config.setdefault("SYNC_MAX_ITEMS", 100)
    app.config.setdefault("SYNC_MAX_BYTES", 1_000_000)
    app.config.setdefault("SYNC_MAX_ITEM_BYTES", 100_000)
    app.config.setdefault("SYNC_NAV_TIMEOUT_MS", 3500)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        child_conflicts=child_conflicts,
        rendered_at=lambda: clock.now().isoformat(timespec="seconds"),
        sync_texts=texts.texts,
        kind_label=texts.kind_label,
        resolution_label=texts.resolution_label,
    )
    app.jinja_env.filters["sync_time"] = _sync_time
    register_nav("sync.outbox", _l("Udbakke"), lambda u: bool(u.roles), order=90)
    register_nav("sync.conflicts", _l("Konflikter"), _has_open_conflicts, order=91)
    register_child_section("sync/_child_offline.html", order=1)
    register_background(_background_request)

    # A page fetched in the background to prepare the device must not take (or store) a flash
    # message meant for the page the user opens next.
    flashed = app.jinja_env.globals["get_flashed_messages"]

    def get_flashed_messages(*args, **kwargs):
        if request.headers.get("X-Opspor-Prepare"):
            return []
        return flashed(*args, **kwargs)

    app.jinja_env.globals["get_flashed_messages"] = get_flashed_messages

    @app.after_request
    def _user_header(response):
        # The worker stores a page only in the cache of the user it was rendered for.
        if current_user.is_authenticated:
            response.headers["X-Opspor-User"] = str(current_user.id)
        return response
