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


# The browser refuses persistent storage (as headless Chromium and most phones do for a site
# that is not installed), so the storage notice floats at the foot of the screen until "Luk".
NO_PERSIST = """
navigator.storage.persisted = () => Promise.resolve(false);
navigator.storage.persist = () => Promise.resolve(false);
"""


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}], ids=["phone"])
def test_the_floating_storage_notice_hides_no_button(page, context, live_server):
    """With the notice shown, the last button of a long form (the visit record) can be
    scrolled above it and clicked: the page reserves the notice's height below itself."""
    from tests.browser.test_offline import NURSE, nurse_child, ready

    context.add_init_script(NO_PERSIST)
    login(page, NURSE)
    ready(page)
    notice = page.locator(".flash-floating", has_text="Browseren har ikke lovet")
    notice.wait_for(timeout=90_000)  # after the worker is in place, once per device ...
    page.evaluate("OpsporOutbox.setMeta('persistWarned', false)")  # ... so once more, on the form
    page.goto(f"/boern/{nurse_child(live_server)}/besoeg/ny")
    notice.wait_for(timeout=90_000)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    button = page.locator("main form button[type=submit]").last
    box = button.bounding_box()
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button') === "
        "[...document.querySelectorAll('main form button[type=submit]')].pop()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit, "the notice covers the form's last button"
    assert box["y"] + box["height"] <= notice.bounding_box()["y"]
    notice.get_by_role("button", name="Luk").click()
    assert page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--floating-space')"
    ) in ("", None)


def test_a_rejected_boosted_form_keeps_the_address_and_reloads(page):
    """After a form comes back with its errors the address is still the page's (a reload
    there works), not the form's POST-only address."""
    login(page, "leder@opspor.demo")
    page.goto("/paamindelser")
    # An hour the form does not offer (as a tampered or stale form would send).
    page.evaluate(
        """() => {
            const select = document.querySelector('select[name=quiet_start]');
            select.add(new Option('25:00', '25'));
            select.value = '25';
        }"""
    )
    page.get_by_role("button", name="Gem stille timer").click()
    page.get_by_role("heading", name="Formularen er ikke gemt").wait_for()
    assert page.url.endswith("/paamindelser"), page.url
    assert page.reload().status == 200


def test_choice_labels_wrap_between_words(page):
    """A radio's or checkbox's label in a narrow column breaks between words, not inside one."""
    login(page, "leder@opspor.demo")
    page.goto("/paamindelser")
    broken = page.evaluate(
        """() => {
            const box = document.createElement('div');
            box.style.width = '9rem';
            box.innerHTML =
              '<label class="choice"><input type="radio" name="t"> <span>Læge ' +
              'Sundhedsplejersken Hjemmebesøg</span></label>' +
              '<label class="check"><input type="checkbox"> Læge Sundhedsplejersken</label>';
            document.getElementById('main').appendChild(box);
            const split = [];
            for (const label of box.querySelectorAll('label')) {
              const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const m of node.data.matchAll(/\\S+/g)) {
                  const range = document.createRange();
                  range.setStart(node, m.index);
                  range.setEnd(node, m.index + m[0].length);
                  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                  if (tops.size > 1) split.push(m[0]);
                }
              }
            }
            box.remove();
            return split;
        }"""
    )
    assert broken == []
