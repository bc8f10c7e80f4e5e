"""The demo: a child of dagplejer@opspor.demo moves to the børnehave next month; the børnehave
has a consented schema waiting for leder@opspor.demo, and a child whose schema was not shared."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.children.models import Enrolment
from app.demo.seed import seed_demo
from app.extensions import db
from app.transitions.models import TransitionSchema
from app.transitions.seed import next_month_start
from tests.web.transitions_helpers import login


@pytest.fixture(
    params=[
        None,
        datetime(2026, 1, 28, 9, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 1, 31, 9, 0, tzinfo=UTC),
    ],
    ids=["today", "28th", "1st", "last"],
)
def demo(app, request):
    """Seeded today, on the 28th of a month (when "in five weeks" was two months on), and on
    the first and the last day of a month."""
    clock.freeze(request.param)
    try:
        seed_demo(clock.today(), n_children=80)
        db.session.commit()
        yield
    finally:
        clock.freeze(None)


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_the_dagplejer_has_a_child_moving_to_the_boernehave(demo, client):
    """On her list, to be filled in: not late on the day the demo is seeded."""
    login(client, user("dagplejer@opspor.demo"))
    page = client.get("/overgange").text
    assert "til Børnehaven Mælkebøtten" in page
    assert "Udfyld skema" in page
    assert "Skal udfyldes" in page and "Forsinket" not in page


def check_start(today: date, start: date) -> None:
    """A working day, not due before today + a few days; in next month when it has such a
    day, else the first working day after the earliest start."""
    earliest = today + timedelta(weeks=4, days=3)
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    assert start.weekday() < 5 and start >= earliest
    in_next_month = [
        d
        for d in (earliest + timedelta(days=n) for n in range(40))
        if first <= d < after and d.weekday() < 5
    ]
    if in_next_month:
        assert start == in_next_month[0]
    else:
        assert start == next(
            d for d in (earliest + timedelta(days=n) for n in range(7)) if d.weekday() < 5
        )


def test_the_moving_child_starts_next_month_on_a_working_day(demo):
    today = clock.today()
    starts = db.session.scalars(
        select(Enrolment.start_date).where(Enrolment.start_date > today)
    ).all()
    assert next_month_start(today) in starts
    check_start(today, next_month_start(today))


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 1, 1),
        date(2026, 1, 15),
        date(2026, 1, 28),
        date(2026, 1, 31),
        date(2026, 11, 26),
        date(2026, 12, 31),
        date(2026, 4, 30),
    ],
)
def test_next_month_start(today):
    check_start(today, next_month_start(today))


def test_the_demo_schemas_uuids_are_not_guessable(demo):
    for schema in db.session.scalars(select(TransitionSchema)):
        assert schema.uuid != str(uuid.UUID(int=schema.child_id, version=4))


def test_the_leader_has_a_schema_to_acknowledge_and_one_child_without(demo, client):
    login(client, user("leder@opspor.demo"))
    page = client.get("/overgange/modtagne").text
    links = re.findall(r'href="(/overgange/modtagne/\d+)"', page)
    assert len(links) == 1 and "Ikke læst endnu" in page
    assert "Intet overgangsskema delt" in page
    assert client.get(links[0]).status_code == 200
    assert client.post(links[0] + "/kvitter").status_code == 303
    assert "Kvitteret" in client.get("/overgange/modtagne").text
