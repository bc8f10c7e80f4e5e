"""Staff administration: create with a first role, a one-time invitation link shown once and
stored only as a hash, roles in units, deactivation that ends sessions everywhere."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import Invitation, Membership, User
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_unit, make_user
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fresh_g")

LINK = re.compile(r'value="(http://localhost/invitation/[^"]+)"')


def new_staff(unit, **overrides) -> dict:
    data = {
        "name": "Mette Testholm",
        "email": "Mette.Testholm@kommune.example",
        "membership-unit_id": str(unit.id),
        "membership-role": "paedagog",
        "membership-supervisor_id": "0",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_and_sees_the_invitation_link_once(client, auth):
    unit = make_unit(kind=UnitKind.VUGGESTUE)
    auth.login(make_user(admin=True))
    response = client.post("/admin/medarbejdere/ny", data=new_staff(unit))
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "mette.testholm@kommune.example"))
    assert user.password_hash is None and user.roles == {Role.PAEDAGOG}
    assert response.headers["Location"] == f"/admin/medarbejdere/{user.id}"

    page = client.get(response.headers["Location"])
    link = LINK.search(page.text).group(1)
    assert "Det vises kun denne ene gang." in page.text
    assert page.headers["Cache-Control"] == "no-store"
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert stored.token_hash == Invitation.hash_token(token) and token not in stored.token_hash

    again = client.get(response.headers["Location"])
    assert not LINK.search(again.text)
    assert "Inviteret, link gyldigt til" in again.text


def test_the_invitation_link_lets_the_new_user_choose_a_password_and_log_in(client, auth):
    unit = make_unit(kind=UnitKind.VUGGESTUE)
    auth.login(make_user(admin=True))
    location = client.post("/admin/medarbejdere/ny", data=new_staff(unit)).headers["Location"]
    link = LINK.search(client.get(location).text).group(1)
    auth.logout()
    path = link.removeprefix("http://localhost")
    password = "en-lang-adgangskode"
    response = client.post(path, data={"password": password, "confirm": password})
    assert response.status_code == 303
    login = client.post(
        "/login", data={"email": "mette.testholm@kommune.example", "password": password}
    )
    assert login.status_code == 303


def test_duplicate_email_is_refused_next_to_the_field(client, auth):
    unit = make_unit(kind=UnitKind.VUGGESTUE)
    make_user(email="taken@kommune.example")
    auth.login(make_user(admin=True))
    response = client.post(
        "/admin/medarbejdere/ny", data=new_staff(unit, email="TAKEN@kommune.example")
    )
    assert response.status_code == 422
    assert "Der findes allerede en medarbejder med denne e-mail." in response.text
    assert 'value="Mette Testholm"' in response.text


def test_a_user_needs_a_role_or_administration(client, auth):
    make_unit()
    auth.login(make_user(admin=True))
    data = {"name": "Uden Rolle", "email": "uden@kommune.example", "membership-unit_id": "0"}
    response = client.post("/admin/medarbejdere/ny", data=data)
    assert response.status_code == 422
    assert "Giv medarbejderen en rolle i en enhed" in response.text
    admin_only = client.post("/admin/medarbejdere/ny", data={**data, "is_admin": "y"})
    assert admin_only.status_code == 303


def test_the_role_must_fit_the_kind_of_unit(client, auth):
    boernehave = make_unit(kind=UnitKind.BOERNEHAVE)
    auth.login(make_user(admin=True))
    response = client.post(
        "/admin/medarbejdere/ny", data=new_staff(boernehave, **{"membership-role": "dagplejer"})
    )
    assert response.status_code == 422
    assert "Rollen passer ikke til denne type enhed." in response.text


def test_dagplejer_gets_a_dagplejepaedagog_of_her_own_group(client, auth):
    dagpleje = make_unit(kind=UnitKind.DAGPLEJE)
    group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    other_group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE)
    own_dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    other_dpp = make_user(Role.DAGPLEJEPAEDAGOG, other_group)
    auth.login(make_user(admin=True))
    base = new_staff(group, **{"membership-role": "dagplejer"})
    wrong = client.post(
        "/admin/medarbejdere/ny", data={**base, "membership-supervisor_id": str(other_dpp.id)}
    )
    assert wrong.status_code == 422
    assert "Vælg en dagplejepædagog fra samme dagplejegruppe eller dagpleje." in wrong.text
    right = client.post(
        "/admin/medarbejdere/ny", data={**base, "membership-supervisor_id": str(own_dpp.id)}
    )
    assert right.status_code == 303
    dagplejer = db.session.scalar(select(User).where(User.name == "Mette Testholm"))
    assert dagplejer.memberships[0].supervisor_id == own_dpp.id


def test_admin_adds_and_removes_a_role(client, auth):
    unit, other = make_unit(kind=UnitKind.BOERNEHAVE), make_unit(kind=UnitKind.VUGGESTUE)
    member = make_user(Role.PAEDAGOG, unit)
    auth.login(make_user(admin=True))
    added = client.post(
        f"/admin/medarbejdere/{member.id}/roller",
        data={"membership-unit_id": str(other.id), "membership-role": "leder"},
    )
    assert added.status_code == 303
    db.session.refresh(member)
    assert member.roles == {Role.PAEDAGOG, Role.LEDER}
    twice = client.post(
        f"/admin/medarbejdere/{member.id}/roller",
        data={"membership-unit_id": str(other.id), "membership-role": "leder"},
    )
    assert twice.status_code == 422
    assert "Medarbejderen har allerede denne rolle i enheden." in twice.text
    leader = next(m for m in member.memberships if m.role is Role.LEDER)
    removed = client.post(f"/admin/medarbejdere/{member.id}/roller/{leader.id}/fjern")
    assert removed.status_code == 303
    db.session.expire_all()
    assert db.session.get(Membership, leader.id) is None


def test_a_membership_of_another_user_cannot_be_removed_through_this_user(client, auth):
    unit = make_unit()
    member, other = make_user(Role.PAEDAGOG, unit), make_user(Role.PAEDAGOG, unit)
    auth.login(make_user(admin=True))
    url = f"/admin/medarbejdere/{member.id}/roller/{other.memberships[0].id}/fjern"
    assert client.post(url).status_code == 404


def test_a_new_invitation_link_makes_the_old_one_useless(client, auth):
    unit = make_unit(kind=UnitKind.VUGGESTUE)
    auth.login(make_user(admin=True))
    location = client.post("/admin/medarbejdere/ny", data=new_staff(unit)).headers["Location"]
    first = LINK.search(client.get(location).text).group(1).removeprefix("http://localhost")
    user_id = int(location.rsplit("/", 1)[1])
    assert client.post(f"/admin/medarbejdere/{user_id}/invitation").status_code == 303
    second = LINK.search(client.get(location).text).group(1).removeprefix("http://localhost")
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_deactivation_ends_the_users_sessions_and_login(client, app, auth):
    unit = make_unit()
    member = make_user(Role.PAEDAGOG, unit, email="aktiv@kommune.example")
    other_device = app.test_client()
    with other_device.session_transaction() as session:
        session["_user_id"] = member.get_id()
    admin = make_user(admin=True)
    auth.login(admin)
    assert other_device.get("/").status_code == 200
    response = client.post(f"/admin/medarbejdere/{member.id}/deaktiver")
    assert response.status_code == 303
    assert "er deaktiveret og logget ud overalt" in client.get(response.headers["Location"]).text
    assert other_device.get("/").status_code == 302
    from tests.factories import PASSWORD

    credentials = {"email": "aktiv@kommune.example", "password": PASSWORD}
    login = app.test_client().post("/login", data=credentials)
    assert login.status_code == 401 and "Forkert e-mail eller adgangskode." in login.text
    assert client.post(f"/admin/medarbejdere/{member.id}/genaktiver").status_code == 303
    assert app.test_client().post("/login", data=credentials).status_code == 303


def test_an_admin_cannot_deactivate_himself_or_drop_his_own_admin_role(client, auth):
    admin = auth.login(make_user(admin=True))
    response = client.post(f"/admin/medarbejdere/{admin.id}/deaktiver")
    assert response.status_code == 422
    assert "Du kan ikke deaktivere dig selv." in response.text
    edit = client.post(
        f"/admin/medarbejdere/{admin.id}", data={"name": admin.name, "email": admin.email}
    )
    assert edit.status_code == 422
    assert "Du kan ikke fjerne din egen administratorrolle." in edit.text
    db.session.refresh(admin)
    assert admin.active and admin.is_admin


def test_admin_edits_name_email_and_adbb_certification(client, auth):
    member = make_user(Role.SUNDHEDSPLEJERSKE, make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT))
    auth.login(make_user(admin=True))
    response = client.post(
        f"/admin/medarbejdere/{member.id}",
        data={"name": "Nyt Navn", "email": "nyt@kommune.example", "adbb": "y"},
    )
    assert response.status_code == 303
    db.session.refresh(member)
    assert (member.name, member.email) == ("Nyt Navn", "nyt@kommune.example")
    assert member.qualifications["adbb"] is True


def test_staff_list_shows_roles_and_invitation_state_and_finds_by_name(client, auth):
    unit = make_unit("Solsikken", UnitKind.VUGGESTUE)
    make_user(Role.PAEDAGOG, unit, name="Karla Findmig")
    make_user(Role.PAEDAGOG, unit, name="Ikke Mig", active=False)
    auth.login(make_user(admin=True))
    page = client.get("/admin/medarbejdere?q=findmig").text
    assert "Karla Findmig" in page and "Pædagog · Solsikken" in page and "Ikke Mig" not in page
    assert "Ikke Mig" in client.get("/admin/medarbejdere?q=mig&inaktive=1").text


def test_staff_administration_is_for_administrators_only(client, auth):
    unit = make_unit()
    leader = make_user(Role.LEDER, unit)
    auth.login(leader)
    assert client.get("/admin/medarbejdere").status_code == 403
    assert client.post(f"/admin/medarbejdere/{leader.id}/deaktiver").status_code == 403
    assert client.post("/admin/medarbejdere/ny", data=new_staff(unit)).status_code == 403


def test_staff_list_has_no_n_plus_one_queries(client, auth, count_queries):
    units = [make_unit() for _ in range(3)]
    for i in range(20):
        make_user(Role.PAEDAGOG, units[i % 3])
    auth.login(make_user(admin=True))
    with count_queries() as statements:
        assert client.get("/admin/medarbejdere").status_code == 200
    assert len(statements) <= 10, statements
