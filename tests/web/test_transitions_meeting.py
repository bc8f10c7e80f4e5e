"""The handover meeting: never in the past; the side that booked it may change or cancel it,
and a cancelled meeting is kept with who, when and why but no longer shown as coming."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app import clock
from app.extensions import db
from tests.web.test_transitions_gate import make_schema, received_url
from tests.web.transitions_helpers import login, make_world, start_today

PAST = "Mødet kan ikke ligge i fortiden. Vælg en senere tid."


@pytest.fixture
def world(app):
    return make_world()


def book_url(world, schema) -> str:
    return f"/boern/{world.child.id}/overgangsskema/{schema.id}/moede"


def meeting(days: int = 10, prefix: str = "handover", **extra) -> dict:
    data = {
        "planned_on": (clock.today() + timedelta(days=days)).isoformat(),
        "planned_participants": "Forældrene, Dorthe og en pædagog",
        "purpose": "Godt i gang",
        "meeting_time": "10:30",
    }
    data.update(extra)
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_a_meeting_in_the_past_is_refused_and_the_values_kept(world, client):
    schema = make_schema(world, client)
    response = client.post(book_url(world, schema), data=meeting(days=-1, purpose="Vi ses"))
    assert response.status_code == 422
    assert PAST in response.text and "Vi ses" in response.text
    assert schema.meetings == []


def test_a_time_already_gone_today_is_refused(world, client):
    clock.freeze(datetime.combine(clock.today(), time(14, 0), tzinfo=clock.LOCAL_TZ))
    try:
        schema = make_schema(world, client)
        early = meeting(days=0, meeting_time="13:30")
        response = client.post(book_url(world, schema), data=early)
        assert response.status_code == 422 and PAST in response.text
        later = meeting(days=0, meeting_time="15:00")
        assert client.post(book_url(world, schema), data=later).status_code == 303
    finally:
        clock.freeze(None)


def test_the_booking_side_changes_the_meeting(world, client):
    schema = make_schema(world, client)
    assert client.post(book_url(world, schema), data=meeting()).status_code == 303
    m = schema.meetings[0]
    url = f"{book_url(world, schema)}/{m.id}"
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}").text
    assert f'action="{url}"' in page
    past = meeting(days=-2, prefix=f"m{m.id}", place="Mælkebøtten")
    response = client.post(url, data=past)
    assert response.status_code == 422 and PAST in response.text
    assert 'value="Mælkebøtten"' in response.text
    moved = meeting(days=12, prefix=f"m{m.id}", meeting_time="09:00", place="Mælkebøtten")
    assert client.post(url, data=moved).status_code == 303
    db.session.refresh(m)
    assert m.meeting_on == clock.today() + timedelta(days=12)
    assert (m.meeting_time.strftime("%H:%M"), m.place) == ("09:00", "Mælkebøtten")


def test_cancel_needs_a_reason_is_kept_and_leaves_boern_paa_vej(world, client):
    schema = make_schema(world, client)
    client.post(book_url(world, schema), data=meeting())
    m = schema.meetings[0]
    url = f"{book_url(world, schema)}/{m.id}/aflys"
    response = client.post(url, data={})
    assert response.status_code == 422 and "Skriv hvorfor mødet aflyses." in response.text
    assert client.post(url, data={f"x{m.id}-cancel_reason": "Mor er syg"}).status_code == 303
    db.session.refresh(m)
    assert m.cancelled_by_id == world.dagplejer.id and m.cancelled_at is not None
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}").text
    assert "Aflyst" in page and "Mor er syg" in page
    assert (
        client.post(
            f"{book_url(world, schema)}/{m.id}", data=meeting(prefix=f"m{m.id}")
        ).status_code
        == 404
    )
    login(client, world.bh_leader)
    coming = client.get("/overgange/modtagne").text
    assert world.child.name in coming and "Overleveringsmøde" not in coming


def test_only_the_side_that_booked_it_may_change_it(world, client):
    schema = make_schema(world, client)
    client.post(book_url(world, schema), data=meeting())
    theirs = schema.meetings[0]
    start_today(world)
    login(client, world.paedagog)
    assert client.post(received_url(schema) + "/moede", data=meeting(days=3)).status_code == 303
    db.session.refresh(schema)
    ours = next(m for m in schema.meetings if m.id != theirs.id)
    change = f"{received_url(schema)}/moede/{theirs.id}"
    assert client.post(change, data=meeting(prefix=f"m{theirs.id}")).status_code == 404
    assert (
        client.post(change + "/aflys", data={f"x{theirs.id}-cancel_reason": "x"}).status_code == 404
    )
    cancel = f"{received_url(schema)}/moede/{ours.id}/aflys"
    assert client.post(cancel, data={f"x{ours.id}-cancel_reason": "Flyttet"}).status_code == 303
    db.session.refresh(ours)
    assert ours.cancelled and ours.cancel_reason == "Flyttet"
