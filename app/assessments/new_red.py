"""Nye røde vurderinger: the children a red reminder is about, for the leaders of their unit.

The reminders' red_concern rule tells a unit's leaders of every current red assessment made
there (a dagplejer's individual one too) and of red/acute courses of action, while the news is
at most the municipality's `recent_days` old (the rule's look-back). The list of children in red
position counts only concluding assessments, so a leader following the reminder after an
individual assessment did not find the child there. This list is the rule's news: per child and
unit, the current red assessments made in the leader's units and dated or recorded within the
look-back (`news_since`, which the reminders' source reads with too), and the open red/acute
courses that reached their level then. Only records made in the leader's own units (another
unit's need the parents' consent, app/children/records.py) about children he sees now.

Four queries whatever the number of rows: the units' look-back, the assessments (by the
(unit_id, assessed_on) index), the children, and the courses (concerns_bridge).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select

from app import clock
from app.assessments import concerns_bridge
from app.assessments.models import Assessment, AssessmentKind
from app.assessments.positions import Position
from app.auth.models import User
from app.children.models import Child
from app.children.scoping import visible_child_ids
from app.extensions import db
from app.org.models import Area, Municipality, Unit

WHICH = "roed-nye"  # the overview list's key in /overblik/liste/<which>
DEFAULT_DAYS = 14  # the reminders' default look-back (rules.Settings.recent_days)
LIMIT = 500


def news_since(since: date) -> ColumnElement[bool]:
    """SQL: an assessment is news from `since` on: dated then, or recorded then (synced late or
    entered afterwards), by the local calendar. The reminders' source uses the same condition."""
    recorded = Assessment.created_at >= clock.local_midnight(since)
    return or_(Assessment.assessed_on >= since, recorded)


def _look_back(settings: dict | None) -> int:
    from app import AREAS

    if "reminders" not in AREAS:
        return DEFAULT_DAYS
    from app.reminders.sources import settings_or_defaults

    return settings_or_defaults(settings).recent_days


def look_back_by_unit(unit_ids: set[int]) -> dict[int, int]:
    """unit id → its municipality's reminder look-back in days (one query)."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Unit.id, Municipality.settings)
        .join(Area, Unit.area_id == Area.id)
        .join(Municipality, Area.municipality_id == Municipality.id)
        .where(Unit.id.in_(unit_ids))
    )
    return {unit_id: _look_back(settings) for unit_id, settings in rows}


@dataclass
class NewsItem:
    on: date  # the assessment's date, or the day the course reached its level
    news_day: date  # when it became news (dated or recorded, whichever is later)
    kind: str  # "joint" | "individual" | "with_parents" | "course"
    assessor: str = ""
    level: str = ""  # a course's level: "roed" | "akut"
    recorded: datetime | None = None  # when it was recorded (UTC), to order news of one day


@dataclass
class NewRedRow:
    child: Child
    unit: Unit
    items: list[NewsItem] = field(default_factory=list)
    open_course_on: date | None = None  # the open course of action in this unit, if any

    @property
    def newest(self) -> date:
        return max(i.news_day for i in self.items)

    @property
    def recorded(self) -> float:
        """The latest recording time of the news, as a timestamp (0 if none is known)."""
        return max((_stamp(i.recorded) for i in self.items), default=0.0)


def _stamp(moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _kind(kind: AssessmentKind, concluding: bool) -> str:
    if kind is AssessmentKind.JOINT:
        return "joint"
    return "with_parents" if concluding else "individual"


def rows_for(user, units: list[Unit], today: date) -> tuple[list[NewRedRow], dict[int, int]]:
    """The children with red news in `units` (which the caller has checked the leader leads),
    newest news first, and each unit's look-back in days."""
    days = look_back_by_unit({u.id for u in units})
    by_since: dict[date, list[int]] = {}
    for unit_id, n in days.items():
        by_since.setdefault(today - timedelta(days=n), []).append(unit_id)
    if not by_since:
        return [], days
    visible = visible_child_ids(user, today)
    in_window = or_(
        *(Assessment.unit_id.in_(ids) & news_since(since) for since, ids in by_since.items())
    )
    found = db.session.execute(
        select(
            Assessment.child_id,
            Assessment.unit_id,
            Assessment.kind,
            Assessment.concluding,
            Assessment.assessed_on,
            Assessment.created_at,
            User.name,
        )
        .join(User, User.id == Assessment.assessor_id)
        .where(
            Assessment.current.is_(True),
            Assessment.position == Position.ROED,
            in_window,
            Assessment.child_id.in_(visible),
        )
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(LIMIT)
    ).all()
    items: dict[tuple[int, int], list[NewsItem]] = {}
    for r in found:
        recorded = clock.local_date(r.created_at) if r.created_at else r.assessed_on
        items.setdefault((r.child_id, r.unit_id), []).append(
            NewsItem(
                r.assessed_on,
                max(r.assessed_on, recorded),
                _kind(r.kind, r.concluding),
                r.name,
                recorded=r.created_at,
            )
        )
    child_ids = {child_id for child_id, _ in items}
    courses = concerns_bridge.red_news_courses(set(days), child_ids, visible)
    open_on: dict[tuple[int, int], date] = {}
    for c in courses:
        key = (c.child_id, c.unit_id)
        open_on[key] = max(c.opened_on, open_on.get(key, c.opened_on))
        reached = max(c.opened_on, clock.local_date(c.reached)) if c.reached else c.opened_on
        level = str(getattr(c.level, "value", c.level))
        since = today - timedelta(days=days[c.unit_id])
        if level in ("roed", "akut") and reached >= since:
            items.setdefault(key, []).append(
                NewsItem(reached, reached, "course", level=level, recorded=c.reached)
            )
    children = {
        c.id: c
        for c in db.session.scalars(select(Child).where(Child.id.in_({k[0] for k in items})))
    }
    units_by_id = {u.id: u for u in units}
    rows = [
        NewRedRow(
            children[child_id],
            units_by_id[unit_id],
            sorted(news, key=lambda i: (i.news_day, _stamp(i.recorded)), reverse=True),
            open_on.get((child_id, unit_id)),
        )
        for (child_id, unit_id), news in items.items()
        if child_id in children
    ]
    # Newest news first; news of the same day by when it was recorded, then by name.
    rows.sort(
        key=lambda r: (
            -r.newest.toordinal(),
            -r.recorded,
            r.child.first_name,
            r.child.last_name,
        )
    )
    return rows, days
