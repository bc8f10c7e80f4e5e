"""The receiving side of Web Push in real Chromium: a push delivered to our service worker via
CDP (ServiceWorker.deliverPushMessage) shows the notification the server's payload describes,
repeats of a kind collapse (tag), and a click opens the right page. Headless Chromium cannot
subscribe to a real push service (see browser-testing.md), so the sending side is tested in
tests/web/test_reminders_push.py."""

from __future__ import annotations

import json
import time

import pytest

from app.auth.models import User
from app.extensions import db
from app.org.models import Unit
from app.reminders import push
from app.reminders.models import Notification
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, login

LEADER = "leder@opspor.demo"
SOLSIKKEN = "Vuggestuen Solsikken"


def wait_for(fn, timeout=30.0, interval=0.1):
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval)


def make_notification(live_server, email=LEADER, **values) -> tuple[int, dict]:
    """A notification for the user in the live server's database, and the exact payload the
    server would encrypt and push for it."""
    app = live_server.app
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        unit = db.session.query(Unit).filter_by(name=values.get("unit_name", SOLSIKKEN)).one()
        n = Notification(
            user_id=user.id,
            kind=values.get("kind", "red_concern"),
            count=values.get("count", 1),
            unit_name=unit.name,
            unit_id=unit.id,
            url=values.get("url", "/overblik/liste/roed"),
            urgent=True,
            push_state="none",
        )
        db.session.add(n)
        db.session.commit()
        return n.id, push.payload_for(n, "da")


def read_at(live_server, notification_id):
    with live_server.app.app_context():
        return db.session.get(Notification, notification_id).read_at


@pytest.fixture
def worker(context, page, live_server):
    """Logged in as the leader, notifications allowed, our worker active and controlling the
    page; returns (cdp session, registration id)."""
    context.grant_permissions(["notifications"], origin=live_server.url)
    login(page, LEADER)
    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}
        ),
    )
    cdp.send("ServiceWorker.enable")
    page.evaluate(
        """async () => {
            await navigator.serviceWorker.register('/sw.js', {scope: '/'});
            await navigator.serviceWorker.ready;
        }"""
    )
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    scope = live_server.url + "/"
    assert wait_for(lambda: scope in registrations), registrations
    return cdp, registrations[scope]


def deliver(cdp, live_server, registration_id, payload: dict) -> None:
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url + "/",
            "registrationId": registration_id,
            "data": json.dumps(payload),
        },
    )


