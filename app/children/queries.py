"""Read queries on children, built as select() so callers can paginate, count or test exists()."""

from __future__ import annotations

import re
import time
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.children.models import Child, Enrolment
from app.children.scoping import scope_is_broad, visible_children
from app.extensions import db

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
    if scope_is_broad(user):
        # The name index finds the few matches; scoping then tests each of them.
        matches = filter_by_text(select(Child.id), text)
        query = visible_children(user, browse=True).where(Child.id.in_(matches))
    else:
        query = filter_by_text(visible_children(user), text)
    return query.order_by(Child.first_name, Child.last_name).limit(limit)


def my_children(user) -> Select[tuple[Child]]:
    """The user's children for the home screen, a page at a time, with enrolments loaded for
    the unit column."""
    return (
        visible_children(user, browse=True)
        .options(selectinload(Child.enrolments).selectinload(Enrolment.unit))
        .order_by(Child.first_name, Child.last_name)
    )


# {(database, user id, day): (when counted, count)}: see count_children.
_COUNT_SECONDS = 60
_counts: dict[tuple[str, int, date], tuple[float, int]] = {}


def count_children(user, today: date | None = None) -> int:
    """How many children `user` sees (the home screen's "N børn").

    For a broad scope the count reads every visible id (~50 ms at 40,000 children), so it is
    kept a minute per process: the number may lag a minute behind an enrolment; the list
    itself never does."""
    today = today or clock.today()
    query = select(func.count()).select_from(visible_children(user, today).subquery())
    if not scope_is_broad(user, today):
        return db.session.scalar(query)
    key = (str(db.engine.url), user.id, today)
    cached = _counts.get(key)
    if cached and time.monotonic() - cached[0] < _COUNT_SECONDS:
        return cached[1]
    count = db.session.scalar(query)
    if len(_counts) > 1000:
        _counts.clear()
    _counts[key] = (time.monotonic(), count)
    return count


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
