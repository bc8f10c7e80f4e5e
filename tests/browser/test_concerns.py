"""A red course of action in real Chromium at tablet size: a pædagog raises a concern for a demo
child, works through parents, action plan, follow-up and the underretning question, and every
page passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.children.models import Child, Enrolment
from app.concerns.models import CourseOfAction
from app.extensions import db
from app.org.models import Unit
from tests.browser.conftest import (
    TABLET,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
)


@pytest.fixture
def viewport():
    """Tablet only: the pædagog's device."""
    return TABLET


def child_without_course(app) -> tuple[int, str, str | None]:
    """A child in Børnehaven Mælkebøtten today with no open course (the seed opens some)."""
    today = clock.today()
    with app.app_context():
        busy = select(CourseOfAction.child_id).where(CourseOfAction.status == "open")
        child = db.session.scalars(
            select(Child)
            .join(Enrolment, Enrolment.child_id == Child.id)
            .join(Unit, Unit.id == Enrolment.unit_id)
            .where(
                Unit.name == "Børnehaven Mælkebøtten",
                Enrolment.start_date <= today,
                (Enrolment.end_date.is_(None)) | (Enrolment.end_date >= today),
                Child.id.not_in(busy),
                Child.cpr.is_not(None),
            )
            .order_by(Child.id.desc())
        ).first()
        assert child is not None, "the demo has no child without a course in the børnehave"
        return child.id, child.name, child.cpr