def click_notification(context) -> None:
    """Simulate a click on the shown notification: run the worker's own notificationclick
    handler on it (the browser's click cannot be produced headless)."""
    (sw,) = context.service_workers
    sw.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            let done;
            self.OpsporPush.onClick({notification, waitUntil: (p) => { done = p; }});
            await done;
        }"""
    )


def shown(page) -> list[dict]:
    return page.evaluate(
        """async () => {
            const reg = await navigator.serviceWorker.ready;
            return (await reg.getNotifications()).map(n => (
                {title: n.title, body: n.body, tag: n.tag, data: n.data}));
        }"""
    )


def test_the_settings_page_is_accessible_and_waits_for_a_tap(page, live_server):
    login(page, LEADER)
    page.goto("/notifikationer")
    # A boosted link (hx-boost): the page's script must still run after the swap.
    page.get_by_role("link", name="Påmindelser på telefonen").click()
    page.wait_for_url("**/paamindelser")
    assert page.get_by_role("heading", name="Påmindelser", level=1).is_visible()
    enable = page.get_by_role("button", name="Slå påmindelser til på denne enhed")
    enable.wait_for()
    assert page.get_by_role("button", name="Slå påmindelser fra på denne enhed").is_hidden()
    # Nothing has been asked yet: the browser's permission is still undecided.
    assert page.evaluate("Notification.permission") == "default"
    assert page.get_by_text("Påmindelser er slået fra på denne enhed.").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_a_plain_safari_tab_on_an_iphone_is_told_to_install_the_app(browser, live_server):
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
    )
    context = browser.new_context(
        user_agent=iphone, base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        login(page, LEADER)
        page.goto("/paamindelser")
        message = page.get_by_text("føj til hjemmeskærm", exact=False)
        message.wait_for()
        assert "iOS 16.4" in message.inner_text()
        assert page.get_by_role("button", name="Slå påmindelser til på denne enhed").is_hidden()
        assert_accessible(page)
    finally:
        context.close()


def test_the_notifications_page_is_accessible(page, live_server):
    make_notification(live_server, kind="follow_up_overdue", count=2)
    login(page, LEADER)
    page.goto("/notifikationer")
    body = page.get_by_text("2 opfølgninger er overskredet i Vuggestuen Solsikken")
    assert body.first.is_visible()
    assert page.locator(".nav-badge").first.is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.fixture
def reds(live_server):
    """Two red reminders for the same unit, made before the login (whose offline preparation
    keeps the demo database busy for a while)."""
    return [make_notification(live_server, count=n)[1] for n in (1, 2)]


@pytest.fixture
def to_list(live_server):
    return make_notification(live_server, url="/notifikationer")


def test_a_pushed_reminder_is_shown_and_repeats_collapse(reds, worker, page, live_server):
    cdp, registration_id = worker
    payload, again = reds

    deliver(cdp, live_server, registration_id, payload)

    notes = wait_for(lambda: shown(page))
    assert payload["tag"].startswith("red-concern-")  # one tag per kind and unit
    assert notes == [
        {
            "title": "Rød position",
            "body": "1 barn er vurderet i rød position i Vuggestuen Solsikken",
            "tag": payload["tag"],
            "data": {"url": live_server.url + payload["url"], "kind": "red_concern"},
        }
    ]

    deliver(cdp, live_server, registration_id, again)
    wait_for(lambda: shown(page)[0]["body"].startswith("2 "))
    notes = shown(page)
    assert len(notes) == 1  # the same tag replaced the earlier one
    assert notes[0]["body"] == "2 børn er vurderet i rød position i Vuggestuen Solsikken"


def test_a_click_brings_the_open_window_to_the_right_page(
    to_list, worker, context, page, live_server
):
    cdp, registration_id = worker
    notification_id, payload = to_list
    page.goto("/")
    deliver(cdp, live_server, registration_id, payload)
    wait_for(lambda: shown(page))

    click_notification(context)

    page.wait_for_url(f"{live_server.url}/notifikationer")
    assert page.get_by_role("heading", name="Notifikationer", level=1).is_visible()
    assert read_at(live_server, notification_id) is not None  # opened through our link
    assert shown(page) == []  # the click closed it
    assert len(context.pages) == 1  # no second window


def test_a_click_with_no_window_open_opens_one(to_list, worker, context, page, live_server):
    """With no window of ours open, the handler opens one at the notification's link.

    Chromium lets a worker open a window only inside a real notificationclick, which headless
    cannot produce; so `clients.openWindow` is recorded here (and `clients.matchAll` finds no
    window), and the test then opens what the handler asked for, as the browser would."""
    cdp, registration_id = worker
    notification_id, payload = to_list
    deliver(cdp, live_server, registration_id, payload)
    wait_for(lambda: shown(page))
    (sw,) = context.service_workers
    # No window of ours is left: the worker finds none. (Navigating the page away instead lets
    # Chromium stop the idle worker under load, and the test then talks to a worker going away.)
    asked = sw.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            const real = {open: self.clients.openWindow, match: self.clients.matchAll};
            const asked = [];
            self.clients.openWindow = async (url) => { asked.push(url); return null; };
            self.clients.matchAll = async () => [];
            try {
                let done;
                self.OpsporPush.onClick({notification, waitUntil: (p) => { done = p; }});
                await done;
            } finally {
                self.clients.openWindow = real.open;
                self.clients.matchAll = real.match;
            }
            return asked;
        }"""
    )

    assert asked == [live_server.url + payload["url"]]
    page.goto(asked[0])
    page.wait_for_url(f"{live_server.url}/notifikationer")
    assert page.get_by_role("heading", name="Notifikationer", level=1).is_visible()
    assert read_at(live_server, notification_id) is not None
    assert shown(page) == []


