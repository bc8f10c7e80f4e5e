"""Sparring requests: anonymous (on the unit, checked for personal data) or named (on the child,
with consent or another legal basis); the answer is recorded where the request lives."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.audit.services import log_access
from app.children.models import Child, Guardian
from app.children.scoping import get_child_or_404, visible_children
from app.concerns import rules, services
from app.concerns.forms import (
    AnonymousSparringForm,
    NamedSparringForm,
    SparringAnswerForm,
    options,
)
from app.concerns.models import CourseOfAction, SparringRequest
from app.concerns.queries import anonymous_sparring
from app.concerns.routes import bp
from app.concerns.sharing import scope_for, sees_course, sees_sparring
from app.extensions import db
from app.i18n import format_age
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.org.models import Unit
from app.org.queries import descendant_unit_ids
from app.security import login_required

FINDING_TEXT = {
    "name": _l("et navn"),
    "cpr": _l("et CPR-lignende nummer"),
    "phone": _l("et telefonnummer"),
    "email": _l("en e-mailadresse"),
}


def my_unit_ids(user) -> set[int]:
    """Every unit the user works in, and those below (a leader's)."""
    return descendant_unit_ids(user.unit_ids())


def _partner_choices(settings):
    return options([("", _("Vælg")), *settings.partners])


def _course_arg(child):
    course_id = request.args.get("course_id", type=int)
    if course_id is None:
        return None
    course = db.session.get(CourseOfAction, course_id)
    if course is None or course.child_id != child.id:
        abort(404)
    if not sees_course(scope_for(current_user, child.id), course):
        abort(404)
    return course


def _all_known_names(user) -> list[str]:
    """Names of every child the user sees and their guardians, for the generic anonymous form."""
    children = visible_children(user).with_only_columns(Child.id, Child.first_name, Child.last_name)
    rows = db.session.execute(children).all()
    ids = [r.id for r in rows]
    names = [f"{r.first_name} {r.last_name}" for r in rows]
    if ids:
        names += db.session.scalars(select(Guardian.name).where(Guardian.child_id.in_(ids))).all()
    return names


def _anonymous(units, known, age_default=None, back_url=None):
    settings = services.settings_for_user(current_user)
    form = AnonymousSparringForm(age_text=age_default)
    form.unit_id.choices = options((u.id, u.name) for u in units)
    form.partner.choices = _partner_choices(settings)
    findings: list[rules.Finding] = []
    if form.is_submitted():
        findings = rules.find_personal_data(
            f"{form.age_text.data or ''}\n{form.question.data or ''}", known
        )
    if form.validate_on_submit():
        if findings and not form.confirm_no_pii.data:
            form.question.errors.append(
                _(
                    "Teksten ser ud til at indeholde personoplysninger. Ret teksten, eller bekræft "
                    "at den ikke kan identificere barnet."
                )
            )
        else:
            sparring = services.create_sparring(
                current_user,
                kind="anonym",
                unit_id=form.unit_id.data,
                partner=form.partner.data,
                age_text=form.age_text.data.strip(),
                question=form.question.data.strip(),
                pii_confirmed=bool(findings),
            )
            flash(_("Sparringsforespørgslen er gemt (anonym)."), "success")
            return redirect(url_for("concerns.sparring", sparring_id=sparring.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "concerns/sparring_anonymous.html",
        form=form,
        findings=findings,
        finding_text=FINDING_TEXT,
        back_url=back_url,
    ), status


@bp.route("/sparring/anonym", methods=["GET", "POST"])
@login_required
def sparring_anonymous():
    """Anonymous sparring from the list page: no child, the check knows all the user's names."""
    units = db.session.scalars(
        select(Unit).where(Unit.id.in_(current_user.unit_ids())).order_by(Unit.name)
    ).all()
    if not units:
        abort(404)
    return _anonymous(units, _all_known_names(current_user), back_url=url_for(".sparring_list"))


@bp.route("/boern/<int:child_id>/sparring/anonym", methods=["GET", "POST"])
@login_required
def sparring_anonymous_for_child(child_id: int):
    """Anonymous sparring started from a child: the check knows the child's and guardians'
    names, but the request stores neither the child nor the course."""
    child = get_child_or_404(current_user, child_id)
    course = _course_arg(child)
    today = clock.today()
    unit = (course.unit if course else None) or services.unit_for(current_user, child, today)
    units = [unit] if unit else []
    if not units:
        abort(404)
    log_access(child.id, "view", "sparring:anonymous-form")
    back = (
        url_for("concerns.course", child_id=child.id, course_id=course.id)
        if course
        else url_for("children.child", child_id=child.id)
    )
    return _anonymous(
        units,
        services.known_names(child),
        age_default=format_age(child.birth_date, today),
        back_url=back,
    )


@bp.route("/boern/<int:child_id>/sparring/ny", methods=["GET", "POST"])
@login_required
def sparring_named(child_id: int):
    child = get_child_or_404(current_user, child_id)
    course = _course_arg(child) or services.open_course_for_child(child.id, current_user)
    unit = (course.unit if course else None) or services.unit_for(
        current_user, child, clock.today()
    )
    if unit is None:
        abort(404)
    settings = services.settings_for_unit(unit)
    form = NamedSparringForm()
    form.partner.choices = _partner_choices(settings)
    if form.validate_on_submit():
        sparring = services.create_sparring(
            current_user,
            kind="navngivet",
            unit_id=unit.id,
            child_id=child.id,
            course_id=course.id if course else None,
            partner=form.partner.data,
            question=form.question.data.strip(),
            legal_basis=form.legal_basis.data,
            legal_basis_note=form.legal_basis_note.data.strip(),
        )
        log_access(child.id, "create", f"sparring:{sparring.id}")
        flash(_("Sparringsforespørgslen er gemt."), "success")
        return redirect(url_for("concerns.sparring", sparring_id=sparring.id), 303)
    log_access(child.id, "view", "sparring:new")
    return render_template(
        "concerns/sparring_named.html", form=form, child=child, course=course
    ), 422 if form.is_submitted() else 200


def sparring_or_404(sparring_id: int) -> SparringRequest:
    """Named: the child must be visible. Anonymous: the unit must be one of the user's."""
    sparring = db.session.get(SparringRequest, sparring_id)
    if sparring is None:
        abort(404)
    if sparring.child_id is not None:
        get_child_or_404(current_user, sparring.child_id)
        if not sees_sparring(scope_for(current_user, sparring.child_id), sparring):
            abort(404)
    elif sparring.unit_id not in my_unit_ids(current_user):
        abort(404)
    return sparring


@bp.route("/sparring/<int:sparring_id>", methods=["GET", "POST"])
@login_required
def sparring(sparring_id: int):
    """One request, and the form to record the partner's answer."""
    sparring = sparring_or_404(sparring_id)
    form = SparringAnswerForm()
    if request.method == "POST":
        if sparring.answer:
            abort(409)
        if form.validate_on_submit():
            sparring.answer = form.answer.data.strip()
            sparring.answered_on = form.answered_on.data
            sparring.answered_by = (form.answered_by.data or "").strip() or None
            sparring.updated_by_id = current_user.id
            services.record_event(
                "sparring", sparring.id, "answered", current_user, child_id=sparring.child_id
            )
            if sparring.child_id:
                log_access(sparring.child_id, "update", f"sparring:{sparring.id}")
            flash(_("Svaret er gemt."), "success")
            return redirect(url_for("concerns.sparring", sparring_id=sparring.id), 303)
    if sparring.child_id:
        log_access(sparring.child_id, "view", f"sparring:{sparring.id}")
    settings = services.settings_for_unit(sparring.unit)
    return render_template(
        "concerns/sparring.html", sparring=sparring, form=form, settings=settings
    ), 422 if form.is_submitted() else 200


@bp.get("/sparring")
@login_required
def sparring_list():
    """The unit's anonymous sparring (its answers are the unit's knowledge)."""
    items = db.session.scalars(anonymous_sparring(my_unit_ids(current_user))).all()
    settings = services.settings_for_user(current_user)
    return render_template("concerns/sparring_list.html", items=items, settings=settings)
