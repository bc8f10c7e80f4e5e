"""child_position (app/assessments/latest.py) always equals each child's latest current
concluding assessment in each unit, whatever happens to the assessments."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.assessments.latest import _latest, refresh
from app.assessments.models import Assessment, AssessmentKind, ChildPosition
from app.assessments.positions import Position
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_unit, make_user
from tests.web.test_assessments_overview import TODAY, add_children, assessment


def assert_positions_match_the_assessments() -> None:
    kept = set(
        db.session.execute(
            select(
                ChildPosition.child_id,
                ChildPosition.unit_id,
                ChildPosition.assessment_id,
                ChildPosition.position,
                ChildPosition.assessed_on,
            )
        )
    )
    ranked = set(db.session.execute(_latest(select(Assessment.child_id).distinct())))
    assert kept == ranked


def test_positions_follow_new_assessments_corrections_and_rollbacks(app):
    unit = make_unit("Børnehaven Stjernen", UnitKind.BOERNEHAVE)
    paedagog = make_user(Role.PAEDAGOG, unit)
    children = add_children(unit, 30, random.Random(3), assessor=paedagog)
    assert_positions_match_the_assessments()
    child = children[0]

    # A new joint assessment, today: the child's position now.
    newest = assessment(child, unit, paedagog, TODAY, Position.ROED)
    db.session.add(newest)
    db.session.flush()
    assert db.session.get(ChildPosition, (child.id, unit.id)).assessment_id == newest.id
    # An individual assessment is not concluding: the position stays.
    db.session.add(
        assessment(child, unit, paedagog, TODAY, Position.GROEN, AssessmentKind.INDIVIDUAL)
    )
    db.session.flush()
    assert db.session.get(ChildPosition, (child.id, unit.id)).position == Position.ROED

    # A correction: the old version stops being current, the new one takes over.
    newest.current = False
    fixed = assessment(child, unit, paedagog, TODAY, Position.GUL)
    fixed.series_uuid = newest.series_uuid
    db.session.add(fixed)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ChildPosition, (child.id, unit.id)).position == Position.GUL
    assert_positions_match_the_assessments()

    # Rolled back with the assessments it came from.
    db.session.add(assessment(child, unit, paedagog, TODAY, Position.GROEN))
    db.session.flush()
    db.session.rollback()
    assert db.session.get(ChildPosition, (child.id, unit.id)).assessment_id == fixed.id

    # The only concluding assessment withdrawn from the current set: no position at all.
    lone = children[1]
    for a in db.session.scalars(select(Assessment).where(Assessment.child_id == lone.id)):
        a.current = False
    db.session.flush()
    assert db.session.get(ChildPosition, (lone.id, unit.id)) is None
    assert_positions_match_the_assessments()


def test_an_older_date_entered_later_does_not_take_over(app):
    """Latest by date (then id), not by entry: an assessment dated last week, entered today,
    does not replace yesterday's."""
    unit = make_unit("Dagplejen Måne", UnitKind.DAGPLEJE)
    paedagog = make_user(Role.PAEDAGOG, unit)
    (child,) = add_children(unit, 1, random.Random(1), assessor=paedagog)
    yesterday = assessment(child, unit, paedagog, TODAY - timedelta(days=1), Position.GUL)
    db.session.add(yesterday)
    db.session.flush()
    older = assessment(child, unit, paedagog, TODAY - timedelta(days=7), Position.ROED)
    db.session.add(older)
    db.session.flush()
    assert db.session.get(ChildPosition, (child.id, unit.id)).assessment_id == yesterday.id


def test_each_unit_keeps_its_own_latest_position_of_the_child(app):
    """A later assessment in another unit adds that unit's row; the first unit's stays."""
    vuggestue = make_unit("Vuggestuen Sol", UnitKind.VUGGESTUE)
    district = make_unit("Sundhedsplejen Syd", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    paedagog = make_user(Role.PAEDAGOG, vuggestue)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    (child,) = add_children(vuggestue, 1, random.Random(2), assessor=paedagog)
    own = assessment(child, vuggestue, paedagog, TODAY - timedelta(days=20), Position.GROEN)
    db.session.add(own)
    db.session.flush()
    visit = assessment(child, district, nurse, TODAY, Position.ROED)
    db.session.add(visit)
    db.session.flush()
    assert db.session.get(ChildPosition, (child.id, vuggestue.id)).assessment_id == own.id
    assert db.session.get(ChildPosition, (child.id, district.id)).assessment_id == visit.id
    assert_positions_match_the_assessments()


def test_two_transactions_rewriting_one_childs_position_at_once_both_commit(app):
    """Two staff assessing one child at the same moment: the second waits for the first and
    then rewrites the row from both assessments (it failed on the key on PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is nothing to race")
    unit = make_unit("Børnehaven Månen", UnitKind.BOERNEHAVE)
    paedagog = make_user(Role.PAEDAGOG, unit)
    children = add_children(unit, 5, random.Random(5), assessor=paedagog)
    child_id = next(c.id for c in children if db.session.get(ChildPosition, (c.id, unit.id)))
    db.session.commit()
    first, second = db.engine.connect(), db.engine.connect()
    errors: list[Exception] = []

    def rewrite_in_second():
        try:
            with second.begin():
                refresh(second, {child_id})
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    try:
        first.begin()
        refresh(first, {child_id})  # the first transaction has rewritten the row, not committed
        racer = threading.Thread(target=rewrite_in_second)
        racer.start()
        time.sleep(0.5)  # the second is now at the same child
        first.commit()
        racer.join(20)
    finally:
        first.close()
        second.close()
    assert not racer.is_alive() and errors == []
    assert_positions_match_the_assessments()
