"""Administration rules as plain functions (no Flask): which role fits which unit, the unit tree,
and how enrolments may follow each other.

An enrolment's `end_date` is the child's last day in the unit (inclusive); None means open.
A child is in at most one daycare unit and at most one health-visiting district at a time
(the two tracks run side by side: a 2-year-old in a vuggestue is still in a district).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from app.auth.roles import Role
from app.org.models import UnitKind

DAGPLEJE_KINDS = frozenset({UnitKind.DAGPLEJE, UnitKind.DAGPLEJEGRUPPE})
INSTITUTION_KINDS = frozenset({UnitKind.VUGGESTUE, UnitKind.BOERNEHAVE, UnitKind.INTEGRERET})

# Where each role can work. A leader can lead any kind of unit.
ROLE_UNIT_KINDS: Mapping[Role, frozenset[UnitKind]] = {
    Role.SUNDHEDSPLEJERSKE: frozenset({UnitKind.SUNDHEDSPLEJEDISTRIKT}),
    Role.DAGPLEJER: frozenset({UnitKind.DAGPLEJEGRUPPE}),
    Role.DAGPLEJEPAEDAGOG: DAGPLEJE_KINDS,
    Role.PAEDAGOG: INSTITUTION_KINDS,
    Role.LEDER: frozenset(UnitKind),
}


def role_fits_unit(role: Role, kind: UnitKind) -> bool:
    return kind in ROLE_UNIT_KINDS[role]


def parent_kind_ok(kind: UnitKind, parent_kind: UnitKind | None) -> bool:
    """A dagplejegruppe belongs under a dagpleje; other units may nest freely or stand alone."""
    if kind is UnitKind.DAGPLEJEGRUPPE and parent_kind is not None:
        return parent_kind is UnitKind.DAGPLEJE
    return True


def creates_cycle(unit_id: int | None, new_parent_id: int | None, parents: Mapping) -> bool:
    """Would making `new_parent_id` the parent of `unit_id` put the unit below itself?

    `parents` maps every unit id to its parent id (None at the top).
    """
    if unit_id is None or new_parent_id is None:
        return False
    seen: set[int] = set()
    current: int | None = new_parent_id
    while current is not None and current not in seen:
        if current == unit_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def track(kind: UnitKind) -> str:
    """Enrolments on the same track may not overlap: 'district' or 'daycare'."""
    return "district" if kind is UnitKind.SUNDHEDSPLEJEDISTRIKT else "daycare"


def overlaps(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Do two inclusive date ranges (None = open end) share a day?"""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def end_before_move(move_date: date) -> date:
    """Moving on `move_date`: the old enrolment's last day is the day before."""
    return move_date - timedelta(days=1)


def can_move(old_start: date, move_date: date) -> bool:
    """The old enrolment must keep at least one day, or the move would erase history."""
    return move_date > old_start


def can_end(start: date, end: date) -> bool:
    return end >= start
