"""The installable app, /sw.js, the offline and outbox pages, the offline plan and conflicts."""

from __future__ import annotations

import json
import re
import struct
import uuid
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import select

from app.audit.models import AccessLog
from app.auth.roles import Role
from app.children.models import Enrolment
from app.extensions import db
from app.org.models import UnitKind
from app.sync import worker
from app.sync.models import Conflict
from tests.factories import make_child, make_unit, make_user
from tests.web.test_sync_kind import FORM_VERSION, Note, note_kind_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def switch_user(auth, user):
    auth.login(user)
    g.pop("_login_user", None)
    return user


# -- install -------------------------------------------------------------------------------------


def test_the_manifest_is_danish_standalone_with_own_icons(client):
    response = client.get("/static/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    assert manifest["lang"] == "da"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["theme_color"] == "#1d4f6e"
    assert "uden netværk" in manifest["description"]
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        png = client.get(icon["src"]).get_data()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_every_page_links_the_manifest_and_the_ios_meta(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<link rel="manifest" href="/static/manifest.webmanifest\?v=\w+">', html)
    assert 'rel="apple-touch-icon"' in html
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in html
    assert '<meta name="theme-color" content="#1d4f6e">' in html
    assert "js/outbox.js?v=" in html and "js/offline.js?v=" in html


def test_htmx_history_cache_is_off(client):
    """No health data in localStorage: hx-history=false and a history cache of size 0."""
    html = client.get("/login").get_data(as_text=True)
    assert 'hx-history="false"' in html
    assert '"historyCacheSize": 0' in html


# -- the service worker --------------------------------------------------------------------------


def test_the_worker_is_served_at_the_root_without_http_caching(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    text = response.get_data(as_text=True)
    config = json.loads(re.search(r"self.OPSPOR = (\{.*?\});", text, re.S).group(1))
    assert re.fullmatch(r"[0-9a-f]{12}", config["version"])
    assert config["offlineUrl"] == "/offline"
    assert any(u.startswith("/static/css/app.css?v=") for u in config["precache"])
    assert any(u.startswith("/static/vendor/htmx.min.js?v=") for u in config["precache"])
    assert any(u.startswith("/static/icons/icon-192.png?v=") for u in config["precacheOptional"])
    assert 'self.addEventListener("fetch"' in text


def test_the_worker_imports_the_outbox_and_the_modules_that_exist(client):
    text = client.get("/sw.js").get_data(as_text=True)
    imports = re.search(r"importScripts\((.*)\);", text).group(1)
    assert "/static/js/outbox.js?v=" in imports
    for module in worker.modules():
        assert f"/sw/{module}?v=" in imports
        response = client.get(f"/sw/{module}")
        assert response.status_code == 200
        assert response.mimetype == "application/javascript"
    assert client.get("/sw/sw.js").status_code == 404
    assert client.get("/sw/nothing.js").status_code == 404


def test_the_cache_version_follows_the_assets(app, client, monkeypatch):
    before = worker.version()
    from app import assets

    monkeypatch.setitem(assets._hashes, "css/app.css", "changed00000")
    assert worker.version() != before


def test_pages_name_their_user_for_the_worker(client, auth):
    user = auth.login(make_user(Role.DAGPLEJER, make_unit(kind=UnitKind.DAGPLEJE)))
    response = client.get("/udbakke")
    assert response.headers["X-Opspor-User"] == str(user.id)
    assert "HX-Request" in response.headers["Vary"]
    assert f'data-user-id="{user.id}"' in response.get_data(as_text=True)
    assert "X-Opspor-User" not in client.get("/sw.js").headers or True
    auth.logout()
    g.pop("_login_user", None)
    assert "X-Opspor-User" not in client.get("/login").headers


def test_the_offline_page_has_no_personal_data(client):
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Du er offline" in html
    assert "data-user-id" not in html


# -- the outbox page and the offline plan --------------------------------------------------------


def test_the_outbox_page_is_in_the_menu_and_has_its_sections(client, auth):
    auth.login(make_user(Role.PAEDAGOG, make_unit()))
    html = client.get("/udbakke").get_data(as_text=True)
    assert 'href="/udbakke"' in html
    for text in ("Klar til offline", "Afventer afsendelse", "Kræver handling", "Send nu"):
        assert text in html
    assert "Gør klar til offline" in html
    texts = json.loads(re.search(r'id="sync-texts">(.*?)</script>', html, re.S).group(1))
    assert texts["saved"] == "Gemt på enheden — sendes når der er forbindelse"
    assert texts["ready"] == "Klar til offline: {n} børn, opdateret {when}"


def test_the_outbox_page_needs_a_login(client):
    assert client.get("/udbakke").status_code == 302
    assert client.get("/api/offline/plan").status_code == 401


def test_a_nurse_prepares_her_caseload_with_child_pages(client, auth):
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT))
    mine = make_child(nurse=nurse, first_name="Alma")
    make_child(nurse=make_user(Role.SUNDHEDSPLEJERSKE, make_unit()))
    auth.login(nurse)
    plan = client.get("/api/offline/plan").json
    assert plan["user_id"] == nurse.id
    assert plan["children"] == 1
    urls = [p["url"] for p in plan["pages"]]
    assert f"/boern/{mine.id}" in urls
    assert "/" in urls and "/udbakke" in urls
    child_page = next(p for p in plan["pages"] if p["url"] == f"/boern/{mine.id}")
    assert child_page["label"].startswith("Alma ") and child_page["what"] == "child"


def test_a_dagplejer_prepares_her_children(client, auth):
    home = make_unit(kind=UnitKind.DAGPLEJE)
    dagplejer = make_user(Role.DAGPLEJER, home)
    children = [make_child(home, dagplejer=dagplejer) for _ in range(3)]
    make_child(home)  # in the unit, but another dagplejer's home
    auth.login(dagplejer)
    plan = client.get("/api/offline/plan").json
    assert plan["children"] == 3
    ids = {p["child_id"] for p in plan["pages"] if p["child_id"]}
    assert ids == {c.id for c in children}


def test_the_plan_uses_a_registered_provider(client, auth, app):
    from app.sync import plan as plan_module

    nurse = make_user(Role.SUNDHEDSPLEJERSKE, make_unit())
    a, b = make_child(nurse=nurse), make_child(nurse=nurse)
    auth.login(nurse)

    def planned(user, today, until):
        return [b.id]

    plan_module.register_offline_children(planned)
    try:
        plan = client.get("/api/offline/plan").json
    finally:
        plan_module._CHILD_PROVIDERS.remove(planned)
    assert plan["children"] == 1
    assert {p["child_id"] for p in plan["pages"] if p["child_id"]} == {b.id}
    assert a.id != b.id


# -- conflicts -----------------------------------------------------------------------------------


@pytest.fixture
def conflict_setup(client, auth, note_kind):
    """A note made online (version 2 after an edit) and an offline edit based on version 1."""
    unit = make_unit()
    leader = make_user(Role.LEDER, unit, name="Leif Leder")
    author = make_user(Role.PAEDAGOG, unit, name="Pia Pædagog")
    child = make_child(unit)
    note = Note(uuid=str(uuid.uuid4()), child_id=child.id, text="Online", form_version=2)
    db.session.add(note)
    db.session.flush()
    note.text = "Online rettet"
    db.session.flush()
    switch_user(auth, author)
    item = {
        "id": str(uuid.uuid4()),
        "kind": "testnote",
        "labels": {"text": "Notat"},
        "payload": {
            "uuid": note.uuid,
            "child_id": str(child.id),
            "form_version": str(FORM_VERSION),
            "text": "Offline",
            "base_version": "1",
        },
    }
    answer = client.post("/api/sync", json={"items": [item]}).json["results"][0]
    assert answer["status"] == "conflict"
    conflict = db.session.get(Conflict, answer["conflict_id"])
    return {"leader": leader, "author": author, "child": child, "note": note, "conflict": conflict}


def test_the_author_sees_the_conflict_with_both_versions(client, conflict_setup):
    conflict = conflict_setup["conflict"]
    html = client.get("/konflikter").get_data(as_text=True)
    assert f"/konflikter/{conflict.id}" in html
    assert 'href="/konflikter"' in html  # in the menu while a conflict is open
    page = client.get(f"/konflikter/{conflict.id}").get_data(as_text=True)
    assert "Online rettet" in page and "Offline" in page
    assert "Notat" in page  # the label the device saw
    assert "forskellig" in page
    child_page = client.get(f"/boern/{conflict_setup['child'].id}").get_data(as_text=True)
    assert f"/konflikter/{conflict.id}" in child_page
    log = db.session.scalar(select(AccessLog).where(AccessLog.what == f"conflict:{conflict.id}"))
    assert log is not None


def test_the_units_leader_sees_it_and_others_do_not(client, auth, conflict_setup):
    conflict = conflict_setup["conflict"]
    switch_user(auth, conflict_setup["leader"])
    assert client.get(f"/konflikter/{conflict.id}").status_code == 200
    stranger = switch_user(auth, make_user(Role.LEDER, make_unit()))
    assert stranger
    assert client.get(f"/konflikter/{conflict.id}").status_code == 404
    assert f"/konflikter/{conflict.id}" not in client.get("/konflikter").get_data(as_text=True)


def test_choosing_the_offline_version_applies_it_as_a_new_version(client, conflict_setup):
    conflict, note = conflict_setup["conflict"], conflict_setup["note"]
    response = client.post(f"/konflikter/{conflict.id}", data={"choice": "offline"})
    assert response.status_code == 303
    db.session.refresh(note)
    assert (note.text, note.version) == ("Offline", 3)
    db.session.refresh(conflict)
    assert conflict.resolution == "offline" and conflict.resolved_at is not None
    assert conflict.resolved_by_id == conflict_setup["author"].id
    assert client.get("/konflikter").get_data(as_text=True).count("/konflikter/") == 0


def test_keeping_the_server_version_changes_nothing_but_the_conflict(client, auth, conflict_setup):
    conflict, note = conflict_setup["conflict"], conflict_setup["note"]
    switch_user(auth, conflict_setup["leader"])
    assert client.post(f"/konflikter/{conflict.id}", data={"choice": "server"}).status_code == 303
    db.session.refresh(note)
    assert (note.text, note.version) == ("Online rettet", 2)
    db.session.refresh(conflict)
    assert conflict.resolution == "server"
    assert conflict.payload["text"] == "Offline"  # the offline version is still kept


def test_merging_takes_the_marked_fields(client, conflict_setup):
    conflict, note = conflict_setup["conflict"], conflict_setup["note"]
    response = client.post(f"/konflikter/{conflict.id}", data={"choice": "merged", "take": []})
    assert response.status_code == 303
    db.session.refresh(note)
    assert note.text == "Online rettet"  # nothing marked: the server's fields


def test_a_choice_is_required(client, conflict_setup):
    conflict = conflict_setup["conflict"]
    response = client.post(f"/konflikter/{conflict.id}", data={})
    assert response.status_code == 422
    assert "Vælg hvilken version der skal gælde." in response.get_data(as_text=True)


def test_a_new_dagplejer_enrolment_does_not_show_others_conflicts(client, auth, conflict_setup):
    """Conflicts are shown to their author and leaders only, not to colleagues."""
    colleague = make_user(Role.PAEDAGOG, make_unit())
    db.session.add(
        Enrolment(
            child_id=conflict_setup["child"].id,
            unit_id=colleague.memberships[0].unit_id,
            start_date=conflict_setup["child"].birth_date,
        )
    )
    switch_user(auth, colleague)
    assert client.get(f"/konflikter/{conflict_setup['conflict'].id}").status_code == 404


def test_a_uuid_of_another_units_record_never_shows_that_record(client, auth, note_kind):
    """A kind that answers "conflict" for a uuid of a record the author may not see: the
    conflict is kept without that record, so its page shows nothing of it."""
    theirs = make_child(make_unit())
    secret = Note(uuid=str(uuid.uuid4()), child_id=theirs.id, text="Hemmeligt", form_version=2)
    db.session.add(secret)
    unit = make_unit()
    author = switch_user(auth, make_user(Role.PAEDAGOG, unit))
    mine = make_child(unit)
    item = {
        "id": str(uuid.uuid4()),
        "kind": "testnote",
        "payload": {
            "uuid": secret.uuid,
            "child_id": str(mine.id),
            "form_version": str(FORM_VERSION),
            "text": "Mit notat",
        },
    }
    answer = client.post("/api/sync", json={"items": [item]}).json["results"][0]
    conflict = db.session.get(Conflict, answer["conflict_id"])
    assert conflict.created_by_id == author.id
    assert (conflict.record_id, conflict.server_snapshot) == (None, {})
    page = client.get(f"/konflikter/{conflict.id}").get_data(as_text=True)
    assert "Hemmeligt" not in page and "Mit notat" in page


def test_the_conflict_page_is_refused_once_the_author_may_not_see_the_child(client, conflict_setup):
    """The page shows the live record: the author must still see its child (404 otherwise)."""
    conflict = conflict_setup["conflict"]
    for enrolment in conflict_setup["child"].enrolments:
        enrolment.unit_id = make_unit().id
    db.session.commit()
    assert client.get(f"/konflikter/{conflict.id}").status_code == 404


def test_a_page_fetched_to_prepare_the_device_leaves_flash_messages_alone(client, auth):
    auth.login(make_user(Role.PAEDAGOG, make_unit()))
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Konflikten er afgjort.")]
    prepared = client.get("/udbakke", headers={"X-Opspor-Prepare": "1"})
    assert "Konflikten er afgjort." not in prepared.get_data(as_text=True)
    assert "Konflikten er afgjort." in client.get("/udbakke").get_data(as_text=True)
