"""Administration of units and areas: administrators only, Danish errors next to the field."""

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.org.models import Area, Unit, UnitKind
from tests.factories import make_unit, make_user
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fresh_g")


def unit_data(**overrides) -> dict:
    area = db.session.query(Area).first()
    data = {
        "name": "Børnehuset Kastanjen",
        "kind": "boernehave",
        "area_id": str(area.id),
        "parent_id": "0",
        "address": "Kastanjevej 3",
        "phone": "12 34 56 78",
        "active": "y",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_unit(client, auth):
    make_unit()  # the municipality and an area exist
    auth.login(make_user(admin=True))
    assert client.get("/admin/enheder/ny").status_code == 200
    response = client.post("/admin/enheder/ny", data=unit_data())
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/enheder"
    unit = db.session.query(Unit).filter_by(name="Børnehuset Kastanjen").one()
    assert unit.kind is UnitKind.BOERNEHAVE and unit.active and unit.phone == "12 34 56 78"
    page = client.get("/admin/enheder").text
    assert "Børnehuset Kastanjen" in page and "Enheden Børnehuset Kastanjen er gemt." in page


def test_invalid_unit_is_shown_again_with_danish_errors_and_values_kept(client, auth):
    make_unit()
    auth.login(make_user(admin=True))
    response = client.post("/admin/enheder/ny", data=unit_data(name="", phone="ring til mig"))
    assert response.status_code == 422
    assert "Skriv enhedens navn." in response.text
    assert "Skriv et telefonnummer med cifre" in response.text
    assert 'value="Kastanjevej 3"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_unit_cannot_be_placed_below_itself(client, auth):
    top = make_unit("Dagplejen", UnitKind.DAGPLEJE)
    group = make_unit("Gruppe A", UnitKind.DAGPLEJEGRUPPE, parent=top)
    auth.login(make_user(admin=True))
    data = unit_data(name="Dagplejen", kind="dagpleje", parent_id=str(group.id))
    response = client.post(f"/admin/enheder/{top.id}", data=data)
    assert response.status_code == 422
    assert "En enhed kan ikke ligge under sig selv." in response.text
    db.session.refresh(top)
    assert top.parent_id is None


def test_a_dagplejegruppe_belongs_under_a_dagpleje(client, auth):
    boernehave = make_unit(kind=UnitKind.BOERNEHAVE)
    auth.login(make_user(admin=True))
    data = unit_data(name="Gruppe B", kind="dagplejegruppe", parent_id=str(boernehave.id))
    response = client.post("/admin/enheder/ny", data=data)
    assert response.status_code == 422
    assert "En dagplejegruppe skal høre under en dagpleje." in response.text


def test_admin_edits_and_deactivates_a_unit(client, auth):
    unit = make_unit("Gammelt navn")
    auth.login(make_user(admin=True))
    page = client.get(f"/admin/enheder/{unit.id}")
    assert 'value="Gammelt navn"' in page.text
    data = unit_data(name="Nyt navn")
    data.pop("active")
    assert client.post(f"/admin/enheder/{unit.id}", data=data).status_code == 303
    db.session.refresh(unit)
    assert unit.name == "Nyt navn" and not unit.active


def test_admin_adds_an_area(client, auth):
    make_unit()
    auth.login(make_user(admin=True))
    assert client.post("/admin/omraader", data={"area_name": "Dagtilbud Syd"}).status_code == 303
    assert db.session.query(Area).filter_by(name="Dagtilbud Syd").count() == 1
    empty = client.post("/admin/omraader", data={"area_name": ""})
    assert empty.status_code == 422 and "Skriv et navn." in empty.text


def test_unit_administration_is_for_administrators_only(client, auth):
    unit = make_unit()
    auth.login(make_user(Role.LEDER, unit))
    for url in ("/admin/enheder", "/admin/enheder/ny", f"/admin/enheder/{unit.id}"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/enheder/ny", data=unit_data()).status_code == 403


def test_the_unit_list_counts_children_without_showing_them(client, auth):
    from tests.factories import make_child

    unit = make_unit("Tællehuset")
    make_child(unit, first_name="Hemmelig")
    auth.login(make_user(admin=True))
    page = client.get("/admin/enheder").text
    assert "Tællehuset" in page and "Hemmelig" not in page
