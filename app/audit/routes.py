"""The access log of one child: who has looked at or changed its data. Leaders only."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Flask, Response, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.admin.labels import role_label
from app.audit.labels import action_label
from app.audit.models import AccessLog
from app.audit.services import log_access
from app.auth.roles import Role
from app.children.scoping import get_child_or_404
from app.extensions import db
from app.i18n import format_datetime
from app.security import roles_required

bp = Blueprint("audit", __name__)
PAGE_SIZE = 100


def entries_for(child_id: int):
    """The child's log, newest first (a select(): the caller paginates or exports)."""
    return (
        select(AccessLog)
        .where(AccessLog.child_id == child_id)
        .options(selectinload(AccessLog.user))
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
    )


@bp.get("/boern/<int:child_id>/adgangslog")
@roles_required(Role.LEDER)
def child_log(child_id: int):
    child = get_child_or_404(current_user, child_id)
    page = db.paginate(entries_for(child.id), per_page=PAGE_SIZE, error_out=False)
    log_access(child.id, "view", "access-log")
    return render_template("audit/child_log.html", child=child, page=page)


@bp.get("/boern/<int:child_id>/adgangslog.csv")
@roles_required(Role.LEDER)
def child_log_csv(child_id: int):
    """Export for a citizen's request for access (indsigt) to the log."""
    child = get_child_or_404(current_user, child_id)
    log_access(child.id, "export", "access-log")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["tidspunkt", "sket_på_enheden", "medarbejder", "rolle", "handling", "hvad", "kanal"]
    )
    for e in db.session.scalars(entries_for(child.id)):
        writer.writerow(
            [
                format_datetime(e.at),
                format_datetime(e.occurred_at),
                e.user.name,
                role_label(e.role),
                action_label(e.action),
                e.what,
                e.channel,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=adgangslog-barn-{child.id}.csv",
            "Cache-Control": "no-store",
        },
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["action_label"] = action_label
