"""The parents' consent: what the wording says is shared, and the typed signature."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app import clock
from app.extensions import db
from tests.web.test_transitions_gate import make_schema, received_url
from tests.web.transitions_helpers import login, make_world, start_today

HISTORY = "bekymringer, handleplaner, møder, sparringer og underretninger"


@pytest.fixture
def world(app):
    return make_world()


def schema_url(world, schema, tail: str = "") -> str:
    return f"/boern/{world.child.id}/overgangsskema/{schema.id}{tail}"


def consent(client, world, schema, guardian, signed_name, **extra):
    data = {"guardian_id": guardian.id, "method": "device", "signed_name": signed_name}
    data.update({"confirm": "y", **extra})
    return client.post(schema_url(world, schema, "/samtykke"), data=data)


# -- 1. what the history consent shares ---------------------------------------------------


def test_the_consent_form_names_everything_the_history_tick_shares(world, client):
    """The label and the statement name the courses of action, not only the assessments."""
    schema = make_schema(world, client, consents=0)
    page = client.get(schema_url(world, schema)).text
    statement = page.split('class="tr-statement"')[1].split("</div>")[0]
    assert HISTORY in statement
    label = page.split('name="share_wellbeing_history"')[1].split("</label>")[0]
    assert "trivselsvurderinger" in label and HISTORY in label


def test_the_parents_copy_and_the_receiver_name_what_was_shared(world, client):
    schema = make_schema(world, client, consents=0)
    for guardian in world.child.guardians:
        assert (
            consent(
                client, world, schema, guardian, guardian.name, share_wellbeing_history="y"
            ).status_code
            == 303
        )
    copy = client.get(schema_url(world, schema, "/print")).text
    what = copy.split("Hvad:")[1].split("</p>")[0]
    assert "trivselsvurderinger" in what and HISTORY in what
    start_today(world)
    login(client, world.bh_leader)
    page = client.get(received_url(schema)).text
    assert f"må se barnets trivselsvurderinger og de {HISTORY}" in page


# -- 2. the typed signature matches the chosen guardian ------------------------------------


MISMATCH = "Navnet passer ikke med den valgte forælder. Skriv forælderens fulde navn."


def test_a_signature_of_another_name_is_refused_and_the_values_kept(world, client):
    schema = make_schema(world, client, consents=0)
    father = world.child.guardians[1]  # Far Testesen
    response = consent(client, world, schema, father, "Mette Stenholt")
    assert response.status_code == 422
    assert MISMATCH in response.text
    assert 'value="Mette Stenholt"' in response.text
    assert f'<option selected value="{father.id}"' in response.text
    db.session.refresh(schema)
    assert schema.consents == []


@pytest.mark.parametrize("typed", ["far testesen", "  FAR   Testesen ", "Far\tTestesen"])
def test_case_and_spaces_do_not_matter(world, client, typed):
    schema = make_schema(world, client, consents=0)
    assert consent(client, world, schema, world.child.guardians[1], typed).status_code == 303


def test_first_and_last_name_are_enough_when_the_guardian_has_middle_names(world, client):
    father = world.child.guardians[1]
    father.name = "Mikkel Juul Stenholt"
    schema = make_schema(world, client, consents=0)
    assert consent(client, world, schema, father, "Mikkel Stenholt").status_code == 303
    assert consent(client, world, schema, world.child.guardians[0], "Mikkel").status_code == 422


# -- 4. consent after the start -----------------------------------------------------------


def both_consent(client, world, schema):
    for guardian in world.child.guardians:
        assert consent(client, world, schema, guardian, guardian.name).status_code == 303


def test_after_the_move_the_sender_can_still_record_the_consent(world, client):
    """A schema still waiting for consent when the child moved: the sending staff record it
    within sent_days, without seeing or changing the content; then the receiver may read."""
    schema = make_schema(world, client, consents=0)
    start_today(world)
    login(client, world.dagplejer)
    listing = client.get("/overgange").text
    page_url = schema_url(world, schema, "/samtykke")
    assert f'href="{page_url}"' in listing and "Intet er delt med den nye enhed." in listing
    page = client.get(page_url)
    assert page.status_code == 200
    assert "Giv samtykke" in page.text and "Glad og tryg." not in page.text
    assert client.get(schema_url(world, schema)).status_code == 404
    assert client.get(schema_url(world, schema, "/rediger")).status_code == 404
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404
    login(client, world.dagplejer)
    father = world.child.guardians[1]
    wrong = consent(client, world, schema, father, "Mette Stenholt")
    assert wrong.status_code == 422 and MISMATCH in wrong.text
    mother = world.child.guardians[0]
    first = consent(client, world, schema, mother, mother.name)
    assert first.status_code == 303 and first.location.endswith(page_url)
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404  # partial is no consent
    login(client, world.dagplejer)
    assert consent(client, world, schema, father, father.name).status_code == 303
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 200


def test_after_the_move_the_sender_can_withdraw_and_the_row_says_so(world, client):
    schema = make_schema(world, client)
    start_today(world)
    schema.acknowledged_at = clock.now()
    db.session.commit()
    login(client, world.dagplejer)
    assert "Skemaets indhold er hos den nye enhed." in client.get("/overgange").text
    c = schema.consents[0]
    url = schema_url(world, schema, f"/samtykke/{c.id}/tilbagekald")
    assert client.post(url, data={f"c{c.id}-withdrawal_note": "Ombestemt"}).status_code == 303
    listing = client.get("/overgange").text
    sent = listing[listing.index('id="sent-heading"') :]
    assert "Samtykke trukket tilbage" in sent
    assert "Skemaet deles ikke længere med den nye enhed." in sent
    assert "kvitteret" not in sent and "Skemaets indhold er hos" not in sent
    login(client, world.bh_leader)
    assert client.get(received_url(schema)).status_code == 404


def test_consent_after_the_move_only_within_sent_days_and_for_the_senders(world, client):
    schema = make_schema(world, client, consents=0)
    start_today(world)
    mother = world.child.guardians[0]
    login(client, world.other_dagplejer)
    assert client.get(schema_url(world, schema, "/samtykke")).status_code == 404
    assert consent(client, world, schema, mother, mother.name).status_code == 404
    login(client, world.dagplejer)
    later = datetime.combine(clock.today() + timedelta(days=61), time(12), tzinfo=clock.LOCAL_TZ)
    clock.freeze(later)
    try:
        assert client.get(schema_url(world, schema, "/samtykke")).status_code == 404
        assert consent(client, world, schema, mother, mother.name).status_code == 404
    finally:
        clock.freeze(None)


# -- 5. wording after the start -------------------------------------------------------------


def test_the_received_header_says_the_child_started(world, client):
    schema = make_schema(world, client)
    start_today(world)
    login(client, world.bh_leader)
    page = client.get(received_url(schema)).text
    header = page.split('class="page-header"')[1].split("</header>")[0]
    assert f"startede {clock.today():%d.%m.%Y}" in header and "starter" not in header
