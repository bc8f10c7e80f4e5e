"""Wellbeing assessments in real Chromium at phone and tablet size: two pædagoger make their own
assessments, a joint one turns the child red and leads into the course of action, and the
leader's overview shows it. Every page passes axe-core without horizontal scrolling."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, login

CHILD_URL = re.compile(r"/boern/(\d+)$")


def check(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@contextmanager
def device(browser, live_server, viewport, email):
    """One person on their own tablet or phone, logged in (a context of their own)."""
    context = browser.new_context(viewport=viewport, locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, email)
        yield page
    finally:
        context.close()
    assert not errors, errors


def first_green_child(page, unit: str) -> tuple[str, str]:
    """(child page path, name) of the first child in grøn position in `unit` (leader's list)."""
    page.goto("/overblik")
    section = page.locator("section.unit-overview", has_text=unit)
    section.locator("a.count-link", has_text="Grøn").click()
    page.wait_for_url(re.compile(r"/overblik/liste/groen"))
    check(page)
    link = page.locator(".child-link").first
    return link.get_attribute("href"), link.locator(".child-name").inner_text()


def own_assessment(page, child_path: str) -> None:
    page.goto(child_path)
    page.locator("#trivsel").get_by_role("link", name="Ny egen vurdering").click()
    page.wait_for_url(re.compile(r"/vurderinger/ny"))
    assert page.get_by_role("heading", level=1).inner_text() == "Egen vurdering"
    check(page)
    page.locator("fieldset.area").first.locator("input[name=indicators]").first.check()
    page.locator("fieldset.area").nth(2).locator("input[name=indicators]").nth(1).check()
    page.locator("#suggestion").get_by_text("peger mod").wait_for()  # HTMX suggestion
    page.locator("input[name=position][value=groen]").check()
    page.get_by_label("Forældrenes egen vurdering og ord").fill("Glad for at komme her.")
    page.get_by_role("button", name="Gem vurdering").click()
    page.wait_for_url(CHILD_URL)
    page.locator("#messages").get_by_text("Vurderingen er gemt.").wait_for()


def test_two_paedagoger_and_a_joint_red_assessment_reach_the_leaders_overview(
    page, browser, live_server, viewport
):
    login(page, "leder@opspor.demo")  # the leader's own device: the page fixture
    child_path, name = first_green_child(page, "Børnehaven Mælkebøtten")

    with device(browser, live_server, viewport, "paedagog@opspor.demo") as jonas:
        own_assessment(jonas, child_path)

    with device(browser, live_server, viewport, "paedagog2@opspor.demo") as signe:
        own_assessment(signe, child_path)

        # The joint assessment shows both individual ones side by side.
        signe.goto(child_path)
        signe.locator("#trivsel").get_by_role("link", name="Fælles vurdering").click()
        signe.wait_for_url(re.compile(r"kind=joint"))
        basis = signe.locator(".basis-card")
        assert basis.count() >= 2
        assert {"Jonas Rosendal", "Signe Holmbæk"} <= set(basis.locator("h3").all_inner_texts())
        check(signe)

        # Rød without a justification: kept values and a Danish error next to the field.
        signe.locator("input[name=position][value=roed]").check()
        signe.get_by_label("Deltagere i den fælles vurdering").fill("Jonas og Signe")
        signe.get_by_role("button", name="Gem vurdering").click()
        error = signe.locator("#justification-error")
        error.wait_for()
        assert error.inner_text() == "Skriv en kort begrundelse for gul eller rød position."
        assert signe.locator("input[name=position][value=roed]").is_checked()
        participants = signe.get_by_label("Deltagere i den fælles vurdering")
        assert participants.input_value() == "Jonas og Signe"
        check(signe)

        signe.get_by_label("Kort begrundelse").fill("Trækker sig fra legen og virker bange.")
        signe.get_by_role("button", name="Gem vurdering").click()

        # Into the course of action (the concerns area), preset to rød by the assessment.
        signe.wait_for_url(re.compile(r"/handleveje/ny\?.*source=assessment"))
        assert signe.get_by_role("heading", level=1).inner_text() == "Åbn en handlevej"
        signe.get_by_role("button", name=re.compile("Åbn handlevejen|Bekræft")).click()
        signe.wait_for_url(re.compile(r"/handleveje/\d+"))

        # The child's page shows the red position on the timeline.
        signe.goto(child_path)
        timeline = signe.locator("#trivsel")
        assert "Rød" in timeline.locator(".position-strip").inner_text()
        assert "dårligere end sidst" in timeline.inner_text()
        check(signe)

    # The leader's overview counts it and lists the child in red.
    page.goto("/overblik")
    assert page.get_by_role("heading", level=1).inner_text() == "Overblik"
    assert page.locator("svg.trend-chart").first.is_visible()
    check(page)
    section = page.locator("section.unit-overview", has_text="Børnehaven Mælkebøtten")
    section.locator("a.count-link", has_text="Rød").click()
    page.wait_for_url(re.compile(r"/overblik/liste/roed"))
    assert name in page.locator(".child-list").inner_text()
    check(page)


@pytest.mark.parametrize(
    "email", ["dagplejer@opspor.demo", "dagplejepaedagog@opspor.demo", "paedagog@opspor.demo"]
)
def test_mine_boern_on_a_tablet_and_a_phone(page, email):
    """The working screen of dagplejer, dagplejepædagog and pædagog: position as text and
    shape, next due date and what needs doing."""
    login(page, email)
    assert page.get_by_role("heading", level=1).inner_text() == "Mine børn"
    cards = page.locator(".assess-card")
    assert cards.count() >= 1
    assert "Næste vurdering" in cards.first.inner_text()
    check(page)
    page.get_by_role("link", name=re.compile(r"^Skal gøres")).click()
    page.wait_for_url(re.compile(r"vis="))
    check(page)


def test_an_assessment_and_its_history_are_accessible(page):
    login(page, "paedagog@opspor.demo")
    page.locator(".assess-card .child-link").first.click()
    page.wait_for_url(CHILD_URL)
    history = page.locator("#trivsel details.history")
    if history.count():
        history.locator("summary").click()
        history.locator("a").first.click()
        page.wait_for_url(re.compile(r"/vurderinger/\d+$"))
        assert page.get_by_role("heading", name="Historik").is_visible()
        check(page)


def test_the_compact_overview_of_many_units_leads_to_each_unit(page, monkeypatch):
    """Above COMPACT_ABOVE units (lowered here: the demo leader has a handful) the overview is one
    table row per unit, accessible without the page scrolling sideways; a unit's name opens its
    own page with the trend chart, and its numbers open their lists."""
    from app.assessments import overview as ov

    monkeypatch.setattr(ov, "COMPACT_ABOVE", 1)
    login(page, "leder@opspor.demo")
    page.goto("/overblik")
    table = page.locator("table.unit-table")
    assert table.is_visible() and page.locator("svg.trend-chart").count() == 0
    check(page)
    row = table.locator("tbody tr", has_text="Børnehaven Mælkebøtten")
    row.get_by_role("link", name="Børnehaven Mælkebøtten").click()
    page.wait_for_url(re.compile(r"/overblik/enhed/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Børnehaven Mælkebøtten"
    assert page.locator("svg.trend-chart").is_visible()
    check(page)
    page.locator("a.count-link", has_text="Grøn").click()
    page.wait_for_url(re.compile(r"/overblik/liste/groen\?enhed=\d+"))
    assert page.locator(".child-link").count() > 0
    check(page)
