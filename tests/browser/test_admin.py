"""The administration in a real browser at tablet size: an administrator creates a user and gets
the invitation link once, registers a child, enrols and moves it. axe-core on every page."""

import re
import uuid
from datetime import timedelta

import pytest

from app import clock
from tests.browser.conftest import TABLET, assert_accessible, assert_no_horizontal_scroll, login

STAFF_URL = re.compile(r"/admin/medarbejdere/\d+$")
CHILD_URL = re.compile(r"/admin/boern/\d+$")


@pytest.fixture
def viewport():
    """Administrators work at a PC or tablet: tablet size only."""
    return TABLET


@pytest.fixture
def context(browser, live_server, viewport):
    """No service worker here: its own fetches bypass `page.route`, which serves axe-core."""
    context = browser.new_context(
        viewport=viewport, locale="da-DK", base_url=live_server.url, service_workers="block"
    )
    context.set_default_timeout(20_000)
    yield context
    context.close()


def test_admin_creates_a_user_and_sees_the_invitation_link_once(page, browser, live_server):
    login(page, "admin@opspor.demo")
    page.goto("/admin/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Medarbejdere")).click()
    page.wait_for_url("**/admin/medarbejdere")
    assert_accessible(page)
    page.get_by_role("link", name="Opret medarbejder").click()
    page.wait_for_url("**/admin/medarbejdere/ny")
    assert_accessible(page)

    email = f"ny-{uuid.uuid4().hex[:8]}@opspor.demo"
    page.get_by_label("Navn").fill("Nanna Nyansat")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Enhed", exact=True).select_option(label="Vuggestuen Solsikken")
    page.get_by_label("Rolle").select_option(label="Pædagog")
    page.get_by_role("button", name="Opret og lav invitationslink").click()
    page.wait_for_url(STAFF_URL)
    link = page.get_by_label("Link til at vælge adgangskode").input_value()
    assert "/invitation/" in link
    assert page.get_by_text("Det vises kun denne ene gang.").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.reload()
    assert page.get_by_label("Link til at vælge adgangskode").count() == 0

    # The new colleague opens the link on her own device and chooses a password.
    other = browser.new_context(
        viewport=TABLET, locale="da-DK", base_url=live_server.url, service_workers="block"
    )
    newcomer = other.new_page()
    newcomer.goto(link)
    assert_accessible(newcomer)
    newcomer.get_by_label("Ny adgangskode").fill("en-god-lang-kode")
    newcomer.get_by_label("Gentag adgangskoden").fill("en-god-lang-kode")
    newcomer.get_by_role("button", name="Gem adgangskode").click()
    newcomer.wait_for_url("**/login")
    login(newcomer, email, "en-god-lang-kode")
    assert newcomer.get_by_role("heading", level=1).is_visible()
    other.close()


def test_admin_registers_a_child_enrols_and_moves_it(page):
    login(page, "admin@opspor.demo")
    page.goto("/admin/boern")
    assert_accessible(page)
    page.get_by_role("link", name="Registrér barn").click()
    page.wait_for_url("**/admin/boern/ny")
    assert_accessible(page)

    # An empty form comes back with Danish errors next to the fields, and stays accessible.
    page.get_by_role("button", name="Registrér og indmeld").click()
    page.get_by_text("Skriv barnets fornavn.", exact=True).wait_for()  # next to the field
    assert page.locator(".error-summary").first.is_visible()
    # ... and in the summary, as a link to the field
    summary_link = page.get_by_role("link", name="Fornavn(e): Skriv barnets fornavn.")
    assert summary_link.get_attribute("href") == "#first_name"
    assert_accessible(page)

    born = clock.today() - timedelta(days=3 * 365 + 20)
    name = f"Testa {uuid.uuid4().hex[:5]}"
    page.get_by_label("Fornavn(e)").fill(name)
    page.get_by_label("Efternavn").fill("Browsersen")
    page.get_by_label("Fødselsdato").fill(born.isoformat())
    page.get_by_label("Enhed", exact=True).select_option(label="Børnehaven Mælkebøtten · Børnehave")
    page.get_by_label("Navn", exact=True).fill("Frida Browsersen")
    page.get_by_label("Telefon").fill("20 30 40 50")
    page.get_by_role("button", name="Registrér og indmeld").click()
    page.wait_for_url(CHILD_URL)
    assert page.get_by_role("heading", level=1).inner_text() == f"{name} Browsersen"
    page.get_by_text("er registreret og indmeldt").wait_for()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Flyt fra Børnehaven Mælkebøtten").click()
    page.wait_for_url("**/flyt")
    assert_accessible(page)
    page.get_by_label("Ny enhed").select_option(
        label="Regnbuen (integreret) · Integreret institution"
    )
    move_date = clock.today() + timedelta(days=7)
    page.get_by_label("Første dag i den nye enhed").fill(move_date.isoformat())
    page.get_by_role("button", name="Flyt barnet").click()
    page.wait_for_url(CHILD_URL)
    enrolments = page.locator(".enrolment-list .enrolment")
    assert "Regnbuen (integreret)" in enrolments.first.inner_text()
    assert "Kommende" in enrolments.first.inner_text()
    assert "Børnehaven Mælkebøtten" in enrolments.nth(1).inner_text()
    assert_accessible(page)
