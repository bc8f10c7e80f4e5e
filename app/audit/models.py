"""The append-only access log. Citizens may ask who processed their child's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.models import utcnow


class AccessLog(db.Model):
    __table_args__ = (Index("ix_access_log_child_at", "child_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When it happened on the device, for reads made offline and sent at sync.
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    action: Mapped[str] = mapped_column(String(16))  # view | create | update | export | print
    what: Mapped[str] = mapped_column(String(64))  # e.g. "child", "assessment:123"
    channel: Mapped[str] = mapped_column(String(16), default="online")  # online | offline

    user = relationship("User")


@db.event.listens_for(AccessLog, "before_update")
@db.event.listens_for(AccessLog, "before_delete")
def _append_only(mapper, connection, target) -> None:
    raise RuntimeError("The access log is append-only.")


@db.event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state) -> None:
    """Bulk `update(AccessLog)` / `delete(AccessLog)` bypass the mapper events: refuse them too."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AccessLog for mapper in state.all_mappers
    ):
        raise RuntimeError("The access log is append-only.")
