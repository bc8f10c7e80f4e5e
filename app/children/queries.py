"""Read queries on children, built as select() so callers can paginate, count or test exists()."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.children.models import Child, Enrolment
from app.children.scoping import visible_children

_DATE = re.compile(r"^\s*(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{2,4})\s*$")


def parse_birth_date(text: str) -> date | None:
    """'3.4.2023', '03-04-23' → a date; anything else → None."""
    match = _DATE.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 100:
        year += 2000
    try:
        return datetime(year, month, day).date()
    except ValueError:
        return None


def filter_by_text(query: Select[tuple[Child]], text: str) -> Select[tuple[Child]]:
    """Narrow a select() of children by name (each word a prefix of a name) or birth date."""
    text = (text or "").strip()
    born = parse_birth_date(text)
    if born:
        return query.where(Child.birth_date == born)
    for word in text.lower().split()[:4]:
        word = word.replace("%", "").replace("_", "")
        query = query.where(
            or_(Child.search_name.startswith(word), Child.search_name.contains(" " + word))
        )
    return query


def search_children(user, text: str, limit: int = 25) -> Select[tuple[Child]]:
    """Scoped search by name (each word a prefix of first or last name) or birth date."""
    query = filter_by_text(visible_children(user), text)
    return query.order_by(Child.first_name, Child.last_name).limit(limit)


def my_children(user) -> Select[tuple[Child]]:
    """The user's children for the home screen, with enrolments loaded for the unit column."""
    return (
        visible_children(user)
        .options(selectinload(Child.enrolments).selectinload(Enrolment.unit))
        .order_by(Child.first_name, Child.last_name)
    )


def current_enrolment(child: Child, today: date | None = None) -> Enrolment | None:
    today = today or clock.today()
    current = [e for e in child.enrolments if e.is_current(today)]
    # A child may be in a health-visiting district and a daycare unit at once: prefer daycare.
    current.sort(key=lambda e: e.unit.kind.value == "sundhedsplejedistrikt")
    return current[0] if current else None


def enrolments_in_units(unit_ids: set[int], today: date) -> Select[tuple[Enrolment]]:
    return select(Enrolment).where(
        Enrolment.unit_id.in_(unit_ids),
        and_(
            Enrolment.start_date <= today,
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
        ),
    )
