"""Home list, scoped live search and the child's page: ages in Danish, CPR masked except for
those who need it, every view in the access log, another unit's child answers 404."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.models import AccessLog
from app.auth.roles import Role
from app.children.models import Enrolment
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_child, make_unit, make_user
from tests.web.admin_helpers import synthetic_cpr
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fresh_g")


def views_of(child_id):
    return db.session.execute(
        select(AccessLog.action, AccessLog.what, AccessLog.role).where(
            AccessLog.child_id == child_id
        )
    ).all()


def test_home_lists_the_leaders_children_with_age_and_unit(client, auth):
    unit = make_unit("Børnehaven Kløver")
    make_child(unit, first_name="Ellen", birth_date=clock.today() - timedelta(days=3 * 365 + 40))
    make_child(make_unit("Andet sted"), first_name="Fremmed")
    auth.login(make_user(Role.LEDER, unit))
    page = client.get("/").text
    assert "Ellen" in page and "Fremmed" not in page
    assert "Børnehaven Kløver" in page and "3 år og 1 mdr." in page
    assert "1 barn" in page


def test_home_has_no_n_plus_one_queries(client, auth, count_queries):
    unit = make_unit()
    for _ in range(30):
        make_child(unit)
    auth.login(make_user(Role.LEDER, unit))
    with count_queries() as statements:
        assert client.get("/").status_code == 200
    assert len(statements) <= 12, "\n".join(statements)


def test_home_is_paginated(client, auth):
    unit = make_unit()
    for i in range(55):
        make_child(unit, first_name=f"Barn{i:02d}")
    auth.login(make_user(Role.LEDER, unit))
    first = client.get("/").text
    assert "55 børn" in first and "Side 1 af 2" in first
    assert "Barn54" in client.get("/?page=2").text


def test_a_role_with_a_working_screen_gets_it_at_home(client, auth, monkeypatch):
    from app import web

    monkeypatch.setitem(web._HOME_SCREENS, "leder", lambda: "lederens arbejdsskærm")
    auth.login(make_user(Role.LEDER, make_unit()))
    assert client.get("/").text == "lederens arbejdsskærm"


def test_an_administrator_without_unit_roles_is_sent_to_the_administration(client, auth):
    auth.login(make_user(admin=True))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_search_by_name_is_scoped_and_answers_htmx_with_a_fragment(client, auth):
    unit = make_unit()
    make_child(unit, first_name="Sigrid", last_name="Mosegaard")
    make_child(make_unit(), first_name="Sigrun", last_name="Andetsted")
    auth.login(make_user(Role.PAEDAGOG, unit))
    full = client.get("/boern/soeg?q=sig")
    assert "Sigrid Mosegaard" in full.text and "Sigrun" not in full.text
    assert "<html" in full.text and "1 barn fundet" in full.text
    fragment = client.get("/boern/soeg?q=mose", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Sigrid Mosegaard" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/boern/soeg?q=mose", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


def test_search_by_birth_date_in_danish_format(client, auth):
    unit = make_unit()
    born = clock.today() - timedelta(days=700)
    make_child(unit, first_name="Datobarn", birth_date=born)
    make_child(unit, first_name="Andetbarn", birth_date=born - timedelta(days=1))
    auth.login(make_user(Role.PAEDAGOG, unit))
    for text in (born.strftime("%d.%m.%Y"), born.strftime("%d-%m-%y")):
        page = client.get("/boern/soeg", query_string={"q": text}).text
        assert "Datobarn" in page and "Andetbarn" not in page


def test_empty_search_shows_the_form_only(client, auth):
    auth.login(make_user(Role.PAEDAGOG, make_unit()))
    page = client.get("/boern/soeg").text
    assert 'id="q"' in page and "fundet" not in page


def test_child_page_shows_age_guardians_history_and_logs_the_view(client, auth):
    today = clock.today()
    vuggestue = make_unit("Vuggestuen Humlen", UnitKind.VUGGESTUE)
    dagpleje = make_unit("Dagplejen", UnitKind.DAGPLEJEGRUPPE)
    child = make_child(
        vuggestue, birth_date=today - timedelta(days=500), enrolled_from=today - timedelta(days=100)
    )
    child.enrolments.append(
        Enrolment(
            unit=dagpleje,
            start_date=today - timedelta(days=300),
            end_date=today - timedelta(days=101),
        )
    )
    paedagog = auth.login(make_user(Role.PAEDAGOG, vuggestue))
    page = client.get(f"/boern/{child.id}").text
    assert "16 måneder" in page
    assert child.guardians[0].name in page and "Vuggestuen Humlen" in page and "Dagplejen" in page
    assert views_of(child.id) == [("view", "child", "paedagog")]
    assert db.session.scalar(select(AccessLog.user_id)) == paedagog.id


@pytest.mark.parametrize(
    ("role", "full"),
    [(Role.PAEDAGOG, False), (Role.LEDER, True), (Role.SUNDHEDSPLEJERSKE, True)],
)
def test_cpr_is_masked_except_for_those_who_need_it(client, auth, role, full):
    kind = UnitKind.SUNDHEDSPLEJEDISTRIKT if role is Role.SUNDHEDSPLEJERSKE else UnitKind.VUGGESTUE
    unit = make_unit(kind=kind)
    born = clock.today() - timedelta(days=400)
    number = synthetic_cpr(born)
    child = make_child(unit, birth_date=born, cpr=number)
    auth.login(make_user(role, unit))
    page = client.get(f"/boern/{child.id}").text
    assert (f"{number[:6]}-{number[6:]}" in page) is full
    assert (f"{number[:6]}-XXXX" in page) is not full


def test_a_child_without_cpr_says_so(client, auth):
    unit = make_unit()
    child = make_child(unit)
    auth.login(make_user(Role.PAEDAGOG, unit))
    assert "Ikke registreret endnu" in client.get(f"/boern/{child.id}").text


def test_another_units_child_is_404_and_nothing_is_logged(client, auth):
    child = make_child(make_unit())
    auth.login(make_user(Role.PAEDAGOG, make_unit()))
    response = client.get(f"/boern/{child.id}")
    assert response.status_code == 404 and "Siden findes ikke" in response.text
    assert views_of(child.id) == []


def test_only_leaders_get_the_link_to_the_access_log(client, auth):
    unit = make_unit()
    child = make_child(unit)
    auth.login(make_user(Role.PAEDAGOG, unit))
    assert "adgangslog" not in client.get(f"/boern/{child.id}").text
    auth.login(make_user(Role.LEDER, unit))
    assert f"/boern/{child.id}/adgangslog" in client.get(f"/boern/{child.id}").text


def test_leaders_get_a_link_to_the_childs_administration(client, auth):
    unit = make_unit()
    child = make_child(unit)
    auth.login(make_user(Role.LEDER, unit))
    assert f"/admin/boern/{child.id}" in client.get(f"/boern/{child.id}").text
    auth.login(make_user(Role.PAEDAGOG, unit))
    assert f"/admin/boern/{child.id}" not in client.get(f"/boern/{child.id}").text
