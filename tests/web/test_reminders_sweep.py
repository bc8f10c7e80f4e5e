"""The sweep against the other areas' real models, on a frozen clock: what fires when, once only
(also with two sweeps racing), quiet hours, and the push right after a commit.

Dates: Monday 2 March 2026 starts ISO week 10. Copenhagen is UTC+1 then.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import clock, signals
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from app.reminders import sweep
from app.reminders.models import Notification, ReminderPreference, SentReminder
from tests.factories import make_child, make_unit, make_user
from tests.web.test_reminders_push import Device, Receiver, configure_push

AREAS = ("assessments", "concerns", "visits", "transitions")
WEEKLY = ("assessments_due", "leader_digest")


def weekly_on(place) -> None:
    place["unit"].area.municipality.settings = {}
    db.session.commit()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def push_app(app):
    return configure_push(app)


@pytest.fixture
def areas(push_app):
    """The other areas are switched on (their tables exist and the sweep reads them)."""
    from app import AREAS as ON

    assert set(AREAS) <= set(ON)
    return push_app


@pytest.fixture
def at():
    def freeze(year, month, day, hour=9, minute=0):
        local = datetime(year, month, day, hour, minute, tzinfo=clock.LOCAL_TZ)
        clock.freeze(local.astimezone(UTC))

    yield freeze
    clock.freeze(None)


@pytest.fixture
def place(areas, at):
    """Vuggestuen Solsikken with its leader, a pædagog and a child enrolled a year ago (and
    never assessed). The weekly rules are off here; the tests of them switch them on."""
    at(2026, 3, 2, 9)
    unit = make_unit("Solsikken", UnitKind.VUGGESTUE)
    unit.area.municipality.settings = {"reminders": {"disabled": list(WEEKLY)}}
    leader = make_user(Role.LEDER, unit, name="Leder Lis")
    paedagog = make_user(Role.PAEDAGOG, unit, name="Pædagog Per")
    child = make_child(
        unit,
        first_name="Ida",
        last_name="Hemmeligsen",
        cpr="0101249999",
        birth_date=date(2024, 1, 1),
        enrolled_from=date(2025, 3, 1),
    )
    db.session.commit()
    return {"unit": unit, "leader": leader, "paedagog": paedagog, "child": child}


def subscribe(client, auth, user, device):
    auth.login(user)
    assert client.post("/paamindelser/enheder", json=device.json).status_code == 201
    auth.logout()


def open_course(user, child, level="roed", opened_on=None):
    from app.concerns.rules import Level
    from app.concerns.services import open_course as open_

    course, outcome = open_(user, child, Level(level), "manual", None, "Bekymring")
    if opened_on:
        course.opened_on = opened_on
    return course


def insert_course(user, child, unit, level="roed"):
    """A course of action as a row, without the concerns area's services or signals (what a
    sync or another server might have written while no immediate send happened)."""
    from app.concerns.models import CourseOfAction, CourseSource
    from app.concerns.rules import Level

    course = CourseOfAction(
        child_id=child.id,
        unit_id=unit.id,
        level=Level(level),
        source="manual",
        status="open",
        opened_on=clock.today(),
        opened_at=clock.now(),
        opened_by_id=user.id,
        responsible_id=user.id,
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSource(course_id=course.id, source="manual", level=Level(level)))
    db.session.commit()
    return course


def notifications(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query.order_by(Notification.id)).all()


# ---- red: at once, after the commit, to the leader's device --------------------------------


def test_a_red_concern_reaches_the_leaders_phone_right_after_the_commit(
    place, client, auth, receiver
):
    """Done means: a leader subscribes, a child is marked red, the leader's device gets a
    notification with no personal data that opens the right page: a red course of action
    opened without any red assessment is on the unit's list of new red news too."""
    device = Device(receiver)
    subscribe(client, auth, place["leader"], device)

    open_course(place["paedagog"], place["child"], "roed")
    assert receiver.requests == []  # nothing leaves before the commit
    db.session.commit()

    assert len(receiver.requests) == 1
    payload = device.decrypt(receiver.requests[0]["body"])
    assert payload["body"] == "1 barn er vurderet i rød position i Solsikken"
    assert payload["urgent"] is True
    assert set(payload) == {"title", "body", "tag", "url", "kind", "urgent"}
    for secret in ("Ida", "Hemmeligsen", "0101249999", "010124", "Bekymring"):
        assert secret not in str(payload)
    (n,) = notifications(place["leader"], "red_concern")
    assert payload["url"] == f"/notifikationer/{n.id}"  # no child id: only our own link

    auth.login(place["leader"])
    response = client.get(payload["url"])
    assert response.status_code == 303
    link = response.headers["Location"]
    assert link == f"/overblik/liste/roed-nye?unit_id={place['unit'].id}"
    page = client.get(link).get_data(as_text=True)
    assert "Ida Hemmeligsen" in page and "Handlevej (rød)" in page
    assert "Åben handlevej fra" in page
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is not None


