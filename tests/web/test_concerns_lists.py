"""The query functions the leader's overview uses, the follow-up lists per user and per unit,
and the demo data that keeps them alive."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, true

from app.audit.models import AccessLog
from app.auth.roles import Role
from app.concerns import queries
from app.concerns.models import CourseOfAction, PlanItem
from app.concerns.rules import Level
from app.extensions import db
from app.org.models import Unit
from tests.factories import make_child
from tests.web.concerns_helpers import TODAY, logged_in_setup


@pytest.fixture
def s(app, auth):
    yield from logged_in_setup(auth)


def make_course(child, unit, user, level=Level.GUL, days_ago=0, **extra) -> CourseOfAction:
    opened = TODAY - timedelta(days=days_ago)
    course = CourseOfAction(
        child_id=child.id,
        unit_id=unit.id,
        level=level,
        source="manual",
        opened_on=opened,
        opened_at=datetime.combine(opened, time(9)),
        opened_by_id=user.id,
        responsible_id=user.id,
        **extra,
    )
    db.session.add(course)
    db.session.flush()
    return course


def item(course, due_days, done=False, responsible=None, action="Fokuspunkt") -> PlanItem:
    plan_item = PlanItem(
        course_id=course.id,
        action=action,
        due_on=TODAY + timedelta(days=due_days),
        done_on=TODAY if done else None,
        responsible_id=responsible.id if responsible else None,
    )
    db.session.add(plan_item)
    db.session.flush()
    return plan_item


def ids(query) -> set[int]:
    return {row.id for row in db.session.scalars(query)}


def test_without_plan_after_n_days(s):
    old = make_course(s.child, s.unit, s.paedagog, days_ago=7)
    fresh = make_course(make_child(s.unit), s.unit, s.paedagog, days_ago=6)
    planned = make_course(make_child(s.unit), s.unit, s.paedagog, Level.ROED, days_ago=30)
    item(planned, 5)
    make_course(make_child(s.unit), s.unit, s.paedagog, days_ago=30, status="closed")
    elsewhere = make_course(s.other_child, s.other_unit, s.stranger, days_ago=30)
    assert ids(queries.without_plan({s.unit.id}, TODAY)) == {old.id}
    assert ids(queries.without_plan({s.unit.id}, TODAY, days=3)) == {old.id, fresh.id}
    assert ids(queries.without_plan({s.other_unit.id}, TODAY, days=30)) == {elsewhere.id}


def test_overdue_follow_ups_are_dates_and_open_items_before_today(s):
    by_date = make_course(s.child, s.unit, s.paedagog, follow_up_on=TODAY - timedelta(days=1))
    on_time = make_course(make_child(s.unit), s.unit, s.paedagog, follow_up_on=TODAY)
    by_item = make_course(make_child(s.unit), s.unit, s.paedagog)
    item(by_item, -2)
    done = make_course(make_child(s.unit), s.unit, s.paedagog)
    item(done, -2, done=True)
    item(on_time, 0)
    assert ids(queries.overdue_follow_ups({s.unit.id}, TODAY)) == {by_date.id, by_item.id}


def test_open_courses_for_child(s):
    open_one = make_course(s.child, s.unit, s.paedagog)
    make_course(s.child, s.unit, s.paedagog, status="closed")
    assert ids(queries.open_courses_for_child(s.child.id)) == {open_one.id}


def test_the_query_functions_can_be_counted_per_unit(s):
    """The overview groups the selects by unit; they must stay plain selects of rows."""
    from sqlalchemy import func

    make_course(s.child, s.unit, s.paedagog, days_ago=10)
    rows = queries.without_plan({s.unit.id}, TODAY).order_by(None).subquery()
    counted = db.session.execute(
        select(rows.c.unit_id, func.count()).group_by(rows.c.unit_id)
    ).all()
    assert counted == [(s.unit.id, 1)]


def test_follow_up_rows_belong_to_the_item_or_the_course_tovholder(s):
    course = make_course(s.child, s.unit, s.paedagog, follow_up_on=TODAY + timedelta(days=3))
    mine = item(course, 1)  # no responsible: the tovholder's
    theirs = item(course, 2, responsible=s.colleague)
    until = TODAY + timedelta(days=14)
    rows = db.session.execute(queries.follow_up_rows(true(), until, s.paedagog.id)).all()
    assert [(r.kind, r.item_id) for r in rows] == [("item", mine.id), ("course", None)]
    rows = db.session.execute(queries.follow_up_rows(true(), until, s.colleague.id)).all()
    assert [r.item_id for r in rows] == [theirs.id]


def test_mine_lists_overdue_and_due_and_logs_the_view(client, s):
    course = make_course(s.child, s.unit, s.paedagog, Level.ROED, follow_up_on=TODAY)
    item(course, -3, action="Tal med mor")
    item(course, 30, action="Langt ude i fremtiden")
    db.session.commit()
    page = client.get("/opfoelgning").get_data(as_text=True)
    assert "Overskredet (1)" in page and "Tal med mor" in page
    assert "Skulle være sket 07.03.2026" in page
    assert "Kommende (1)" in page and "Opfølgning på handlevejen" in page
    assert "Langt ude i fremtiden" not in page
    assert "Ida Bækgaard" in page
    logged = db.session.scalars(select(AccessLog).where(AccessLog.what == "follow-ups")).all()
    assert [entry.child_id for entry in logged] == [s.child.id]


def test_unit_list_shows_the_three_lists_for_the_leader(client, auth, s):
    make_course(s.child, s.unit, s.paedagog, days_ago=9)
    db.session.commit()
    auth.login(s.leader)
    page = client.get(f"/opfoelgning/enheder?unit_id={s.unit.id}").get_data(as_text=True)
    assert "Gul eller rød uden handleplan efter 7 dage (1)" in page
    assert "Ida Bækgaard" in page
    assert "Underretninger uden kvittering (0)" in page


def test_the_plan_deadline_comes_from_the_municipality(client, auth, s):
    make_course(s.child, s.unit, s.paedagog, days_ago=9)
    unit = db.session.get(Unit, s.unit.id)
    unit.municipality.settings = {"concerns": {"plan_within_days": 10}}
    db.session.commit()
    page = client.get("/opfoelgning/enheder").get_data(as_text=True)
    assert "uden handleplan efter 10 dage (0)" in page


def test_nobody_sees_another_units_follow_ups(client, auth, s):
    make_course(s.child, s.unit, s.paedagog, days_ago=9, follow_up_on=TODAY)
    db.session.commit()
    auth.login(s.stranger)
    for url in (
        "/opfoelgning",
        "/opfoelgning/enheder",
        f"/opfoelgning/enheder?unit_id={s.unit.id}",
    ):
        assert "Ida Bækgaard" not in client.get(url).get_data(as_text=True)


def test_the_unit_list_uses_a_bounded_number_of_queries(client, auth, s, count_queries):
    """No N+1: 3 and 30 courses cost the same number of reads. (The access log writes one row
    per child shown, on purpose; PostgreSQL batches those inserts.)"""
    auth.login(s.leader)

    def measure(n):
        for _ in range(n):
            course = make_course(make_child(s.unit), s.unit, s.paedagog, days_ago=10)
            item(course, -1)
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/opfoelgning/enheder").status_code == 200
        return len([q for q in statements if q.lstrip().upper().startswith("SELECT")])

    few = measure(3)
    many = measure(27)
    assert many == few


def test_the_demo_has_open_concerns_to_show(app):
    from app.demo.seed import seed_demo
    from app.org.queries import descendant_unit_ids

    context = seed_demo(TODAY, n_children=80)
    led = [m.unit_id for m in context["leader"].memberships]
    units = descendant_unit_ids(led)
    courses = db.session.scalars(queries.open_courses(units)).all()
    assert {c.level for c in courses} == {Level.GUL, Level.ROED}
    assert any(c.plan_items for c in courses)
    assert db.session.scalars(queries.without_plan(units, TODAY)).all()
    assert db.session.scalars(queries.missing_receipts(units, TODAY)).all()
    assert db.session.scalars(queries.overdue_follow_ups(units, TODAY)).all()


@pytest.mark.parametrize("role", [Role.PAEDAGOG, Role.LEDER])
def test_nav_shows_the_follow_up_entry(client, auth, s, role):
    user = s.paedagog if role is Role.PAEDAGOG else s.leader
    auth.login(user)
    page = client.get("/opfoelgning").get_data(as_text=True)
    assert 'href="/opfoelgning"' in page and "Opfølgning" in page
