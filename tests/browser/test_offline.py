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
    return rows[index][0]


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
    poll(page, "navigator.serviceWorker.controller !== null")


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
