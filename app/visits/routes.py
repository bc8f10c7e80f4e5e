"""Views of the health visits: the nurse's day, the visit record, planning and growth charts."""

from __future__ import annotations

import uuid as uuidlib

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

from app import clock
from app.audit.services import log_access
from app.auth.roles import Role
from app.children.scoping import get_child_or_404
from app.extensions import db
from app.i18n import format_age
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.security import login_required, roles_required
from app.sync.registry import register_record_kind
from app.visits import queries, screening, services, valuesets
from app.visits.charts import build_chart
from app.visits.forms import (
    FORM_VERSION,
    MoveForm,
    NeedsVisitForm,
    NotDoneForm,
    UrgentActionForm,
    VisitForm,
)
from app.visits.growth import MEASURE_LABELS, REFERENCE_NAME, make_point, term_equivalent_date
from app.visits.models import PlannedVisit, Visit
from app.visits.rules import age_in_months, indicator_concerns
from app.visits.screening import (
    ADBB_ITEMS,
    SELF_HARM_NEVER_POSITION,
    adbb_age_ok,
    may_use_adbb,
)
from app.visits.valuesets import LENGTH_POSITIONS
from app.web import register_child_section, register_home_screen

bp = Blueprint("visits", __name__)


def optional_url(endpoint: str, **values) -> str | None:
    """A link to another area's page, or None while that area does not exist (no crash)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def format_number(value: float | None, decimals: int = 1) -> str:
    """Danish decimal comma and a real minus sign; never "−0,0"."""
    if value is None:
        return "–"
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = f"{0:.{decimals}f}"
    return text.replace(".", ",").replace("-", "−")


def format_centile(value: float | None) -> str:
    """A centile as people say it: whole numbers, one decimal at the extremes (0,4 · 99,6),
    and beyond those "< 0,1" / "> 99,9" (a z of 7.6 is not the 100th centile)."""
    if value is None:
        return "–"
    if value < 0.1:
        return "< 0,1"
    if value > 99.9:
        return "> 99,9"
    if 1 <= value <= 99:
        return str(round(value))
    return f"{value:.1f}".replace(".", ",")


def _child(child_id: int):
    child = get_child_or_404(current_user, child_id)
    if not queries.may_see_health_records(current_user):
        abort(403)
    return child


def _visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        abort(404)
    _child(visit.child_id)
    return visit


def _planned(planned_id: int) -> PlannedVisit:
    planned = db.session.get(PlannedVisit, planned_id)
    if planned is None:
        abort(404)
    _child(planned.child_id)
    return planned


def _rerender(template: str, status: int = 200, **context):
    return render_template(template, **context), status


# --- the nurse's day -----------------------------------------------------------------------


def home_screen():
    """Registered as the sundhedsplejerske's home screen ("/")."""
    today = clock.today()
    services.ensure_programmes(current_user, today)
    settings = services.settings_for(current_user)
    agenda = queries.agenda(current_user, today, int(settings["gap_lookback_days"]))
    for planned in agenda.today:
        log_access(planned.child_id, "view", f"planned_visit:{planned.id}")
    return render_template(
        "visits/home.html", agenda=agenda, today=today, status_of=queries.status_of
    )


@bp.get("/besoeg")
@roles_required(Role.SUNDHEDSPLEJERSKE)
def agenda():
    return home_screen()


AGENDA_LISTS = {
    "registreret": _l("Registreret i dag"),
    "kommende": _l("De kommende dage"),
    "forsinkede": _l("Forsinkede besøg"),
    "huller": _l("Børn med huller i programmet"),
}


@bp.get("/besoeg/liste/<which>")
@roles_required(Role.SUNDHEDSPLEJERSKE)
def agenda_list(which: str):
    """One list of the home screen in full (the home screen shows its first rows)."""
    if which not in AGENDA_LISTS:
        abort(404)
    today, user = clock.today(), current_user
    needs_action = []
    if which == "registreret":
        needs_action = db.session.scalars(queries.needs_action_today(user, today)).all()
        rows = queries.capped(
            queries.done_today(user, today).where(~queries.action_missing()), None
        )
    elif which == "kommende":
        rows = queries.capped(queries.coming(user, today), None)
    elif which == "forsinkede":
        rows = queries.capped(queries.overdue(user, today), None)
    else:
        lookback = int(services.settings_for(user)["gap_lookback_days"])
        rows = queries.gaps_by_child(user, today, lookback, None)
    return render_template(
        "visits/agenda_list.html",
        which=which,
        title=AGENDA_LISTS[which],
        needs_action=needs_action,
        rows=rows,
        total=rows.total + len(needs_action),
        today=today,
    )


