"""The parents' consent: what the wording says is shared, and the typed signature."""

from __future__ import annotations

import pytest

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
