"""The sync API: idempotent, per-item results, scope, limits, reconciliation, offline reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from app.audit.models import AccessLog
from app.auth.roles import Role
from app.extensions import db
from app.sync.models import Conflict, SyncReceipt
from tests.factories import make_child, make_unit, make_user
from tests.web.test_sync_kind import FORM_VERSION, Note, note_kind_fixture  # noqa: F401


def new_id() -> str:
    return str(uuid.uuid4())


def item(child, text="Sov godt i nat", *, item_id=None, record_uuid=None, **payload):
    return {
        "id": item_id or new_id(),
        "kind": "testnote",
        "created_at": "2026-03-02T08:15:00Z",
        "payload": {
            "uuid": record_uuid or new_id(),
            "child_id": str(child.id),
            "form_version": str(FORM_VERSION),
            "text": text,
            **payload,
        },
    }


def switch_user(auth, user):
    """Log another user in on the same client (flask-login caches the user in `g`)."""
    auth.login(user)
    g.pop("_login_user", None)
    return user


def sync(client, items, views=None):
    response = client.post("/api/sync", json={"items": items, "views": views or []})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


@pytest.fixture
def nurse(auth):
    user = make_user(Role.SUNDHEDSPLEJERSKE, make_unit())
    return auth.login(user)


@pytest.fixture
def child(nurse):
    return make_child(nurse=nurse)


def notes() -> list[Note]:
    return list(db.session.scalars(select(Note).order_by(Note.id)))


def test_a_new_item_is_accepted_and_logged_as_offline(client, note_kind, nurse, child):
    answer = sync(client, [item(child)])
    assert answer["results"][0]["status"] == "accepted"
    assert answer["results"][0]["version"] == 1
    assert [n.text for n in notes()] == ["Sov godt i nat"]
    log = db.session.scalar(select(AccessLog).where(AccessLog.what.like("note:%")))
    assert (log.channel, log.action, log.user_id) == ("offline", "create", nurse.id)


def test_the_same_item_sent_twice_is_stored_once(client, note_kind, nurse, child):
    """A retried batch (the response was lost) answers duplicate and makes no new row."""
    one = item(child)
    first = sync(client, [one])["results"][0]
    again = sync(client, [one])["results"][0]
    assert first["status"] == "accepted"
    assert again["status"] == "duplicate"
    assert len(notes()) == 1
    assert db.session.scalar(select(func.count()).select_from(SyncReceipt)) == 1


def test_the_same_item_twice_in_one_batch_is_stored_once(client, note_kind, nurse, child):
    one = item(child)
    results = sync(client, [one, one])["results"]
    assert [r["status"] for r in results] == ["accepted", "duplicate"]
    assert len(notes()) == 1


def test_same_record_uuid_from_another_item_with_same_content_is_a_duplicate(
    client, note_kind, nurse, child
):
    """The form was posted online, the answer timed out, and the outbox sent it again."""
    record = new_id()
    sync(client, [item(child, record_uuid=record)])
    again = sync(client, [item(child, record_uuid=record)])["results"][0]
    assert again["status"] == "duplicate"
    assert len(notes()) == 1


def test_same_uuid_with_different_content_is_a_conflict_and_never_applied(
    client, note_kind, nurse, child
):
    record = new_id()
    sync(client, [item(child, "Første", record_uuid=record)])
    answer = sync(client, [item(child, "Anden", record_uuid=record)])["results"][0]
    assert answer["status"] == "conflict"
    assert [n.text for n in notes()] == ["Første"]
    conflict = db.session.get(Conflict, answer["conflict_id"])
    assert conflict.payload["text"] == "Anden"
    assert conflict.server_snapshot["text"] == "Første"
    assert conflict.created_by_id == nurse.id
    assert conflict.child_id == child.id


def test_same_item_id_with_changed_content_is_a_conflict(client, note_kind, nurse, child):
    """An item must not change after sending began; if it does, the server keeps both."""
    one = item(child, "Første")
    sync(client, [one])
    changed = {**one, "payload": {**one["payload"], "text": "Ændret"}}
    answer = sync(client, [changed])["results"][0]
    assert answer["status"] == "conflict"
    assert [n.text for n in notes()] == ["Første"]
    assert db.session.get(Conflict, answer["conflict_id"]).payload["text"] == "Ændret"


def test_an_edit_based_on_an_old_version_keeps_both(client, note_kind, nurse, child):
    record = new_id()
    sync(client, [item(child, "v1", record_uuid=record)])
    edit_a = item(child, "v2 fra telefon", record_uuid=record, base_version="1")
    assert sync(client, [edit_a])["results"][0]["status"] == "accepted"
    edit_b = item(child, "v2 fra tablet", record_uuid=record, base_version="1")
    answer = sync(client, [edit_b])["results"][0]
    assert answer["status"] == "conflict"
    assert notes()[0].text == "v2 fra telefon"
    assert notes()[0].version == 2
    conflict = db.session.get(Conflict, answer["conflict_id"])
    assert (conflict.base_version, conflict.server_version) == (1, 2)
    assert conflict.payload["text"] == "v2 fra tablet"


def test_an_item_may_refer_to_a_record_made_earlier_in_the_same_queue(
    client, note_kind, nurse, child
):
    record = new_id()
    made = item(child, "Ny", record_uuid=record)
    edited = item(child, "Rettet", record_uuid=record, base_version="1")
    results = sync(client, [made, edited])["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    assert [(n.text, n.version) for n in notes()] == [("Rettet", 2)]


def test_an_invalid_item_between_two_good_ones_does_not_stop_the_queue(
    client, note_kind, nurse, child
):
    good1, bad, good2 = item(child, "Første"), item(child, ""), item(child, "Tredje")
    results = sync(client, [good1, bad, good2])["results"]
    assert [r["id"] for r in results] == [good1["id"], bad["id"], good2["id"]]
    assert [r["status"] for r in results] == ["accepted", "invalid", "accepted"]
    assert results[1]["errors"] == {"text": ["Skriv et notat."]}
    assert [n.text for n in notes()] == ["Første", "Tredje"]
    # An invalid item leaves no receipt: the user may correct it and send it again.
    fixed = {**bad, "payload": {**bad["payload"], "text": "Rettet"}}
    assert sync(client, [fixed])["results"][0]["status"] == "accepted"


def test_a_child_outside_the_users_scope_is_forbidden(client, note_kind, nurse):
    other = make_child(unit=make_unit())
    answer = sync(client, [item(other)])["results"][0]
    assert answer["status"] == "forbidden"
    assert notes() == []


def test_items_of_an_unknown_kind_or_shape_are_invalid(client, note_kind, nurse, child):
    unknown = {**item(child), "kind": "nope"}
    no_uuid = item(child)
    no_uuid["payload"].pop("uuid")
    results = sync(client, [unknown, no_uuid, "junk"])["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid", "invalid"]
    assert results[0]["errors"] == {"kind": ["Ukendt type registrering."]}


def test_a_failing_kind_answers_error_for_that_item_only(client, app, note_kind, nurse, child):
    from app.sync import registry

    def broken(user, payload, *, channel="online"):
        db.session.add(Note(uuid=payload["uuid"], child_id=1, text="halv", form_version=1))
        db.session.flush()
        raise RuntimeError("bug")

    registry.register_record_kind("broken", broken)
    try:
        results = sync(client, [{**item(child), "kind": "broken"}, item(child, "God")])["results"]
    finally:
        registry._KINDS.pop("broken")
    assert [r["status"] for r in results] == ["error", "accepted"]
    assert [n.text for n in notes()] == ["God"]


def test_records_made_with_the_previous_form_version_are_accepted(client, note_kind, nurse, child):
    answer = sync(client, [item(child, form_version="1")])["results"][0]
    assert answer["status"] == "accepted"
    assert notes()[0].form_version == 1


# -- limits, authentication, CSRF --------------------------------------------------------------


def test_a_batch_over_the_size_limit_is_refused(app, client, note_kind, nurse, child):
    app.config["SYNC_MAX_BYTES"] = 2000
    response = client.post("/api/sync", json={"items": [item(child, "x" * 190)] * 12})
    assert response.status_code == 413
    assert response.json["error"] == "too_large"
    assert notes() == []


def test_too_many_items_are_refused(app, client, note_kind, nurse, child):
    app.config["SYNC_MAX_ITEMS"] = 3
    response = client.post("/api/sync", json={"items": [item(child) for _ in range(4)]})
    assert response.status_code == 413


def test_an_item_over_the_item_limit_is_invalid(app, client, note_kind, nurse, child):
    app.config["SYNC_MAX_ITEM_BYTES"] = 300
    big = item(child, "x" * 190, extra="y" * 400)
    answer = sync(client, [big, item(child)])["results"]
    assert [r["status"] for r in answer] == ["invalid", "accepted"]
    assert "for stor" in answer[0]["errors"]["payload"][0]


def test_not_json_is_a_bad_request(client, nurse):
    response = client.post("/api/sync", data="items=1")
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"


def test_an_expired_session_answers_401_in_json(client, note_kind, child, auth):
    auth.logout()
    response = client.post("/api/sync", json={"items": [item(child)]})
    assert response.status_code == 401
    assert response.json == {"error": "login_required", "message": "Du skal logge ind igen."}
    assert client.get("/api/csrf").status_code == 401
    assert notes() == []


def test_a_fresh_csrf_token_lets_an_old_item_through(app, client, note_kind, nurse, child):
    """CSRF is enforced on the sync API; the device fetches a token just before replaying."""
    app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()
    refused = client.post("/api/sync", json={"items": [item(child)]})
    assert refused.status_code == 400
    token = client.get("/api/csrf")
    assert token.headers["Cache-Control"] == "no-store"
    assert token.json["user_id"] == nurse.id
    response = client.post(
        "/api/sync",
        json={"items": [item(child)]},
        headers={"X-CSRFToken": token.json["csrf_token"]},
    )
    assert response.status_code == 200
    assert response.json["results"][0]["status"] == "accepted"


# -- reconciliation and offline reads ------------------------------------------------------------


def test_reconciliation_names_the_items_the_server_does_not_hold(client, note_kind, nurse, child):
    held, invalid, never = item(child), item(child, ""), item(child)
    sync(client, [held, invalid])
    response = client.post(
        "/api/sync/reconcile", json={"ids": [held["id"], invalid["id"], never["id"], "x"]}
    )
    assert response.json == {"missing": [invalid["id"], never["id"]]}


def test_reconciliation_only_counts_the_users_own_items(client, auth, note_kind, nurse, child):
    mine = item(child)
    sync(client, [mine])
    switch_user(auth, make_user(Role.SUNDHEDSPLEJERSKE, make_unit()))
    response = client.post("/api/sync/reconcile", json={"ids": [mine["id"]]})
    assert response.json == {"missing": [mine["id"]]}


def test_another_users_item_id_is_forbidden(client, auth, note_kind, nurse, child):
    mine = item(child)
    sync(client, [mine])
    other = switch_user(auth, make_user(Role.SUNDHEDSPLEJERSKE, make_unit()))
    make_child(nurse=other)
    assert sync(client, [mine])["results"][0]["status"] == "forbidden"


def test_offline_reads_are_logged_once_with_their_time(client, nurse, child):
    read_at = datetime(2026, 3, 2, 7, 42, tzinfo=UTC)
    outside = make_child(unit=make_unit())
    views = [
        {"id": new_id(), "child_id": child.id, "at": read_at.isoformat()},
        {"id": new_id(), "child_id": outside.id, "at": read_at.isoformat()},
        {"id": new_id(), "child_id": child.id, "at": "not a time"},
    ]
    answer = sync(client, [], views)
    assert answer["views"] == [v["id"] for v in views]
    sync(client, [], views[:1])  # sent again: logged once
    rows = db.session.scalars(select(AccessLog).where(AccessLog.channel == "offline")).all()
    assert [(r.child_id, r.action, r.what) for r in rows] == [(child.id, "view", "child")]
    assert rows[0].occurred_at.replace(tzinfo=UTC) == read_at
    assert rows[0].user_id == nurse.id


def test_reads_from_the_future_are_not_logged(client, nurse, child):
    future = datetime.now(UTC) + timedelta(days=1)
    sync(client, [], [{"id": new_id(), "child_id": child.id, "at": future.isoformat()}])
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == 0


def test_openapi_describes_the_endpoints(client, note_kind):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/sync", "/api/sync/reconcile", "/api/csrf"} <= set(spec["paths"])
    kinds = spec["paths"]["/api/sync"]["post"]["requestBody"]["content"]["application/json"]
    assert (
        "testnote" in kinds["schema"]["properties"]["items"]["items"]["properties"]["kind"]["enum"]
    )


def test_a_batch_reads_the_unit_tree_and_the_users_scope_once(
    client, note_kind, nurse, child, count_queries
):
    """Every item asks may-I-see-this-child: answered for the batch in one query, not per item."""
    other = make_child(unit=make_unit())
    batch = [item(child, f"Note {i}") for i in range(10)] + [item(other)]
    db.session.commit()
    with count_queries() as statements:
        results = sync(client, batch)["results"]
    assert [r["status"] for r in results] == ["accepted"] * 10 + ["forbidden"]
    tree = [s for s in statements if "unit.parent_id" in s and "FROM unit" in s]
    assert len(tree) == 1
    scope_checks = [s for s in statements if "EXISTS" in s and "FROM child" in s]
    assert len(scope_checks) == 1  # the batch's children, checked together


def test_a_unit_added_during_a_request_is_in_the_tree_at_once(app):
    from app.org.queries import descendant_unit_ids

    root = make_unit()
    with app.test_request_context():
        assert descendant_unit_ids([root.id]) == {root.id}
        below = make_unit(parent=root)
        assert descendant_unit_ids([root.id]) == {root.id, below.id}
        below.parent = None
        assert descendant_unit_ids([root.id]) == {root.id}
