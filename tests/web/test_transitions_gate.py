"""The receiving unit's gate: nothing without consent, visible once the child is enrolled,
refused again after a withdrawal. Every read is in the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.models import AccessLog
from app.extensions import db
from app.transitions.models import TransitionSchema
from tests.web.transitions_helpers import login, make_world, payload, start_today


@pytest.fixture
def world(app):
    return make_world()


def make_schema(world, client, consents: int = 2) -> TransitionSchema:
    """The dagplejer finishes the schema; `consents` custodians sign on the device."""
    login(client, world.dagplejer)
    client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world, "finish"))
    schema = db.session.scalar(
        select(TransitionSchema).where(TransitionSchema.child_id == world.child.id)
    )
    for guardian in world.child.guardians[:consents]:
        response = client.post(
            f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke",
            data={
                "guardian_id": guardian.id,
                "method": "device",
                "signed_name": guardian.name,
                "confirm": "y",
            },
        )
        assert response.status_code == 303
    return schema


def received_url(schema) -> str:
    return f"/overgange/modtagne/{schema.id}"


# -- one test per rule ------------------------------------------------------------------


def test_no_consent_the_receiving_unit_is_refused(world, client):
    """A finished schema without consent: 404 even once the child has started."""
    schema = make_schema(world, client, consents=0)
    start_today(world)
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404


def test_partial_consent_is_no_consent(world, client):
    schema = make_schema(world, client, consents=1)
    start_today(world)
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404


def test_consent_but_not_yet_enrolled_is_refused(world, client):
    """Not before the child is enrolled with them."""
    schema = make_schema(world, client)
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404


def test_consent_visible_once_enrolled(world, client):
    schema = make_schema(world, client)
    start_today(world)
    for user in (world.bh_leader, world.paedagog):
        login(client, user)
        page = client.get(received_url(schema))
        assert page.status_code == 200
        assert "Glad og tryg." in page.text
        assert page.headers["Cache-Control"] == "no-store"


def test_withdrawal_refuses_again_at_once(world, client):
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 200
    consent = schema.consents[1]
    consent.withdrawn_at = clock.now()
    db.session.commit()
    assert client.get(received_url(schema)).status_code == 404
    assert client.post(received_url(schema) + "/kvitter").status_code == 404


def test_another_unit_is_refused(world, client):
    schema = make_schema(world, client)
    start_today(world)
    for user in (world.other_paedagog, world.nurse, world.other_dagplejer):
        login(client, user)
        assert client.get(received_url(schema)).status_code == 404


def test_refused_again_when_the_child_has_left_the_receiving_unit(world, client):
    schema = make_schema(world, client)
    start_today(world)
    world.coming.start_date = clock.today() - timedelta(days=30)
    world.coming.end_date = clock.today() - timedelta(days=1)
    db.session.commit()
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404


@pytest.mark.parametrize("sender_needs_both", [False, True])
def test_the_sending_municipality_decides_whose_consent_is_needed(world, client, sender_needs_both):
    """The schema belongs to the sender: its municipality's consent rule counts on the gate
    page, on the receiving list and in the reminders, wherever the receiving unit is."""
    from app.org.models import Area, Municipality
    from app.reminders.sources import Org, pending_transitions

    other = Municipality(name="Andrup Kommune", code="997")
    other.settings = {"transitions": {"consent_from_all_custodians": not sender_needs_both}}
    world.boernehave.area = Area(municipality=other, name="Område B")
    world.group.area.municipality.settings = {
        "transitions": {"consent_from_all_custodians": sender_needs_both}
    }
    schema = make_schema(world, client, consents=1)
    start_today(world)
    login(client, world.bh_leader)
    shared = not sender_needs_both
    assert client.get(received_url(schema)).status_code == (200 if shared else 404)
    assert (received_url(schema) in client.get("/overgange/modtagne").text) is shared
    keys = {f.key for f in pending_transitions(Org(), clock.today())}
    assert (f"transition:{schema.id}" in keys) is shared


# -- what the receiving unit sees ---------------------------------------------------------


def test_before_the_start_the_list_shows_only_that_the_child_is_coming(world, client):
    schema = make_schema(world, client)
    login(client, world.bh_leader)
    page = client.get("/overgange/modtagne")
    assert world.child.name in page.text
    assert received_url(schema) not in page.text
    assert "Glad og tryg." not in page.text


def test_a_meeting_booked_before_the_start_shows_as_a_date_only(world, client):
    schema = make_schema(world, client)
    on = clock.today() + timedelta(days=10)
    meeting = {
        "handover-planned_on": on.isoformat(),
        "handover-planned_participants": "Forældrene, Dorthe og en pædagog",
        "handover-purpose": "Hemmelig dagsorden",
        "handover-meeting_time": "10:30",
    }
    url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/moede"
    assert client.post(url, data=meeting).status_code == 303
    login(client, world.bh_leader)
    page = client.get("/overgange/modtagne").text
    coming = page[page.index('id="coming-heading"') : page.index('id="without-heading"')]
    assert f"Overleveringsmøde {on:%d.%m.%Y} kl. 10:30" in coming
    assert "Hemmelig dagsorden" not in page and "Forældrene, Dorthe" not in page
    schema.consents[0].withdrawn_at = clock.now()
    db.session.commit()
    assert "Overleveringsmøde" not in client.get("/overgange/modtagne").text


def test_without_consent_the_list_says_nothing_was_shared(world, client):
    make_schema(world, client, consents=0)
    start_today(world)
    login(client, world.bh_leader)
    page = client.get("/overgange/modtagne")
    assert "Intet overgangsskema delt" in page.text
    assert "/overgange/modtagne/" not in page.text.replace('href="/overgange/modtagne"', "")


def test_with_consent_the_list_links_the_schema(world, client):
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.paedagog)
    page = client.get("/overgange/modtagne")
    assert received_url(schema) in page.text and "Ikke læst endnu" in page.text


def test_every_read_is_logged(world, client):
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.paedagog)
    client.get(received_url(schema))
    client.get(received_url(schema))
    reads = db.session.scalars(
        select(AccessLog).where(
            AccessLog.user_id == world.paedagog.id, AccessLog.child_id == world.child.id
        )
    ).all()
    assert [(e.action, e.what) for e in reads] == [("view", f"transition:{schema.id}:received")] * 2


def test_a_meeting_form_shown_again_with_errors_is_logged_as_a_read(world, client):
    """An invalid meeting re-renders the whole schema: that read is in the access log too."""
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.paedagog)
    assert client.post(received_url(schema) + "/moede", data={}).status_code == 422
    reads = db.session.scalars(
        select(AccessLog.what).where(
            AccessLog.user_id == world.paedagog.id, AccessLog.action == "view"
        )
    ).all()
    assert reads == [f"transition:{schema.id}:received"]


def test_acknowledge_and_the_sender_sees_it(world, client):
    schema = make_schema(world, client)
    login(client, world.bh_leader)
    sending_page = f"/boern/{world.child.id}/overgangsskema/{schema.id}"
    start_today(world)
    assert client.post(received_url(schema) + "/kvitter").status_code == 303
    db.session.refresh(schema)
    assert schema.acknowledged_by_id == world.bh_leader.id
    page = client.get(received_url(schema))
    assert "Kvitteret" in page.text and "Vi har læst skemaet" not in page.text
    # The dagplejer no longer has the child (it left her home yesterday): 404 for her now.
    login(client, world.dagplejer)
    assert client.get(sending_page).status_code == 404


@pytest.mark.parametrize("who", ["dagplejer", "dpp", "dagpleje_leader"])
def test_after_the_move_the_sender_sees_the_status_and_the_acknowledgement(world, client, who):
    """A status row (no content) for 60 days after the start: name, start, receiver, status
    and when it was acknowledged; the parents' copy can still be printed."""
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.bh_leader)
    client.post(received_url(schema) + "/kvitter")
    login(client, getattr(world, who))
    page = client.get("/overgange").text
    sent = page[page.index('id="sent-heading"') :]
    assert world.child.name in sent and "til Børnehaven Mælkebøtten" in sent
    assert "Kvitteret af modtager" in sent and "kvitteret " in sent
    assert "Glad og tryg." not in page
    print_url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/print"
    assert print_url in sent and client.get(print_url).status_code == 200
    assert client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}").status_code == 404
    if who == "dagpleje_leader":
        overview = page[page.index('id="overview-heading"') : page.index("</section>")]
        assert "Kvitteret af modtager" in overview


