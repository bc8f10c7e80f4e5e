"""The visit programme (besøgsprogram): which contacts a child is offered, and when. Pure rules.

Default: Sundhedsstyrelsen's five contacts in the first year (first week, first month, about
2 months, 4–6 months, 8–10 months). A municipality overrides it in
``Municipality.settings["visits"]["programme"]``: a list of
``{"code", "visit_type", "target_day", "window_start_day", "window_end_day"}`` (days of age).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.visits.valuesets import VISIT_TYPES


@dataclass(frozen=True)
class Contact:
    """One contact of the programme, in days of age."""

    code: str
    visit_type: str
    target_day: int
    window_start_day: int
    window_end_day: int


@dataclass(frozen=True)
class Slot:
    """A contact placed in time for one child."""

    code: str
    visit_type: str
    target: date
    window_start: date
    window_end: date


DEFAULT_PROGRAMME: tuple[Contact, ...] = (
    Contact("uge1", "etablering", 5, 0, 10),
    Contact("maaned1", "foerste_maaned", 21, 11, 42),
    Contact("maaned2", "maaned2", 61, 49, 84),
    Contact("maaned4_6", "maaned4_6", 150, 120, 200),
    Contact("maaned8_10", "maaned8_11", 270, 240, 335),
)

# Screening cut-offs and follow-up windows; each can be overridden in settings["visits"].
DEFAULTS: dict[str, Any] = {
    "adbb_cutoff": 5,
    "epds_cutoff_mother": 11,
    "epds_cutoff_father": 10,
    "followup_days": [7, 14],  # a follow-up visit within 1–2 weeks
    "gap_lookback_days": 180,  # gaps older than this leave the home screen
}


def visit_settings(municipality_settings: dict | None) -> dict[str, Any]:
    """The municipality's visit settings over the defaults."""
    own = (municipality_settings or {}).get("visits") or {}
    return {**DEFAULTS, **{k: v for k, v in own.items() if k != "programme"}}


def programme_from_settings(municipality_settings: dict | None) -> tuple[Contact, ...]:
    """The municipality's programme, or the default. Invalid entries raise ValueError."""
    own = ((municipality_settings or {}).get("visits") or {}).get("programme")
    if not own:
        return DEFAULT_PROGRAMME
    contacts = []
    for entry in own:
        contact = Contact(
            code=str(entry["code"]),
            visit_type=str(entry["visit_type"]),
            target_day=int(entry["target_day"]),
            window_start_day=int(entry.get("window_start_day", entry["target_day"])),
            window_end_day=int(entry.get("window_end_day", entry["target_day"])),
        )
        if contact.visit_type not in VISIT_TYPES:
            raise ValueError(f"unknown visit type {contact.visit_type!r}")
        if not contact.window_start_day <= contact.target_day <= contact.window_end_day:
            raise ValueError(f"contact {contact.code!r}: target outside its window")
        contacts.append(contact)
    if len({c.code for c in contacts}) != len(contacts):
        raise ValueError("programme codes must be unique")
    return tuple(sorted(contacts, key=lambda c: c.target_day))


def plan_slots(
    birth_date: date, programme: tuple[Contact, ...], from_date: date | None = None
) -> list[Slot]:
    """The child's contacts in time. Contacts whose window closed before `from_date` (when the
    child came into the caseload) are not offered any more, so they are not gaps either."""
    slots = []
    for contact in programme:
        window_end = birth_date + timedelta(days=contact.window_end_day)
        if from_date is not None and window_end < from_date:
            continue
        target = birth_date + timedelta(days=contact.target_day)
        window_start = birth_date + timedelta(days=contact.window_start_day)
        if from_date is not None and target < from_date:
            target = from_date
        slots.append(
            Slot(
                code=contact.code,
                visit_type=contact.visit_type,
                target=working_day(target, window_start, window_end),
                window_start=window_start,
                window_end=window_end,
            )
        )
    return slots


def working_day(day: date, earliest: date | None = None, latest: date | None = None) -> date:
    """A weekend date moved to the Monday after, or the Friday before if Monday is outside the
    window; kept when neither fits."""
    if day.weekday() < 5:
        return day
    monday = day + timedelta(days=7 - day.weekday())
    if latest is None or monday <= latest:
        return monday
    friday = day - timedelta(days=day.weekday() - 4)
    return friday if earliest is None or friday >= earliest else day


def programme_horizon_days(programme: tuple[Contact, ...]) -> int:
    """Age in days after which a child has no more programme contacts."""
    return max((c.window_end_day for c in programme), default=0)


def classify(
    status: str, planned_date: date, window_end: date | None, source: str, today: date
) -> str:
    """Where a planned visit stands today.

    done: carried out · not_done: marked not carried out (a programme one becomes a gap when
    its window closes) · gap: a programme contact whose window closed without a visit ·
    overdue: its date has passed without a record · today · upcoming.
    """
    if status == "gennemfoert":
        return "done"
    if status == "ikke_gennemfoert":
        closed = source == "program" and (window_end is None or window_end < today)
        return "gap" if closed else "not_done"
    if source == "program" and window_end is not None and window_end < today:
        return "gap"
    if planned_date < today:
        return "overdue"
    if planned_date == today:
        return "today"
    return "upcoming"


def followup_window(visit_date: date, followup_days: list[int] | tuple[int, int]) -> Slot:
    """A follow-up visit after a screening above its cut-off: within 1–2 weeks by default."""
    first, last = int(followup_days[0]), int(followup_days[1])
    return Slot(
        code="",
        visit_type="behov",
        target=visit_date + timedelta(days=first),
        window_start=visit_date + timedelta(days=first),
        window_end=visit_date + timedelta(days=last),
    )
