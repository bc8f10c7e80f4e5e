"""The parametrised walk: every transition URL with each role from the wrong side → 404."""

from __future__ import annotations

import pytest

from tests.web.test_transitions_gate import make_schema
from tests.web.transitions_helpers import login, make_world, payload, start_today

SENDING = [
    ("get", "/boern/{c}/overgangsskema/ny"),
    ("get", "/boern/{c}/overgangsskema/{s}"),
    ("get", "/boern/{c}/overgangsskema/{s}/rediger"),
    ("get", "/boern/{c}/overgangsskema/{s}/print"),
    ("post", "/boern/{c}/overgangsskema"),
    ("post", "/boern/{c}/overgangsskema/{s}/samtykke"),
    ("post", "/boern/{c}/overgangsskema/{s}/samtykke/{k}/tilbagekald"),
    ("post", "/boern/{c}/overgangsskema/{s}/moede"),
]
RECEIVING = [
    ("get", "/overgange/modtagne/{s}"),
    ("post", "/overgange/modtagne/{s}/kvitter"),
    ("post", "/overgange/modtagne/{s}/moede"),
    ("post", "/overgange/modtagne/{s}/samtykke/{k}/tilbagekald"),
]


def _call(client, method, template, world, schema):
    url = template.format(c=world.child.id, s=schema.id, k=schema.consents[0].id)
    data = payload(world) if url.endswith("/overgangsskema") else {}
    return getattr(client, method)(url, data=data) if method == "post" else client.get(url)


@pytest.mark.parametrize(
    "who", ["other_dagplejer", "other_paedagog", "paedagog", "bh_leader", "nurse"]
)
def test_sending_side_refuses_everyone_but_the_sender(app, client, who):
    """Before the move: another home, another unit, the receiving unit and the district nurse
    (who sees the child) are all refused the dagplejer's schema."""
    world = make_world()
    schema = make_schema(world, client, consents=1)
    login(client, getattr(world, who))
    for method, url in SENDING:
        assert _call(client, method, url, world, schema).status_code == 404, (method, url)


@pytest.mark.parametrize("who", ["dagplejer", "dpp", "dagpleje_leader"])
def test_sending_side_opens_for_the_sender_her_supervisor_and_leader(app, client, who):
    world = make_world()
    schema = make_schema(world, client, consents=1)
    login(client, getattr(world, who))
    for template in ("/boern/{c}/overgangsskema/{s}", "/boern/{c}/overgangsskema/{s}/print"):
        assert _call(client, "get", template, world, schema).status_code == 200


@pytest.mark.parametrize("who", ["dagplejer", "dpp", "dagpleje_leader", "other_paedagog", "nurse"])
def test_receiving_side_refuses_everyone_but_the_receiving_unit(app, client, who):
    """After the move, with consent: only the børnehave's staff read it."""
    world = make_world()
    schema = make_schema(world, client)
    start_today(world)
    login(client, getattr(world, who))
    for method, url in RECEIVING:
        assert _call(client, method, url, world, schema).status_code == 404, (method, url)


def test_not_logged_in_goes_to_the_login_page(app, client, auth):
    world = make_world()
    schema = make_schema(world, client)
    auth.logout()
    for method, url in SENDING + RECEIVING:
        response = _call(client, method, url, world, schema)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]


def test_an_administrator_without_a_role_sees_no_transitions(app, client):
    from tests.factories import make_user

    world = make_world()
    schema = make_schema(world, client)
    start_today(world)
    login(client, make_user(admin=True))
    assert client.get("/overgange").status_code == 403
    assert client.get(f"/overgange/modtagne/{schema.id}").status_code == 403
