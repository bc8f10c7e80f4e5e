"""Units (enheder) and areas (områder). Administrators only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from app import clock
from app.admin import queries, services
from app.admin.blueprint import attach, bp
from app.admin.forms import NONE, AreaForm, UnitForm, options
from app.admin.services import Problem
from app.extensions import db
from app.i18n import gettext as _
from app.org.models import Unit
from app.security import admin_required


def _units_page(area_form: AreaForm, status: int = 200):
    units = db.session.scalars(queries.units_for_admin()).all()
    counts = queries.current_counts_by_unit(clock.today())
    return render_template(
        "admin/units.html", units=units, counts=counts, area_form=area_form
    ), status


@bp.get("/enheder")
@admin_required
def units():
    return _units_page(AreaForm())


@bp.post("/omraader")
@admin_required
def add_area():
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = services.add_area(form.area_name.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("Området %(name)s er oprettet.", name=area.name), "success")
            return redirect(url_for("admin.units"), 303)
    return _units_page(form, 422)


def _unit_choices(form: UnitForm, unit: Unit | None) -> None:
    form.area_id.choices = options(
        [(NONE, _("Vælg område"))] + [(a.id, a.name) for a in db.session.scalars(queries.areas())]
    )
    others = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    form.parent_id.choices = options(
        [(NONE, _("Ingen (øverste niveau)"))]
        + [(u.id, u.name) for u in others if unit is None or u.id != unit.id]
    )


def _unit_form(unit: Unit | None):
    form = UnitForm(obj=unit)
    if unit is not None and not form.is_submitted():
        form.kind.data = unit.kind.value
        form.parent_id.data = unit.parent_id or NONE
    _unit_choices(form, unit)
    if form.validate_on_submit():
        try:
            saved = services.save_unit(unit, form.data)
        except Problem as problem:
            attach(form, problem)
        else:
            flash(_("Enheden %(name)s er gemt.", name=saved.name), "success")
            return redirect(url_for("admin.units"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/unit_form.html", form=form, unit=unit), status


@bp.route("/enheder/ny", methods=["GET", "POST"])
@admin_required
def new_unit():
    return _unit_form(None)


@bp.route("/enheder/<int:unit_id>", methods=["GET", "POST"])
@admin_required
def edit_unit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    return _unit_form(unit)
