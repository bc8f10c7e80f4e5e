"""Offline in real Chromium: capture with the real visit form, replay, and every fault.

`context.set_offline` does not cut the worker's own fetches and going online fires no `sync`
event (Playwright #2311), so the tests trigger replay themselves (as "Send nu" does) and cut or
break the sync requests with `context.route`. Every test asserts on the server's database: the
record exists exactly once with the right content, and nothing leaked to another user.
"""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.audit.models import AccessLog
from app.auth.models import User
from app.children.models import Caseload
from app.extensions import db
from app.sync import worker
from app.sync.models import Conflict
from app.visits.models import Visit
from tests.browser.conftest import PHONE, login

NURSE = "sundhedsplejerske@opspor.demo"
NURSE2 = "sundhedsplejerske2@opspor.demo"
_weights = itertools.count(4101, 7)  # a unique weight marks each test's visit


@pytest.fixture(autouse=True)
def patient(context):
    """Offline tests wait on a worker installing and a server writing: give a busy machine time."""
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(45_000)


@pytest.fixture(params=[PHONE], ids=["phone"])
def viewport(request):
    """The health visitor's phone: the fault tests run once, on the device they are about."""
    return request.param


# -- helpers -------------------------------------------------------------------------------------


def server_query(live_server, query):
    with live_server.app.app_context():
        return db.session.execute(query).all()


def user_id(live_server, email: str) -> int:
    return server_query(live_server, select(User.id).where(User.email == email))[0][0]


def nurse_child(live_server, email: str = NURSE, index: int = 0) -> int:
    nurse = user_id(live_server, email)
    rows = server_query(
        live_server,
        select(Caseload.child_id).where(Caseload.nurse_id == nurse).order_by(Caseload.child_id),
    )
    return rows[index % len(rows)][0]


