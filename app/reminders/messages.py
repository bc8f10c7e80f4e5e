"""The words of a reminder: kind, count and unit name, never a child's name or health data."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import ngettext

from app.i18n import gettext as _


def title(kind: str) -> str:
    return {
        "assessments_due": _("Trivselsvurderinger"),
        "red_concern": _("Rød position"),
        "no_action_plan": _("Handleplan mangler"),
        "follow_up_overdue": _("Opfølgning overskredet"),
        "urgent_screening": _("Handling i dag"),
        "transition_ack": _("Overgangsskema modtaget"),
        "leader_digest": _("Ugens overblik"),
        "test": _("Testnotifikation"),
    }.get(kind, "Opspor")


def _assessments(count: int, unit: str, details: Mapping) -> str:
    overdue, soon, days = details.get("overdue", 0), details.get("soon", 0), details.get("days", 14)
    if overdue and soon:
        return _(
            "%(overdue)s forfaldne og %(soon)s kommende trivselsvurderinger (inden for "
            "%(days)s dage) i %(unit)s",
            overdue=overdue,
            soon=soon,
            days=days,
            unit=unit,
        )
    if overdue:
        return ngettext(
            "%(num)d trivselsvurdering er forfalden i %(unit)s",
            "%(num)d trivselsvurderinger er forfaldne i %(unit)s",
            overdue,
            unit=unit,
        )
    return ngettext(
        "%(num)d trivselsvurdering skal laves inden for %(days)s dage i %(unit)s",
        "%(num)d trivselsvurderinger skal laves inden for %(days)s dage i %(unit)s",
        soon or count,
        days=days,
        unit=unit,
    )


def _digest_unit(row: Mapping, days: int) -> str:
    return _(
        "%(name)s: %(assessed)s af %(children)s vurderet, %(overdue)s forfaldne, "
        "%(soon)s inden for %(days)s dage, %(without_plan)s uden handleplan",
        name=row.get("name", ""),
        assessed=row.get("assessed", 0),
        children=row.get("children", 0),
        overdue=row.get("overdue", 0),
        soon=row.get("soon", 0),
        days=days,
        without_plan=row.get("without_plan", 0),
    )


def digest_totals(details: Mapping) -> str:
    """The digest summed over the units: short enough for any push, however many units."""
    rows = details.get("units", [])

    def total(key: str) -> int:
        return sum(int(row.get(key, 0)) for row in rows)

    return ngettext(
        "%(num)d enhed: %(overdue)s forfaldne, %(soon)s inden for %(days)s dage, "
        "%(without_plan)s uden handleplan",
        "%(num)d enheder: %(overdue)s forfaldne, %(soon)s inden for %(days)s dage, "
        "%(without_plan)s uden handleplan",
        len(rows),
        overdue=total("overdue"),
        soon=total("soon"),
        days=details.get("days", 14),
        without_plan=total("without_plan"),
    )


def lines(kind: str, details: Mapping | None) -> list[str]:
    """The leaders' digest as one line per unit (the in-app list shows them as rows; the push
    joins them); other kinds have no lines."""
    if kind != "leader_digest":
        return []
    details = details or {}
    days = details.get("days", 14)
    return [_digest_unit(row, days) for row in details.get("units", [])]


def body(kind: str, count: int, unit: str, details: Mapping | None = None) -> str:
    details = details or {}
    if kind == "assessments_due":
        return _assessments(count, unit, details)
    if kind == "red_concern":
        return ngettext(
            "%(num)d barn er vurderet i rød position i %(unit)s",
            "%(num)d børn er vurderet i rød position i %(unit)s",
            count,
            unit=unit,
        )
    if kind == "no_action_plan":
        return ngettext(
            "%(num)d barn i gul eller rød position har ingen handleplan i %(unit)s",
            "%(num)d børn i gul eller rød position har ingen handleplan i %(unit)s",
            count,
            unit=unit,
        )
    if kind == "follow_up_overdue":
        return ngettext(
            "%(num)d opfølgning er overskredet i %(unit)s",
            "%(num)d opfølgninger er overskredet i %(unit)s",
            count,
            unit=unit,
        )
    if kind == "urgent_screening":
        return ngettext(
            "%(num)d screening kræver handling i dag i %(unit)s",
            "%(num)d screeninger kræver handling i dag i %(unit)s",
            count,
            unit=unit,
        )
    if kind == "transition_ack":
        return ngettext(
            "%(num)d overgangsskema venter på kvittering i %(unit)s",
            "%(num)d overgangsskemaer venter på kvittering i %(unit)s",
            count,
            unit=unit,
        )
    if kind == "leader_digest":
        return "; ".join(lines(kind, details)) or _("Ingen enheder")
    if kind == "test":
        return _("Påmindelser virker på denne enhed.")
    return ""
