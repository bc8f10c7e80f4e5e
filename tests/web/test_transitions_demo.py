"""The demo: a child of dagplejer@opspor.demo moves to the børnehave next month; the børnehave
has a consented schema waiting for leder@opspor.demo, and a child whose schema was not shared."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.demo.seed import seed_demo
from app.extensions import db
from tests.web.transitions_helpers import login


@pytest.fixture
def demo(app):
    seed_demo(clock.today(), n_children=80)
    db.session.commit()


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_the_dagplejer_has_a_child_moving_to_the_boernehave(demo, client):
    login(client, user("dagplejer@opspor.demo"))
    page = client.get("/overgange").text
    assert "til Børnehaven Mælkebøtten" in page
    assert "Udfyld skema" in page


def test_the_leader_has_a_schema_to_acknowledge_and_one_child_without(demo, client):
    login(client, user("leder@opspor.demo"))
    page = client.get("/overgange/modtagne").text
    links = re.findall(r'href="(/overgange/modtagne/\d+)"', page)
    assert len(links) == 1 and "Ikke læst endnu" in page
    assert "Intet overgangsskema delt" in page
    assert client.get(links[0]).status_code == 200
    assert client.post(links[0] + "/kvitter").status_code == 303
    assert "Kvitteret" in client.get("/overgange/modtagne").text