def visits_with(live_server, **filters) -> list[Visit]:
    with live_server.app.app_context():
        query = select(Visit).filter_by(**filters)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def poll(page, script: str, arg=None, timeout: float = 20.0):
    """Evaluate `script` until it is truthy (wait_for_function would need 'unsafe-eval')."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for: {script}"
            return value
        page.wait_for_timeout(100)


def ready(page) -> None:
    """The worker is installed and controls the page."""
    page.evaluate("OpsporOffline.ready()")
    try:
        poll(page, "navigator.serviceWorker.controller !== null", timeout=90)
    except AssertionError as error:
        state = page.evaluate(
            """navigator.serviceWorker.getRegistration().then(r => r ? [r.active && r.active.state,
                r.waiting && r.waiting.state, r.installing && r.installing.state] : 'none')"""
        )
        raise AssertionError(
            f"no worker controls {page.url}: active/waiting/installing {state}"
        ) from error


def wait_cached(page, path: str) -> None:
    poll(
        page,
        """async (path) => {
            for (const name of await caches.keys()) {
                if (!name.startsWith('opspor-pages-')) continue;
                if (await (await caches.open(name)).match(path)) return true;
            }
            return false;
        }""",
        path,
    )


def open_online_then_cached(page, path: str) -> None:
    """Open a page online so the worker keeps it, and wait until it is kept."""
    page.goto(path)
    ready(page)
    wait_cached(page, path)


def fill_visit(page, weight: int) -> None:
    page.get_by_label("Vægt (gram)").fill(str(weight))
    page.get_by_label("Længde (cm, én decimal)").fill("58,2")
    page.get_by_label("Liggende").check()
    page.get_by_label("Hovedomfang (cm, én decimal)").fill("40,1")


def save_visit(page) -> None:
    page.get_by_role("button", name="Gem besøget").click()


def capture_offline_visit(page, context, child_id: int, weight: int) -> str:
    """Offline: open the kept visit form, fill it in and save it to the device."""
    context.set_offline(True)
    page.goto(f"/boern/{child_id}/besoeg/ny")
    assert page.locator("#sync-status[data-offline-copy]").count() == 1
    fill_visit(page, weight)
    save_visit(page)
    page.wait_for_selector("[data-offline-saved]")
    return outbox(page)[-1]["payload"]["uuid"]


def outbox(page) -> list[dict]:
    return page.evaluate("OpsporOutbox.list(document.body.dataset.userId)")


def replay(page) -> dict:
    """What "Send nu" does: send now, whatever the back-off says."""
    return page.evaluate("OpsporOffline.replay(true)")


def go_online(context) -> None:
    context.set_offline(False)


# -- offline capture, then sync ------------------------------------------------------------------


def test_a_visit_made_offline_survives_a_reload_and_arrives_exactly_once(
    page, context, live_server
):
    """Prepare, cut the network, record a visit, reload, reconnect, send: one record."""
    login(page, NURSE)
    ready(page)
    child_id = nurse_child(live_server)
    form_url = f"/boern/{child_id}/besoeg/ny"
    page.goto("/udbakke")
    page.get_by_role("button", name="Gør klar til offline").click()
    poll(
        page,
        "document.querySelector('[data-readiness-text]').textContent.startsWith('Klar til')",
        timeout=90,
    )
    assert re.match(
        r"Klar til offline: \d+ børn, opdateret kl\. \d\d:\d\d",
        page.locator("[data-readiness-text]").inner_text(),
    )
    open_online_then_cached(page, f"/boern/{child_id}")
    open_online_then_cached(page, form_url)
    weight = next(_weights)

    record_uuid = capture_offline_visit(page, context, child_id, weight)
    expect(page.locator("#messages")).to_contain_text(
        "Gemt på enheden — sendes når der er forbindelse"
    )
    expect(page.locator("[data-offline-saved] .sync-state")).to_have_text("Afventer afsendelse")
    expect(page.locator("[data-outbox-count]")).to_contain_text("1")

    page.reload()  # still offline: the form page comes from the device, the item is kept
    expect(page.locator("[data-offline-banner]")).to_contain_text("Du er offline")
    assert [i["payload"]["uuid"] for i in outbox(page)] == [record_uuid]
    page.goto(f"/boern/{child_id}")  # the child's page lists it as waiting
    pending = page.locator("[data-pending-for-child] .outbox-item")
    pending.first.wait_for()
    assert "Afventer afsendelse" in pending.first.inner_text()
    assert visits_with(live_server, uuid=record_uuid) == []

    go_online(context)
    replay(page)  # (the `online` event may have started one already: this one waits for it)
    assert outbox(page) == []
    visits = visits_with(live_server, uuid=record_uuid)
    assert len(visits) == 1
    assert (visits[0].child_id, visits[0].weight_g, float(visits[0].length_cm)) == (
        child_id,
        weight,
        58.2,
    )
    assert visits[0].nurse_id == user_id(live_server, NURSE)
    assert outbox(page) == []
    replay(page)  # a second pass (and its reconciliation) changes nothing
    assert len(visits_with(live_server, weight_g=weight)) == 1


# -- faults --------------------------------------------------------------------------------------


class SyncRoute:
    """Stands between the device and POST /api/sync: `mode` decides what each call meets."""

    def __init__(self, context, mode: str = "pass"):
        self.mode = mode
        self.calls = 0
        context.route("**/api/sync", self.handle)

    def handle(self, route):
        self.calls += 1
        if self.mode == "500":
            route.fulfill(status=500, content_type="application/json", body='{"error": 500}')
        elif self.mode == "drop-after-server":
            route.fetch()  # the server receives and stores the batch ...
            route.abort("connectionreset")  # ... and the answer never reaches the device
        elif self.mode == "twice":
            route.fetch()
            route.fulfill(response=route.fetch())  # the same request arrives twice
        else:
            route.continue_()


def nurse_with_kept_form(page, live_server, index: int = 0, email: str = NURSE) -> int:
    login(page, email)
    ready(page)
    child_id = nurse_child(live_server, email, index)
    open_online_then_cached(page, f"/boern/{child_id}/besoeg/ny")
    return child_id


def test_a_500_on_the_first_attempt_keeps_the_item_for_the_retry(page, context, live_server):
    child_id = nurse_with_kept_form(page, live_server, 1)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    sync = SyncRoute(context, "500")
    go_online(context)
    replay(page)
    assert sync.calls >= 1
    [item] = outbox(page)
    assert (item["status"], item["frozen"]) == ("pending", True)
    assert item["attempts"] >= 1 and item["nextAttemptAt"] > 0  # back-off
    assert visits_with(live_server, uuid=record_uuid) == []

    sync.mode = "pass"
    replay(page)
    assert outbox(page) == []
    assert len(visits_with(live_server, uuid=record_uuid)) == 1


def test_a_connection_dropped_mid_batch_neither_loses_nor_duplicates(page, context, live_server):
    child_id = nurse_with_kept_form(page, live_server, 2)
    weights = [next(_weights), next(_weights)]
    uuids = [capture_offline_visit(page, context, child_id, w) for w in weights]
    sync = SyncRoute(context, "drop-after-server")
    go_online(context)
    replay(page)
    assert sync.calls >= 1
    # The server stored both; the device never heard so: both wait, frozen, for a retry.
    assert [len(visits_with(live_server, uuid=u)) for u in uuids] == [1, 1]
    assert [(i["payload"]["uuid"], i["frozen"]) for i in outbox(page)] == [(u, True) for u in uuids]

    sync.mode = "pass"
    replay(page)
    assert outbox(page) == []
    assert [len(visits_with(live_server, uuid=u)) for u in uuids] == [1, 1]
    receipts = page.evaluate(
        "OpsporOutbox.sentList(document.body.dataset.userId).then(s => s.map(i => i.receipt))"
    )
    assert receipts == ["duplicate", "duplicate"]


def test_the_same_item_delivered_twice_is_stored_once(page, context, live_server):
    child_id = nurse_with_kept_form(page, live_server, 3)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    sync = SyncRoute(context, "twice")
    go_online(context)
    replay(page)
    assert sync.calls >= 1
    assert outbox(page) == []
    assert len(visits_with(live_server, uuid=record_uuid)) == 1
    assert len(visits_with(live_server, weight_g=weight)) == 1


def test_an_expired_session_keeps_the_items_until_the_user_logs_in_again(
    page, context, live_server
):
    child_id = nurse_with_kept_form(page, live_server, 4)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    context.clear_cookies()  # the session has expired on the server's side
    go_online(context)
    summary = replay(page)
    assert summary["auth"] is True
    alert = page.locator("[data-sync-alert]")
    expect(alert).to_contain_text("Du er blevet logget ud. Log ind igen for at sende 1")
    assert [i["payload"]["uuid"] for i in outbox(page)] == [record_uuid]
    assert visits_with(live_server, uuid=record_uuid) == []

    alert.get_by_role("link", name="Log ind igen").click()
    page.get_by_label("E-mail").fill(NURSE)
    page.get_by_label("Adgangskode").fill("opspor-demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/udbakke")
    poll(page, "OpsporOutbox.list(document.body.dataset.userId).then(l => l.length === 0)")
    assert len(visits_with(live_server, uuid=record_uuid)) == 1


def test_a_new_worker_waits_for_the_open_form_and_then_sends_what_the_old_one_queued(
    page, context, live_server, monkeypatch
):
    child_id = nurse_with_kept_form(page, live_server, 5)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    sync = SyncRoute(context, "500")  # the items wait while the new version arrives
    go_online(context)
    old_version = page.evaluate("OpsporOffline.ask({type: 'version'})")["version"]

    monkeypatch.setattr(worker, "version", lambda: "deployed0002")
    page.goto(f"/boern/{child_id}/besoeg/ny")  # a form is open
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    poll(page, "navigator.serviceWorker.getRegistration().then(r => !!r.waiting)", timeout=90)
    assert page.evaluate("OpsporOffline.maybeActivateUpdate()") is False
    assert page.evaluate("OpsporOffline.ask({type: 'version'})")["version"] == old_version

    # The app is closed and opened again (as on a phone): the new version takes over.
    page.close()
    page = context.new_page()
    page.goto("/udbakke")
    poll(
        page,
        "navigator.serviceWorker.getRegistration().then(r => !r.waiting && !r.installing)",
        timeout=60,
    )
    assert page.evaluate("OpsporOffline.ask({type: 'version'}, 5000)")["version"] == "deployed0002"
    poll(page, f"caches.keys().then(n => !n.some(x => x.includes('{old_version}')))", timeout=30)
    assert "opspor-shell-deployed0002" in page.evaluate("caches.keys()")
    assert [i["payload"]["uuid"] for i in outbox(page)] == [record_uuid]

    sync.mode = "pass"
    page.evaluate("OpsporOffline.ask({type: 'replay', force: true})")  # sent by the new worker
    assert outbox(page) == []
    assert len(visits_with(live_server, uuid=record_uuid)) == 1


def test_an_item_queued_by_an_old_schema_is_migrated_and_sent(page, context, live_server):
    """A device with the first IndexedDB schema (version 1) updates: nothing is stranded."""
    nurse = user_id(live_server, NURSE)
    child_id = nurse_child(live_server, NURSE, 6)
    weight = next(_weights)
    record_uuid = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
    today = page.evaluate("new Date().toISOString().slice(0, 10)")
    old_item = {
        "id": "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b",
        "userId": nurse,
        "kind": "visit",
        "createdAt": "2026-01-05T07:42:00.000Z",
        "payload": {
            "uuid": record_uuid,
            "child_id": str(child_id),
            "form_version": "1",
            "visit_type": "behov",
            "contact_form": "hjemmebesoeg",
            "visit_date": today,
            "weight_g": str(weight),
            "length_cm": "58,2",
            "length_position": "liggende",
            "head_cm": "40,1",
        },
    }
    page.route("**/__old-app", lambda route: route.fulfill(content_type="text/html", body="<p>"))
    page.goto("/__old-app")
    page.evaluate(
        """(item) => new Promise((resolve, reject) => {
            const open = indexedDB.open('opspor', 1);
            open.onupgradeneeded = () => open.result.createObjectStore('outbox', {keyPath: 'id'});
            open.onsuccess = () => {
                const tx = open.result.transaction('outbox', 'readwrite');
                tx.objectStore('outbox').put(item);
                tx.oncomplete = () => { open.result.close(); resolve(); };
            };
            open.onerror = () => reject(open.error);
        })""",
        old_item,
    )
    login(page, NURSE)  # the new code opens version 2, migrates and sends on load
    poll(page, "OpsporOutbox.list(document.body.dataset.userId).then(l => l.length === 0)")
    assert page.evaluate("OpsporOutbox.DB_VERSION") == 2
    visits = visits_with(live_server, uuid=record_uuid)
    assert [(v.child_id, v.weight_g) for v in visits] == [(child_id, weight)]


def test_a_second_user_on_the_device_neither_sees_nor_sends_the_first_users_items(
    page, context, live_server
):
    first = user_id(live_server, NURSE)
    child_id = nurse_with_kept_form(page, live_server, 7)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    sync = SyncRoute(context, "500")
    go_online(context)
    page.goto("/udbakke")
    expect(page.locator("[data-outbox-item]")).to_have_count(1)

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log ud").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Du har 1 registrering på enheden, som ikke er sendt")
    dialog.get_by_role("button", name="Log ud alligevel").click()
    page.wait_for_url("**/login")
    assert not [n for n in page.evaluate("caches.keys()") if n.endswith(f"-u{first}")]

    sync.mode = "pass"
    login(page, NURSE2)
    page.goto("/udbakke")
    expect(page.locator("[data-outbox-pending-empty]")).to_be_visible()
    expect(page.locator("[data-outbox-item]")).to_have_count(0)
    assert page.locator("[data-outbox-count]").count() == 0
    replay(page)
    assert visits_with(live_server, uuid=record_uuid) == []
    kept = page.evaluate(f"OpsporOutbox.list('{first}').then(l => l.map(i => i.payload.uuid))")
    assert kept == [record_uuid]  # still on the device, for its author

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log ud").click()  # nothing unsent: no question
    page.wait_for_url("**/login")
    login(page, NURSE)
    replay(page)  # the 500s left it in back-off: "Send nu"
    assert outbox(page) == []
    assert len(visits_with(live_server, uuid=record_uuid)) == 1


def test_an_invalid_item_between_two_good_ones_waits_for_a_correction(page, context, live_server):
    child_id = nurse_with_kept_form(page, live_server, 8)
    w1, w2, w3 = next(_weights), next(_weights), next(_weights)
    form_url = f"/boern/{child_id}/besoeg/ny"
    u1 = capture_offline_visit(page, context, child_id, w1)
    page.goto(form_url)  # the kept copy again: a new record (a new uuid)
    page.get_by_label("Vægt (gram)").fill(str(w2))  # no length or head: invalid
    save_visit(page)
    page.wait_for_selector("[data-offline-saved]")
    u3 = capture_offline_visit(page, context, child_id, w3)
    uuids = [i["payload"]["uuid"] for i in outbox(page)]
    assert len(set(uuids)) == 3 and uuids[0] == u1 and uuids[2] == u3

    go_online(context)
    replay(page)
    assert len(visits_with(live_server, uuid=u1)) == 1
    assert len(visits_with(live_server, uuid=u3)) == 1
    [bad] = outbox(page)
    assert bad["status"] == "action" and bad["reason"] == "invalid"
    page.goto("/udbakke")
    action = page.locator("[data-outbox-action] .outbox-item")
    expect(action).to_contain_text("Kræver handling")
    expect(action).to_contain_text("Skriv længde, eller vælg hvorfor det ikke er målt.")
    expect(page.locator("[data-outbox-action-count]")).to_contain_text("1")

    action.get_by_role("link", name="Ret").click()
    expect(page.locator(".offline-notice")).to_contain_text("Du retter en registrering")
    assert page.get_by_label("Vægt (gram)").input_value() == str(w2)
    page.get_by_label("Længde (cm, én decimal)").fill("58,2")
    page.get_by_label("Liggende").check()
    page.get_by_label("Hovedomfang (cm, én decimal)").fill("40,1")
    save_visit(page)
    page.wait_for_selector("[data-offline-saved]")
    replay(page)
    assert outbox(page) == []
    assert [len(visits_with(live_server, weight_g=w)) for w in (w1, w2, w3)] == [1, 1, 1]


def test_two_devices_editing_one_visit_make_a_visible_conflict(page, context, browser, live_server):
    child_id = nurse_with_kept_form(page, live_server, 9)
    weight = next(_weights)
    page.goto(f"/boern/{child_id}/besoeg/ny")
    fill_visit(page, weight)
    save_visit(page)  # online: stored at once
    page.wait_for_url(re.compile(r"/besoeg/\d+$"))
    [visit] = visits_with(live_server, weight_g=weight)
    edit_url = f"/besoeg/{visit.id}/ret"

    other = browser.new_context(viewport=PHONE, locale="da-DK", base_url=live_server.url)
    try:
        second = other.new_page()
        login(second, NURSE)
        for device, ctx in ((page, context), (second, other)):
            open_online_then_cached(device, edit_url)
            ctx.set_offline(True)
            device.goto(edit_url)
        for device, new_weight in ((page, weight + 1), (second, weight + 2)):
            device.get_by_label("Vægt (gram)").fill(str(new_weight))
            device.get_by_label("Hvorfor rettes registreringen?").fill("Vejet igen")
            device.get_by_role("button", name="Gem rettelsen").click()
            device.wait_for_selector("[data-offline-saved]")
        context.set_offline(False)
        replay(page)
        other.set_offline(False)
        replay(second)
        assert outbox(second) == []
        receipts = second.evaluate(
            "OpsporOutbox.sentList(document.body.dataset.userId).then(s => s.map(i => i.receipt))"
        )
        assert receipts == ["conflict"]
    finally:
        other.close()

    [now] = visits_with(live_server, uuid=visit.uuid)
    assert (now.weight_g, now.version) == (weight + 1, 2)  # the first to sync, not overwritten
    with live_server.app.app_context():
        conflict = db.session.scalar(select(Conflict).where(Conflict.record_uuid == visit.uuid))
        assert conflict.payload["weight_g"] == str(weight + 2)
        conflict_id = conflict.id
    page.goto("/konflikter")
    page.get_by_role("link", name=re.compile("Sundhedsplejebesøg")).first.click()
    page.wait_for_url(f"**/konflikter/{conflict_id}")
    row = page.locator("tr", has_text="Vægt (gram)")
    expect(row).to_contain_text(str(weight + 1))
    expect(row).to_contain_text(str(weight + 2))
    expect(row).to_contain_text("forskellig")


def test_pages_read_offline_are_written_to_the_access_log(page, context, live_server):
    child_id = nurse_with_kept_form(page, live_server, 10)
    open_online_then_cached(page, f"/boern/{child_id}")
    nurse = user_id(live_server, NURSE)
    before = server_query(
        live_server,
        select(func.count())
        .select_from(AccessLog)
        .where(AccessLog.channel == "offline", AccessLog.child_id == child_id),
    )[0][0]
    context.set_offline(True)
    page.goto(f"/boern/{child_id}")
    poll(page, "OpsporOutbox.hasWork()")
    context.set_offline(False)
    replay(page)
    rows = server_query(
        live_server,
        select(AccessLog.user_id, AccessLog.action, AccessLog.occurred_at)
        .where(AccessLog.channel == "offline", AccessLog.child_id == child_id)
        .order_by(AccessLog.id),
    )
    assert len(rows) == before + 1
    assert rows[-1][0] == nurse and rows[-1][1] == "view" and rows[-1][2] is not None


def test_a_form_the_server_fails_to_take_online_is_kept_and_sent_later(page, context, live_server):
    """Online, but the server answers the form with a 500: the visit is kept on the device."""
    child_id = nurse_with_kept_form(page, live_server, 11)
    form_url = f"/boern/{child_id}/besoeg/ny"
    page.goto(form_url)
    weight = next(_weights)
    fill_visit(page, weight)
    context.route(
        f"**{form_url}",
        lambda route: (
            route.fulfill(status=500, body="Fejl")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    sync = SyncRoute(context, "500")  # and the sync endpoint too, for now
    save_visit(page)
    page.wait_for_selector("[data-offline-saved]")
    expect(page.locator("#messages")).to_contain_text("Gemt på enheden")
    [item] = outbox(page)
    assert visits_with(live_server, uuid=item["payload"]["uuid"]) == []

    context.unroute(f"**{form_url}")
    sync.mode = "pass"
    page.goto("/udbakke")
    page.get_by_role("button", name="Send nu").click()
    expect(page.locator("[data-send-result]")).to_have_text(
        re.compile(r"Sendt: [01]\. Tilbage på enheden: 0\.")  # (page load may have sent it)
    )
    assert outbox(page) == []
    assert len(visits_with(live_server, uuid=item["payload"]["uuid"])) == 1


def test_background_sync_sends_from_the_worker(page, context, live_server):
    """Chromium's Background Sync: the worker sends on a `sync` event, without the page.

    The page's own requests to the sync API are cut (a page route does not reach the worker's
    fetches); the event is dispatched through the DevTools protocol.
    """
    child_id = nurse_with_kept_form(page, live_server, 12)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    tags = page.evaluate("navigator.serviceWorker.ready.then(r => r.sync.getTags())")
    assert "opspor-outbox" in tags  # registered when the item was kept
    page.route("**/api/csrf", lambda route: route.abort())  # the page cannot send
    sync = SyncRoute(context, "500")  # nor, for now, the worker (its own sync attempts fail)
    go_online(context)

    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    registration_id = next(
        r["registrationId"] for r in registrations if r["scopeURL"].startswith(live_server.url)
    )
    assert [i["payload"]["uuid"] for i in outbox(page)] == [record_uuid]  # still waiting
    assert visits_with(live_server, uuid=record_uuid) == []
    sync.mode = "pass"
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_server.url,
            "registrationId": registration_id,
            "tag": "opspor-outbox",
            "lastChance": False,
        },
    )
    poll(page, "OpsporOutbox.list(document.body.dataset.userId).then(l => l.length === 0)")
    assert len(visits_with(live_server, uuid=record_uuid)) == 1


def test_reconciliation_sends_again_what_the_server_does_not_hold(page, context, live_server):
    """After a sync the device asks which sent items the server lacks, and sends them again."""
    from app.sync.models import SyncReceipt

    child_id = nurse_with_kept_form(page, live_server, 13)
    weight = next(_weights)
    record_uuid = capture_offline_visit(page, context, child_id, weight)
    go_online(context)
    replay(page)
    [sent] = page.evaluate("OpsporOutbox.sentList(document.body.dataset.userId)")
    assert sent["payload"]["uuid"] == record_uuid
    with live_server.app.app_context():  # the server loses its receipt (a restored backup)
        db.session.execute(SyncReceipt.__table__.delete().where(SyncReceipt.item_id == sent["id"]))
        db.session.commit()

    summary = replay(page)
    assert summary["requeued"] == 1
    assert outbox(page) == []
    assert len(visits_with(live_server, uuid=record_uuid)) == 1  # sent again, stored once
    with live_server.app.app_context():
        receipt = db.session.scalar(select(SyncReceipt).where(SyncReceipt.item_id == sent["id"]))
        assert receipt.status == "duplicate"