# --- a child's visits ----------------------------------------------------------------------


@bp.get("/boern/<int:child_id>/besoeg")
@login_required
def child_visits(child_id: int):
    child = _child(child_id)
    today = clock.today()
    if services.is_nurse(current_user):
        services.ensure_child_programme(child, current_user, today)
    log_access(child.id, "view", "visits")
    return render_template(
        "visits/child_visits.html",
        child=child,
        today=today,
        planned=db.session.scalars(queries.child_planned(child.id)).all(),
        visits=db.session.scalars(queries.child_visits(child.id)).all(),
        status_of=queries.status_of,
        may_plan_again=services.may_plan_again,
        is_nurse=services.is_nurse(current_user),
    )


def _form_context(form: VisitForm, child, planned, *, visit=None):
    visit_date = form.visit_date.data or clock.today()
    never = str(SELF_HARM_NEVER_POSITION)
    self_harm = [
        parent
        for parent in ("mor", "far")
        if form[f"epds_{parent}_10"].data not in (None, "")
        and str(form[f"epds_{parent}_10"].data) != never
    ]
    return {
        "self_harm": self_harm,
        "settings": services.settings_for(current_user),
        "form": form,
        "child": child,
        "planned": planned,
        "visit": visit,
        "today": clock.today(),
        "sex": services.child_sex(child),
        "show_adbb": may_use_adbb(current_user.qualifications)
        and adbb_age_ok(age_in_months(child.birth_date, visit_date)),
        # Scores recorded by someone certified: shown read-only to a nurse who is not.
        "locked_adbb": visit.adbb_scores
        if visit is not None and not may_use_adbb(current_user.qualifications)
        else None,
        "age_months": age_in_months(child.birth_date, visit_date),
    }


@bp.route("/boern/<int:child_id>/besoeg/ny", methods=["GET", "POST"])
@roles_required(Role.SUNDHEDSPLEJERSKE)
def new(child_id: int):
    child = _child(child_id)
    planned = None
    planned_id = services.parse_id(request.values.get("planlagt")) or services.parse_id(
        request.form.get("planned_visit_id")
    )
    if planned_id:
        planned = db.session.get(PlannedVisit, planned_id)
        if planned is None or planned.child_id != child.id:
            abort(404)
        if request.method == "GET" and planned.record is not None:
            return redirect(url_for("visits.show", visit_id=planned.record.id), 303)
    if request.method == "POST":
        result, form = services.process_visit(current_user, request.form)
        if result.status in ("accepted", "duplicate"):
            return redirect(url_for("visits.show", visit_id=result.record.id), 303)
        if result.status == "forbidden":
            abort(404)
        if result.status == "conflict":
            flash(result.message, "error")
            return redirect(url_for("visits.show", visit_id=result.record.id), 303)
        return _rerender("visits/form.html", 422, **_form_context(form, child, planned))
    form = VisitForm(
        data={
            "uuid": str(uuidlib.uuid4()),
            "child_id": str(child.id),
            "form_version": str(FORM_VERSION),
            "planned_visit_id": str(planned.id) if planned else "",
            "visit_type": planned.visit_type if planned else "behov",
            "visit_date": clock.today(),
            "visit_time": planned.planned_time if planned else None,
            "contact_form": "hjemmebesoeg",
            "length_position": "liggende"
            if (clock.today() - child.birth_date).days < 731
            else "staaende",
            "sex": services.child_sex(child) or "",
        }
    )
    log_access(child.id, "view", "visit:new")
    return render_template("visits/form.html", **_form_context(form, child, planned))


@bp.get("/besoeg/<int:visit_id>")
@login_required
def show(visit_id: int):
    visit = _visit(visit_id)
    child = visit.child
    sex = services.child_sex(child)
    log_access(child.id, "view", f"visit:{visit.id}")
    followups = db.session.scalars(
        select(PlannedVisit).where(PlannedVisit.source_visit_uuid == visit.uuid)
    ).all()
    return render_template(
        "visits/show.html",
        visit=visit,
        child=child,
        sex=sex,
        sex_changes=db.session.scalars(queries.sex_changes(child.id)).all(),
        concerns=indicator_concerns(visit.indicators or {}),
        growth=queries.child_growth(child, sex),
        measures=_measures(visit, child, sex),
        revisions=_revisions(visit),
        labels=MEASURE_LABELS,
        followups=followups,
        settings=services.settings_for(current_user),
        urgent_form=UrgentActionForm(),
        today=clock.today(),
        is_nurse=services.is_nurse(current_user),
        assessment_url=optional_url("assessments.new", child_id=child.id, with_parents=1),
        concern_url=optional_url(
            "concerns.open", child_id=child.id, source="visit", source_id=visit.id
        ),
    )


