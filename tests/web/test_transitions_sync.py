"""Schemas through the sync endpoint and its conflict view: a schema's uuid is no key to it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.sync.models import Conflict
from app.transitions.models import TransitionSchema
from tests.factories import make_child
from tests.web.transitions_helpers import login, make_world, payload


@pytest.fixture
def world(app):
    return make_world()


def stored_schema(world) -> TransitionSchema:
    return db.session.scalar(
        select(TransitionSchema).where(TransitionSchema.child_id == world.child.id)
    )


def sync_item(data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "transition", "payload": data}


def test_another_dagplejers_uuid_is_forbidden_not_a_conflict(world, client):
    """Lise knows the uuid of Dorthe's schema and sends it for her own child: she is refused,
    and no conflict is kept that would show her Dorthe's schema."""
    login(client, world.dagplejer)
    client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world, "finish"))
    schema = stored_schema(world)
    hers = make_child(world.group, dagplejer=world.other_dagplejer, first_name="Liva")
    db.session.commit()
    login(client, world.other_dagplejer)
    data = payload(world, uuid=schema.uuid, child_id=str(hers.id), food="Noget andet")
    answer = client.post("/api/sync", json={"items": [sync_item(data)]}).json["results"][0]
    assert answer["status"] == "forbidden" and "conflict_id" not in answer
    assert db.session.scalar(select(func.count()).select_from(Conflict)) == 0
    assert "Glad og tryg." not in client.get("/konflikter").text


def test_the_conflict_view_hides_a_schema_the_user_may_no_longer_open(world, client):
    """A conflict made while the dagplejer had the child: once the child has moved on, the
    conflict page no longer shows the live schema (404)."""
    login(client, world.dagplejer)
    data = payload(world, "draft")
    client.post(f"/boern/{world.child.id}/overgangsskema", data=data)
    schema = stored_schema(world)
    base = str(schema.version)
    client.post(
        f"/boern/{world.child.id}/overgangsskema", data={**data, "food": "A", "base_version": base}
    )
    stale = {**data, "food": "B", "base_version": base}
    answer = client.post("/api/sync", json={"items": [sync_item(stale)]}).json["results"][0]
    assert answer["status"] == "conflict"
    url = f"/konflikter/{answer['conflict_id']}"
    assert client.get(url).status_code == 200
    world.home.end_date = world.home.start_date  # the child left her home long ago
    db.session.commit()
    assert client.get(url).status_code == 404
