"""Memos that live for one request: reads that cannot change while it runs unless the request
itself writes them (the unit tree; who may see which child), asked again for every item of a
sync batch.

Kept in the request's WSGI environ, not in `flask.g`: tests and CLI code may push one app
context for many requests, and `g` would carry a memo from one request into the next. Outside a
request nothing is memoised. A flush that adds, changes or deletes a row of a model a memo was
read from clears that memo, so a request that writes (an admin moving a unit, a transition
ending an enrolment) reads fresh data afterwards; a rollback (to a savepoint too) clears them
all, since it may undo what a memo was read after.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "opspor.request_memo"
_WATCHED: dict[str, tuple[type, ...]] = {}


def memo(name: str, depends_on: tuple[type, ...]) -> dict[Any, Any] | None:
    """This request's memo `name` (a dict to fill), or None outside a request."""
    if not has_request_context():
        return None
    _WATCHED[name] = depends_on
    memos = request.environ.setdefault(_KEY, {})
    if _pending(db.session, depends_on):  # not flushed yet: the query would autoflush them
        memos.pop(name, None)
        return None
    return memos.setdefault(name, {})


def _pending(session, models: tuple[type, ...]) -> bool:
    return any(isinstance(obj, models) for obj in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(Session, "before_flush")
def _forget_what_changes(session, flush_context, instances) -> None:
    if not has_request_context():
        return
    memos = request.environ.get(_KEY)
    if not memos:
        return
    for name, models in _WATCHED.items():
        if name in memos and _pending(session, models):
            del memos[name]


@event.listens_for(Session, "after_rollback")
def _forget_what_was_undone(session) -> None:
    if has_request_context():
        request.environ.pop(_KEY, None)