def _measures(visit: Visit, child, sex) -> dict:
    """The visit's measurements with their z-scores and centiles (WHO 2006)."""
    rows = []
    corrected = None
    for measure, value, text, position, reason in (
        (
            "weight",
            visit.weight_kg,
            visit.weight_g and f"{visit.weight_g} g",
            None,
            visit.weight_reason,
        ),
        (
            "length",
            visit.length_cm,
            visit.length_cm and _cm(visit.length_cm, visit.length_position),
            visit.length_position,
            visit.length_reason,
        ),
        ("head", visit.head_cm, visit.head_cm and _cm(visit.head_cm), None, visit.head_reason),
    ):
        point = None
        if value is not None and sex:
            point = make_point(
                measure,
                visit.visit_date,
                value,
                child.birth_date,
                child.gestational_age_weeks,
                sex,
                position,
            )
            if point.age.corrected:
                term = term_equivalent_date(child.birth_date, child.gestational_age_weeks)
                corrected = format_age(term, visit.visit_date)
        rows.append({"measure": measure, "text": text, "point": point, "reason": reason})
    return {"rows": rows, "corrected": corrected}


def _cm(value: float, position: str | None = None) -> str:
    text = f"{value:.1f} cm".replace(".", ",")
    if position:
        text += f" ({_(LENGTH_POSITIONS[position]).lower()})"
    return text


CONTENT_LABELS = {
    "visit_type": _l("besøgstype"),
    "contact_form": _l("kontaktform"),
    "visit_date": _l("dato"),
    "visit_time": _l("klokkeslæt"),
    "present": _l("til stede"),
    "present_note": _l("til stede"),
    "weight_g": _l("vægt"),
    "weight_reason": _l("vægt"),
    "length_mm": _l("længde"),
    "length_position": _l("længde"),
    "length_reason": _l("længde"),
    "head_mm": _l("hovedomfang"),
    "head_reason": _l("hovedomfang"),
    "feeding": _l("ernæring"),
    "indicators": _l("observationer"),
    "observations": _l("notat"),
    "adbb_scores": _l("ADBB"),
    "epds_mor": _l("EPDS mor"),
    "epds_far": _l("EPDS far"),
    "planned_visit_id": _l("planlagt besøg"),
    "child_id": _l("barn"),
}


MEASURE_KEYS = {
    "weight": ("weight_g", "weight_reason"),
    "length": ("length_mm", "length_position", "length_reason"),
    "head": ("head_mm", "head_reason"),
}


def _measure_text(content: dict, measure: str) -> str:
    """A measurement of a stored content as the visit page shows it ("50,5 cm", "Ikke målt")."""
    if measure == "weight" and content.get("weight_g") is not None:
        return f"{content['weight_g']} g"
    mm = content.get(f"{measure}_mm")
    if measure != "weight" and mm is not None:
        return _cm(mm / 10, content.get("length_position") if measure == "length" else None)
    reason = content.get(f"{measure}_reason")
    text = _("Ikke målt")
    return f"{text}: {_(valuesets.MISSING_REASONS[reason]).lower()}" if reason else text


def _revisions(visit: Visit) -> list[dict]:
    """Each correction with what it changed (its content against the next version), and the
    changed measurements as earlier → new."""
    result = []
    contents = [r.content for r in visit.revisions] + [services.visit_content(visit)]
    for i, revision in enumerate(visit.revisions):
        before, after = contents[i], contents[i + 1]
        keys = [k for k in after if before.get(k) != after.get(k)]
        labels = list(dict.fromkeys(str(CONTENT_LABELS.get(k, k)) for k in keys))
        measures = [
            (measure, _measure_text(before, measure), _measure_text(after, measure))
            for measure, fields in MEASURE_KEYS.items()
            if any(k in keys for k in fields)
        ]
        result.append(
            {"revision": revision, "changed_keys": keys, "changed": labels, "measures": measures}
        )
    return result


