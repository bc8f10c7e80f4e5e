"""The child's timeline: positions over time as a strip across units, and the concerns
(courses of action, meetings, sparring, underretninger) when that area is installed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_login import current_user

from app.assessments import concerns_bridge, rules, settings
from app.assessments.models import Assessment
from app.assessments.queries import child_history
from app.audit.services import log_access
from app.auth.roles import ASSESSING_ROLES
from app.children.records import record_scope
from app.extensions import db


@dataclass
class Segment:
    """The child's time in one unit, with the concluding assessments made there."""

    unit: object
    assessments: list[Assessment] = field(default_factory=list)


@dataclass
class Event:
    on: date | None
    kind: str
    text: str
    url: str | None = None


def _segments(concluding: list[Assessment]) -> list[Segment]:
    segments: list[Segment] = []
    for a in concluding:
        if not segments or segments[-1].unit.id != a.unit_id:
            segments.append(Segment(a.unit))
        segments[-1].assessments.append(a)
    return segments


def _url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except Exception:  # noqa: BLE001 (the other area may not be installed or may differ)
        return None


def _concern_events(items, child_id: int) -> list[Event]:
    events = []
    for c in items["courses"]:
        events.append(
            Event(
                c.opened_on,
                "course",
                {"gul": "gul", "roed": "rød", "akut": "akut"}.get(c.level.value, c.level.value),
                _url("concerns.course", child_id=child_id, course_id=c.id),
            )
        )
    for m in items["meetings"]:
        events.append(
            Event(
                m.held_on or m.planned_on,
                "meeting",
                m.purpose or "",
                _url("concerns.meeting", child_id=child_id, meeting_id=m.id),
            )
        )
    for s in items["sparring"]:
        events.append(
            Event(s.asked_on, "sparring", s.partner, _url("concerns.sparring", sparring_id=s.id))
        )
    for u in items["underretninger"]:
        if u.status == "sendt":
            events.append(Event(u.sent_on, "underretning", u.status))
    events.sort(key=lambda e: e.on or date.min, reverse=True)
    return events


def child_timeline(child) -> dict:
    """Everything the child's-page section shows (called from the template): the records the
    user sees (another unit's only with the parents' consent), and whether any were left out."""
    scope = record_scope(current_user, child.id)
    everything = list(db.session.scalars(child_history(child.id)))
    history = [a for a in everything if scope.sees(a.unit_id, a.assessed_on, a.assessor_id)]
    items = concerns_bridge.child_items(child)
    hidden = len(everything) > len(history) or bool(items and items["hidden"])
    if history:
        log_access(child.id, "view", "assessments")
    concluding = [a for a in history if a.concluding]
    municipality = child.enrolments[0].unit.municipality if child.enrolments else None
    latest = concluding[-1] if concluding else None
    previous = concluding[-2] if len(concluding) > 1 else None
    return {
        "history": list(reversed(history)),
        "segments": _segments(concluding),
        "latest": latest,
        "trend": rules.trend(latest.position, previous.position) if previous else None,
        "schema": settings.schema(municipality),
        "can_assess": current_user.has_role(*ASSESSING_ROLES),
        "concerns": None if items is None else _concern_events(items, child.id),
        "hidden": hidden,
    }