def test_a_red_concern_is_pushed_even_on_a_saturday_night(place, client, auth, receiver, at):
    subscribe(client, auth, place["leader"], Device(receiver))
    at(2026, 3, 7, 23)
    open_course(place["paedagog"], place["child"], "roed")
    db.session.commit()
    assert len(receiver.requests) == 1


def test_a_rolled_back_concern_sends_nothing(place, client, auth, receiver):
    subscribe(client, auth, place["leader"], Device(receiver))
    open_course(place["paedagog"], place["child"], "roed")
    db.session.rollback()
    db.session.commit()
    assert receiver.requests == []
    assert notifications(place["leader"]) == []


def test_a_yellow_concern_does_not_go_to_the_leader_at_once(place, client, auth, receiver):
    subscribe(client, auth, place["leader"], Device(receiver))
    open_course(place["paedagog"], place["child"], "gul")
    db.session.commit()
    sweep.run()
    assert receiver.requests == []
    assert notifications(place["leader"], "red_concern") == []


def test_the_sweep_is_the_safety_net_and_sends_once(place, client, auth, receiver):
    """If the immediate send did not happen (server restarted), the next sweep sends it; the
    sweep after that sends nothing."""
    subscribe(client, auth, place["leader"], Device(receiver))
    insert_course(place["paedagog"], place["child"], place["unit"], "roed")
    assert receiver.requests == []

    first = sweep.run()
    second = sweep.run()

    assert (first.recorded, first.pushed) == (1, 1)
    assert (second.recorded, second.pushed) == (0, 0)
    assert len(receiver.requests) == 1


def test_escalation_from_yellow_to_red_is_news(place, client, auth, receiver, at):
    at(2026, 2, 2, 10)
    open_course(place["paedagog"], place["child"], "gul")
    db.session.commit()
    at(2026, 3, 2, 10)  # a month later (older than the 14-day look-back) it turns red
    open_course(place["paedagog"], place["child"], "roed")
    db.session.commit()
    assert len(notifications(place["leader"], "red_concern")) == 1


