"""The demo's seeded records carry their own dates as recorded times, so the first reminder
sweep and Nye røde vurderinger tell only red news from the look-back, not years-old ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.assessments import new_red
from app.assessments import overview as ov
from app.assessments.models import Assessment
from app.assessments.positions import Position
from app.auth.models import User
from app.demo.seed import seed_demo
from app.extensions import db
from app.reminders import sweep
from app.reminders.models import SentReminder
from app.reminders.rules import Settings, parse_red_subject

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Copenhagen


@pytest.fixture
def demo(app):
    clock.freeze(NOW)
    try:
        seed_demo(clock.today(), n_children=120)
        db.session.commit()
        yield clock.today()
    finally:
        clock.freeze(None)


def _red_news_days(child_id: int) -> set:
    from app.concerns.models import CourseOfAction

    assessed = db.session.scalars(
        select(Assessment.assessed_on).where(
            Assessment.child_id == child_id,
            Assessment.current.is_(True),
            Assessment.position == Position.ROED,
        )
    ).all()
    courses = db.session.scalars(
        select(CourseOfAction.opened_on).where(
            CourseOfAction.child_id == child_id, CourseOfAction.level.in_(("roed", "akut"))
        )
    ).all()
    return set(assessed) | set(courses)


def test_the_first_sweep_tells_no_red_news_older_than_the_look_back(demo):
    """Seeded assessments and courses were recorded on their own dates: every child the first
    sweep tells the leaders about has red news within the look-back."""
    since = demo - timedelta(days=Settings().recent_days)
    old_red = db.session.scalar(
        select(Assessment.id).where(
            Assessment.position == Position.ROED,
            Assessment.current.is_(True),
            Assessment.assessed_on < since,
        )
    )
    assert old_red is not None  # the demo has old red assessments to leave out
    sweep.run()
    subjects = db.session.scalars(
        select(SentReminder.subject_key).where(SentReminder.rule == "red_concern")
    ).all()
    for subject in subjects:
        child_id, _episode = parse_red_subject(subject)
        assert max(_red_news_days(child_id)) >= since, subject


def test_nye_roede_vurderinger_lists_only_news_from_the_look_back(demo):
    leader = db.session.scalar(select(User).where(User.email == "leder@opspor.demo"))
    rows, days = new_red.rows_for(leader, ov.leader_units(leader), demo)
    for row in rows:
        for item in row.items:
            assert item.on >= demo - timedelta(days=days[row.unit.id]), (row.child.name, item)
