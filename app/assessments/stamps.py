"""Change stamps for the overview's per-unit figures.

Each unit has (from its first change on) a row in `unit_stamp` holding a random token. A flush
that inserts, changes or deletes a row the figures are computed from records which units it
touches; just before the transaction commits one statement gives those units a new token. So
the token moves in the same transaction as the data, and every worker process sees it move
(figures_cache.py keys its cache by it). A random token rather than a counter: a database
emptied or restored never brings back a token a cache has seen.

Areas declare the models the figures read with `watch(Model, refs, fields)`: `refs` maps an
attribute to the kind of id it holds ("unit", or a kind a `resolver` turns into unit ids, e.g.
a child into the units it is enrolled in: its birth date decides its rounds in each of them);
`fields`, if given, are the only attributes whose change matters. Bulk update()/delete()
statements bypass the ORM events, so they are refused on watched models.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import Select, event, inspect, select
from sqlalchemy.orm import Session

from app.assessments.models import UnitStamp
from app.database import upsert

_WATCHED: dict[type, tuple[dict[str, str], frozenset[str] | None]] = {}
_RESOLVERS: dict[str, Callable[[set[int]], Select]] = {}
_KEY = "unit_stamp_refs"


def watch(model: type, refs: dict[str, str], fields: set[str] | None = None) -> None:
    _WATCHED[model] = (refs, frozenset(fields) if fields else None)


def resolver(kind: str, units_of: Callable[[set[int]], Select]) -> None:
    """`units_of(ids)` returns a select() of the unit ids that ids of this kind touch."""
    _RESOLVERS[kind] = units_of


def pending(session: Session) -> bool:
    """Whether this transaction has changed figures whose stamps move only at its commit."""
    return bool(session.info.get(_KEY))


def tokens(unit_ids: set[int], session: Session) -> dict[int, str]:
    """{unit id: token} in one query (units never changed since the data was loaded have none)."""
    query = select(UnitStamp.unit_id, UnitStamp.token).where(UnitStamp.unit_id.in_(unit_ids))
    return dict(session.execute(query).all())


def _record(session: Session, obj, changed_only: bool) -> None:
    watched = _WATCHED.get(type(obj))
    if watched is None:
        return
    refs, fields = watched
    state = inspect(obj)
    if changed_only:
        if fields is None:
            if not session.is_modified(obj, include_collections=False):
                return
        elif not any(state.attrs[name].history.has_changes() for name in fields):
            return
    found = session.info.setdefault(_KEY, {})
    for attr, kind in refs.items():
        history = state.attrs[attr].history
        values = {getattr(obj, attr), *history.deleted, *history.added}
        found.setdefault(kind, set()).update(v for v in values if v is not None)


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances) -> None:
    # Deleted rows now, while their attributes can still be loaded.
    for obj in session.deleted:
        _record(session, obj, changed_only=False)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context) -> None:
    # New and changed rows after the flush: ids and foreign keys set through relationships
    # are known, and the attributes' history still holds the old values.
    for obj in session.new:
        _record(session, obj, changed_only=False)
    for obj in session.dirty:
        _record(session, obj, changed_only=True)


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    session.flush()
    refs = session.info.pop(_KEY, None)
    if not refs:
        return
    connection = session.connection()
    unit_ids = set(refs.get("unit", ()))
    for kind, ids in refs.items():
        if kind != "unit" and ids:
            unit_ids.update(connection.scalars(_RESOLVERS[kind](ids)))
    unit_ids.discard(None)
    if unit_ids:
        connection.execute(_upsert(connection.dialect.name, sorted(unit_ids)))


def _upsert(dialect: str, unit_ids: list[int]):
    """Sorted ids: two transactions lock the stamp rows in the same order (no deadlock)."""
    token = uuid.uuid4().hex
    rows = [{"unit_id": i, "token": token} for i in unit_ids]
    return upsert(UnitStamp.__table__, rows, "unit_id", ("token",), dialect)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(_KEY, None)


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in _WATCHED for mapper in state.all_mappers
    ):
        raise RuntimeError(
            "Bulk update()/delete() bypasses the overview's change stamps: change the rows "
            "through the ORM (app/assessments/stamps.py)."
        )