def check(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_a_paedagog_works_through_a_red_course_of_action(page, live_server):
    child_id, name, cpr = child_without_course(live_server.app)
    today = clock.today()
    login(page, "paedagog@opspor.demo")

    page.goto(f"/boern/{child_id}")
    section = page.locator("#bekymring")
    check(page)
    section.get_by_role("link", name="Rejs en bekymring").click()
    page.wait_for_url(re.compile(r"/handleveje/ny$"))
    check(page)

    # Rød, with what was seen; the course opens and the leader is told.
    page.get_by_label("Rød: stærk bekymring").check()
    page.get_by_label("Hvad er du bekymret for?").fill("Blå mærker på overarmen to dage i træk.")
    page.get_by_role("button", name="Åbn handlevejen").click()
    page.wait_for_url(re.compile(r"/handleveje/\d+"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Handlevej for {name}"
    assert page.locator("#messages").inner_text().strip() == "Handlevejen er åbnet."
    leader = page.locator("#leder")
    assert "Lederen er informeret" in leader.inner_text() or "fortalt det til lederen" in (
        leader.inner_text()
    )
    if leader.get_by_role("button", name="Jeg har fortalt det til lederen").count():
        leader.get_by_role("button", name="Jeg har fortalt det til lederen").click()
        page.wait_for_load_state()
    check(page)

    # The parents: told today in a conversation, with their reaction.
    parents = page.locator("#foraeldre")
    parents.get_by_label("Hvornår blev forældrene orienteret?").fill(today.isoformat())
    parents.get_by_label("Hvordan?").select_option(label="Telefon")
    parents.get_by_label("Forældrenes reaktion og egne ord").fill("Mor var bekymret, men enig.")
    parents.get_by_role("button", name="Gem").click()
    page.get_by_text("Forældresamarbejdet er gemt.").wait_for()
    assert "Orienteret" in page.locator("#foraeldre").inner_text()

    # The action plan: one fokuspunkt, added in place (HTMX).
    plan = page.locator("#plan")
    plan.get_by_label("Hvad ser vi?").fill("Trækker sig fra legen.")
    plan.get_by_label("Hvad gør vi?").fill("En fast voksen tager imod om morgenen.")
    plan.get_by_label("Hvem (medarbejder)").select_option(label="Jonas Rosendal")
    plan.get_by_label("Hvornår (senest)").fill((today + timedelta(days=14)).isoformat())
    url_before = page.url
    plan.get_by_role("button", name="Tilføj fokuspunkt").click()
    page.locator("#plan").get_by_text("Fokuspunktet er tilføjet.").wait_for()
    assert page.url == url_before  # swapped in place
    assert "En fast voksen tager imod om morgenen." in page.locator("#plan").inner_text()
    check(page)

    # The next follow-up.
    follow = page.locator("#opfoelgning")
    follow.get_by_label("Næste opfølgning").fill((today + timedelta(days=21)).isoformat())
    follow.get_by_role("button", name="Gem").click()
    page.get_by_text("Opfølgningen er gemt.").wait_for()

    # The underretning question: the legal wording, the personal duty, the answer.
    question = page.locator("#underretning")
    assert "Barnets lov § 133" in question.inner_text()
    question.get_by_label("Ja – jeg skal underrette").check()
    question.get_by_role("button", name="Gem svaret").click()
    page.wait_for_url(re.compile(r"/underretninger/\d+"))
    assert cpr[6:] not in page.url
    assert cpr[6:] in page.locator("#underretning-tekst").inner_text()
    assert "Der er ikke noget godkendelsestrin" in page.content()
    check(page)

    # Back on the course every step is done.
    page.get_by_role("link", name=f"Handlevej for {name}").click()
    page.wait_for_url(re.compile(r"/handleveje/\d+"))
    steps = page.locator("#trin")
    assert steps.locator(".cn-state-todo").count() == 0
    assert "Alle trin er udført" in steps.inner_text()
    check(page)

    # The follow-up list has the new fokuspunkt and the follow-up date.
    page.goto("/opfoelgning")
    assert page.get_by_role("heading", name="Mine opfølgninger").is_visible()
    check(page)


def test_sparring_meetings_receipts_and_lists_pass_axe(page, live_server):
    """The dagplejer's seeded red course (underretning sent, no receipt yet): sparring with the
    personal-data warning, a meeting through its phases, the receipt and the lists."""
    with live_server.app.app_context():
        from app.concerns.models import Underretning

        sent = db.session.scalars(
            select(Underretning).where(Underretning.status == "sendt")
        ).first()
        child_id, course_id, underretning_id = sent.child_id, sent.course_id, sent.id
        first_name = db.session.get(Child, child_id).first_name
    today = clock.today()
    login(page, "dagplejer@opspor.demo")

    page.goto(f"/boern/{child_id}/sparring/anonym?course_id={course_id}")
    check(page)
    page.get_by_label("Hvem vil du have sparring med?").select_option(
        label="PPR (psykolog, tale-hørekonsulent)"
    )
    page.get_by_label("Beskriv det, du gerne vil have sparring om").fill(
        f"{first_name} har blå mærker og virker bange."
    )
    page.get_by_role("button", name="Gem forespørgslen").click()
    warning = page.locator(".cn-pii-warning")
    warning.wait_for()
    assert first_name in warning.inner_text()
    check(page)
    page.get_by_label("Beskriv det, du gerne vil have sparring om").fill(
        "Barnet har blå mærker og virker bange."
    )
    page.get_by_role("button", name="Gem forespørgslen").click()
    page.wait_for_url(re.compile(r"/sparring/\d+$"))
    check(page)
    page.goto("/sparring")
    check(page)

    page.goto(f"/boern/{child_id}/sparring/ny?course_id={course_id}")
    check(page)

    page.goto(f"/boern/{child_id}/handleveje/{course_id}/moeder/ny")
    check(page)
    page.get_by_label("Mødedato").fill((today + timedelta(days=3)).isoformat())
    page.get_by_label("Formål med mødet").fill("Fælles forståelse og aftaler.")
    page.get_by_role("button", name="Gem forberedelsen").click()
    page.wait_for_url(re.compile(r"/moeder/\d+"))
    page.locator("#moedet").get_by_label("Mødet blev holdt").fill(today.isoformat())
    page.locator("#moedet").get_by_label("Deltagere").fill("Dagplejer, dagplejepædagog, mor")
    page.get_by_role("button", name="Gem mødet").click()
    page.get_by_text("Mødet er noteret").wait_for()
    check(page)

    page.goto(f"/boern/{child_id}/underretninger/{underretning_id}")
    assert "Kvitteringen mangler." in page.locator("#kvittering").inner_text()
    check(page)

    page.goto("/opfoelgning/enheder")
    check(page)
