"""Danish words for the access log's action codes."""

from __future__ import annotations

from app.i18n import lazy_gettext as _l

ACTION_LABELS = {
    "view": _l("Set"),
    "create": _l("Oprettet"),
    "update": _l("Ændret"),
    "export": _l("Eksporteret"),
    "print": _l("Udskrevet"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
