"""Courses of action over HTTP: opening (idempotent per source, escalation), the leader told the
same day, the guided steps with Danish 422 errors and 303 redirects, corrections kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.concerns.models import ConcernEvent, CourseOfAction, CourseSource, PlanItem
from app.concerns.rules import Answer, Level
from app.extensions import db
from app.signals import course_opened
from tests.web.concerns_helpers import (
    TODAY,
    course_url,
    logged,
    logged_in_setup,
    open_course,
    open_url,
    signals_caught,
)


@pytest.fixture
def s(app, auth):
    yield from logged_in_setup(auth)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- Opening ------------------------------------------------------------------------------------


def test_get_shows_what_a_red_position_sets_going(client, s):
    """The assessment's redirect lands on a confirmation that says what happens next."""
    response = client.get(open_url(s.child))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Åbn handlevejen" in page
    assert "Lederen får besked samme dag" in page
    assert "om du skal underrette kommunen" in page
    assert count(CourseOfAction) == 0
    assert ("view", "course:new") in logged(s.child.id)


def test_post_opens_tells_the_leader_and_redirects(client, s):
    """Opening a red course sends course_opened and records that the leader was informed."""
    with signals_caught() as caught:
        response = client.post(open_url(s.child, source_id=7), data={"reason": "Blå mærker"})
    assert response.status_code == 303
    course = db.session.scalar(select(CourseOfAction))
    assert response.headers["Location"].endswith(course_url(course) + "#trin")
    assert (course.level, course.source, course.source_id) == (Level.ROED, "assessment", 7)
    assert course.unit_id == s.unit.id
    assert course.opened_on == TODAY
    assert course.opened_by_id == course.responsible_id == s.paedagog.id
    assert len(caught) == 1 and caught[0][0] is course
    assert caught[0][1]["user"].id == s.paedagog.id
    assert course.leader_informed_at is not None
    assert course.leader_informed_how == "besked"
    assert ("create", f"course:{course.id}") in logged(s.child.id)
    page = client.get(course_url(course)).get_data(as_text=True)
    assert "Lederen er informeret" in page and "Lone Leder" in page


def test_opening_is_idempotent_per_source(client, s):
    """The same assessment twice (a double click, a replay) opens one course."""
    first = open_course(client, s.child, source_id=5)
    with signals_caught() as caught:
        again = client.post(open_url(s.child, source_id=5), data={})
    assert again.status_code == 303
    assert again.headers["Location"].endswith(course_url(first) + "#trin")
    assert count(CourseOfAction) == 1 and count(CourseSource) == 1
    assert caught == []
    assert client.get(open_url(s.child, source_id=5)).status_code == 303


def test_a_later_red_assessment_escalates_the_open_yellow_course(client, s):
    course = open_course(client, s.child, position="gul", source_id=1)
    with signals_caught() as caught:
        response = client.post(open_url(s.child, position="roed", source_id=2), data={})
    assert response.status_code == 303
    db.session.refresh(course)
    assert count(CourseOfAction) == 1
    assert course.level is Level.ROED
    assert [src.source_id for src in course.sources] == [1, 2]
    assert len(caught) == 1
    kinds = db.session.scalars(select(ConcernEvent.kind).order_by(ConcernEvent.id)).all()
    assert "escalated" in kinds


def test_a_lower_position_is_linked_without_lowering(client, s):
    course = open_course(client, s.child, position="roed", source_id=1)
    with signals_caught() as caught:
        client.post(open_url(s.child, position="gul", source="visit", source_id=9), data={})
    db.session.refresh(course)
    assert course.level is Level.ROED
    assert len(course.sources) == 2
    assert caught == []


def test_the_page_warns_about_an_existing_open_course(client, s):
    open_course(client, s.child, position="gul", source_id=1)
    page = client.get(open_url(s.child, position="roed", source_id=2)).get_data(as_text=True)
    assert "Barnet har allerede en åben handlevej" in page
    assert "bliver den opgraderet" in page


@pytest.mark.parametrize(
    "url_args",
    [
        {"position": "groen"},
        {"position": "lilla"},
        {"source": "telefon"},
        {"source": "assessment", "source_id": None},
    ],
)
def test_bad_arguments_are_refused(client, s, url_args):
    response = client.get(open_url(s.child, **url_args))
    assert response.status_code == 400


def test_a_manual_concern_needs_a_position_and_a_reason(client, s):
    """Rejs en bekymring from the child's page: 422 with Danish errors next to the fields."""
    url = f"/boern/{s.child.id}/handleveje/ny"
    response = client.post(url, data={})
    assert response.status_code == 422
    assert "Vælg en position." in response.get_data(as_text=True)
    response = client.post(url, data={"level": "gul", "reason": "  "})
    assert response.status_code == 422
    assert "Skriv kort, hvad du er bekymret for." in response.get_data(as_text=True)
    response = client.post(url, data={"level": "akut", "reason": "Barnet siger, at far slår"})
    assert response.status_code == 303
    course = db.session.scalar(select(CourseOfAction))
    assert (course.level, course.source, course.source_id) == (Level.AKUT, "manual", None)
    assert "Er barnet i fare lige nu" in client.get(course_url(course)).get_data(as_text=True)


