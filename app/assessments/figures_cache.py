"""The overview's per-unit figures, kept in each worker process until they change.

Computing the figures of every unit a leader leads costs seconds at 40,000 children, but they
change only when a write touches them (stamps.py) or the day changes. So each unit's figures
are kept under (unit id, today, the unit's stamp token): one query reads the tokens of the units
asked for, and only the units whose token moved, or that this process has not seen, are
computed, together, with the overview's fixed number of queries. Every gunicorn worker keeps its
own copy; the token lives in the database, so no worker serves figures older than the last
committed change it can see.

The token is read before the figures: figures computed just after a concurrent commit are newer
than the token they are kept under, never older. A transaction that has itself changed figures
(its stamps move only at its commit) computes them afresh and keeps nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.assessments import concerns_bridge, stamps
from app.assessments import overview as ov
from app.extensions import db
from app.org.models import Unit

MAX_ENTRIES = 5_000  # a unit's figures are a few hundred bytes; kept for the day at most


def compute(units: list[Unit], today: date) -> list[ov.UnitFigures]:
    """Each unit's figures with its concerns counts, from the database."""
    figures = ov.unit_figures(units, today)
    concerns = concerns_bridge.unit_counts({u.id for u in units}, today)
    for f in figures:
        f.concerns = concerns.get(f.unit.id, {})
    return figures


def unit_figures(units: list[Unit], today: date) -> list[ov.UnitFigures]:
    """compute(units, today), from this process's cache where the units have not changed."""
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
        for f in compute(missing, today):
            kept = replace(f, unit=None)  # no ORM object outlives its session
            found[f.unit.id] = store[keys[f.unit.id]] = kept
    return [_copy(found[u.id], u) for u in units]


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

    # A child's latest position counts in every unit it is enrolled in, not only where assessed.
    stamps.watch(Assessment, {"unit_id": "unit", "child_id": "child"})
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
