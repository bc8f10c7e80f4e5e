"""Administration screens. Administrators manage units and users but see no child data."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.org.models import Unit
from app.security import admin_required
from app.web import register_nav

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def index():
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    return render_template("admin/index.html", units=units)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav("admin.index", _l("Administration"), lambda u: u.is_admin, order=90)