@bp.route("/besoeg/<int:visit_id>/ret", methods=["GET", "POST"])
@roles_required(Role.SUNDHEDSPLEJERSKE)
def correct(visit_id: int):
    """A correction keeps the earlier content, who corrected it and why."""
    visit = _visit(visit_id)
    child = visit.child
    if request.method == "POST":
        result, form = services.process_visit(current_user, request.form)
        if result.ok:
            flash(_("Rettelsen er gemt. Den tidligere udgave er bevaret."), "success")
            return redirect(url_for("visits.show", visit_id=visit.id), 303)
        if result.status == "forbidden":
            abort(404)
        if result.status == "conflict":
            flash(result.message, "error")
            return redirect(url_for("visits.show", visit_id=visit.id), 303)
        return _rerender(
            "visits/form.html", 422, **_form_context(form, child, visit.planned_visit, visit=visit)
        )
    content = services.visit_content(visit)
    data = {
        **{k: v for k, v in content.items() if k not in ("indicators", "present")},
        "uuid": visit.uuid,
        "form_version": str(visit.form_version),
        "base_version": str(visit.version),
        "child_id": str(visit.child_id),
        "planned_visit_id": str(visit.planned_visit_id or ""),
        "visit_date": visit.visit_date,
        "visit_time": visit.visit_time,
        "length_cm": visit.length_cm,
        "head_cm": visit.head_cm,
        "sex": services.child_sex(child) or "",
    }
    for code in visit.present or []:
        data[f"present_{code}"] = True
    for code, level in (visit.indicators or {}).items():
        data[f"ind_{code}"] = level
    for parent in ("mor", "far"):
        for i, position in enumerate(getattr(visit, f"epds_{parent}") or [], start=1):
            data[f"epds_{parent}_{i}"] = str(position)
    for (code, _label), score in zip(ADBB_ITEMS, visit.adbb_scores or [], strict=False):
        data[f"adbb_{code}"] = str(score)
    form = VisitForm(data={k: ("" if v is None else v) for k, v in data.items()})
    log_access(child.id, "view", f"visit:{visit.id}")
    return render_template(
        "visits/form.html", **_form_context(form, child, visit.planned_visit, visit=visit)
    )


@bp.post("/besoeg/<int:visit_id>/handling")
@roles_required(Role.SUNDHEDSPLEJERSKE)
def urgent_action(visit_id: int):
    visit = _visit(visit_id)
    form = UrgentActionForm()
    if form.validate_on_submit():
        services.record_urgent_action(visit, current_user, form.urgent_action.data.strip())
        flash(_("Handlingen er registreret på besøget."), "success")
        return redirect(url_for("visits.show", visit_id=visit.id), 303)
    flash(_("Skriv hvad du har gjort."), "error")
    return redirect(url_for("visits.show", visit_id=visit.id, _anchor="urgent"), 303)


# --- planning ------------------------------------------------------------------------------


@bp.route("/planlagte-besoeg/<int:planned_id>/flyt", methods=["GET", "POST"])
@roles_required(Role.SUNDHEDSPLEJERSKE)
def move(planned_id: int):
    planned = _planned(planned_id)
    if planned.status != "planlagt":
        abort(409)
    form = MoveForm(
        data={"planned_date": planned.planned_date, "planned_time": planned.planned_time}
    )
    if form.validate_on_submit():
        services.move_planned(
            planned, current_user, form.planned_date.data, form.planned_time.data, form.reason.data
        )
        flash(_("Besøget er flyttet."), "success")
        return redirect(_back(planned), 303)
    status = 422 if request.method == "POST" else 200
    return _rerender("visits/move.html", status, form=form, planned=planned, child=planned.child)


@bp.route("/planlagte-besoeg/<int:planned_id>/planlaeg-igen", methods=["GET", "POST"])
@roles_required(Role.SUNDHEDSPLEJERSKE)
def plan_again(planned_id: int):
    """A programme contact not carried out is planned again while its window is open."""
    planned = _planned(planned_id)
    if not services.may_plan_again(planned, clock.today()):
        abort(409)
    form = MoveForm(data={"planned_date": max(clock.today(), planned.planned_date)})
    form.reason.label.text = _("Hvorfor planlægges besøget igen?")
    if form.validate_on_submit():
        services.plan_again(
            planned, current_user, form.planned_date.data, form.planned_time.data, form.reason.data
        )
        flash(_("Besøget er planlagt igen."), "success")
        return redirect(_back(planned), 303)
    status = 422 if request.method == "POST" else 200
    return _rerender(
        "visits/move.html", status, form=form, planned=planned, child=planned.child, again=True
    )


