"""A health visitor's day on her phone (360×740): today's visits, a visit recorded with
measurements and an EPDS whose item 10 needs action today, then the growth chart."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.visits.models import Visit
from tests.browser.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll, login

NURSE = "sundhedsplejerske@opspor.demo"


@pytest.fixture
def viewport():
    """Phone only: the health visitor works on her phone in families' homes."""
    return PHONE


def test_nurse_records_a_visit_with_measurements_and_an_urgent_epds(page):
    login(page, NURSE)
    page.goto("/")
    assert page.get_by_role("heading", name="Dagens besøg", level=1).is_visible()
    cards = page.locator(".visit-card")
    assert cards.count() >= 3
    times = [t for t in cards.locator(".visit-time").all_inner_texts() if ":" in t]
    assert times == sorted(times), "today's visits are in time order"
    assert cards.first.locator("a[href^='tel:']").count() >= 1
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    child_name = cards.first.locator(".visit-child").inner_text()
    cards.first.get_by_role("link", name=re.compile("^Registrér besøget")).click()
    page.wait_for_url(re.compile(r"/boern/\d+/besoeg/ny"))
    assert child_name in page.locator(".lead").inner_text()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label("Vægt (gram)").fill("6850")
    page.get_by_label("Længde (cm, én decimal)").fill("65,5")
    page.locator("#length_position").get_by_label("Liggende").check()
    page.get_by_label("Hovedomfang (cm, én decimal)").fill("42,0")
    page.get_by_label("Ernæring").select_option("ammes_primaert")
    page.locator("#ind_soevn").get_by_label("Let forstyrret søvn").check()

    page.get_by_text("EPDS – mor").click()
    items = page.locator("#epds-mor fieldset.epds-item")
    assert items.count() == 10
    alert = page.locator("[data-urgent-alert]")
    for i in range(9):
        items.nth(i).locator("input[type=radio]").nth(1).check()
    assert alert.inner_text().strip() == ""
    # Item 10, "Næsten aldrig": not "never", so the prompt appears at once.
    items.nth(9).get_by_label("Næsten aldrig").check()
    assert alert.get_attribute("role") == "alert"
    assert "Handl i dag: Mor har svaret" in alert.inner_text()
    assert "har strejfet hende" in alert.inner_text()
    # Father too: both named, joined with "og", and "dem"; his "Aldrig" takes him out again.
    page.get_by_text("EPDS – far").click()
    far10 = page.locator("#epds-far fieldset.epds-item").nth(9)
    far10.get_by_label("Nogle gange").check()
    assert "Mor og far har svaret" in alert.inner_text()
    assert "har strejfet dem" in alert.inner_text()
    far10.get_by_label("Aldrig", exact=True).check()
    assert "har strejfet hende" in alert.inner_text()
    far_items = page.locator("#epds-far fieldset.epds-item")
    for i in range(9):  # his EPDS complete, so the visit saves
        far_items.nth(i).locator("input[type=radio]").nth(1).check()
    page.get_by_label("Hvad har du gjort i dag?").fill(
        "Talt med mor om tankerne; hun har tid hos egen læge i dag kl. 15."
    )
    assert_accessible(page)
    # Choosing "Aldrig" takes it away again; back to "Næsten aldrig" for the record.
    items.nth(9).get_by_label("Aldrig", exact=True).check()
    assert alert.inner_text().strip() == ""
    items.nth(9).get_by_label("Næsten aldrig").check()

    page.get_by_role("button", name="Gem besøget").click()
    page.wait_for_url(re.compile(r"/besoeg/\d+$"))
    prompt = page.get_by_role("alert").filter(has_text="Handl i dag")
    assert prompt.is_visible()
    assert page.get_by_text("Talt med mor om tankerne").is_visible()
    assert page.get_by_role("cell", name="6850 g").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Vækstkurver").first.click()
    page.wait_for_url(re.compile(r"/boern/\d+/vaekst$"))
    today = clock.today().strftime("%d.%m.%Y")
    weight_chart = page.locator("#weight svg.growth-chart")
    assert weight_chart.is_visible()
    point = weight_chart.locator("circle", has=page.locator(f"title:text-is('{today}: 6,85 kg')"))
    assert point.count() == 1
    assert page.locator("#weight table").get_by_role("cell", name="6850 g").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_a_rejected_visit_is_shown_again_without_csp_violations(page):
    """A 422 re-render swapped in by htmx (error summary, the urgent box) must not bring an
    inline style: the CSP (style-src 'self') would block it and log a violation."""
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    # The browser's own report, whatever the console wording.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.sample));"
    )
    login(page, NURSE)
    page.goto("/")
    page.locator(".visit-card").first.get_by_role(
        "link", name=re.compile("^Registrér besøget")
    ).click()
    page.wait_for_url(re.compile(r"/boern/\d+/besoeg/ny"))
    page.get_by_label("Længde (cm, én decimal)").fill("650")  # 650 cm: out of range
    page.get_by_text("EPDS – mor").click()
    page.locator("#epds-mor fieldset.epds-item").nth(9).get_by_label("Næsten aldrig").check()
    page.get_by_role("button", name="Gem besøget").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Skriv et tal mellem 30 og 130" in summary.inner_text()
    assert page.get_by_label("Længde (cm, én decimal)").input_value() == "650"
    assert page.locator("[data-urgent-box]").get_attribute("class") == "urgent-box shown"
    page.get_by_role("button", name="Gem besøget").click()  # rejected a second time
    page.wait_for_load_state("networkidle")
    summary.wait_for()
    assert violations == []


