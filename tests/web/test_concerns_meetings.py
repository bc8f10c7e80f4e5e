"""Meetings with the dialogmodel: preparation, the meeting with agreed actions (which become
follow-up items on the course) and the evaluation that closes or escalates."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.concerns.models import ConcernEvent, Meeting, PlanItem
from app.concerns.rules import Level
from app.extensions import db
from tests.web.concerns_helpers import (
    TODAY,
    course_url,
    logged_in_setup,
    open_course,
    signals_caught,
)


@pytest.fixture
def s(app, auth):
    yield from logged_in_setup(auth)


PREP = {
    "prep-planned_on": "2026-03-17",
    "prep-purpose": "Fælles forståelse af Idas trivsel",
    "prep-questions": "Hvordan sover hun?",
    "prep-planned_participants": "Forældrene, Pia, Lone",
    "prep-roles": "Lone leder mødet",
    "prep-agreed_with_parents": "Mødet handler om legen",
}


def prepare(client, course) -> Meeting:
    response = client.post(course_url(course, "/moeder/ny"), data=PREP)
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(select(Meeting).order_by(Meeting.id.desc()))


def meeting_url(meeting, suffix=""):
    return f"/boern/{meeting.child_id}/moeder/{meeting.id}{suffix}"


def test_preparation_suggests_an_interpreter_and_requires_a_language(client, s):
    """A guardian needs an interpreter: the form says so, and asks which language."""
    course = open_course(client, s.child)
    page = client.get(course_url(course, "/moeder/ny")).get_data(as_text=True)
    assert 'checked id="prep-interpreter_needed"' in page
    assert 'value="arabisk"' in page
    response = client.post(
        course_url(course, "/moeder/ny"),
        data={"prep-interpreter_needed": "y", "prep-interpreter_language": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv mødedatoen." in page and "Skriv formålet med mødet." in page
    assert "Skriv hvilket sprog tolken skal tale." in page


def test_the_three_phases_and_agreed_actions_as_follow_ups(client, auth, s):
    course = open_course(client, s.child, position="gul")
    meeting = prepare(client, course)
    assert meeting.phase == "moede"
    # Actions come after the meeting is noted.
    early = {"plan-action": "x", "plan-responsible_text": "Forældrene", "plan-due_on": "2026-04-01"}
    assert client.post(meeting_url(meeting, "/handlinger"), data=early).status_code == 409
    future = (TODAY + timedelta(days=2)).isoformat()
    response = client.post(meeting_url(meeting, "/moedet"), data={"held-held_on": future})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Datoen kan ikke ligge efter i dag." in page and "Skriv hvem der deltog." in page
    held = {
        "held-held_on": TODAY.isoformat(),
        "held-participants": "Mor, far, Pia",
        "held-observations": "Ida leger alene",
        "held-strengths": "Nysgerrig og glad for musik",
        "held-concerns": "Træt om morgenen",
        "held-version": str(meeting.version),
    }
    response = client.post(meeting_url(meeting, "/moedet"), data=held)
    assert response.status_code == 303 and response.headers["Location"].endswith("#handlinger")
    db.session.refresh(meeting)
    assert meeting.phase == "evaluering"
    action = {
        "plan-action": "Fast voksen om morgenen",
        "plan-responsible_id": str(s.colleague.id),
        "plan-due_on": "2026-03-24",
    }
    assert client.post(meeting_url(meeting, "/handlinger"), data=action).status_code == 303
    item = db.session.scalar(select(PlanItem))
    assert (item.meeting_id, item.course_id, item.responsible_id) == (
        meeting.id,
        course.id,
        s.colleague.id,
    )
    # The agreed action is on the colleague's own follow-up list.
    auth.login(s.colleague)
    page = client.get("/opfoelgning").get_data(as_text=True)
    assert "Fast voksen om morgenen" in page and "aftalt på møde" in page


def test_evaluation_closes_the_course(client, s):
    course = open_course(client, s.child, position="gul")
    meeting = prepare(client, course)
    client.post(
        meeting_url(meeting, "/moedet"),
        data={"held-held_on": TODAY.isoformat(), "held-participants": "Mor, Pia"},
    )
    url = meeting_url(meeting, "/evaluering")
    response = client.post(url, data={"evaluation-evaluated_on": TODAY.isoformat()})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Vælg om handlingerne virkede.",
        "Vælg barnets position nu.",
        "Vælg hvad der skal ske nu.",
    ):
        assert message in page
    bad = {
        "evaluation-evaluated_on": TODAY.isoformat(),
        "evaluation-actions_worked": "nej",
        "evaluation-new_position": "roed",
        "evaluation-decision": "luk",
    }
    assert client.post(url, data=bad).status_code == 422
    good = {
        **bad,
        "evaluation-actions_worked": "ja",
        "evaluation-new_position": "groen",
        "evaluation-evaluation_note": "Ida trives igen",
    }
    assert client.post(url, data=good).status_code == 303
    db.session.refresh(course)
    db.session.refresh(meeting)
    assert meeting.phase == "afsluttet"
    assert course.status == "closed" and course.closing_position == "groen"
    assert course.closing_note == "Ida trives igen"


def test_evaluation_escalates_yellow_to_red_and_tells_the_leader(client, s):
    course = open_course(client, s.child, position="gul")
    meeting = prepare(client, course)
    client.post(
        meeting_url(meeting, "/moedet"),
        data={"held-held_on": TODAY.isoformat(), "held-participants": "Mor, Pia"},
    )
    with signals_caught() as caught:
        response = client.post(
            meeting_url(meeting, "/evaluering"),
            data={
                "evaluation-evaluated_on": TODAY.isoformat(),
                "evaluation-actions_worked": "nej",
                "evaluation-new_position": "roed",
                "evaluation-decision": "eskaler",
            },
        )
    assert response.status_code == 303
    db.session.refresh(course)
    assert course.level is Level.ROED and course.is_open
    assert len(caught) == 1
    assert "Barnets lov § 133" in client.get(course_url(course)).get_data(as_text=True)


def test_correcting_a_noted_meeting_needs_a_reason_and_keeps_the_old_text(client, s):
    course = open_course(client, s.child)
    meeting = prepare(client, course)
    changed = {**PREP, "prep-purpose": "Et andet formål"}
    response = client.post(meeting_url(meeting, "/forberedelse"), data=changed)
    assert response.status_code == 422
    assert "Skriv hvorfor du ændrer det, der er noteret." in response.get_data(as_text=True)
    response = client.post(
        meeting_url(meeting, "/forberedelse"),
        data={**changed, "prep-change_reason": "Forældrene ønskede det"},
    )
    assert response.status_code == 303
    event = db.session.scalar(
        select(ConcernEvent).where(ConcernEvent.kind == "forberedelse-corrected")
    )
    assert event.before["purpose"] == PREP["prep-purpose"]
    assert event.note == "Forældrene ønskede det"
    page = client.get(meeting_url(meeting)).get_data(as_text=True)
    assert "Forberedelse rettet" in page


def test_another_units_meeting_is_404(client, auth, s):
    course = open_course(client, s.child)
    meeting = prepare(client, course)
    auth.login(s.stranger)
    assert client.get(meeting_url(meeting)).status_code == 404
    for suffix in ("/forberedelse", "/moedet", "/handlinger", "/evaluering"):
        assert client.post(meeting_url(meeting, suffix), data={}).status_code == 404
    assert client.get(course_url(course, "/moeder/ny")).status_code == 404