def test_the_worker_tells_the_server_about_a_changed_subscription(worker, context, live_server):
    """pushsubscriptionchange: the worker posts the new subscription with the old endpoint,
    and the server moves the device to it (no session or CSRF token needed)."""
    from tests.web.test_reminders_pages import subscription

    old, new = subscription(), subscription()
    with live_server.app.app_context():
        from app.reminders.models import PushSubscription

        user = db.session.query(User).filter_by(email=LEADER).one()
        db.session.add(
            PushSubscription(
                user_id=user.id,
                endpoint=old["endpoint"],
                p256dh=old["keys"]["p256dh"],
                auth=old["keys"]["auth"],
                label="Chrome på Android",
            )
        )
        db.session.commit()
    context.clear_cookies()  # the worker may run with no session at all
    (sw,) = context.service_workers

    status = sw.evaluate(
        """async ([oldEndpoint, fresh]) => {
            const response = await self.OpsporPush.onSubscriptionChange({
                oldSubscription: {endpoint: oldEndpoint},
                newSubscription: {toJSON: () => fresh},
            });
            return response.status;
        }""",
        [old["endpoint"], new],
    )

    assert status == 201
    with live_server.app.app_context():
        from app.reminders.models import PushSubscription

        rows = db.session.query(PushSubscription).filter(
            PushSubscription.endpoint.in_([old["endpoint"], new["endpoint"]])
        )
        assert [(r.endpoint, r.user.email, r.label) for r in rows] == [
            (new["endpoint"], LEADER, "Chrome på Android")
        ]


def test_the_button_asks_then_subscribes_this_device_and_can_undo_it(context, page, live_server):
    """The page's own script, with the browser's push service replaced by a stand-in (headless
    Chromium has none): no permission prompt on load; one tap asks, subscribes and lists the
    device as this one; the other button removes it again."""
    from tests.web.test_reminders_pages import subscription

    fake = subscription()
    context.add_init_script(
        """(() => {
            window.__asked = 0;
            let current = null;
            const fake = JSON.parse('FAKE');
            const sub = {endpoint: fake.endpoint, toJSON: () => fake,
                         unsubscribe: async () => { current = null; return true; }};
            Notification.requestPermission = async () => { window.__asked++; return 'granted'; };
            PushManager.prototype.subscribe = async function () { current = sub; return sub; };
            PushManager.prototype.getSubscription = async function () { return current; };
        })();""".replace("FAKE", json.dumps(fake))
    )
    login(page, LEADER)
    page.goto("/paamindelser")
    enable = page.get_by_role("button", name="Slå påmindelser til på denne enhed")
    enable.wait_for()
    assert page.evaluate("window.__asked") == 0

    enable.click()

    page.get_by_text("Påmindelser er slået til på denne enhed.").wait_for()
    assert page.evaluate("window.__asked") == 1
    this = page.locator(".device", has=page.locator(".device-this:not([hidden])"))
    this.wait_for()
    assert "(denne enhed)" in this.inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Slå påmindelser fra på denne enhed").click()
    page.get_by_text("Påmindelser er slået fra på denne enhed.").wait_for()
    with live_server.app.app_context():
        from app.reminders.models import PushSubscription

        gone = db.session.query(PushSubscription).filter_by(endpoint=fake["endpoint"]).first()
        assert gone is None


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            "NotAllowedError",
            "Du har ikke givet tilladelse til notifikationer. Det kan ændres i browserens "
            "indstillinger for siden.",
        ),
        ("AbortError", "Browseren kan ikke modtage påmindelser lige nu."),
    ],
)
def test_a_refused_subscription_says_why(error, message, context, page, live_server):
    """The browser or its push service refuses subscribe(): the page names the reason rather
    than "check the connection", which is kept for the network and the server."""
    context.add_init_script(
        """(() => {
            Notification.requestPermission = async () => 'granted';
            PushManager.prototype.getSubscription = async function () { return null; };
            PushManager.prototype.subscribe = async function () {
                throw new DOMException('refused', 'ERROR');
            };
        })();""".replace("ERROR", error)
    )
    login(page, LEADER)
    page.goto("/paamindelser")
    page.get_by_role("button", name="Slå påmindelser til på denne enhed").click()
    page.get_by_text(message).wait_for()
    assert page.get_by_text("Tjek forbindelsen").is_hidden()