def red_assessment(place, assessed_on=date(2026, 3, 2)):
    from app.assessments.models import Assessment, AssessmentKind
    from app.assessments.positions import Position

    series = str(uuid.uuid4())
    assessment = Assessment(
        uuid=str(uuid.uuid4()),
        series_uuid=series,
        form_version=1,
        child_id=place["child"].id,
        unit_id=place["unit"].id,
        kind=AssessmentKind.JOINT,
        assessor_id=place["paedagog"].id,
        concluding=True,
        assessed_on=assessed_on,
        age_band="1-3",
        position=Position.ROED,
        justification="Trives ikke",
        created_at=clock.now(),
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def test_a_red_assessment_reaches_the_leader_before_any_course_and_only_once(
    place, client, auth, receiver
):
    """The joint assessment turns red: the leader hears at once, even if nobody opens the
    course of action; opening it from that assessment is the same news, not a second push."""
    subscribe(client, auth, place["leader"], Device(receiver))
    assessment = red_assessment(place)
    signals.assessment_recorded.send(assessment, assessment=assessment, user=place["paedagog"])
    db.session.commit()
    assert len(receiver.requests) == 1

    from app.concerns.rules import Level
    from app.concerns.services import open_course as open_

    open_(place["paedagog"], place["child"], Level.ROED, "assessment", assessment.id)
    db.session.commit()
    sweep.run()

    assert len(receiver.requests) == 1
    assert len(notifications(place["leader"], "red_concern")) == 1


def test_a_dagplejers_red_assessment_reaches_the_leaders_device_through_the_real_form(
    areas, at, client, auth, receiver
):
    """Done means: a dagplejer marks a child red in the assessment form, and within the next
    sweep the device of the leader of the dagpleje above gets a push with no personal data,
    urgency high, whose link leads to that dagplejegruppe's new red assessments, where the
    leader finds the child (no joint assessment yet, so not on the list of red positions).
    Another dagpleje's leader is told nothing and cannot open that list. The joint assessment
    a week later, and the course opened from it, are the same news: nothing more is pushed,
    and the list shows them too."""
    from tests.web.test_assessments_routes import payload as assessment_form

    at(2026, 3, 2, 10)
    dagpleje = make_unit("Dagplejen Syd", UnitKind.DAGPLEJE)
    group = make_unit("Dagplejegruppe Bøgen", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    other = make_unit("Dagplejegruppe Egen", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    leader = make_user(Role.LEDER, dagpleje, name="Leder Lone")
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp, name="Dagplejer Dorte")
    make_user(Role.DAGPLEJER, other)
    north = make_unit("Dagplejen Nord", UnitKind.DAGPLEJE)
    north_leader = make_user(Role.LEDER, north, name="Leder Niels")
    dagpleje.area.municipality.settings = {"reminders": {"disabled": list(WEEKLY)}}
    child = make_child(
        group,
        dagplejer=dagplejer,
        first_name="Ida",
        last_name="Hemmeligsen",
        cpr="0101249999",
        birth_date=date(2024, 9, 1),
        enrolled_from=date(2025, 3, 1),
    )
    db.session.commit()
    device = Device(receiver)
    subscribe(client, auth, leader, device)
    form = {"assessed_on": "2026-03-02", "age_band": "1-3"}

    auth.login(dagplejer)
    individual = assessment_form(child, **form, position="roed", justification="Virker bange.")
    assert client.post("/vurderinger/ny", data=individual).status_code == 303
    auth.logout()
    sweep.run()

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert {k.lower(): v for k, v in request["headers"].items()}["urgency"] == "high"
    payload = device.decrypt(request["body"])
    assert payload["body"] == "1 barn er vurderet i rød position i Dagplejegruppe Bøgen"
    for secret in ("Ida", "Hemmeligsen", "0101249999", "010124", "bange"):
        assert secret not in json.dumps(payload, ensure_ascii=False)
    (n,) = notifications(leader, "red_concern")
    # Every field accounted for: no child id anywhere, only our own link and the unit's tag.
    assert payload == {
        "title": "Rød position",
        "body": "1 barn er vurderet i rød position i Dagplejegruppe Bøgen",
        "tag": f"red-concern-{group.id}",
        "url": f"/notifikationer/{n.id}",
        "kind": "red_concern",
        "urgent": True,
    }

    assert notifications(north_leader) == []

    auth.login(leader)
    opened = client.get(payload["url"])
    assert opened.status_code == 303
    link = opened.headers["Location"]
    assert link.startswith("/overblik/liste/roed-nye?") and f"unit_id={group.id}" in link
    red_list = client.get(link)
    assert red_list.status_code == 200
    page = red_list.get_data(as_text=True)
    assert "Nye røde vurderinger" in page and "Dagplejegruppe Bøgen" in page
    assert "Ida Hemmeligsen" in page and f"/boern/{child.id}" in page
    assert "Egen vurdering (Dagplejer Dorte)" in page and "Ingen åben handlevej" in page
    # Not yet in red position: the unit's list of red positions counts joint ones only.
    positions = client.get(f"/overblik/liste/roed?unit_id={group.id}").get_data(as_text=True)
    assert "Ida Hemmeligsen" not in positions
    auth.logout()

    auth.login(north_leader)
    assert client.get(link).status_code == 404
    assert "Ida" not in client.get("/overblik/liste/roed-nye").get_data(as_text=True)
    auth.logout()

    at(2026, 3, 9, 10)  # a week later the joint assessment, in red, and the course from it
    auth.login(dpp)
    joint = assessment_form(
        child, **form, kind="joint", position="roed", justification="Virker bange."
    )
    joint["assessed_on"] = "2026-03-09"
    assert client.post("/vurderinger/ny", data=joint).status_code == 303
    from app.assessments.models import Assessment
    from app.concerns.rules import Level
    from app.concerns.services import open_course as open_

    saved = db.session.scalar(select(Assessment).where(Assessment.uuid == joint["uuid"]))
    open_(dpp, child, Level.ROED, "assessment", saved.id)
    db.session.commit()
    sweep.run()

    assert len(receiver.requests) == 1
    assert len(notifications(leader, "red_concern")) == 1
    auth.login(leader)
    page = client.get(link).get_data(as_text=True)
    assert page.count("Ida Hemmeligsen") == 1  # one row per child and unit
    assert "Fælles vurdering" in page and "Egen vurdering (Dagplejer Dorte)" in page
    assert "Åben handlevej fra" in page


def test_a_new_red_episode_weeks_later_is_told_again(place, client, auth, receiver, at):
    subscribe(client, auth, place["leader"], Device(receiver))
    red_assessment(place)
    db.session.commit()
    sweep.run()
    at(2026, 3, 20, 10)  # corrected, still red, within the episode: the same news
    red_assessment(place, assessed_on=date(2026, 3, 20))
    db.session.commit()
    sweep.run()
    assert len(receiver.requests) == 1

    at(2026, 4, 20, 10)  # seven weeks later the child is assessed red again
    red_assessment(place, assessed_on=date(2026, 4, 20))
    db.session.commit()
    sweep.run()
    sweep.run()

    assert len(receiver.requests) == 2
    subjects = db.session.scalars(
        select(SentReminder.subject_key).where(SentReminder.rule == "red_concern")
    ).all()
    child_id = place["child"].id
    assert sorted(subjects) == [
        f"red-child:{child_id}@2026-03-02",
        f"red-child:{child_id}@2026-04-20",
    ]


def test_a_sweep_does_not_insert_what_the_ledger_already_has(place, client, auth, receiver):
    """The second sweep plans the same reminders, but reads the ledger first: no INSERT that
    the unique constraint would refuse (PostgreSQL logs each refusal as an error)."""
    from sqlalchemy import event

    weekly_on(place)
    insert_course(place["paedagog"], place["child"], place["unit"], "roed")
    assert sweep.run().recorded >= 2  # red news and the week's reminders
    inserts = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO SENT_REMINDER"):
            inserts.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        second = sweep.run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert second.planned >= 2 and second.recorded == 0
    assert inserts == []


def test_a_bad_municipality_setting_is_logged_by_name_and_red_still_goes_out(
    place, client, auth, receiver, caplog
):
    place["unit"].area.municipality.settings = {"reminders": {"quiet_start": 25}}
    db.session.commit()
    subscribe(client, auth, place["leader"], Device(receiver))
    insert_course(place["paedagog"], place["child"], place["unit"], "roed")
    sweep.run()
    (n,) = notifications(place["leader"], "red_concern")
    assert n.push_state == "sent"
    assert "reminders.quiet_start must be a whole number 0–23, got 25" in caplog.text


# ---- once only, also when two sweeps race ---------------------------------------------------


def test_two_concurrent_sweeps_send_exactly_once(place, client, auth, receiver, push_app):
    device = Device(receiver)
    subscribe(client, auth, place["leader"], device)
    for _ in range(3):
        other = make_child(place["unit"], enrolled_from=date(2025, 3, 1))
        insert_course(place["paedagog"], other, place["unit"], "roed")
    start = threading.Barrier(2)
    results, errors = [], []

    def one_sweep():
        with push_app.app_context():
            try:
                start.wait(5)
                results.append(sweep.run())
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert errors == []
    assert sorted(r.recorded for r in results) == [0, 1]
    assert len(receiver.requests) == 1
    assert device.decrypt(receiver.requests[0]["body"])["body"] == (
        "3 børn er vurderet i rød position i Solsikken"
    )
    assert db.session.scalar(select(func.count(SentReminder.id))) == 3
    assert len(notifications(place["leader"])) == 1


# ---- quiet hours ----------------------------------------------------------------------------


def test_a_non_urgent_reminder_waits_for_the_morning(place, client, auth, receiver, at):
    """Recorded (and in the list) at once; pushed after the quiet hours, once."""
    subscribe(client, auth, place["paedagog"], Device(receiver))
    course = open_course(place["paedagog"], place["child"], "gul")
    course.follow_up_on = date(2026, 3, 2)
    db.session.commit()

    at(2026, 3, 3, 20)  # Tuesday evening: the follow-up date has passed
    assert sweep.run().recorded >= 1
    (n,) = notifications(place["paedagog"], "follow_up_overdue")
    assert n.push_state == "pending"
    assert receiver.requests == []

    at(2026, 3, 4, 7)
    sweep.run()
    sweep.run()
    assert len(receiver.requests) == 1
    db.session.expire_all()
    assert db.session.get(Notification, n.id).push_state == "sent"


def test_a_user_who_wants_weekend_reminders_gets_them(place, client, auth, receiver, at):
    subscribe(client, auth, place["paedagog"], Device(receiver))
    db.session.add(
        ReminderPreference(
            user_id=place["paedagog"].id, quiet_start=22, quiet_end=6, quiet_weekends=False
        )
    )
    course = open_course(place["paedagog"], place["child"], "gul")
    course.follow_up_on = date(2026, 3, 5)
    db.session.commit()
    at(2026, 3, 7, 11)  # Saturday late morning
    sweep.run()
    assert len(receiver.requests) == 1


def test_a_push_not_sent_within_a_week_expires(place, client, auth, receiver, at):
    subscribe(client, auth, place["paedagog"], Device(receiver))
    n = Notification(user_id=place["paedagog"].id, kind="follow_up_overdue", unit_name="S")
    db.session.add(n)
    db.session.commit()
    at(2026, 3, 12, 9)
    sweep.deliver_pending(clock.now())
    db.session.expire_all()
    assert db.session.get(Notification, n.id).push_state == "expired"
    assert receiver.requests == []


# ---- the other rules on real data -----------------------------------------------------------


def test_yellow_without_a_plan_after_seven_days_reaches_the_leader(place, at):
    at(2026, 2, 20, 10)
    open_course(place["paedagog"], place["child"], "gul")
    db.session.commit()
    at(2026, 2, 26, 10)
    sweep.run()
    assert notifications(place["leader"], "no_action_plan") == []
    at(2026, 2, 27, 10)
    sweep.run()
    sweep.run()
    (n,) = notifications(place["leader"], "no_action_plan")
    assert n.count == 1 and n.url.startswith("/opfoelgning/enheder")


def test_a_plan_item_past_its_date_reaches_the_responsible_and_the_leader(place, at):
    from app.concerns.models import PlanItem

    course = open_course(place["paedagog"], place["child"], "gul")
    db.session.add(
        PlanItem(
            course_id=course.id,
            action="Tale med forældrene",
            responsible_id=place["paedagog"].id,
            due_on=date(2026, 3, 3),
        )
    )
    db.session.commit()
    at(2026, 3, 4, 10)
    sweep.run()
    assert [n.count for n in notifications(place["paedagog"], "follow_up_overdue")] == [1]
    assert [n.count for n in notifications(place["leader"], "follow_up_overdue")] == [1]
    assert notifications(place["paedagog"], "follow_up_overdue")[0].url == "/opfoelgning"


def test_due_assessments_remind_the_paedagog_weekly_and_the_leader_in_the_digest(place, at):
    """Enrolled a year ago, never assessed: overdue. Monday 07:00 the pædagog hears of it, and
    the leader's digest counts it; the same week nothing more, the next week again."""
    weekly_on(place)
    at(2026, 3, 2, 6, 30)
    sweep.run()
    assert notifications(place["paedagog"]) == []

    at(2026, 3, 2, 7)
    sweep.run()
    sweep.run()
    (due,) = notifications(place["paedagog"], "assessments_due")
    assert (due.count, due.unit_name, due.details["overdue"]) == (1, "Solsikken", 1)
    (digest,) = notifications(place["leader"], "leader_digest")
    row = digest.details["units"][0]
    assert (row["name"], row["children"], row["overdue"]) == ("Solsikken", 1, 1)

    at(2026, 3, 9, 8)
    sweep.run()
    assert len(notifications(place["paedagog"], "assessments_due")) == 2


def test_an_assessed_child_is_not_due(place, at):
    weekly_on(place)
    from app.assessments.models import Assessment, AssessmentKind
    from app.assessments.positions import Position

    db.session.add(
        Assessment(
            uuid=str(uuid.uuid4()),
            series_uuid=str(uuid.uuid4()),
            form_version=1,
            child_id=place["child"].id,
            unit_id=place["unit"].id,
            kind=AssessmentKind.JOINT,
            assessor_id=place["paedagog"].id,
            concluding=True,
            assessed_on=date(2026, 2, 20),
            age_band="1-3",
            position=Position.GROEN,
        )
    )
    db.session.commit()
    at(2026, 3, 2, 8)
    sweep.run()
    assert notifications(place["paedagog"], "assessments_due") == []


def test_an_urgent_screening_reaches_the_nurses_leader_at_once(areas, at, client, auth, receiver):
    from app.visits.models import Visit

    at(2026, 3, 7, 21)  # Saturday evening
    district = make_unit("Sundhedsplejen Nord", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    head = make_user(Role.LEDER, district, name="Ledende sundhedsplejerske")
    child = make_child(district, nurse=nurse, first_name="Alma", birth_date=date(2026, 1, 5))
    db.session.commit()
    device = Device(receiver)
    subscribe(client, auth, head, device)

    visit = Visit(
        uuid=str(uuid.uuid4()),
        child_id=child.id,
        nurse_id=nurse.id,
        visit_type="besoeg_2_mdr",
        contact_form="hjemme",
        visit_date=date(2026, 3, 7),
        epds_self_harm=True,
    )
    db.session.add(visit)
    db.session.flush()
    signals.urgent_screening.send(visit, user=nurse)
    db.session.commit()

    assert len(receiver.requests) == 1
    payload = device.decrypt(receiver.requests[0]["body"])
    assert payload["body"] == "1 screening kræver handling i dag i Sundhedsplejen Nord"
    assert "Alma" not in str(payload) and "EPDS" not in str(payload)
    (n,) = notifications(head, "urgent_screening")
    assert n.url == f"/notifikationer/screeninger/{district.id}"  # the district's list


def test_a_handed_over_schema_awaits_the_receiving_leaders_acknowledgement(areas, at):
    from app.children.models import Enrolment
    from app.transitions.models import TransitionConsent, TransitionSchema

    at(2026, 3, 2, 10)
    sending = make_unit("Dagplejegruppe Øst", UnitKind.DAGPLEJEGRUPPE)
    receiving = make_unit("Mælkebøtten", UnitKind.BOERNEHAVE)
    leader = make_user(Role.LEDER, receiving)
    child = make_child(sending, birth_date=date(2023, 4, 1), enrolled_from=date(2024, 2, 1))
    arriving = Enrolment(child=child, unit=receiving, start_date=date(2026, 3, 9))
    db.session.add(arriving)
    db.session.flush()
    schema = TransitionSchema(
        uuid=str(uuid.uuid4()),
        form_version=1,
        child_id=child.id,
        target=f"enrolment:{arriving.id}",
        kind="enrolment",
        start_date=arriving.start_date,
        sending_enrolment_id=child.enrolments[0].id,
        sending_unit_id=sending.id,
        receiving_enrolment_id=arriving.id,
        receiving_unit_id=receiving.id,
        receiving_name="Mælkebøtten",
        status="finished",
        finished_at=clock.now(),
    )
    guardian = child.guardians[0]
    schema.consents.append(
        TransitionConsent(
            guardian_id=guardian.id,
            guardian_name=guardian.name,
            method="paper",
            signed_on=date(2026, 3, 1),
            given_at=clock.now(),
            shared_with_unit_id=receiving.id,
            shared_with_name="Mælkebøtten",
        )
    )
    db.session.add(schema)
    db.session.commit()

    sweep.run()
    assert notifications(leader) == []  # not before the child is enrolled there

    at(2026, 3, 9, 10)
    sweep.run()
    sweep.run()
    (n,) = notifications(leader, "transition_ack")
    assert (n.count, n.unit_name) == (1, "Mælkebøtten")

    schema.acknowledged_at = clock.now()
    db.session.commit()
    at(2026, 3, 10, 10)
    sweep.run()
    assert len(notifications(leader, "transition_ack")) == 1


def test_a_municipality_can_switch_a_rule_off(place, at):
    municipality = place["unit"].area.municipality
    municipality.settings = {"reminders": {"disabled": ["assessments_due"]}}  # digest stays on
    db.session.commit()
    at(2026, 3, 2, 8)
    sweep.run()
    assert notifications(place["paedagog"], "assessments_due") == []
    assert notifications(place["leader"], "leader_digest")


def test_the_cli_runs_a_sweep(place, runner, at):
    weekly_on(place)
    at(2026, 3, 2, 8)
    result = runner.invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    assert "new" in result.output
    assert notifications(place["paedagog"], "assessments_due")


def test_seven_days_old_pending_pushes_are_the_limit():
    assert timedelta(days=7) == sweep.PUSH_MAX_AGE
