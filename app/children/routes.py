"""Home screen, child search and the child's page."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.admin.scoping import sees_child_details
from app.audit.services import log_access
from app.auth.roles import CPR_VISIBLE_ROLES
from app.children import cpr
from app.children.queries import (
    count_children,
    current_enrolment,
    my_children,
    search_children,
)
from app.children.scoping import get_child_or_404
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.security import login_required
from app.web import home_screen, register_nav

bp = Blueprint("children", __name__)
PAGE_SIZE = 50


@bp.get("/")
@login_required
def home():
    if current_user.is_admin and not current_user.roles:
        return redirect(url_for("admin.index"))
    screen = home_screen(current_user.primary_role)
    if screen is not None:
        return screen()
    page = db.paginate(my_children(current_user), per_page=PAGE_SIZE, error_out=False, count=False)
    page.total = count_children(current_user)
    return render_template(
        "children/home.html", page=page, today=clock.today(), current_enrolment=current_enrolment
    )


@bp.get("/boern/soeg")
@login_required
def search():
    text = request.args.get("q", "")
    children = db.session.scalars(search_children(current_user, text)).all() if text else []
    template = (
        "children/_search_results.html"
        if request.htmx and not request.htmx.boosted
        else "children/search.html"
    )
    return render_template(template, children=children, q=text, today=clock.today())


@bp.get("/boern/<int:child_id>")
@login_required
def child(child_id: int):
    child = get_child_or_404(current_user, child_id)
    log_access(child.id, "view", "child")
    show_full_cpr = bool(current_user.roles & CPR_VISIBLE_ROLES)
    return render_template(
        "children/child.html",
        child=child,
        today=clock.today(),
        cpr_text=cpr.format_full(child.cpr) if show_full_cpr else cpr.mask(child.cpr),
        current=current_enrolment(child),
        administers=sees_child_details(current_user, child.id),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav("children.home", _l("Mine børn"), lambda u: bool(u.roles), order=10)
    register_nav("children.search", _l("Søg barn"), lambda u: bool(u.roles), order=20)