def test_without_a_listener_the_professional_tells_the_leader_and_notes_it(client, s):
    """If nothing received the signal, Opspor does not pretend: it asks for it to be done."""
    with course_opened.muted():
        course = open_course(client, s.child)
    assert course.leader_informed_at is None
    page = client.get(course_url(course)).get_data(as_text=True)
    assert "Din leder skal have besked i dag." in page
    response = client.post(course_url(course, "/leder-informeret"))
    assert response.status_code == 303
    db.session.refresh(course)
    assert course.leader_informed_how == "personligt"


def test_a_leader_who_opens_is_informed_himself(client, auth, s):
    auth.login(s.leader)
    with course_opened.muted():
        course = open_course(client, s.child)
    assert course.leader_informed_how == "selv"


# -- The steps ----------------------------------------------------------------------------------


def test_parents_step_needs_date_and_how_or_the_exemption_with_a_reason(client, s):
    course = open_course(client, s.child)
    url = course_url(course, "/foraeldre")
    response = client.post(url, data={"parents-parents_reaction": "Glade for at høre det"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv datoen, eller sæt flueben ved at forældrene ikke skal orienteres." in page
    assert "Vælg hvordan forældrene blev orienteret." in page
    assert "Glade for at høre det" in page  # the user's text is kept
    response = client.post(url, data={"parents-parents_exempt": "y"})
    assert response.status_code == 422
    assert "Skriv kort, hvorfor forældrene ikke skal orienteres." in response.get_data(as_text=True)
    future = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(
        url, data={"parents-parents_informed_on": future, "parents-parents_how": "telefon"}
    )
    assert "Datoen kan ikke ligge efter i dag." in response.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "parents-parents_informed_on": TODAY.isoformat(),
            "parents-parents_how": "samtale",
            "parents-parents_reaction": "Mor var ked af det, men enig.",
        },
    )
    assert response.status_code == 303
    db.session.refresh(course)
    assert course.parents_done and course.parents_how == "samtale"


def test_a_correction_keeps_the_earlier_values_who_and_why(client, s):
    course = open_course(client, s.child)
    url = course_url(course, "/foraeldre")
    data = {"parents-parents_informed_on": TODAY.isoformat(), "parents-parents_how": "samtale"}
    assert client.post(url, data=data).status_code == 303
    changed = {**data, "parents-parents_how": "telefon"}
    response = client.post(url, data=changed)
    assert response.status_code == 422
    assert "Skriv hvorfor du ændrer det, der er noteret." in response.get_data(as_text=True)
    response = client.post(url, data={**changed, "parents-change_reason": "Det var i telefonen"})
    assert response.status_code == 303
    event = db.session.scalar(select(ConcernEvent).where(ConcernEvent.kind == "parents-corrected"))
    assert event.before["parents_how"] == "samtale"
    assert event.note == "Det var i telefonen" and event.user_id == s.paedagog.id


def test_a_stale_form_is_refused_with_409(client, s):
    course = open_course(client, s.child)
    response = client.post(
        course_url(course, "/opfoelgning"),
        data={"follow-follow_up_on": TODAY.isoformat(), "follow-version": "0"},
    )
    assert response.status_code == 409
    assert "ændret af en anden imens" in response.get_data(as_text=True)


def test_plan_items_are_added_and_marked_done_with_htmx_partials(client, s):
    course = open_course(client, s.child)
    url = course_url(course, "/fokuspunkter")
    htmx = {"HX-Request": "true"}
    response = client.post(url, data={"plan-action": ""}, headers=htmx)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.lstrip().startswith("{#") is False and 'id="plan"' in page
    assert "<html" not in page
    assert "Skriv, hvad I vil gøre." in page and "Skriv en dato." in page
    data = {
        "plan-observation": "Leger alene",
        "plan-action": "En voksen hjælper ind i legen",
        "plan-responsible_id": str(s.colleague.id),
        "plan-due_on": (TODAY + timedelta(days=14)).isoformat(),
    }
    response = client.post(url, data=data, headers=htmx)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "En voksen hjælper ind i legen" in page and "Fokuspunktet er tilføjet." in page
    item = db.session.scalar(select(PlanItem))
    assert item.responsible_id == s.colleague.id and item.course_id == course.id
    done = client.post(
        course_url(course, f"/fokuspunkter/{item.id}/udfoert"),
        data={"done_note": "Det virker"},
        headers=htmx,
    )
    assert done.status_code == 200 and "Udført" in done.get_data(as_text=True)
    db.session.refresh(item)
    assert item.done_on == TODAY and item.done_by_id == s.paedagog.id


