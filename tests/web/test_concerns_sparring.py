"""Sparring requests: anonymous ones are checked for personal data and kept on the unit; named
ones need a recorded legal basis and are kept on the child; the answer is recorded."""

import pytest
from sqlalchemy import select

from app.concerns.models import SparringRequest
from app.extensions import db
from app.i18n import format_age
from tests.web.concerns_helpers import (
    TODAY,
    logged,
    logged_in_setup,
    open_course,
)


@pytest.fixture
def s(app, auth):
    yield from logged_in_setup(auth)


def anonymous(unit, question, **extra):
    return {
        "unit_id": str(unit.id),
        "partner": "ppr",
        "age_text": "4 år",
        "question": question,
        **extra,
    }


def test_anonymous_request_from_a_child_warns_about_the_childs_name(client, s):
    """Started from the child: the check knows her and her parents' names; nothing about the
    child is stored with the request."""
    course = open_course(client, s.child)
    url = f"/boern/{s.child.id}/sparring/anonym?course_id={course.id}"
    page = client.get(url).get_data(as_text=True)
    age = format_age(s.child.birth_date, TODAY)
    assert f'value="{age}"' in page  # the age is filled in, not the birth date
    response = client.post(url, data=anonymous(s.unit, "ida trækker sig, og mor Mette er træt"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Teksten ser ud til at indeholde personoplysninger" in page
    assert "<mark>ida</mark>" in page and "<mark>Mette</mark>" in page
    assert db.session.scalar(select(SparringRequest)) is None
    # Edited: no names left, saved without confirming.
    response = client.post(url, data=anonymous(s.unit, "Pigen trækker sig, og mor er træt"))
    assert response.status_code == 303
    saved = db.session.scalar(select(SparringRequest))
    assert (saved.kind, saved.unit_id, saved.child_id, saved.course_id) == (
        "anonym",
        s.unit.id,
        None,
        None,
    )
    assert not saved.pii_confirmed


def test_a_warning_can_be_confirmed_and_that_is_recorded(client, s):
    url = "/sparring/anonym"
    data = anonymous(s.unit, "Hun elsker sangen om Emma og Ida fra bogen")
    assert client.post(url, data=data).status_code == 422
    response = client.post(url, data={**data, "confirm_no_pii": "y"})
    assert response.status_code == 303
    assert db.session.scalar(select(SparringRequest)).pii_confirmed


def test_a_cpr_number_in_the_age_field_is_caught(client, s):
    cpr = s.child.cpr
    data = anonymous(s.unit, "Trækker sig fra legen", age_text=f"{cpr[:6]}-{cpr[6:]}")
    response = client.post("/sparring/anonym", data=data)
    assert response.status_code == 422
    assert "et CPR-lignende nummer" in response.get_data(as_text=True)


def test_anonymous_request_needs_unit_partner_age_and_text(client, s):
    response = client.post("/sparring/anonym", data={"unit_id": str(s.other_unit.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Vælg en enhed fra listen.",
        "Vælg en sparringspartner fra listen.",
        "Skriv barnets alder, fx 3 år.",
        "Beskriv det, du vil have sparring om.",
    ):
        assert message in page


def test_named_sparring_needs_a_legal_basis_and_lives_on_the_child(client, s):
    course = open_course(client, s.child)
    url = f"/boern/{s.child.id}/sparring/ny?course_id={course.id}"
    response = client.post(url, data={"partner": "forpost", "question": "Hvad gør vi?"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vælg grundlaget for at dele barnets navn." in page
    assert "Skriv hvem der gav samtykke og hvordan, eller grundlaget." in page
    response = client.post(
        url,
        data={
            "partner": "forpost",
            "question": "Hvad gør vi?",
            "legal_basis": "samtykke",
            "legal_basis_note": "Mor gav mundtligt samtykke 9.3.",
        },
    )
    assert response.status_code == 303
    saved = db.session.scalar(select(SparringRequest))
    assert (saved.child_id, saved.course_id, saved.legal_basis) == (
        s.child.id,
        course.id,
        "samtykke",
    )
    assert ("create", f"sparring:{saved.id}") in logged(s.child.id)
    page = client.get(f"/boern/{s.child.id}/handleveje/{course.id}").get_data(as_text=True)
    assert "Forpost/socialrådgiver" in page and "afventer svar" in page


def test_the_answer_is_recorded_once(client, s):
    client.post("/sparring/anonym", data=anonymous(s.unit, "Trækker sig fra legen"))
    saved = db.session.scalar(select(SparringRequest))
    url = f"/sparring/{saved.id}"
    response = client.post(url, data={"answered_on": "2026-03-11"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Datoen kan ikke ligge efter i dag." in page and "Skriv svaret." in page
    response = client.post(
        url,
        data={"answered_on": TODAY.isoformat(), "answer": "Små legegrupper", "answered_by": "PPR"},
    )
    assert response.status_code == 303
    db.session.refresh(saved)
    assert (saved.answer, saved.answered_on, saved.answered_by) == ("Små legegrupper", TODAY, "PPR")
    assert client.post(url, data={"answered_on": TODAY.isoformat(), "answer": "x"}).status_code == (
        409
    )
    assert "besvaret" in client.get("/sparring").get_data(as_text=True)


def test_anonymous_sparring_is_seen_by_the_unit_only(client, auth, s):
    client.post("/sparring/anonym", data=anonymous(s.unit, "Trækker sig fra legen"))
    saved = db.session.scalar(select(SparringRequest))
    auth.login(s.colleague)
    assert client.get(f"/sparring/{saved.id}").status_code == 200
    assert f"/sparring/{saved.id}" in client.get("/sparring").get_data(as_text=True)
    auth.login(s.leader)
    assert client.get(f"/sparring/{saved.id}").status_code == 200
    auth.login(s.stranger)
    assert client.get(f"/sparring/{saved.id}").status_code == 404
    assert client.post(f"/sparring/{saved.id}", data={}).status_code == 404
    assert f"/sparring/{saved.id}" not in client.get("/sparring").get_data(as_text=True)


def test_named_sparring_of_another_units_child_is_404(client, auth, s):
    client.post(
        f"/boern/{s.child.id}/sparring/ny",
        data={
            "partner": "ppr",
            "question": "Spørgsmål",
            "legal_basis": "andet",
            "legal_basis_note": "Underretning er sendt",
        },
    )
    saved = db.session.scalar(select(SparringRequest))
    assert saved is not None
    auth.login(s.stranger)
    assert client.get(f"/sparring/{saved.id}").status_code == 404
