"""Danish display names for roles and unit kinds (the stored values are stable codes)."""

from __future__ import annotations

from app.auth.roles import Role
from app.i18n import lazy_gettext as _l
from app.org.models import UnitKind

ROLE_LABELS = {
    Role.SUNDHEDSPLEJERSKE: _l("Sundhedsplejerske"),
    Role.DAGPLEJER: _l("Dagplejer"),
    Role.DAGPLEJEPAEDAGOG: _l("Dagplejepædagog"),
    Role.PAEDAGOG: _l("Pædagog"),
    Role.LEDER: _l("Leder"),
}
ADMINISTRATOR = "administrator"

UNIT_KIND_LABELS = {
    UnitKind.SUNDHEDSPLEJEDISTRIKT: _l("Sundhedsplejedistrikt"),
    UnitKind.DAGPLEJE: _l("Dagpleje"),
    UnitKind.DAGPLEJEGRUPPE: _l("Dagplejegruppe"),
    UnitKind.VUGGESTUE: _l("Vuggestue"),
    UnitKind.BOERNEHAVE: _l("Børnehave"),
    UnitKind.INTEGRERET: _l("Integreret institution"),
}


def role_label(value) -> str:
    """The Danish name of a role code; 'administrator' is not a unit role but is logged as one."""
    if value is None:
        return ""
    if value == ADMINISTRATOR:
        return str(_l("Administrator"))
    try:
        return str(ROLE_LABELS[Role(value)])
    except ValueError:
        return str(value)


def unit_kind_label(value) -> str:
    try:
        return str(UNIT_KIND_LABELS[UnitKind(value)])
    except ValueError:
        return str(value)


# A guardian's relation to the child (stored as the Danish code).
RELATION_LABELS = {
    "mor": _l("Mor"),
    "far": _l("Far"),
    "forælder": _l("Forælder"),
    "plejeforælder": _l("Plejeforælder"),
    "værge": _l("Værge"),
    "andet": _l("Anden relation"),
}


def relation_label(value) -> str:
    label = RELATION_LABELS.get(value)
    return str(label) if label is not None else str(value or "")
