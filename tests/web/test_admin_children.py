"""Children in the administration: registration (CPR checked, never in a URL or the log),
enrolments (enrol, end, move keeping history), guardians, caseloads. Administrators work
municipality-wide but see no guardians or full CPR; leaders work within their units. Every view
and change is in the access log."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.models import AccessLog
from app.auth.roles import Role
from app.children.models import Caseload, Child, Enrolment
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_child, make_unit, make_user
from tests.web.admin_helpers import registration, synthetic_cpr
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fresh_g")


def log_of(child_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(
        select(AccessLog).where(AccessLog.child_id == child_id).order_by(AccessLog.id)
    )
    return [(r.action, r.what, r.role) for r in rows]


def born(days: int = 400):
    return clock.today() - timedelta(days=days)


@pytest.fixture
def vuggestue():
    return make_unit("Vuggestuen Mejsen", UnitKind.VUGGESTUE)


def test_admin_registers_and_enrols_a_child_with_a_guardian(client, auth, vuggestue, caplog):
    admin = auth.login(make_user(admin=True))
    birth = born()
    number = synthetic_cpr(birth)
    caplog.set_level(logging.DEBUG)
    form = client.get("/admin/boern/ny")
    assert form.status_code == 200 and "Vuggestuen Mejsen" in form.text
    response = client.post("/admin/boern/ny", data=registration(vuggestue.id, birth, cpr=number))
    assert response.status_code == 303
    child = db.session.scalar(select(Child).where(Child.last_name == "Testesen"))
    assert child.cpr == number and child.created_by_id == admin.id
    assert [e.unit_id for e in child.enrolments] == [vuggestue.id]
    guardian = child.guardians[0]
    assert (guardian.name, guardian.relation, guardian.language) == (
        "Bodil Testesen",
        "mor",
        "dansk",
    )
    assert response.headers["Location"] == f"/admin/boern/{child.id}"
    assert [(a, w.split(":")[0], r) for a, w, r in log_of(child.id)] == [
        ("create", "child", "administrator"),
        ("create", "enrolment", "administrator"),
        ("create", "guardian", "administrator"),
    ]
    # The CPR number is never in a URL, the access log or a log line.
    assert number not in response.headers["Location"]
    assert all(number not in what for _, what, _ in log_of(child.id))
    assert number not in caplog.text and number[:6] + "-" + number[6:] not in caplog.text


def test_registration_errors_stand_next_to_the_fields_and_values_are_kept(client, auth, vuggestue):
    auth.login(make_user(admin=True))
    birth = born()
    wrong = synthetic_cpr(birth + timedelta(days=1))
    data = registration(vuggestue.id, birth, cpr=wrong, first_name="", **{"enrolment-unit_id": "0"})
    response = client.post("/admin/boern/ny", data=data)
    assert response.status_code == 422
    assert "Skriv barnets fornavn." in response.text
    assert "Vælg en enhed." in response.text
    assert 'value="Testesen"' in response.text
    assert db.session.scalar(select(Child.id)) is None
    # CPR rules are checked once the rest is valid: it must agree with the birth date.
    response = client.post("/admin/boern/ny", data=registration(vuggestue.id, birth, cpr=wrong))
    assert response.status_code == 422
    assert "CPR-nummeret passer ikke med fødselsdatoen." in response.text
    assert 'id="cpr-error"' in response.text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345", "CPR-nummeret skal have 10 cifre (DDMMÅÅ-XXXX)."),
        ("3102224000", "CPR-nummeret indeholder ikke en gyldig dato."),
    ],
)
def test_invalid_cpr_blocks_the_save(client, auth, vuggestue, value, message):
    auth.login(make_user(admin=True))
    response = client.post("/admin/boern/ny", data=registration(vuggestue.id, born(), cpr=value))
    assert response.status_code == 422 and message in response.text


def test_modulus_11_failure_is_a_warning_and_the_child_is_saved(client, auth, vuggestue):
    auth.login(make_user(admin=True))
    birth = born()
    number = synthetic_cpr(birth, modulus_ok=False)
    response = client.post("/admin/boern/ny", data=registration(vuggestue.id, birth, cpr=number))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "opfylder ikke modulus 11" in page
    assert db.session.scalar(select(Child.cpr)) == number


def test_a_cpr_number_belongs_to_one_child_only(client, auth, vuggestue):
    birth = born()
    number = synthetic_cpr(birth)
    make_child(vuggestue, birth_date=birth, cpr=number)
    auth.login(make_user(admin=True))
    response = client.post("/admin/boern/ny", data=registration(vuggestue.id, birth, cpr=number))
    assert response.status_code == 422
    assert "Et andet barn er allerede registreret med dette CPR-nummer." in response.text


def test_a_child_without_cpr_and_without_guardian_can_be_registered(client, auth, vuggestue):
    auth.login(make_user(admin=True))
    data = registration(vuggestue.id, born(5), **{"guardian-name": "", "guardian-phone": ""})
    data.update({"guardian-email": "", "guardian-address": ""})
    assert client.post("/admin/boern/ny", data=data).status_code == 303
    child = db.session.scalar(select(Child))
    assert child.cpr is None and child.guardians == []


def test_a_dagplejegruppe_enrolment_needs_one_of_its_dagplejere(client, auth):
    dagpleje = make_unit(kind=UnitKind.DAGPLEJE)
    group = make_unit("Gruppe Øst", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    other_group = make_unit("Gruppe Vest", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    dorthe = make_user(Role.DAGPLEJER, group, name="Dorthe Dagplejer")
    lise = make_user(Role.DAGPLEJER, other_group)
    auth.login(make_user(admin=True))
    missing = client.post("/admin/boern/ny", data=registration(group.id, born()))
    assert missing.status_code == 422
    assert "Vælg den dagplejer, barnet skal være hos." in missing.text
    wrong = client.post(
        "/admin/boern/ny",
        data=registration(group.id, born(), **{"enrolment-dagplejer_id": str(lise.id)}),
    )
    assert "Dagplejeren hører ikke til den valgte dagplejegruppe." in wrong.text
    umbrella = client.post("/admin/boern/ny", data=registration(dagpleje.id, born()))
    assert "Vælg en dagplejegruppe under dagplejen." not in umbrella.text  # not offered
    assert umbrella.status_code == 422
    right = client.post(
        "/admin/boern/ny",
        data=registration(group.id, born(), **{"enrolment-dagplejer_id": str(dorthe.id)}),
    )
    assert right.status_code == 303
    assert db.session.scalar(select(Enrolment.dagplejer_id)) == dorthe.id


def test_leader_registers_into_his_own_units_only(client, auth, vuggestue):
    elsewhere = make_unit("Andet sted", UnitKind.BOERNEHAVE)
    leader = auth.login(make_user(Role.LEDER, vuggestue))
    form = client.get("/admin/boern/ny").text
    assert "Vuggestuen Mejsen" in form and "Andet sted" not in form
    refused = client.post("/admin/boern/ny", data=registration(elsewhere.id, born()))
    assert refused.status_code == 422
    assert "Vælg en af mulighederne." in refused.text  # not among his choices
    assert db.session.scalar(select(Child.id)) is None
    assert (
        client.post("/admin/boern/ny", data=registration(vuggestue.id, born())).status_code == 303
    )
    child = db.session.scalar(select(Child))
    assert log_of(child.id)[0] == ("create", "child", "leder")
    assert child.created_by_id == leader.id


def test_administrator_sees_no_guardians_or_full_cpr_and_no_child_page(client, auth, vuggestue):
    birth = born()
    number = synthetic_cpr(birth)
    child = make_child(vuggestue, birth_date=birth, cpr=number)
    auth.login(make_user(admin=True))
    page = client.get(f"/admin/boern/{child.id}")
    assert page.status_code == 200
    assert number[:6] + "-XXXX" in page.text and number[6:] not in page.text
    assert child.guardians[0].name not in page.text and "+45 99 00 00 00" not in page.text
    assert "1 forælder registreret." in page.text
    assert (
        client.get(f"/admin/boern/{child.id}/foraeldre/{child.guardians[0].id}").status_code == 403
    )
    assert client.get(f"/boern/{child.id}").status_code == 404
    assert log_of(child.id) == [("view", "admin:child", "administrator")]


def test_leader_sees_guardians_and_full_cpr_in_the_administration(client, auth, vuggestue):
    birth = born()
    number = synthetic_cpr(birth)
    child = make_child(vuggestue, birth_date=birth, cpr=number)
    auth.login(make_user(Role.LEDER, vuggestue))
    page = client.get(f"/admin/boern/{child.id}").text
    assert f"{number[:6]}-{number[6:]}" in page and child.guardians[0].name in page


def test_leader_cannot_administer_a_child_of_another_unit(client, auth, vuggestue):
    child = make_child(make_unit())
    auth.login(make_user(Role.LEDER, vuggestue))
    assert client.get(f"/admin/boern/{child.id}").status_code == 404
    assert client.get(f"/admin/boern?q={child.first_name}").text.count("child-link") == 0


def test_staff_without_leadership_cannot_use_the_child_administration(client, auth, vuggestue):
    auth.login(make_user(Role.PAEDAGOG, vuggestue))
    assert client.get("/admin/boern").status_code == 403
    assert (
        client.post("/admin/boern/ny", data=registration(vuggestue.id, born())).status_code == 403
    )


def test_moving_ends_the_old_enrolment_and_starts_the_new_one_in_one_action(client, auth):
    today = clock.today()
    vuggestue = make_unit("Vuggestuen", UnitKind.VUGGESTUE)
    boernehave = make_unit("Børnehaven", UnitKind.BOERNEHAVE)
    district = make_unit("Distriktet", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    child = make_child(vuggestue, birth_date=today - timedelta(days=1000))
    child.enrolments.append(Enrolment(unit=district, start_date=child.birth_date))
    old = next(e for e in child.enrolments if e.unit_id == vuggestue.id)
    auth.login(make_user(admin=True))
    url = f"/admin/boern/{child.id}/indmeldelser/{old.id}/flyt"
    form = client.get(url).text
    assert "Børnehaven" in form and "Distriktet" not in form  # same track only
    move_date = today + timedelta(days=14)
    data = {
        "unit_id": str(boernehave.id),
        "dagplejer_id": "0",
        "move_date": move_date.isoformat(),
        "version": str(old.version),
    }
    response = client.post(url, data=data)
    assert response.status_code == 303
    db.session.expire_all()
    daycare = sorted(
        (e for e in child.enrolments if e.unit_id != district.id), key=lambda e: e.start_date
    )
    assert [(e.unit_id, e.start_date, e.end_date) for e in daycare] == [
        (vuggestue.id, old.start_date, move_date - timedelta(days=1)),
        (boernehave.id, move_date, None),
    ]
    assert [a for a, w, _ in log_of(child.id) if w.startswith("enrolment")] == ["update", "create"]
    page = client.get(f"/admin/boern/{child.id}").text
    assert "Kommende" in page and "Vuggestuen" in page


def test_move_is_refused_when_it_would_break_history(client, auth):
    today = clock.today()
    vuggestue, district = (
        make_unit(kind=UnitKind.VUGGESTUE),
        make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT),
    )
    child = make_child(vuggestue, enrolled_from=today - timedelta(days=30))
    old = child.enrolments[0]
    auth.login(make_user(admin=True))
    url = f"/admin/boern/{child.id}/indmeldelser/{old.id}/flyt"
    base = {"unit_id": str(make_unit().id), "dagplejer_id": "0", "version": str(old.version)}
    early = client.post(url, data={**base, "move_date": old.start_date.isoformat()})
    assert early.status_code == 422
    assert "Flyttedatoen skal ligge efter den nuværende indmeldelse startede." in early.text
    cross = client.post(
        url, data={**base, "unit_id": str(district.id), "move_date": today.isoformat()}
    )
    assert cross.status_code == 422
    db.session.refresh(old)
    assert old.end_date is None


def test_a_stale_form_is_answered_409_and_nothing_changes(client, auth, vuggestue):
    child = make_child(vuggestue, enrolled_from=clock.today() - timedelta(days=30))
    old = child.enrolments[0]
    auth.login(make_user(admin=True))
    url = f"/admin/boern/{child.id}/indmeldelser/{old.id}/flyt"
    data = {
        "unit_id": str(make_unit().id),
        "dagplejer_id": "0",
        "move_date": clock.today().isoformat(),
        "version": str(old.version + 5),
    }
    response = client.post(url, data=data)
    assert response.status_code == 409
    assert "ændret af en anden" in response.text
    assert len(child.enrolments) == 1


def test_enrolling_over_an_existing_enrolment_points_to_move(client, auth, vuggestue):
    child = make_child(vuggestue, enrolled_from=clock.today() - timedelta(days=30))
    auth.login(make_user(admin=True))
    response = client.post(
        f"/admin/boern/{child.id}/indmeld",
        data={
            "enrolment-unit_id": str(make_unit().id),
            "enrolment-start_date": clock.today().isoformat(),
        },
    )
    assert response.status_code == 422
    assert "Brug “Flyt” for at skifte enhed." in response.text


def test_enrolling_in_a_district_alongside_daycare_is_allowed(client, auth, vuggestue):
    district = make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT)
    child = make_child(vuggestue)
    auth.login(make_user(admin=True))
    response = client.post(
        f"/admin/boern/{child.id}/indmeld",
        data={"enrolment-unit_id": str(district.id), "enrolment-start_date": "01.01.2025"},
    )
    assert response.status_code == 303
    assert {e.unit_id for e in child.enrolments} == {vuggestue.id, district.id}


def test_ending_an_enrolment(client, auth, vuggestue):
    child = make_child(vuggestue, enrolled_from=clock.today() - timedelta(days=30))
    enrolment = child.enrolments[0]
    leader = auth.login(make_user(Role.LEDER, vuggestue))
    url = f"/admin/boern/{child.id}/indmeldelser/{enrolment.id}/afslut"
    before = (enrolment.start_date - timedelta(days=1)).isoformat()
    too_early = client.post(url, data={"end_date": before, "version": "1"})
    assert too_early.status_code == 422
    assert "Den sidste dag kan ikke ligge før indmeldelsen startede." in too_early.text
    last_day = clock.today() + timedelta(days=30)
    done = client.post(url, data={"end_date": last_day.isoformat(), "version": "1"})
    assert done.status_code == 303
    db.session.refresh(enrolment)
    assert enrolment.end_date == last_day and enrolment.updated_by_id == leader.id


def test_an_enrolment_of_another_child_is_not_reachable_through_this_child(client, auth):
    unit = make_unit()
    mine, other = make_child(unit), make_child(unit)
    auth.login(make_user(Role.LEDER, unit))
    url = f"/admin/boern/{mine.id}/indmeldelser/{other.enrolments[0].id}/afslut"
    assert client.get(url).status_code == 404


def test_editing_the_child_keeps_cpr_write_only_and_checks_versions(client, auth, vuggestue):
    birth = born()
    number = synthetic_cpr(birth)
    child = make_child(vuggestue, birth_date=birth, cpr=number, first_name="Gammel")
    auth.login(make_user(Role.LEDER, vuggestue))
    form = client.get(f"/admin/boern/{child.id}/rediger").text
    assert number not in form and number[:6] not in form.split('name="cpr"')[1][:80]
    data = {
        "first_name": "Ny",
        "last_name": child.last_name,
        "birth_date": birth.isoformat(),
        "cpr": "",
        "version": str(child.version),
    }
    assert client.post(f"/admin/boern/{child.id}/rediger", data=data).status_code == 303
    db.session.refresh(child)
    assert child.first_name == "Ny" and child.cpr == number and child.version == 2
    stale = client.post(f"/admin/boern/{child.id}/rediger", data={**data, "first_name": "X"})
    assert stale.status_code == 409
    moved_birth = {**data, "version": "2", "birth_date": (birth - timedelta(days=3)).isoformat()}
    mismatch = client.post(f"/admin/boern/{child.id}/rediger", data=moved_birth)
    assert mismatch.status_code == 422
    assert "Fødselsdatoen passer ikke med det registrerede CPR-nummer." in mismatch.text
    removed = client.post(
        f"/admin/boern/{child.id}/rediger", data={**moved_birth, "remove_cpr": "y"}
    )
    assert removed.status_code == 303
    db.session.refresh(child)
    assert child.cpr is None
    assert [a for a, w, _ in log_of(child.id) if w == "child"] == ["update", "update"]


def test_leader_adds_and_corrects_a_guardian(client, auth, vuggestue):
    child = make_child(vuggestue)
    auth.login(make_user(Role.LEDER, vuggestue))
    guardian_fields = {
        "guardian-name": "Yusuf Testesen",
        "guardian-relation": "far",
        "guardian-phone": "12 34 56 78",
        "guardian-language": "arabisk",
        "guardian-needs_interpreter": "y",
        "guardian-has_custody": "y",
    }
    nameless = {**guardian_fields, "guardian-name": ""}
    empty = client.post(f"/admin/boern/{child.id}/foraeldre/ny", data=nameless)
    assert empty.status_code == 422 and "Skriv forælderens navn." in empty.text
    added = client.post(f"/admin/boern/{child.id}/foraeldre/ny", data=guardian_fields)
    assert added.status_code == 303
    db.session.refresh(child)
    yusuf = child.guardians[-1]
    assert yusuf.needs_interpreter and yusuf.language == "arabisk"
    edit_url = f"/admin/boern/{child.id}/foraeldre/{yusuf.id}"
    assert 'value="Yusuf Testesen"' in client.get(edit_url).text
    changed = {**guardian_fields, "guardian-phone": "87 65 43 21", "version": "1"}
    assert client.post(edit_url, data=changed).status_code == 303
    db.session.refresh(yusuf)
    assert yusuf.phone == "87 65 43 21"
    assert ("update", f"guardian:{yusuf.id}") in [(a, w) for a, w, _ in log_of(child.id)]


def test_assigning_a_new_nurse_ends_the_current_caseload(client, auth):
    district = make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT)
    hanne = make_user(Role.SUNDHEDSPLEJERSKE, district, name="Hanne")
    birgit = make_user(Role.SUNDHEDSPLEJERSKE, district, name="Birgit")
    child = make_child(district, nurse=hanne)
    auth.login(make_user(Role.LEDER, district))
    url = f"/admin/boern/{child.id}/sundhedsplejerske"
    same = client.post(url, data={"nurse_id": str(hanne.id), "start_date": "01.01.2026"})
    assert same.status_code == 422 and "Sundhedsplejersken følger allerede barnet." in same.text
    start = clock.today()
    moved = client.post(url, data={"nurse_id": str(birgit.id), "start_date": start.isoformat()})
    assert moved.status_code == 303
    loads = db.session.scalars(select(Caseload).order_by(Caseload.start_date)).all()
    assert [(c.nurse_id, c.end_date) for c in loads] == [
        (hanne.id, start - timedelta(days=1)),
        (birgit.id, None),
    ]
    end_url = f"/admin/boern/{child.id}/sundhedsplejerske/{loads[1].id}/afslut"
    assert client.post(end_url, data={"end_date": start.isoformat()}).status_code == 303


def test_a_daycare_leader_is_not_offered_nurses(client, auth, vuggestue):
    make_user(Role.SUNDHEDSPLEJERSKE, make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT))
    child = make_child(vuggestue)
    auth.login(make_user(Role.LEDER, vuggestue))
    assert "Tilknyt sundhedsplejerske" not in client.get(f"/admin/boern/{child.id}").text
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT))
    refused = client.post(
        f"/admin/boern/{child.id}/sundhedsplejerske",
        data={"nurse_id": str(nurse.id), "start_date": clock.today().isoformat()},
    )
    assert refused.status_code == 422


def test_admin_search_finds_children_municipality_wide_and_answers_htmx_with_a_fragment(
    client, auth, vuggestue
):
    make_child(vuggestue, first_name="Ingeborg", last_name="Søgsen")
    make_child(make_unit(), first_name="Ingrid", last_name="Andersen")
    auth.login(make_user(admin=True))
    page = client.get("/admin/boern?q=inge")
    assert "Ingeborg Søgsen" in page.text and "Ingrid" not in page.text
    assert "<html" in page.text
    fragment = client.get("/admin/boern?q=in", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "Ingeborg Søgsen" in fragment.text and "Ingrid Andersen" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
