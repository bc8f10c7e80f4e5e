"""Roles (stillinger) and what they may do. Plain data: no Flask."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUNDHEDSPLEJERSKE = "sundhedsplejerske"
    DAGPLEJER = "dagplejer"
    DAGPLEJEPAEDAGOG = "dagplejepaedagog"
    PAEDAGOG = "paedagog"
    LEDER = "leder"


# Roles that work directly with children and make assessments.
ASSESSING_ROLES = frozenset(
    {Role.SUNDHEDSPLEJERSKE, Role.DAGPLEJER, Role.DAGPLEJEPAEDAGOG, Role.PAEDAGOG, Role.LEDER}
)
# Roles that see a child's full CPR number (they write underretninger and journal notes).
CPR_VISIBLE_ROLES = frozenset({Role.SUNDHEDSPLEJERSKE, Role.LEDER})
