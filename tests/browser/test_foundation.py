"""Foundation in a real browser: each role logs in on a phone and a tablet, finds its children."""

import re

import pytest

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, login

CHILD_URL = re.compile(r"/boern/\d+$")
ROLES = [
    "sundhedsplejerske@opspor.demo",
    "dagplejer@opspor.demo",
    "dagplejepaedagog@opspor.demo",
    "paedagog@opspor.demo",
    "leder@opspor.demo",
]


def test_login_page_is_accessible_and_shows_demo_logins(page):
    page.goto("/login")
    assert page.get_by_role("heading", name="Demo-logins").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("email", ROLES)
def test_each_role_logs_in_and_opens_a_child(page, email):
    """A person logs in, sees their working screen in Danish and opens one of their children."""
    login(page, email)
    assert page.locator("html").get_attribute("lang") == "da"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    href = page.evaluate(
        """() => [...document.querySelectorAll('main a[href^="/boern/"]')]
              .map(a => a.getAttribute('href')).find(h => /^\\/boern\\/\\d+$/.test(h))"""
    )
    assert href, "the home screen links to at least one child"
    page.locator(f'main a[href="{href}"]').first.click()
    page.wait_for_url(CHILD_URL)
    assert page.get_by_role("heading", level=1).inner_text().strip()
    assert page.get_by_role("heading", name="Oplysninger").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_live_search_finds_a_child_by_name(page):
    login(page, "leder@opspor.demo")
    page.goto("/")
    name = page.locator(".child-link .child-name").first.inner_text()  # the leader's list
    page.goto("/boern/soeg")
    assert_accessible(page)
    page.get_by_label("Navn eller fødselsdato (dd.mm.åååå)").fill(name.split()[0])
    result = page.locator("#search-results .child-link", has_text=name).first
    result.wait_for()
    assert_accessible(page)
    result.click()
    page.wait_for_url(CHILD_URL)
    assert name in page.get_by_role("heading", level=1).inner_text()
