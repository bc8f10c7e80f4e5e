"""Children in the administration: register, correct master data, guardians, enrolments
(enrol, end, move keeping history) and the health visitor's caseload.

Administrators and leaders (see app/admin/scoping.py). Every page that shows a child logs a view,
every change logs what changed (services). CPR numbers travel only in POST bodies.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.admin import queries, services
from app.admin.blueprint import attach, bp, child_admin_required
from app.admin.forms import (
    NONE,
    CaseloadForm,
    EditChildForm,
    EndCaseloadForm,
    EndEnrolmentForm,
    EnrolmentForm,
    GuardianForm,
    MoveForm,
    RegisterChildForm,
    options,
)
from app.admin.labels import unit_kind_label
from app.admin.rules import track
from app.admin.scoping import (
    get_administrable_child_or_404,
    manageable_unit_ids,
    sees_child_details,
    target_units,
)
from app.admin.services import Conflict, Problem, acting_role
from app.audit.services import log_access
from app.auth.roles import Role
from app.children import cpr as cprlib
from app.children.models import Caseload, Child, Enrolment, Guardian
from app.extensions import db
from app.i18n import gettext as _
from app.org.models import UnitKind


def _stale(form, record) -> int:
    """Someone else saved first: say so, offer the stored version to save over, status 409."""
    form.form_errors.append(
        _("Oplysningerne er ændret af en anden, mens du havde siden åben. Tjek dem, og gem igen.")
    )
    form.version.data = record.version
    return 409


def _child(child_id: int, what: str = "admin:child") -> Child:
    """The child if the user may administer it; a GET (the page shows the child) is logged."""
    child = get_administrable_child_or_404(current_user, child_id)
    if request.method == "GET":
        log_access(child.id, "view", what, role=acting_role(current_user))
    return child


def _back(child: Child):
    return redirect(url_for("admin.child", child_id=child.id), 303)


def _flash_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        flash(warning, "warning")


def _unit_choices(field, only_track: str | None = None) -> None:
    field.choices = options(
        [(NONE, _("Vælg enhed"))]
        + [
            (unit.id, f"{unit.name} · {unit_kind_label(unit.kind)}")
            for unit in db.session.scalars(target_units(current_user))
            if unit.kind is not UnitKind.DAGPLEJE
            and (not only_track or track(unit.kind) == only_track)
        ]
    )


def _dagplejer_choices(field) -> None:
    memberships = db.session.scalars(
        queries.dagplejer_memberships(manageable_unit_ids(current_user))
    )
    field.choices = options(
        [(NONE, _("Ingen dagplejer"))]
        + [(m.user_id, f"{m.user.name} · {m.unit.name}") for m in memberships]
    )


def _enrolment_choices(sub, only_track: str | None = None) -> None:
    _unit_choices(sub.unit_id, only_track)
    _dagplejer_choices(sub.dagplejer_id)


def _nurses():
    return db.session.scalars(
        queries.members_with_role(Role.SUNDHEDSPLEJERSKE, manageable_unit_ids(current_user))
    ).all()


# ---- finding and registering ------------------------------------------------------------


@bp.get("/boern")
@child_admin_required
def children():
    text = request.args.get("q", "")
    found = db.session.scalars(queries.find_children(current_user, text)).all() if text else []
    template = (
        "admin/_children_results.html"
        if request.htmx and not request.htmx.boosted
        else "admin/children.html"
    )
    return render_template(template, children=found, q=text, today=clock.today())


@bp.route("/boern/ny", methods=["GET", "POST"])
@child_admin_required
def register_child():
    form = RegisterChildForm()
    _enrolment_choices(form.enrolment.form)
    if not form.is_submitted():
        form.enrolment.form.start_date.data = clock.today()
    if form.validate_on_submit():
        try:
            saved = services.register_child(current_user, form.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("%(name)s er registreret og indmeldt.", name=saved.child.name), "success")
            _flash_warnings(saved.warnings)
            return _back(saved.child)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/child_register.html", form=form), status


# ---- the child's administration page ----------------------------------------------------


@bp.get("/boern/<int:child_id>")
@child_admin_required
def child(child_id: int):
    child = _child(child_id)
    details = sees_child_details(current_user, child.id)
    today = clock.today()
    allowed = manageable_unit_ids(current_user)
    return render_template(
        "admin/child.html",
        child=child,
        today=today,
        details=details,
        cpr_text=cprlib.format_full(child.cpr) if details else cprlib.mask(child.cpr),
        enrolments=sorted(child.enrolments, key=lambda e: e.start_date, reverse=True),
        caseloads=sorted(child.caseloads, key=lambda c: c.start_date, reverse=True),
        changeable=lambda e: (
            (allowed is None or e.unit_id in allowed)
            and (e.end_date is None or e.end_date >= today)
        ),
        can_assign_nurse=bool(_nurses()),
    )


@bp.route("/boern/<int:child_id>/rediger", methods=["GET", "POST"])
@child_admin_required
def edit_child(child_id: int):
    child = _child(child_id, "admin:child-form")
    # No obj on POST: a field missing from the post must not fall back to the stored CPR.
    form = EditChildForm(obj=None if request.method == "POST" else child)
    if not form.is_submitted():
        form.cpr.data = ""  # write-only: the number is never sent back to the browser
        form.version.data = child.version
    status = 200
    if form.validate_on_submit():
        try:
            saved = services.update_child(current_user, child, form.data)
        except Problem as problem:
            attach(form, problem)
        except Conflict:
            status = _stale(form, child)
        else:
            flash(_("Barnets oplysninger er gemt."), "success")
            _flash_warnings(saved.warnings)
            return _back(child)
    if form.is_submitted() and status == 200:
        status = 422
    return render_template("admin/child_edit.html", form=form, child=child), status


# ---- guardians: leaders only (an administrator adds but does not read them) -------------


def _guardian_form_page(child: Child, form: GuardianForm, guardian: Guardian | None, status: int):
    return render_template(
        "admin/guardian_form.html", form=form, child=child, guardian=guardian
    ), status


@bp.route("/boern/<int:child_id>/foraeldre/ny", methods=["GET", "POST"])
@child_admin_required
def add_guardian(child_id: int):
    child = _child(child_id, "admin:guardian-form")
    form = GuardianForm()
    if form.validate_on_submit():
        services.add_guardian(current_user, child, form.guardian.data)
        flash(_("Forælderen er tilføjet."), "success")
        return _back(child)
    return _guardian_form_page(child, form, None, 422 if form.is_submitted() else 200)


@bp.route("/boern/<int:child_id>/foraeldre/<int:guardian_id>", methods=["GET", "POST"])
@child_admin_required
def edit_guardian(child_id: int, guardian_id: int):
    child = get_administrable_child_or_404(current_user, child_id)
    guardian = db.session.get(Guardian, guardian_id)
    if guardian is None or guardian.child_id != child.id:
        abort(404)
    if not sees_child_details(current_user, child.id):
        abort(403)
    if request.method == "GET":
        log_access(child.id, "view", f"guardian:{guardian.id}", role=acting_role(current_user))
        form = GuardianForm(formdata=None, guardian=guardian, version=guardian.version)
        return _guardian_form_page(child, form, guardian, 200)
    form = GuardianForm()
    if form.validate_on_submit():
        try:
            services.update_guardian(current_user, guardian, form.guardian.data, form.version.data)
        except Conflict:
            return _guardian_form_page(child, form, guardian, _stale(form, guardian))
        flash(_("Forælderens oplysninger er gemt."), "success")
        return _back(child)
    return _guardian_form_page(child, form, guardian, 422)


# ---- enrolments ---------------------------------------------------------------------------


@bp.route("/boern/<int:child_id>/indmeld", methods=["GET", "POST"])
@child_admin_required
def enrol(child_id: int):
    child = _child(child_id, "admin:enrolment-form")
    form = EnrolmentForm()
    _enrolment_choices(form.enrolment.form)
    if not form.is_submitted():
        form.enrolment.form.start_date.data = clock.today()
    if form.validate_on_submit():
        try:
            enrolment = services.enrol(current_user, child, form.enrolment.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(
                _("%(name)s er indmeldt i %(unit)s.", name=child.name, unit=enrolment.unit.name),
                "success",
            )
            return _back(child)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/enrol.html", form=form, child=child), status


def _enrolment(child: Child, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.child_id != child.id:
        abort(404)
    return enrolment


@bp.route("/boern/<int:child_id>/indmeldelser/<int:enrolment_id>/afslut", methods=["GET", "POST"])
@child_admin_required
def end_enrolment(child_id: int, enrolment_id: int):
    child = _child(child_id, "admin:enrolment-form")
    enrolment = _enrolment(child, enrolment_id)
    form = EndEnrolmentForm()
    if not form.is_submitted():
        form.end_date.data = enrolment.end_date or clock.today()
        form.version.data = enrolment.version
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            services.end_enrolment(current_user, enrolment, form.end_date.data, form.version.data)
        except Problem as problem:
            attach(form, problem)
        except Conflict:
            status = _stale(form, enrolment)
        else:
            flash(_("Indmeldelsen i %(unit)s er afsluttet.", unit=enrolment.unit.name), "success")
            return _back(child)
    return render_template(
        "admin/enrolment_end.html", form=form, child=child, enrolment=enrolment
    ), status


@bp.route("/boern/<int:child_id>/indmeldelser/<int:enrolment_id>/flyt", methods=["GET", "POST"])
@child_admin_required
def move(child_id: int, enrolment_id: int):
    child = _child(child_id, "admin:enrolment-form")
    enrolment = _enrolment(child, enrolment_id)
    form = MoveForm()
    _enrolment_choices(form, track(enrolment.unit.kind))
    if not form.is_submitted():
        form.move_date.data = clock.today()
        form.version.data = enrolment.version
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            new = services.move_child(current_user, enrolment, form.data)
        except Problem as problem:
            attach(form, problem)
        except Conflict:
            status = _stale(form, enrolment)
        else:
            flash(
                _(
                    "%(name)s flytter fra %(old)s til %(new)s.",
                    name=child.name,
                    old=enrolment.unit.name,
                    new=new.unit.name,
                ),
                "success",
            )
            return _back(child)
    return render_template("admin/move.html", form=form, child=child, enrolment=enrolment), status


# ---- caseload (sundhedsplejerske) -------------------------------------------------------


@bp.route("/boern/<int:child_id>/sundhedsplejerske", methods=["GET", "POST"])
@child_admin_required
def assign_nurse(child_id: int):
    child = _child(child_id, "admin:caseload-form")
    form = CaseloadForm()
    form.nurse_id.choices = options(
        [(NONE, _("Vælg sundhedsplejerske"))] + [(n.id, n.name) for n in _nurses()]
    )
    if not form.is_submitted():
        form.start_date.data = clock.today()
    if form.validate_on_submit():
        try:
            services.assign_nurse(current_user, child, form.nurse_id.data, form.start_date.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("Sundhedsplejersken er tilknyttet."), "success")
            return _back(child)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/caseload.html", form=form, child=child), status


@bp.route(
    "/boern/<int:child_id>/sundhedsplejerske/<int:caseload_id>/afslut", methods=["GET", "POST"]
)
@child_admin_required
def end_caseload(child_id: int, caseload_id: int):
    child = _child(child_id, "admin:caseload-form")
    caseload = db.session.get(Caseload, caseload_id)
    if caseload is None or caseload.child_id != child.id:
        abort(404)
    form = EndCaseloadForm()
    if not form.is_submitted():
        form.end_date.data = clock.today()
    if form.validate_on_submit():
        try:
            services.end_caseload(current_user, caseload, form.end_date.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("Forløbet hos %(name)s er afsluttet.", name=caseload.nurse.name), "success")
            return _back(child)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/caseload_end.html", form=form, child=child, caseload=caseload
    ), status