def test_a_server_error_while_turning_on_asks_to_try_again(context, page, live_server):
    from tests.web.test_reminders_pages import subscription

    fake_push_service(context, subscription())
    context.route("**/paamindelser/enheder", lambda route: route.fulfill(status=500))
    login(page, LEADER)
    page.goto("/paamindelser")
    page.get_by_role("button", name="Slå påmindelser til på denne enhed").click()
    page.get_by_text("Det lykkedes ikke. Tjek forbindelsen, og prøv igen.").wait_for()


def fake_push_service(context, fake: dict) -> None:
    """Stand in for the browser's push service (headless Chromium has none). The browser's
    subscription lives in localStorage, so it outlasts page loads as a real one does; its
    unsubscribe() is recorded there too."""
    context.add_init_script(
        """(() => {
            const fake = JSON.parse('FAKE');
            const sub = {endpoint: fake.endpoint, toJSON: () => fake, unsubscribe: async () => {
                localStorage.removeItem('fake-push');
                localStorage.setItem('fake-unsubscribed', '1');
                return true;
            }};
            Notification.requestPermission = async () => 'granted';
            PushManager.prototype.subscribe = async function () {
                localStorage.setItem('fake-push', '1'); return sub;
            };
            PushManager.prototype.getSubscription = async function () {
                return localStorage.getItem('fake-push') ? sub : null;
            };
        })();""".replace("FAKE", json.dumps(fake))
    )


def server_has(live_server, endpoint: str) -> bool:
    with live_server.app.app_context():
        from app.reminders.models import PushSubscription

        return db.session.query(PushSubscription).filter_by(endpoint=endpoint).first() is not None


def test_a_subscription_the_server_dropped_is_shown_as_off_and_can_be_turned_on_again(
    context, page, live_server
):
    """The browser still holds its subscription after the server deleted it (Fjern of this
    device, or a 404/410 from the push service): the page says it is off, and turning it on
    posts the browser's subscription again."""
    from tests.web.test_reminders_pages import subscription

    fake = subscription()
    fake_push_service(context, fake)
    login(page, LEADER)
    page.goto("/paamindelser")
    page.get_by_role("button", name="Slå påmindelser til på denne enhed").click()
    page.get_by_text("Påmindelser er slået til på denne enhed.").wait_for()
    assert wait_for(lambda: server_has(live_server, fake["endpoint"]))

    # Fjern on this device's row: the server forgets it, the browser still has it.
    this = page.locator(".device", has=page.locator(".device-this:not([hidden])"))
    this.get_by_role("button", name="Fjern").click()
    page.get_by_text("Påmindelser er slået fra på denne enhed.").wait_for()
    assert page.evaluate("localStorage.getItem('fake-push')") == "1"
    assert page.get_by_role("button", name="Slå påmindelser fra på denne enhed").is_hidden()
    assert not server_has(live_server, fake["endpoint"])

    page.reload()  # and so it stays
    enable = page.get_by_role("button", name="Slå påmindelser til på denne enhed")
    enable.wait_for()
    assert page.get_by_text("Påmindelser er slået fra på denne enhed.").is_visible()

    enable.click()
    page.get_by_text("Påmindelser er slået til på denne enhed.").wait_for()
    assert wait_for(lambda: server_has(live_server, fake["endpoint"]))


