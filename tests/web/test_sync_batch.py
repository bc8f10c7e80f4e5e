"""A sync batch as a whole: a fixed number of SQL statements whatever its size, and one bad item
never costing the others (the batch is taken again item by item when it must)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.assessments import rules as assessment_rules
from app.assessments.models import Assessment
from app.audit.models import AccessLog
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from app.sync import registry
from app.sync.models import Conflict, SyncReceipt
from app.visits import services as visit_services
from app.visits.models import ChildSex, PlannedVisit, Visit, VisitRevision
from tests.factories import make_child, make_unit, make_user
from tests.web.test_assessments_routes import payload as assessment_payload
from tests.web.test_sync_kind import Note, note_kind_fixture  # noqa: F401
from tests.web.test_visits_record import payload


@pytest.fixture
def nurse(auth):
    district = make_unit("Sundhedsplejen Syd", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    return auth.login(make_user(Role.SUNDHEDSPLEJERSKE, district))


def baby(nurse):
    return make_child(nurse=nurse, birth_date=clock.today() - timedelta(days=63), cpr=None)


def visit_item(child, **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "created_at": "2026-03-02T08:15:00Z",
        "payload": payload(child, **overrides),
    }


def sync(client, items) -> list[dict]:
    response = client.post("/api/sync", json={"items": items})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["results"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_batch_runs_as_many_statements_for_50_visits_as_for_10(client, nurse, count_queries):
    """What every item reads is read once for the batch and the records are written together:
    the number of SQL statements does not grow with the number of items."""
    sizes = {}
    for n in (10, 50):
        children = [baby(nurse) for _ in range(8)]
        db.session.commit()
        batch = [visit_item(children[i % len(children)]) for i in range(n)]
        with count_queries() as statements:
            results = sync(client, batch)
        assert [r["status"] for r in results] == ["accepted"] * n
        assert {r["version"] for r in results} == {1}
        sizes[n] = len(statements)
    assert sizes[50] == sizes[10] <= 25, sizes
    assert count(Visit) == 60 and count(SyncReceipt) == 60
    assert count(ChildSex) == 16
    assert db.session.scalar(select(func.count()).where(AccessLog.channel == "offline")) == 60


def test_an_invalid_visit_between_two_good_ones_is_answered_alone(client, nurse, count_queries):
    """Refusing writes nothing, so the batch stays in its one savepoint."""
    child = baby(nurse)
    db.session.commit()
    items = [visit_item(child), visit_item(child, weight_g="tung"), visit_item(child)]
    with count_queries() as statements:
        results = sync(client, items)
    assert [r["status"] for r in results] == ["accepted", "invalid", "accepted"]
    assert "weight_g" in results[1]["errors"]
    assert len([s for s in statements if s.startswith("SAVEPOINT")]) == 1
    assert count(Visit) == 2 and count(SyncReceipt) == 2


def test_a_visit_sent_again_changed_is_a_conflict_kept_beside_it(client, nurse):
    child = baby(nurse)
    first = visit_item(child)
    sync(client, [first])
    changed = visit_item(child, uuid=first["payload"]["uuid"], weight_g="5700")
    results = sync(client, [changed, visit_item(child)])
    assert [r["status"] for r in results] == ["conflict", "accepted"]
    visit = db.session.scalar(select(Visit).where(Visit.uuid == first["payload"]["uuid"]))
    conflict = db.session.get(Conflict, results[0]["conflict_id"])
    assert (visit.weight_g, visit.version) == (5600, 1)
    assert (conflict.record_id, conflict.payload["weight_g"]) == (visit.id, "5700")


def assessment_item(child, **overrides) -> dict:
    today = clock.today()
    data = assessment_payload(
        child,
        assessed_on=today.isoformat(),
        age_band=assessment_rules.age_band(child.birth_date, today),
        **overrides,
    )
    return {"id": str(uuid.uuid4()), "kind": "assessment", "payload": data}


def test_a_batch_runs_as_many_statements_for_50_assessments_as_for_10(client, auth, count_queries):
    unit = make_unit("Børnehaven Mælkebøtten")
    auth.login(make_user(Role.PAEDAGOG, unit))
    sizes = {}
    for n in (10, 50):
        born = clock.today() - timedelta(days=4 * 365)
        children = [make_child(unit, birth_date=born) for _ in range(8)]
        db.session.commit()
        batch = [assessment_item(children[i % len(children)]) for i in range(n)]
        with count_queries() as statements:
            results = sync(client, batch)
        assert [r["status"] for r in results] == ["accepted"] * n
        sizes[n] = len(statements)
    assert sizes[50] == sizes[10] <= 25, sizes
    logged = select(func.count()).where(AccessLog.what.like("assessment:%"))
    assert count(Assessment) == 60 and db.session.scalar(logged) == 60


def test_an_item_may_correct_an_assessment_made_earlier_in_the_batch(client, auth):
    unit = make_unit("Børnehaven Solsikken")
    auth.login(make_user(Role.PAEDAGOG, unit))
    child = make_child(unit, birth_date=clock.today() - timedelta(days=4 * 365))
    made = assessment_item(child)
    corrected = assessment_item(
        child,
        supersedes=made["payload"]["uuid"],
        base_version="1",
        correction_reason="Forkert område",
        note_social="Leger mest alene.",
    )
    results = sync(client, [made, corrected])
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    first, second = db.session.scalars(select(Assessment).order_by(Assessment.id))
    assert (first.current, second.current, second.supersedes_id) == (False, True, first.id)


def test_a_failing_item_costs_the_batch_its_speed_not_the_other_items(client, nurse, monkeypatch):
    """The batch runs again with a savepoint per item: the others are stored once, each with
    one receipt and one access-log row, and the failing one answers error."""
    child = baby(nurse)
    items = [visit_item(child) for _ in range(3)]
    bad = items[1]["payload"]["uuid"]
    derive = visit_services._derive

    def failing(visit, *args):
        if visit.uuid == bad:
            raise RuntimeError("bug")
        return derive(visit, *args)

    monkeypatch.setattr(visit_services, "_derive", failing)
    results = sync(client, items)
    assert [r["status"] for r in results] == ["accepted", "error", "accepted"]
    assert sorted(db.session.scalars(select(Visit.uuid))) == sorted(
        [items[0]["payload"]["uuid"], items[2]["payload"]["uuid"]]
    )
    assert count(SyncReceipt) == 2
    logged = db.session.scalars(select(AccessLog.what).where(AccessLog.channel == "offline"))
    assert sorted(logged) == sorted(f"visit:{v.id}" for v in db.session.scalars(select(Visit)))


def test_an_item_that_refuses_after_writing_leaves_nothing(client, note_kind, nurse):
    """A kind that wrote and then answered invalid: only a savepoint of its own undoes that."""
    child = baby(nurse)

    def writes_then_refuses(user, data, *, channel="online"):
        db.session.add(Note(uuid=data["uuid"], child_id=child.id, text="halv", form_version=1))
        db.session.flush()
        return registry.SubmitResult("invalid", errors={"text": ["Nej."]})

    registry.register_record_kind("refusing", writes_then_refuses)
    try:
        refusing = {**visit_item(child), "kind": "refusing"}
        results = sync(client, [visit_item(child), refusing, visit_item(child)])
    finally:
        registry._KINDS.pop("refusing")
    assert [r["status"] for r in results] == ["accepted", "invalid", "accepted"]
    assert db.session.scalars(select(Note)).all() == []
    assert count(Visit) == 2


def test_an_item_may_correct_a_visit_made_earlier_in_the_batch(client, nurse):
    child = baby(nurse)
    made = visit_item(child)
    corrected = visit_item(
        child,
        uuid=made["payload"]["uuid"],
        weight_g="5650",
        base_version="1",
        correction_reason="Vejet igen",
    )
    results = sync(client, [made, corrected])
    assert [(r["status"], r["version"]) for r in results] == [("accepted", 1), ("accepted", 2)]
    visit = db.session.scalar(select(Visit))
    assert (visit.weight_g, visit.version) == (5650, 2)
    assert db.session.scalar(select(VisitRevision.content))["weight_g"] == 5600


def test_a_planned_visit_is_recorded_by_one_item_of_a_batch_only(client, nurse):
    child = baby(nurse)
    planned = PlannedVisit(
        child_id=child.id, nurse_id=nurse.id, source="behov", visit_type="maaned2",
        planned_date=clock.today(),
    )  # fmt: skip
    db.session.add(planned)
    db.session.commit()
    items = [visit_item(child, planned_visit_id=str(planned.id)) for _ in range(2)]
    results = sync(client, items)
    assert [r["status"] for r in results] == ["accepted", "invalid"]
    assert "planned_visit_id" in results[1]["errors"]
    assert db.session.get(PlannedVisit, planned.id).status == "gennemfoert"
