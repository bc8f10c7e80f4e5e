"""The overview's per-unit figures, kept until they change.

Computing the figures of every unit a leader leads costs seconds at 40,000 children, but they
change only when a write touches them (stamps.py) or the day changes. So each unit's figures
are kept under (unit id, today, the unit's stamp token): one query reads the tokens of the units
asked for, and only the units whose token moved are computed, together, with the overview's
fixed number of queries. Two levels: each worker process keeps what it has used, and the
database keeps the last figures any worker computed (`overview_figures`), so a unit is computed
once for all workers, not once per worker and again after every restart. The token lives in
the database, so no worker serves figures older than the last committed change it can see.

The token is read before the figures: figures computed just after a concurrent commit are newer
than the token they are kept under, never older. A transaction that has itself changed figures
(its stamps move only at its commit) computes them afresh and keeps nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.assessments import concerns_bridge, stamps
from app.assessments import overview as ov
from app.assessments.models import StoredFigures
from app.database import BUSY_TIMEOUT_MS, upsert
from app.extensions import db
from app.org.models import Unit

log = logging.getLogger(__name__)

MAX_ENTRIES = 5_000  # a unit's figures are a few hundred bytes; kept for the day at most


def compute(units: list[Unit], today: date) -> list[ov.UnitFigures]:
    """Each unit's figures with its concerns counts, from the database."""
    figures = ov.unit_figures(units, today)
    concerns = concerns_bridge.unit_counts({u.id for u in units}, today)
    for f in figures:
        f.concerns = concerns.get(f.unit.id, {})
    return figures


def unit_figures(units: list[Unit], today: date) -> list[ov.UnitFigures]:
    """compute(units, today), from the cache where the units have not changed."""
    if not units or stamps.pending(db.session):
        return compute(units, today)
    store: dict = current_app.extensions.setdefault("assessments.figures", {})
    tokens = stamps.tokens({u.id for u in units}, db.session)
    keys = {u.id: (u.id, today, tokens.get(u.id)) for u in units}
    found = {u.id: store.get(keys[u.id]) for u in units}
    missing = [u for u in units if found[u.id] is None]
    if missing:
        if len(store) + len(missing) > MAX_ENTRIES:
            store.clear()
        stored = _load(missing, keys, today)
        unknown = [u for u in missing if u.id not in stored]
        computed = compute(unknown, today) if unknown else []
        _store(computed, keys, today)
        for f in [*stored.values(), *computed]:
            kept = replace(f, unit=None)  # no ORM object outlives its session
            found[f.unit.id] = store[keys[f.unit.id]] = kept
    return [_copy(found[u.id], u) for u in units]


def _load(units: list[Unit], keys: dict, today: date) -> dict[int, ov.UnitFigures]:
    """The figures another worker stored under the same day and token."""
    rows = db.session.scalars(
        select(StoredFigures).where(StoredFigures.unit_id.in_([u.id for u in units]))
    )
    valid = {
        r.unit_id: r.figures
        for r in rows
        if keys[r.unit_id] == (r.unit_id, r.day, r.token) and r.figures.get("v") == FORMAT
    }
    if not valid:
        return {}
    plan_of = ov.plans(units, today)
    found = {}
    for u in units:
        plan = plan_of[u.kind.value]
        if u.id in valid and len(valid[u.id]["trend"]) == len(plan.trend):
            found[u.id] = _thaw(valid[u.id], u, plan)
    return found


def _store(figures: list[ov.UnitFigures], keys: dict, today: date) -> None:
    """Upsert the computed figures in a short transaction of their own: the request's own
    transaction may run on for a while, and on SQLite a write in it would hold the database's
    only write lock till the response is rendered. A cache: if the write has to wait, skip it."""
    if not figures:
        return
    rows = [
        {"unit_id": f.unit.id, "day": today, "token": keys[f.unit.id][2], "figures": _freeze(f)}
        for f in sorted(figures, key=lambda f: f.unit.id)  # one lock order for every worker
    ]
    try:
        with db.engine.begin() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # don't queue behind a long write for the database lock
                connection.exec_driver_sql("PRAGMA busy_timeout=200")
            try:
                stored = ("day", "token", "figures")
                table, dialect = StoredFigures.__table__, connection.dialect.name
                connection.execute(upsert(table, rows, "unit_id", stored, dialect))
            finally:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except OperationalError as error:
        log.info("overview figures not stored (%s)", error.orig)


_COUNTS = ("children", "covered", "assessed", "overdue", "not_assessed")
FORMAT = 3  # raise when UnitFigures changes: rows of an older release are then recomputed


def _freeze(f: ov.UnitFigures) -> dict:
    """The figures as JSON; the rounds are not stored: they follow from the day and settings."""
    return {
        "v": FORMAT,
        **{name: getattr(f, name) for name in _COUNTS},
        "positions": f.positions,
        "trend": [counts for _, counts in f.trend],
        "concerns": f.concerns,
    }


def _thaw(data: dict, unit: Unit, plan: ov.KindPlan) -> ov.UnitFigures:
    return ov.UnitFigures(
        unit,
        **{name: data[name] for name in _COUNTS},
        positions=data["positions"],
        round=plan.round,
        trend=list(zip(plan.trend, data["trend"], strict=True)),
        concerns=data["concerns"],
    )


def _copy(kept: ov.UnitFigures, unit: Unit) -> ov.UnitFigures:
    """The request's own copy, so nothing it changes reaches the cache."""
    return replace(
        kept,
        unit=unit,
        positions=dict(kept.positions),
        concerns=dict(kept.concerns),
        trend=list(kept.trend),
    )


def watch_sources() -> None:
    """Declare every model the figures are computed from, so writes move the stamps."""
    from app.assessments.models import Assessment
    from app.children.models import Child, Enrolment
    from app.org.models import Area, Municipality

    # A unit counts only the assessments made in it (its positions, due dates and trend): an
    # assessment in another unit leaves its figures as they were, so its token stays too.
    stamps.watch(Assessment, {"unit_id": "unit"})
    stamps.watch(Enrolment, {"unit_id": "unit"})
    stamps.watch(Child, {"id": "child"}, fields={"birth_date"})
    stamps.watch(Unit, {"id": "unit"}, fields={"kind", "area_id"})
    stamps.watch(Area, {"id": "area"}, fields={"municipality_id"})
    stamps.watch(Municipality, {"id": "municipality"}, fields={"settings"})  # round schedules
    stamps.resolver(
        "child", lambda ids: select(Enrolment.unit_id).where(Enrolment.child_id.in_(ids))
    )
    stamps.resolver("area", lambda ids: select(Unit.id).where(Unit.area_id.in_(ids)))
    stamps.resolver(
        "municipality",
        lambda ids: select(Unit.id).join(Area).where(Area.municipality_id.in_(ids)),
    )
    concerns_bridge.watch_figures()