def test_log_ud_removes_this_devices_subscription(worker, context, page, live_server):
    """Log ud on a shared tablet: the server forgets this device for this user and the worker
    drops the browser's subscription, so the next user gets none of this user's pushes."""
    from tests.web.test_reminders_pages import subscription

    fake = subscription()
    fake_push_service(context, fake)
    page.goto("/paamindelser")
    page.get_by_role("button", name="Slå påmindelser til på denne enhed").click()
    page.get_by_text("Påmindelser er slået til på denne enhed.").wait_for()
    assert wait_for(lambda: server_has(live_server, fake["endpoint"]))
    # The worker's own pushManager has no real subscription headless: a recording stand-in.
    (sw,) = context.service_workers
    sw.evaluate(
        """() => {
            self.__unsubscribed = 0;
            self.registration.pushManager.getSubscription = async () => (
                {unsubscribe: async () => { self.__unsubscribed++; return true; }});
        }"""
    )

    page.goto("/")  # from any page
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/login")

    assert not server_has(live_server, fake["endpoint"])
    assert wait_for(lambda: sw.evaluate("self.__unsubscribed") == 1)


@pytest.fixture
def red_for_solsikken(live_server):
    """A red reminder as the app makes it: a pædagog's own red assessment of a child in
    Solsikken (no joint one yet), the rule's reminder for it recorded in the ledger, and the
    payload the server would push for it."""
    import uuid
    from datetime import timedelta

    from app import clock
    from app.assessments import rules as assessment_rules
    from app.assessments.models import Assessment, AssessmentKind
    from app.assessments.positions import Position
    from app.children.models import Child, Enrolment
    from app.reminders import rules, services
    from app.reminders.rules import RedNews, Settings

    with live_server.app.app_context():
        user = db.session.query(User).filter_by(email=LEADER).one()
        paedagog = db.session.query(User).filter_by(email="paedagog3@opspor.demo").one()
        unit = db.session.query(Unit).filter_by(name=SOLSIKKEN).one()
        today = clock.today()
        # A child of its own per run: the ledger tells each red episode once.
        child = Child(first_name="Asta", last_name="Nyrød", birth_date=today - timedelta(days=700))
        child.enrolments.append(Enrolment(unit=unit, start_date=today - timedelta(days=200)))
        db.session.add(child)
        db.session.flush()
        code = str(uuid.uuid4())
        db.session.add(
            Assessment(
                uuid=code,
                series_uuid=code,
                form_version=1,
                child_id=child.id,
                unit_id=unit.id,
                kind=AssessmentKind.INDIVIDUAL,
                assessor_id=paedagog.id,
                assessor_role="paedagog",
                assessed_on=today,
                age_band=assessment_rules.age_band(child.birth_date, today),
                indicators=[],
                notes={},
                position=Position.ROED,
                justification="Virker bange.",
            )
        )
        news = RedNews(child.id, unit.id, unit.name, today)
        (reminder,) = rules.red_concern([news], clock.local_now(), Settings(), {unit.id: [user.id]})
        notification = services.record(reminder)
        notification.push_state = "none"
        db.session.commit()
        return notification.id, push.payload_for(notification, "da"), unit.id, child.id


def test_a_click_on_a_red_reminder_opens_the_units_new_red_assessments(
    red_for_solsikken, worker, context, page, live_server
):
    """The click lands on Solsikken's new red assessments, which name the child the reminder
    is about (its red assessment is a pædagog's own, so it is not in red position yet)."""
    cdp, registration_id = worker
    notification_id, payload, unit_id, child_id = red_for_solsikken
    page.goto("/")
    deliver(cdp, live_server, registration_id, payload)
    (note,) = wait_for(lambda: shown(page))
    assert note["title"] == "Rød position"
    assert note["body"] == "1 barn er vurderet i rød position i Vuggestuen Solsikken"

    click_notification(context)

    page.wait_for_url(f"**/overblik/liste/roed-nye?*unit_id={unit_id}*")
    assert page.get_by_role("heading", name="Nye røde vurderinger", level=1).is_visible()
    child = page.locator(f'a[href="/boern/{child_id}"]')  # one per run: both are Asta
    assert child.get_by_text("Asta Nyrød").is_visible()
    assert child.get_by_text("Egen vurdering (Maria Fjordby)").is_visible()
    assert SOLSIKKEN in page.content()
    assert read_at(live_server, notification_id) is not None  # through /notifikationer/<id>
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