def test_the_status_row_is_for_the_senders_only_and_only_for_a_while(world, client):
    schema = make_schema(world, client)
    start_today(world)
    for user in (world.other_dagplejer, world.nurse, world.paedagog):
        login(client, user)
        assert 'id="sent-heading"' not in client.get("/overgange").text
    world.coming.start_date = clock.today() - timedelta(days=61)
    world.home.end_date = world.coming.start_date - timedelta(days=1)
    db.session.commit()
    login(client, world.dagplejer)
    assert world.child.name not in client.get("/overgange").text
    print_url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/print"
    assert client.get(print_url).status_code == 404


def test_without_consent_nothing_can_be_printed_after_the_move(world, client):
    schema = make_schema(world, client, consents=0)
    start_today(world)
    login(client, world.dagplejer)
    page = client.get("/overgange").text
    assert "Afventer samtykke" in page[page.index('id="sent-heading"') :]
    print_url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/print"
    assert print_url not in page and client.get(print_url).status_code == 404


def test_acknowledged_shows_on_the_senders_list_while_the_child_is_still_there(world, client):
    schema = make_schema(world, client)
    schema.acknowledged_at = clock.now()
    db.session.commit()
    login(client, world.dagplejer)
    assert "Kvitteret af modtager" in client.get("/overgange").text


def test_a_leader_of_both_units_cannot_read_it_through_the_sending_side_after_the_move(app, client):
    """Leading both the dagpleje and the børnehave gives no path around the consent gate."""
    world = make_world()
    from app.auth.models import Membership
    from app.auth.roles import Role

    both = world.dagpleje_leader
    both.memberships.append(Membership(unit=world.boernehave, role=Role.LEDER))
    schema = make_schema(world, client, consents=0)
    start_today(world)
    login(client, both)
    assert client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}").status_code == 404
    assert (
        client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}/print").status_code == 404
    )
    assert client.get(received_url(schema)).status_code == 404
    assert "Glad og tryg." not in client.get(f"/boern/{world.child.id}").text


def test_the_receiver_can_book_a_meeting_and_record_a_withdrawal(world, client):
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.paedagog)
    meeting = {
        "handover-planned_on": (clock.today() + timedelta(days=7)).isoformat(),
        "handover-planned_participants": "Forældrene og Jonas",
        "handover-purpose": "Godt i gang",
    }
    assert client.post(received_url(schema) + "/moede", data=meeting).status_code == 303
    consent = schema.consents[0]
    url = f"{received_url(schema)}/samtykke/{consent.id}/tilbagekald"
    assert client.post(url, data={}).status_code == 303
    assert client.get(received_url(schema)).status_code == 404


def test_the_child_page_links_the_received_schema(world, client):
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.paedagog)
    page = client.get(f"/boern/{world.child.id}")
    assert received_url(schema) in page.text
