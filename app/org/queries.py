"""Read queries for the organisation."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.org.models import Unit


def descendant_unit_ids(root_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them (a leader of a dagpleje leads its groups).

    The unit tree is small (hundreds of rows), so one query and a walk in memory beats a
    recursive CTE that SQLite and PostgreSQL spell differently.
    """
    roots = set(root_ids)
    if not roots:
        return set()
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    found, stack = set(), list(roots)
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, ()))
    return found
