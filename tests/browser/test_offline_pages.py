"""The offline screens on a phone and a tablet: the dagplejer's assessment made offline, the outbox
page, discarding, drafts, readiness, the offline page, conflicts. Accessible (axe-core), no
horizontal scrolling, no health data in htmx's history cache.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.assessments.models import Assessment
from app.auth.models import User
from app.children.models import Child
from app.children.scoping import visible_children
from app.extensions import db
from app.sync.models import Conflict
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, login
from tests.browser.test_offline import (
    NURSE,
    _weights,
    capture_offline_visit,
    fill_visit,
    nurse_child,
    open_online_then_cached,
    outbox,
    poll,
    ready,
    replay,
    save_visit,
    user_id,
    visits_with,
)

DAGPLEJER = "dagplejer@opspor.demo"


@pytest.fixture(autouse=True)
def patient(context):
    """Offline tests wait on a worker installing and a server writing: give a busy machine time."""
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(45_000)


def dagplejer_children(live_server) -> list[int]:
    with live_server.app.app_context():
        me = db.session.scalar(select(User).where(User.email == DAGPLEJER))
        return list(db.session.scalars(visible_children(me).with_only_columns(Child.id)))


def assessments_with(live_server, record_uuid: str) -> list[Assessment]:
    with live_server.app.app_context():
        rows = db.session.scalars(select(Assessment).where(Assessment.uuid == record_uuid)).all()
        db.session.expunge_all()
        return rows


def test_a_dagplejer_assesses_offline_on_her_tablet_and_it_arrives_once(
    page, context, live_server, viewport
):
    login(page, DAGPLEJER)
    ready(page)
    page.get_by_role("link", name="Udbakke").first.click()
    page.get_by_role("button", name="Gør klar til offline").click()
    poll(
        page,
        "document.querySelector('[data-readiness-text]').textContent.startsWith('Klar til')",
        timeout=90,
    )
    children = dagplejer_children(live_server)
    text = page.locator("[data-readiness-text]").inner_text()
    count = f"{len(children)} børn" if len(children) != 1 else "1 barn"
    assert re.fullmatch(rf"Klar til offline: {count}, opdateret kl\. \d\d:\d\d", text)
    page.goto("/")
    expect(page.locator("[data-offline-readiness]")).to_contain_text("Klar til offline:")

    child_id = children[0] if viewport["width"] < 500 else children[-1]
    context.set_offline(True)
    page.goto(f"/vurderinger/ny?child_id={child_id}")  # prepared: from the device
    expect(page.locator("[data-offline-banner]")).to_contain_text("Du er offline")
    page.locator("input[name=position][value=groen]").check()
    page.get_by_role("button", name="Gem vurdering").click()
    expect(page.locator("#messages")).to_contain_text(
        "Gemt på enheden — sendes når der er forbindelse"
    )
    assert_no_horizontal_scroll(page)
    [item] = outbox(page)
    assert item["kind"] == "assessment"

    page.goto(f"/boern/{child_id}")  # the child's page shows it as waiting
    expect(page.locator("[data-pending-for-child]")).to_contain_text("Afventer afsendelse")
    context.set_offline(False)  # (axe is served through the network)
    assert_accessible(page)
    replay(page)
    assert outbox(page) == []
    [assessment] = assessments_with(live_server, item["payload"]["uuid"])
    assert (assessment.child_id, assessment.position.value) == (child_id, "groen")
    assert assessment.assessor_id == user_id(live_server, DAGPLEJER)


def test_the_outbox_page_lists_discards_with_a_named_confirmation(page, context, live_server):
    login(page, NURSE)
    ready(page)
    child_id = nurse_child(live_server, NURSE, 11)
    open_online_then_cached(page, f"/boern/{child_id}/besoeg/ny")
    capture_offline_visit(page, context, child_id, next(_weights))
    page.goto(f"/boern/{child_id}/besoeg/ny")
    page.get_by_label("Vægt (gram)").fill("4321")  # invalid: no length, no head
    save_visit(page)
    page.wait_for_selector("[data-offline-saved]")
    context.set_offline(False)
    replay(page)
    page.goto("/udbakke")
    expect(page.locator("[data-outbox-action] .outbox-item")).to_have_count(1)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    item = page.locator("[data-outbox-action] .outbox-item")
    title = item.locator("strong").inner_text()
    item.get_by_text("Vis indhold").click()
    expect(item.locator("dl")).to_contain_text("Vægt (gram)")
    expect(item.locator("dl")).to_contain_text("4321")
    item.get_by_role("button", name=re.compile("^Kassér")).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text(f"Vil du kassere „{title}“")
    assert_accessible(page)
    dialog.get_by_role("button", name="Behold").click()
    expect(page.locator("[data-outbox-action] .outbox-item")).to_have_count(1)
    item.get_by_role("button", name=re.compile("^Kassér")).click()
    page.locator("dialog[open]").get_by_role("button", name="Kassér").click()
    expect(page.locator("#messages")).to_contain_text(f"„{title}“ er kasseret.")
    expect(page.locator("[data-outbox-action] .outbox-item")).to_have_count(0)
    assert outbox(page) == []


# Sums the page's layout shifts (as Lighthouse's CLS does) and makes the browser refuse
# persistent storage, as headless Chromium and most phones do for a site that is not installed.
FIRST_START = """
window.__layoutShift = 0;
window.__layoutShiftSources = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__layoutShift += entry.value;
    for (const s of entry.sources || []) {  // what moved, for the failure message
      const n = s.node;
      const name = n ? [n.nodeName, n.id, n.className].filter(Boolean).join(" ") : "?";
      const r = (x) => [x.x, x.y, x.width, x.height].map(Math.round).join(",");
      const at = Math.round(entry.startTime);
      window.__layoutShiftSources.push(
        `${entry.value.toFixed(4)} ${name}: ${r(s.previousRect)} -> ${r(s.currentRect)}, ${at} ms`);
    }
  }
}).observe({type: "layout-shift", buffered: true});
navigator.storage.persisted = () => Promise.resolve(false);
navigator.storage.persist = () => Promise.resolve(false);
"""


def test_a_first_start_on_a_device_does_not_move_the_page(page, context, live_server):
    """What arrives after load (the readiness line, the storage warning) does not push the page
    down; the warning floats until closed and comes once per device."""
    context.add_init_script(FIRST_START)
    login(page, NURSE)
    ready(page)
    warning = page.locator("#messages p", has_text="Browseren har ikke lovet at gemme dine data")
    expect(warning).to_be_visible()
    poll(
        page,
        "document.querySelector('[data-offline-readiness]').textContent.startsWith('Klar til')",
        timeout=90,
    )
    assert page.evaluate("window.__layoutShift") == 0, page.evaluate("window.__layoutShiftSources")
    assert_accessible(page)
    warning.get_by_role("button", name="Luk").click()
    expect(warning).to_have_count(0)
    child_id = nurse_child(live_server)
    for path in (f"/boern/{child_id}", f"/boern/{child_id}/besoeg/ny"):
        page.goto(path)
        page.evaluate("OpsporOffline.ready()")
        assert page.evaluate("window.__layoutShift") == 0, (
            path,
            page.evaluate("window.__layoutShiftSources"),
        )
    expect(page.locator(".flash-floating")).to_have_count(0)  # warned once on this device


def test_a_draft_survives_a_reload(page, live_server):
    login(page, NURSE)
    ready(page)
    child_id = nurse_child(live_server, NURSE, 12)
    page.goto(f"/boern/{child_id}/besoeg/ny")
    record_uuid = page.locator("input[name=uuid]").input_value()
    page.get_by_label("Vægt (gram)").fill("4777")
    page.get_by_label("Længde (cm, én decimal)").fill("57,5")
    poll(
        page,
        "OpsporOutbox.getDraft(document.body.dataset.userId, location.pathname + location.search)"
        ".then(d => d && d.data.payload.length_cm === '57,5')",
    )
    page.reload()
    notice = page.locator(".offline-notice")
    expect(notice).to_contain_text("Udkast gendannet")
    assert page.get_by_label("Vægt (gram)").input_value() == "4777"
    assert page.locator("input[name=uuid]").input_value() == record_uuid  # the same record
    assert_accessible(page)
    notice.get_by_role("button", name="Kassér udkastet").click()
    assert page.get_by_label("Vægt (gram)").input_value() == ""


def test_a_visit_saved_online_leaves_no_draft_and_no_outbox_item(page, live_server):
    login(page, NURSE)
    ready(page)
    child_id = nurse_child(live_server, NURSE, 13)
    weight = next(_weights)
    page.goto(f"/boern/{child_id}/besoeg/ny")
    fill_visit(page, weight)
    save_visit(page)
    page.wait_for_url(re.compile(r"/besoeg/\d+$"))
    assert len(visits_with(live_server, weight_g=weight)) == 1
    assert outbox(page) == []
    poll(
        page,
        f"OpsporOutbox.getDraft(document.body.dataset.userId, '/boern/{child_id}/besoeg/ny')"
        ".then(d => d === null)",
    )


def test_the_offline_page_and_htmx_history_hold_no_health_data(page, context, live_server):
    login(page, NURSE)
    ready(page)
    page.get_by_role("link", name="Søg barn").click()  # boosted navigations
    page.wait_for_url("**/boern/soeg")
    page.get_by_role("link", name="Mine børn").click()
    page.wait_for_url(re.compile(r"/$"))
    keys = page.evaluate("Object.keys(localStorage)")
    assert not [k for k in keys if "htmx" in k.lower()]
    context.set_offline(True)
    page.goto("/et-sted-der-ikke-er-gemt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er offline")
    expect(page.locator("[data-offline-banner]")).to_contain_text("Du er offline")
    assert_no_horizontal_scroll(page)
    context.set_offline(False)  # (axe is served through the network)
    assert_accessible(page)


def test_a_conflict_shows_both_versions_and_the_offline_one_can_be_chosen(
    page, live_server, viewport
):
    login(page, NURSE)
    ready(page)
    child_id = nurse_child(live_server, NURSE, 14 if viewport["width"] < 500 else 15)
    weight = next(_weights)
    page.goto(f"/boern/{child_id}/besoeg/ny")
    fill_visit(page, weight)
    save_visit(page)
    page.wait_for_url(re.compile(r"/besoeg/\d+$"))
    [visit] = visits_with(live_server, weight_g=weight)
    stale_edit = {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "labels": {"weight_g": "Vægt (gram)"},
        "payload": {
            "uuid": visit.uuid,
            "child_id": str(child_id),
            "form_version": "1",
            "visit_type": visit.visit_type,
            "contact_form": visit.contact_form,
            "visit_date": date.today().isoformat(),
            "weight_g": str(weight + 50),
            "length_cm": "58,2",
            "length_position": "liggende",
            "head_cm": "40,1",
            "base_version": "0",
            "correction_reason": "Vejet igen",
        },
    }
    answer = page.evaluate(
        """async (item) => {
            const token = (await (await fetch('/api/csrf')).json()).csrf_token;
            const r = await fetch('/api/sync', {
                method: 'POST', body: JSON.stringify({items: [item]}),
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
            return (await r.json()).results[0];
        }""",
        stale_edit,
    )
    assert answer["status"] == "conflict"
    page.goto(f"/konflikter/{answer['conflict_id']}")
    row = page.locator("tr", has_text="Vægt (gram)")
    expect(row).to_contain_text(str(weight))
    expect(row).to_contain_text(str(weight + 50))
    assert_accessible(page)
    page.get_by_role("radio", name="Brug offline-versionen").check()
    page.get_by_label("Begrundelse").fill("Vejet igen med ny vægt")
    page.get_by_role("button", name="Afgør konflikten").click()
    page.wait_for_url("**/konflikter")
    expect(page.locator("#messages")).to_contain_text("Konflikten er afgjort.")
    [now] = visits_with(live_server, uuid=visit.uuid)
    assert (now.weight_g, now.version) == (weight + 50, 2)
    with live_server.app.app_context():
        conflict = db.session.get(Conflict, answer["conflict_id"])
        assert conflict.resolution == "offline"
