"""Read queries for the organisation."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.org.models import Unit
from app.request_memo import memo


def _unit_children() -> dict[int | None, list[int]]:
    """{parent id: child unit ids}: read once per request (a sync batch asks once per item)."""
    cached = memo("unit_children", depends_on=(Unit,))
    if cached is not None and "tree" in cached:
        return cached["tree"]
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    if cached is not None:
        cached["tree"] = children
    return children


def descendant_unit_ids(root_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them (a leader of a dagpleje leads its groups).

    The unit tree is small (hundreds of rows), so one query and a walk in memory beats a
    recursive CTE that SQLite and PostgreSQL spell differently.
    """
    roots = set(root_ids)
    if not roots:
        return set()
    children = _unit_children()
    found, stack = set(), list(roots)
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, ()))
    return found
