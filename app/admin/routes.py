"""Administration: units, staff with invitation links (administrators), and children's
registration, enrolments and caseloads (administrators municipality-wide, leaders for their
units; see app/admin/scoping.py)."""

from __future__ import annotations

from flask import Flask, redirect, render_template, url_for
from flask_login import current_user

from app.admin import queries, views_children, views_staff, views_units  # noqa: F401 (register views)
from app.admin.blueprint import bp, child_admin_required
from app.admin.labels import relation_label, role_label, unit_kind_label
from app.admin.scoping import can_administer_children
from app.i18n import lazy_gettext as _l
from app.web import register_nav


@bp.get("/")
@child_admin_required
def index():
    if not current_user.is_admin:
        return redirect(url_for("admin.children"))
    return render_template("admin/index.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        role_label=role_label,
        relation_label=relation_label,
        unit_kind_label=unit_kind_label,
        invitation_status=queries.invitation_status,
    )
    register_nav("admin.children", _l("Indmeldelser"), can_administer_children, order=80)
    register_nav("admin.index", _l("Administration"), lambda u: u.is_admin, order=90)