def test_child_page_and_visit_list_are_accessible(page):
    login(page, NURSE)
    page.goto("/")
    page.locator(".visit-card .visit-child a").first.click()
    page.wait_for_url(re.compile(r"/boern/\d+$"))
    assert page.get_by_role("heading", name="Sundhedspleje").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Alle besøg").click()
    page.wait_for_url(re.compile(r"/boern/\d+/besoeg$"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name=re.compile("^Flyt")).first.click()
    page.wait_for_url(re.compile(r"/flyt"))
    assert_accessible(page)


def test_planning_pages_lists_and_the_correction_form_are_accessible(page, live_server):
    """axe-core on the needs-visit and not-carried-out pages, a full list, and the correction
    form of a visit whose EPDS item 10 needs action (the demo's), with its recorded action."""
    login(page, NURSE)
    page.goto("/besoeg/liste/kommende")
    assert page.get_by_role("heading", name="De kommende dage", level=1).is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto("/")
    page.locator(".visit-card").first.get_by_role(
        "link", name=re.compile("^Ikke gennemført")
    ).click()
    page.wait_for_url(re.compile(r"/ikke-gennemfoert"))
    page.get_by_role("button", name="Gem").click()  # no reason chosen: the error is shown
    page.locator("#not_done_reason-error").wait_for()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto("/")
    page.locator(".visit-card .visit-child a").first.click()
    page.wait_for_url(re.compile(r"/boern/\d+$"))
    page.goto(page.url + "/besoeg/behov")
    assert page.get_by_role("heading", name="Planlæg et behovsbesøg").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # The demo's visit where the father answered EPDS item 10 other than "never".
    with live_server.app.app_context():
        visit_id = db.session.scalar(select(Visit.id).where(Visit.epds_self_harm.is_(True)))
    page.goto(f"/besoeg/{visit_id}")
    assert page.get_by_text("Talt med far om tankerne").is_visible()
    page.get_by_role("link", name="Ret registreringen").first.click()
    page.wait_for_url(re.compile(r"/besoeg/\d+/ret$"))
    assert page.get_by_text("Talt med far om tankerne").is_visible()  # the earlier action
    assert page.get_by_label("Hvad har du gjort i dag?").is_visible()  # room for a new one
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
