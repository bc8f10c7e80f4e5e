"""Staff (medarbejdere): create with a first role, edit, roles in units, invitation links,
deactivate. Administrators only. An invitation link is shown exactly once, right after it is
made: only its hash is stored."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from app.admin import queries, services
from app.admin.blueprint import attach, bp, no_store
from app.admin.forms import NONE, ActionForm, MembershipForm, NewStaffForm, StaffForm, options
from app.admin.services import Problem
from app.auth.models import Membership, User
from app.auth.roles import Role
from app.extensions import db
from app.i18n import gettext as _
from app.org.models import Unit
from app.security import admin_required

_SHOW_ONCE = "admin_invitation"


def _membership_choices(sub) -> None:
    sub.unit_id.choices = options(
        [(NONE, _("Vælg enhed"))]
        + [
            (u.id, u.name)
            for u in db.session.scalars(
                select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)
            )
        ]
    )
    sub.supervisor_id.choices = options(
        [(NONE, _("Ingen"))]
        + [
            (u.id, u.name)
            for u in db.session.scalars(queries.members_with_role(Role.DAGPLEJEPAEDAGOG))
        ]
    )


def _remember_link(user: User, token: str) -> None:
    """Kept in the session for the one page view that shows it (PRG), then dropped."""
    session[_SHOW_ONCE] = {
        "user_id": user.id,
        "url": url_for("auth.accept_invitation", token=token, _external=True),
    }


@bp.get("/medarbejdere")
@admin_required
def staff():
    text = request.args.get("q", "")
    show_inactive = request.args.get("inaktive") == "1"
    users = db.session.scalars(queries.staff(text, show_inactive)).all()
    invitations = queries.open_invitations([u.id for u in users])
    return render_template(
        "admin/staff.html",
        users=users,
        invitations=invitations,
        q=text,
        show_inactive=show_inactive,
    )


@bp.route("/medarbejdere/ny", methods=["GET", "POST"])
@admin_required
def new_staff():
    form = NewStaffForm()
    _membership_choices(form.membership.form)
    if form.validate_on_submit():
        try:
            user, token = services.create_staff(form.data, by=current_user)
        except Problem as problem:
            attach(form, problem)
        else:
            _remember_link(user, token)
            flash(_("%(name)s er oprettet.", name=user.name), "success")
            return redirect(url_for("admin.staff_member", user_id=user.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/staff_new.html", form=form), status


def _staff_page(user: User, form=None, membership_form=None, action_form=None, status=200):
    if form is None:
        form = StaffForm(obj=user, formdata=None)
        form.adbb.data = bool((user.qualifications or {}).get("adbb"))
    membership_form = membership_form or MembershipForm(formdata=None)
    _membership_choices(membership_form.membership.form)
    invitation = queries.open_invitations([user.id]).get(user.id)
    shown = session.get(_SHOW_ONCE)
    link = None
    if shown and shown.get("user_id") == user.id:
        link = session.pop(_SHOW_ONCE)["url"]
    response = make_response(
        render_template(
            "admin/staff_member.html",
            member=user,
            form=form,
            membership_form=membership_form,
            action_form=action_form or ActionForm(formdata=None),
            invitation=invitation,
            invitation_link=link,
        ),
        status,
    )
    return no_store(response) if link else response


def _get_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/medarbejdere/<int:user_id>", methods=["GET", "POST"])
@admin_required
def staff_member(user_id: int):
    user = _get_user(user_id)
    if request.method == "GET":
        return _staff_page(user)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            services.update_staff(user, form.data, by=current_user)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("Oplysningerne er gemt."), "success")
            return redirect(url_for("admin.staff_member", user_id=user.id), 303)
    return _staff_page(user, form=form, status=422)


@bp.post("/medarbejdere/<int:user_id>/roller")
@admin_required
def add_membership(user_id: int):
    user = _get_user(user_id)
    form = MembershipForm()
    _membership_choices(form.membership.form)
    if form.validate_on_submit():
        try:
            services.add_membership(user, form.membership.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("Rollen er tilføjet."), "success")
            return redirect(url_for("admin.staff_member", user_id=user.id), 303)
    return _staff_page(user, membership_form=form, status=422)


@bp.post("/medarbejdere/<int:user_id>/roller/<int:membership_id>/fjern")
@admin_required
def remove_membership(user_id: int, membership_id: int):
    user = _get_user(user_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != user.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        return _staff_page(user, action_form=form, status=422)
    services.remove_membership(user, membership)
    flash(_("Rollen er fjernet."), "success")
    return redirect(url_for("admin.staff_member", user_id=user.id), 303)


@bp.post("/medarbejdere/<int:user_id>/invitation")
@admin_required
def invite(user_id: int):
    user = _get_user(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            token = services.issue_invitation(user, by=current_user)
        except Problem as problem:
            attach(form, problem)
        else:
            _remember_link(user, token)
            flash(
                _("Et nyt invitationslink er lavet. Tidligere links virker ikke længere."),
                "success",
            )
            return redirect(url_for("admin.staff_member", user_id=user.id), 303)
    return _staff_page(user, action_form=form, status=422)


def _set_active(user_id: int, active: bool):
    user = _get_user(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.set_active(user, active, by=current_user)
        except Problem as problem:
            attach(form, problem)
        else:
            message = (
                _("%(name)s er genaktiveret.", name=user.name)
                if active
                else _("%(name)s er deaktiveret og logget ud overalt.", name=user.name)
            )
            flash(message, "success")
            return redirect(url_for("admin.staff_member", user_id=user.id), 303)
    return _staff_page(user, action_form=form, status=422)


@bp.post("/medarbejdere/<int:user_id>/deaktiver")
@admin_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/medarbejdere/<int:user_id>/genaktiver")
@admin_required
def reactivate(user_id: int):
    return _set_active(user_id, True)
