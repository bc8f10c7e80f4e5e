"""The access log of one child: who has looked at or changed its data. Leaders only."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Flask, Response, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.models import AccessLog
from app.audit.services import log_access
from app.auth.roles import Role
from app.children.scoping import get_child_or_404
from app.extensions import db
from app.i18n import format_datetime
from app.security import roles_required

bp = Blueprint("audit", __name__)


def _entries(child_id: int):
    return db.session.scalars(
        select(AccessLog)
        .where(AccessLog.child_id == child_id)
        .options(selectinload(AccessLog.user))
        .order_by(AccessLog.at.desc())
    ).all()


@bp.get("/boern/<int:child_id>/adgangslog")
@roles_required(Role.LEDER)
def child_log(child_id: int):
    child = get_child_or_404(current_user, child_id)
    entries = _entries(child.id)
    log_access(child.id, "view", "access-log")
    return render_template("audit/child_log.html", child=child, entries=entries)


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
    for e in _entries(child.id):
        writer.writerow(
            [
                format_datetime(e.at),
                format_datetime(e.occurred_at),
                e.user.name,
                e.role or "",
                e.action,
                e.what,
                e.channel,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=adgangslog-barn-{child.id}.csv"},
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
