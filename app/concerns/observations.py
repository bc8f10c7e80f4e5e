"""Dated observations for the underretning draft, gathered from the areas that hold them.

Each provider is fn(child_id, user) -> [(date, text), ...]. The assessments and visits areas are
read through their own query functions when they are installed; health-visit notes only for
users who may see health records (visits' own rule). Other areas may add a provider with
`register_observation_provider`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from importlib import import_module

from flask import current_app

from app.children.records import record_scope
from app.extensions import db

ObservationProvider = Callable[[int, object], Iterable[tuple[date, str]]]
_PROVIDERS: list[ObservationProvider] = []
POSITION_TEXT = {"groen": "grøn", "gul": "gul", "roed": "rød"}


def register_observation_provider(fn: ObservationProvider) -> None:
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)


def _area(name: str, module: str):
    """The area's module if the area is installed in this app, else None."""
    if name not in current_app.blueprints:
        return None
    try:
        return import_module(f"app.{name}.{module}")
    except ImportError:
        return None


def from_assessments(child_id: int, user) -> list[tuple[date, str]]:
    """Concluding wellbeing assessments in a yellow or red position, with the justification:
    those the user sees (another unit's only with the parents' consent)."""
    queries = _area("assessments", "queries")
    if queries is None or not hasattr(queries, "child_history"):
        return []
    scope = record_scope(user, child_id)
    found = []
    for a in db.session.scalars(queries.child_history(child_id)):
        if not scope.sees(a.unit_id, a.assessed_on, a.assessor_id):
            continue
        code = str(getattr(a.position, "value", a.position))
        if not getattr(a, "concluding", False) or code == "groen":
            continue
        unit = getattr(getattr(a, "unit", None), "name", "")
        text = f"Trivselsvurdering{f' i {unit}' if unit else ''}: {POSITION_TEXT[code]} position."
        if a.justification:
            text += f" {a.justification.strip()}"
        notes = [n.strip() for n in (a.notes or {}).values() if isinstance(n, str) and n.strip()]
        if notes:
            text += " " + " ".join(notes)
        found.append((a.assessed_on, text))
    return found


def from_visits(child_id: int, user) -> list[tuple[date, str]]:
    """Health-visit journal notes (observations), only for those who may read them."""
    queries = _area("visits", "queries")
    if queries is None or not hasattr(queries, "child_visits"):
        return []
    if not queries.may_see_health_records(user):
        return []
    try:
        types = import_module("app.visits.valuesets").VISIT_TYPES
    except (ImportError, AttributeError):
        types = {}
    found = []
    for v in db.session.scalars(queries.child_visits(child_id)):
        if v.observations and v.observations.strip():
            label = types.get(v.visit_type, "Sundhedsplejebesøg")
            found.append((v.visit_date, f"{label}: {v.observations.strip()}"))
    return found


def gather(child_id: int, user) -> list[tuple[date, str]]:
    found: list[tuple[date, str]] = []
    for provider in (from_assessments, from_visits, *_PROVIDERS):
        found.extend(provider(child_id, user))
    return found
