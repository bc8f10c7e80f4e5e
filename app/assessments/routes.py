"""Screens: "Mine børn" (home), the assessment form, an assessment with its history, the
child's timeline, and the leader's overview with its lists and CSV export.

Endpoints other areas link to: `assessments.new` (?child_id=…&with_parents=1&kind=joint),
`assessments.show`, `assessments.overview`, `assessments.unit_overview`, and
`assessments.overview_list` (the reminders' red news: which="roed-nye", unit_id=…).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.assessments import concerns_bridge, figures_cache, new_red, rules, settings
from app.assessments import overview as ov
from app.assessments.charts import trend_chart
from app.assessments.export import overview_csv
from app.assessments.models import Assessment
from app.assessments.positions import Position
from app.assessments.queries import last_concluded_on, pending_individuals, series_versions
from app.assessments.services import (
    assessing_role,
    assessment_enrolment,
    build_form,
    minimum_for,
    new_uuid,
    prefetch_assessments,
    submit_assessment,
)
from app.assessments.status import by_urgency, child_statuses
from app.assessments.timeline import child_timeline
from app.audit.services import log_access
from app.auth.roles import ASSESSING_ROLES, Role
from app.children.models import Child, Enrolment
from app.children.records import own_scope, record_scope
from app.children.scoping import get_child_or_404, visible_children
from app.extensions import db
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.org.models import Area, Unit
from app.security import login_required, roles_required
from app.sync.registry import register_record_kind
from app.web import register_child_section, register_home_screen, register_nav

bp = Blueprint("assessments", __name__)


def _child_id_arg() -> int:
    value = request.values.get("child_id", "")
    if not value.isdigit():
        abort(404)
    return int(value)


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return None


def _render_form(child, form, schema, *, enrolment, status=200, correcting=None, message=None):
    pending, minimum = [], None
    if form.kind.data == "joint" and enrolment is not None and correcting is None:
        since = last_concluded_on(child.id, enrolment.unit_id, enrolment.start_date)
        pending = list(db.session.scalars(pending_individuals(child.id, enrolment.unit_id, since)))
        minimum = minimum_for(enrolment.unit)
    elif correcting is not None and correcting.is_joint:
        pending = list(correcting.basis)
    suggestion = rules.suggest_position(form.indicators.data or [])
    return (
        render_template(
            "assessments/form.html",
            child=child,
            form=form,
            schema=schema,
            band=schema.bands[form.age_band.data],
            unit=correcting.unit if correcting else (enrolment.unit if enrolment else None),
            basis=pending,
            minimum=minimum,
            suggestion=suggestion,
            correcting=correcting,
            message=message,
            today=clock.today(),
            next_url=_safe_next(request.values.get("next")),
        ),
        status,
    )


def _after_save(assessment: Assessment):
    """Into the course of action for a concluding gul/rød; else back where the user came from."""
    if rules.opens_course_of_action(assessment.concluding, assessment.position):
        if "concerns.open" in current_app.view_functions:
            return redirect(
                url_for(
                    "concerns.open",
                    child_id=assessment.child_id,
                    position=assessment.position.value,
                    source="assessment",
                    source_id=assessment.id,
                ),
                303,
            )
        flash(_("Vurderingen er gemt. Husk at starte handlevejen for barnet."), "success")
    else:
        flash(_("Vurderingen er gemt."), "success")
    target = _safe_next(request.form.get("next"))
    return redirect(target or url_for("children.child", child_id=assessment.child_id), 303)


def _handle_post(child, schema, enrolment, correcting=None):
    result = submit_assessment(current_user, request.form, channel="online")
    if result.ok:
        return _after_save(result.record)
    if result.status == "forbidden":
        abort(404)
    form = build_form(child, schema, formdata=request.form, csrf=False)
    form.validate()
    for key, messages in result.errors.items():
        field = getattr(form, key, None)
        if field is not None and not field.errors:
            field.errors = list(messages)
    status = 409 if result.status == "conflict" else 422
    return _render_form(
        child,
        form,
        schema,
        enrolment=enrolment,
        status=status,
        correcting=correcting,
        message=result.message if result.status == "conflict" else None,
    )


@bp.route("/vurderinger/ny", methods=["GET", "POST"])
@roles_required(*ASSESSING_ROLES)
def new():
    """A new individual (default), joint (?kind=joint) or with-parents assessment."""
    child = get_child_or_404(current_user, _child_id_arg())
    enrolment = assessment_enrolment(current_user, child)
    if enrolment is None:
        flash(_("Barnet er ikke indmeldt i en enhed lige nu."), "error")
        return redirect(url_for("children.child", child_id=child.id), 303)
    schema = settings.schema(enrolment.unit.municipality)
    if request.method == "POST":
        version = request.form.get("form_version", "")
        if version.isdigit() and int(version) in settings.known_versions(
            enrolment.unit.municipality
        ):
            schema = settings.schema(enrolment.unit.municipality, int(version))
        return _handle_post(child, schema, enrolment)
    kind = "joint" if request.args.get("kind") in ("joint", "faelles") else "individual"
    with_parents = request.args.get("with_parents") == "1" or (
        assessing_role(current_user) is Role.SUNDHEDSPLEJERSKE
    )
    form = build_form(
        child,
        schema,
        data={
            "uuid": new_uuid(),
            "child_id": child.id,
            "form_version": schema.version,
            "kind": kind,
            "assessed_on": clock.today(),
            "with_parents": with_parents,
            "participants": current_user.name if kind == "joint" else "",
            "age_band": rules.age_band(child.birth_date, clock.today()),
        },
        csrf=False,
    )
    log_access(child.id, "view", "assessment-form")
    return _render_form(child, form, schema, enrolment=enrolment)


def _get_assessment_or_404(assessment_id: int, own: bool = False) -> tuple[Assessment, Child]:
    """The assessment if the user sees its child and the record itself (another unit's only
    with the parents' consent); `own`: only her own units' records (to correct them)."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    child = get_child_or_404(current_user, assessment.child_id)
    scope = own_scope(current_user) if own else record_scope(current_user, child.id)
    if not scope.sees(assessment.unit_id, assessment.assessed_on, assessment.assessor_id):
        abort(404)
    return assessment, child


@bp.get("/vurderinger/<int:assessment_id>")
@login_required
def show(assessment_id: int):
    """One assessment, its indicators as ticked, the individual ones it built on, its history."""
    assessment, child = _get_assessment_or_404(assessment_id)
    log_access(child.id, "view", f"assessment:{assessment.id}")
    schema = settings.schema(assessment.unit.municipality, assessment.form_version)
    versions = list(db.session.scalars(series_versions(assessment.series_uuid)))
    return render_template(
        "assessments/show.html",
        a=assessment,
        child=child,
        schema=schema,
        versions=versions,
        today=clock.today(),
        can_correct=assessment.current
        and current_user.has_role(*ASSESSING_ROLES)
        and own_scope(current_user).sees(
            assessment.unit_id, assessment.assessed_on, assessment.assessor_id
        ),
    )


@bp.route("/vurderinger/<int:assessment_id>/ret", methods=["GET", "POST"])
@roles_required(*ASSESSING_ROLES)
def correct(assessment_id: int):
    """A correction: a new version that supersedes this one, with a reason."""
    old, child = _get_assessment_or_404(assessment_id, own=True)
    schema = settings.schema(old.unit.municipality, old.form_version)
    if not old.current:
        flash(_("Denne version er allerede rettet. Du ser den nyeste."), "error")
        latest = db.session.scalar(
            select(Assessment).where(
                Assessment.series_uuid == old.series_uuid, Assessment.current.is_(True)
            )
        )
        return redirect(url_for("assessments.show", assessment_id=latest.id), 303)
    if request.method == "POST":
        return _handle_post(child, schema, None, correcting=old)
    data = {
        "uuid": new_uuid(),
        "child_id": child.id,
        "form_version": old.form_version,
        "kind": old.kind.value,
        "age_band": old.age_band,
        "supersedes": old.uuid,
        "base_version": old.version,
        "assessed_on": old.assessed_on,
        "with_parents": old.with_parents,
        "participants": old.participants or "",
        "indicators": list(old.indicators or []),
        "position": old.position.value,
        "justification": old.justification or "",
        "parents_discussed_on": old.parents_discussed_on,
        "parents_discussed_how": old.parents_discussed_how or "",
        "parents_view": old.parents_view or "",
        **{f"note_{k}": v for k, v in (old.notes or {}).items()},
    }
    form = build_form(child, schema, data=data, csrf=False)
    log_access(child.id, "view", f"assessment:{old.id}")
    return _render_form(child, form, schema, enrolment=None, correcting=old)


@bp.get("/vurderinger/forslag")
@login_required
def suggest():
    """The indicators' suggestion as a fragment (no child data: codes only)."""
    codes = [c for c in request.args.getlist("indicators") if c.count(".") == 2]
    try:
        suggestion = rules.suggest_position(codes)
    except ValueError:
        suggestion = rules.suggest_position([])
    municipality = _user_municipality()
    return render_template(
        "assessments/_suggestion.html",
        suggestion=suggestion,
        schema=settings.schema(municipality),
    )


def _user_municipality():
    membership = current_user.memberships[0] if current_user.memberships else None
    return membership.unit.municipality if membership else None


# --- Home screen: "Mine børn" ----------------------------------------------------------------


def home():
    """The working screen of dagplejere, dagplejepædagoger and pædagoger."""
    today = clock.today()
    children = list(
        db.session.scalars(
            visible_children(current_user)
            .options(
                selectinload(Child.enrolments)
                .selectinload(Enrolment.unit)
                .selectinload(Unit.area)
                .selectinload(Area.municipality)
            )
            .order_by(Child.first_name, Child.last_name)
        )
    )
    statuses = child_statuses(
        current_user,
        children,
        today,
        without_plan=concerns_bridge.children_without_plan([c.id for c in children], today),
    )
    show = request.args.get("vis", "alle")
    counts = {
        "todo": sum(1 for s in statuses if s.todo),
        "overdue": sum(1 for s in statuses if s.overdue),
        "joint": sum(1 for s in statuses if "joint" in s.todo),
    }
    if show == "gøres":
        statuses = [s for s in statuses if s.todo]
    schema = settings.schema(_user_municipality())
    return render_template(
        "assessments/home.html",
        statuses=by_urgency(statuses),
        counts=counts,
        show=show,
        total=len(children),
        schema=schema,
        today=today,
        role=current_user.primary_role,
    )


# --- Leader's overview ("Overblik") ----------------------------------------------------------


def _overview_schema(units):
    return settings.schema(units[0].municipality if units else _user_municipality())


def _overview_page(template: str, schema, today, **context):
    return render_template(
        template,
        concerns_available=concerns_bridge.available(),
        concern_lists=concerns_bridge.LISTS,
        schema=schema,
        today=today,
        **context,
    )


@bp.get("/overblik")
@roles_required(Role.LEDER)
def overview():
    """Every unit's section with its trend chart, or above COMPACT_ABOVE units one table row per
    unit (each unit's trend is on its own page: 66 charts made a 470 KB page)."""
    today = clock.today()
    units = ov.leader_units(current_user)
    figures = [f for f in figures_cache.unit_figures(units, today) if f.in_use]
    compact = len(figures) > ov.COMPACT_ABOVE
    schema = _overview_schema(units)
    charts = {} if compact else {f.unit.id: trend_chart(f.trend, schema) for f in figures}
    list_urls = {
        which: url_for("assessments.overview_list", which=which)
        for which in (*ov.LISTS, *concerns_bridge.LISTS)
    }
    return _overview_page(
        "assessments/overview.html",
        schema,
        today,
        figures=figures,
        totals=ov.totals(figures),
        compact=compact,
        charts=charts,
        list_urls=list_urls,
    )


@bp.get("/overblik/enhed/<int:unit_id>")
@roles_required(Role.LEDER)
def unit_overview(unit_id: int):
    """One unit's figures and its trend over the recent rounds."""
    today = clock.today()
    units = [u for u in ov.leader_units(current_user) if u.id == unit_id]
    if not units:
        abort(404)
    (f,) = figures_cache.unit_figures(units, today)
    schema = _overview_schema(units)
    return _overview_page(
        "assessments/unit_overview.html", schema, today, f=f, chart=trend_chart(f.trend, schema)
    )


@bp.get("/overblik/liste/<which>")
@roles_required(Role.LEDER)
def overview_list(which: str):
    """The children behind one number of the overview (names shown only here, to leaders)."""
    today = clock.today()
    units = ov.leader_units(current_user)
    unit_id = request.args.get("enhed") or request.args.get("unit_id", "")
    if unit_id:
        units = [u for u in units if str(u.id) == unit_id]
        if not units:
            abort(404)
    schema = settings.schema(units[0].municipality if units else _user_municipality())
    if which in concerns_bridge.LISTS:
        rows = concerns_bridge.list_rows(which, {u.id for u in units}, today)
        if rows is None:
            abort(404)
        return render_template(
            "assessments/overview_list.html",
            which=which,
            title=concerns_bridge.LISTS[which],
            units=units,
            rows=rows,
            concern_rows=True,
            schema=schema,
            today=today,
        )
    if which == new_red.WHICH:
        return _new_red_list(units, schema, today)
    if which not in ov.LISTS:
        abort(404)
    rows, total = ov.list_rows(units, which, today)
    return render_template(
        "assessments/overview_list.html",
        which=which,
        title=ov.list_title(which, schema),
        units=units,
        rows=rows,
        total=total,
        limit=ov.LIST_LIMIT,
        concern_rows=False,
        schema=schema,
        today=today,
    )


def _new_red_list(units, schema, today):
    """Nye røde vurderinger: what a red reminder is about (new_red.py). The page names each
    child's red news, so every child shown is logged as viewed."""
    rows, days = new_red.rows_for(current_user, units, today)
    for row in rows:
        log_access(row.child.id, "view", "red-news")
    return render_template(
        "assessments/new_red_list.html",
        title=_("Nye røde vurderinger"),
        units=units,
        rows=rows,
        days=max(days.values(), default=new_red.DEFAULT_DAYS),
        schema=schema,
        today=today,
    )


@bp.get("/overblik.csv")
@roles_required(Role.LEDER)
def overview_export():
    """Aggregated figures only: no names, no CPR."""
    today = clock.today()
    units = ov.leader_units(current_user)
    figures = [f for f in figures_cache.unit_figures(units, today) if f.in_use]
    body = overview_csv(figures, _overview_schema(units))
    return (
        body,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="overblik-{today.isoformat()}.csv"',
        },
    )


def _is_leader(user) -> bool:
    return Role.LEDER in user.roles


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_record_kind("assessment", submit_assessment, prefetch=prefetch_assessments)
    figures_cache.watch_sources()
    for role in (Role.DAGPLEJER, Role.DAGPLEJEPAEDAGOG, Role.PAEDAGOG):
        register_home_screen(role.value, home)
    register_nav("assessments.overview", _l("Overblik"), _is_leader, order=15)
    register_child_section("assessments/_child_timeline.html", order=20)
    app.jinja_env.globals["assessment_timeline"] = child_timeline
    app.jinja_env.globals["Position"] = Position

    from app.assessments.seed import seed_assessments
    from app.demo.seed import register_seeder

    register_seeder(seed_assessments)