@bp.route("/planlagte-besoeg/<int:planned_id>/ikke-gennemfoert", methods=["GET", "POST"])
@roles_required(Role.SUNDHEDSPLEJERSKE)
def not_done(planned_id: int):
    planned = _planned(planned_id)
    if planned.status != "planlagt":
        abort(409)
    form = NotDoneForm()
    if form.validate_on_submit():
        services.mark_not_done(
            planned, current_user, form.not_done_reason.data, (form.note.data or "").strip() or None
        )
        flash(_("Besøget er markeret som ikke gennemført."), "success")
        return redirect(_back(planned), 303)
    status = 422 if request.method == "POST" else 200
    return _rerender(
        "visits/not_done.html", status, form=form, planned=planned, child=planned.child
    )


@bp.route("/boern/<int:child_id>/besoeg/behov", methods=["GET", "POST"])
@roles_required(Role.SUNDHEDSPLEJERSKE)
def add_needs(child_id: int):
    child = _child(child_id)
    form = NeedsVisitForm(data={"planned_date": clock.today()})
    if form.validate_on_submit():
        services.add_needs_visit(
            child, current_user, form.planned_date.data, form.planned_time.data, form.reason.data
        )
        flash(_("Behovsbesøget er planlagt."), "success")
        return redirect(url_for("visits.child_visits", child_id=child.id), 303)
    status = 422 if request.method == "POST" else 200
    return _rerender("visits/needs.html", status, form=form, child=child, today=clock.today())


def _back(planned: PlannedVisit) -> str:
    target = request.args.get("tilbage")
    if target == "hjem":
        return url_for("children.home")
    return url_for("visits.child_visits", child_id=planned.child_id)


# --- growth --------------------------------------------------------------------------------


@bp.get("/boern/<int:child_id>/vaekst")
@login_required
def growth(child_id: int):
    child = _child(child_id)
    sex = services.child_sex(child)
    data = queries.child_growth(child, sex)
    charts = {}
    if sex:
        for measure, points in data.series.items():
            if points:
                charts[measure] = build_chart(measure, sex, points)
    log_access(child.id, "view", "growth")
    return render_template(
        "visits/growth.html",
        child=child,
        sex=sex,
        growth=data,
        charts=charts,
        labels=MEASURE_LABELS,
        reference_name=REFERENCE_NAME,
        term_date=term_equivalent_date(child.birth_date, child.gestational_age_weeks),
        today=clock.today(),
    )


# --- the child page section ----------------------------------------------------------------


def child_summary(child):
    """Data for the section on the child's page (None when the user may not see it)."""
    if not queries.may_see_health_records(current_user):
        return None
    today = clock.today()
    visits = db.session.scalars(queries.child_visits(child.id).limit(3)).all()
    planned = db.session.scalars(
        queries.child_planned(child.id).where(PlannedVisit.status == "planlagt").limit(2)
    ).all()
    sex = services.child_sex(child)
    growth_data = queries.child_growth(child, sex)
    log_access(child.id, "view", "visits:summary")
    latest = {m: (pts[-1] if pts else None) for m, pts in growth_data.series.items()}
    return {
        "visits": visits,
        "planned": planned,
        "latest": latest,
        "flags": growth_data.flags,
        "sex": sex,
        "today": today,
        "status_of": queries.status_of,
        "urgent_open": [v for v in visits if v.epds_self_harm and not v.actions],
        "labels": MEASURE_LABELS,
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_record_kind("visit", services.submit_visit, prefetch=services.prefetch_visits)
    register_home_screen(Role.SUNDHEDSPLEJERSKE.value, home_screen)
    register_child_section("visits/_child_section.html", order=30)
    app.jinja_env.globals["visits_child_summary"] = child_summary
    app.jinja_env.globals["visits_optional_url"] = optional_url
    app.jinja_env.filters["visits_num"] = format_number
    app.jinja_env.filters["visits_centile"] = format_centile
    app.jinja_env.globals["visits_vs"] = valuesets
    app.jinja_env.globals["visits_sc"] = screening
    from app.demo.seed import register_seeder
    from app.visits.seed import seed_visits

    register_seeder(seed_visits)