def test_a_plan_item_needs_someone_responsible_from_the_list(client, s):
    course = open_course(client, s.child)
    data = {"plan-action": "Noget", "plan-due_on": TODAY.isoformat()}
    response = client.post(course_url(course, "/fokuspunkter"), data=data)
    assert response.status_code == 422
    assert "Vælg en medarbejder, eller skriv hvem der gør det." in response.get_data(as_text=True)
    response = client.post(
        course_url(course, "/fokuspunkter"),
        data={**data, "plan-responsible_id": str(s.stranger.id)},
    )
    assert "Vælg en medarbejder fra listen." in response.get_data(as_text=True)
    response = client.post(
        course_url(course, "/fokuspunkter"), data={**data, "plan-responsible_text": "Forældrene"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#plan")


def test_follow_up_date_cannot_be_in_the_past(client, s):
    course = open_course(client, s.child)
    url = course_url(course, "/opfoelgning")
    past = (TODAY - timedelta(days=1)).isoformat()
    response = client.post(
        url, data={"follow-follow_up_on": past, "follow-responsible_id": str(s.paedagog.id)}
    )
    assert response.status_code == 422
    assert "Datoen kan ikke ligge før i dag." in response.get_data(as_text=True)
    response = client.post(
        url,
        data={"follow-follow_up_on": "2026-04-01", "follow-responsible_id": str(s.colleague.id)},
    )
    assert response.status_code == 303
    db.session.refresh(course)
    assert course.follow_up_on.isoformat() == "2026-04-01"
    assert course.responsible_id == s.colleague.id


def test_the_underretning_question_is_asked_only_at_red(client, s):
    course = open_course(client, s.child, position="gul")
    page = client.get(course_url(course)).get_data(as_text=True)
    assert "Barnets lov § 133" not in page
    response = client.post(course_url(course, "/underretning-spoergsmaal"), data={})
    assert response.status_code == 404


def test_answering_no_needs_a_reason_and_yes_leads_to_the_draft(client, s):
    course = open_course(client, s.child)
    page = client.get(course_url(course)).get_data(as_text=True)
    assert "Barnets lov § 133" in page and "Pligten er personlig" in page
    url = course_url(course, "/underretning-spoergsmaal")
    response = client.post(url, data={"question-answer": "nej"})
    assert response.status_code == 422
    assert "Skriv kort, hvorfor du ikke underretter." in response.get_data(as_text=True)
    assert client.post(url, data={"question-answer": "endnu_ikke"}).status_code == 303
    db.session.refresh(course)
    assert course.underretning_answer is Answer.NOT_YET
    response = client.post(url, data={"question-answer": "ja"})
    assert response.status_code == 303
    assert "/underretninger/" in response.headers["Location"]
    db.session.refresh(course)
    assert course.underretning_answer is Answer.YES
    assert course.underretning_answered_by_id == s.paedagog.id
    # No approval step: nothing waits for the leader, and the page says so.
    draft = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Der er ikke noget godkendelsestrin" in draft


def test_closing_needs_a_note_and_not_a_red_position(client, s):
    course = open_course(client, s.child, position="gul")
    url = course_url(course, "/luk")
    response = client.post(url, data={"close-closing_position": "roed", "close-closing_note": "x"})
    assert response.status_code == 422
    assert "kan ikke lukkes, mens barnet er i rød position" in response.get_data(as_text=True)
    response = client.post(
        url, data={"close-closing_position": "groen", "close-closing_note": "Trives igen"}
    )
    assert response.status_code == 303
    db.session.refresh(course)
    assert course.status == "closed" and course.closing_position == "groen"
    page = client.get(f"/boern/{s.child.id}").get_data(as_text=True)
    assert "Tidligere handleveje" in page and "Rejs en bekymring" in page


def test_the_child_page_shows_the_open_course(client, s):
    page = client.get(f"/boern/{s.child.id}").get_data(as_text=True)
    assert "Bekymring og handleveje" in page and "Rejs en bekymring" in page
    course = open_course(client, s.child)
    page = client.get(f"/boern/{s.child.id}").get_data(as_text=True)
    assert course_url(course) in page


def test_another_units_child_is_404_everywhere(client, auth, s):
    """A pædagog from another unit reaches neither the course nor opening one."""
    course = open_course(client, s.child)
    auth.login(s.stranger)
    for url in (
        open_url(s.child),
        course_url(course),
        f"/boern/{s.child.id}/sparring/ny",
        f"/boern/{s.child.id}/sparring/anonym",
    ):
        assert client.get(url).status_code == 404, url
    for suffix in ("/foraeldre", "/fokuspunkter", "/opfoelgning", "/luk", "/leder-informeret"):
        assert client.post(course_url(course, suffix), data={}).status_code == 404, suffix
    # A course id under the wrong child id is 404 too, even for someone who sees both.
    auth.login(s.paedagog)
    other = f"/boern/{s.other_child.id}/handleveje/{course.id}"
    assert client.get(other).status_code == 404
