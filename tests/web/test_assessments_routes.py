"""The assessment form, corrections, the offline submit contract, Mine børn and scoping."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.assessments import rules
from app.assessments.models import Assessment, AssessmentKind
from app.assessments.services import submit_assessment
from app.audit.models import AccessLog
from app.audit.services import write_pending
from app.auth.models import Membership
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from app.signals import assessment_recorded
from app.sync.registry import submitter
from tests.factories import make_child, make_unit, make_user

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    yield
    clock.freeze(None)


@pytest.fixture
def team(app):
    """A børnehave with two pædagoger and a leader, a child there and one elsewhere."""
    unit = make_unit("Børnehaven Kløver", UnitKind.BOERNEHAVE)
    other = make_unit("Børnehaven Andetsted", UnitKind.BOERNEHAVE)
    born = TODAY - timedelta(days=4 * 365)
    return {
        "unit": unit,
        "jonas": make_user(Role.PAEDAGOG, unit, name="Jonas Testesen"),
        "signe": make_user(Role.PAEDAGOG, unit, name="Signe Testesen"),
        "leader": make_user(Role.LEDER, unit, name="Leder Testesen"),
        "child": make_child(unit, birth_date=born, first_name="Alma", enrolled_from=born),
        "stranger": make_child(other, birth_date=born, first_name="Fremmed"),
    }


def payload(child, **changes) -> dict:
    data = {
        "uuid": str(uuid.uuid4()),
        "child_id": str(child.id),
        "form_version": "1",
        "kind": "individual",
        "age_band": rules.age_band(child.birth_date, TODAY),
        "assessed_on": TODAY.isoformat(),
        "indicators": ["psykisk.groen.1", "social.groen.2"],
        "note_social": "Leger godt med de andre.",
        "position": "groen",
        "justification": "",
        "parents_discussed_on": "",
        "parents_discussed_how": "",
        "parents_view": "",
    }
    data.update(changes)
    return data


def test_the_form_follows_the_offline_contract(client, auth, team):
    """The form carries the record kind and the hidden uuid, child and form version."""
    auth.login(team["jonas"])
    response = client.get(f"/vurderinger/ny?child_id={team['child'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-offline-kind="assessment"' in html
    for name in ("uuid", "child_id", "form_version"):
        assert f'name="{name}"' in html
    assert "Psykisk og emotionel trivsel" in html
    assert "Er udhvilet ved aflevering" in html  # the 3–6 signs
    assert submitter("assessment") is submit_assessment


def test_a_valid_assessment_is_saved_and_redirects(client, auth, team):
    auth.login(team["jonas"])
    data = payload(team["child"])
    response = client.post("/vurderinger/ny", data=data)
    assert response.status_code == 303
    saved = db.session.scalar(select(Assessment).where(Assessment.uuid == data["uuid"]))
    assert saved.kind is AssessmentKind.INDIVIDUAL and not saved.concluding
    assert saved.unit_id == team["unit"].id
    assert saved.indicators == ["psykisk.groen.1", "social.groen.2"]
    assert saved.notes == {"social": "Leger godt med de andre."}
    assert saved.created_by_id == team["jonas"].id and saved.version == 1
    assert db.session.scalar(
        select(AccessLog).where(AccessLog.what == f"assessment:{saved.id}")
    ).action == ("create")


def test_invalid_input_is_shown_again_with_danish_errors_and_kept_values(client, auth, team):
    auth.login(team["jonas"])
    data = payload(team["child"], position="", note_social="Min egen tekst")
    response = client.post("/vurderinger/ny", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vælg barnets position." in html
    assert "Min egen tekst" in html
    assert 'value="social.groen.2" checked' in html
    assert data["uuid"] in html  # the same record id, so a retry stays idempotent
    assert db.session.scalar(select(Assessment)) is None


def test_yellow_and_red_need_a_justification(client, auth, team):
    auth.login(team["jonas"])
    response = client.post("/vurderinger/ny", data=payload(team["child"], position="gul"))
    assert response.status_code == 422
    assert "Skriv en kort begrundelse for gul eller rød position." in response.get_data(
        as_text=True
    )


def test_dates_in_the_future_or_not_dates_are_refused(client, auth, team):
    auth.login(team["jonas"])
    future = (TODAY + timedelta(days=1)).isoformat()
    html = client.post("/vurderinger/ny", data=payload(team["child"], assessed_on=future)).get_data(
        as_text=True
    )
    assert "Datoen kan ikke ligge i fremtiden." in html
    response = client.post("/vurderinger/ny", data=payload(team["child"], assessed_on="31.02.x"))
    assert response.status_code == 422
    assert "Skriv en gyldig dato (dd.mm.åååå)." in response.get_data(as_text=True)


def test_a_joint_assessment_needs_the_minimum_of_individual_ones(client, auth, team):
    child = team["child"]
    auth.login(team["jonas"])
    assert client.post("/vurderinger/ny", data=payload(child)).status_code == 303
    joint = payload(child, kind="joint", participants="Jonas og Signe")
    response = client.post("/vurderinger/ny", data=joint)
    assert response.status_code == 422
    assert "mindst 2 egne vurderinger" in response.get_data(as_text=True)

    auth.login(team["signe"])
    assert (
        client.post(
            "/vurderinger/ny", data=payload(child, position="gul", justification="Mere stille.")
        ).status_code
        == 303
    )
    page = client.get(f"/vurderinger/ny?child_id={child.id}&kind=joint").get_data(as_text=True)
    assert "Jonas Testesen" in page and "Signe Testesen" in page  # side by side
    assert client.post("/vurderinger/ny", data=joint).status_code == 303
    saved = db.session.scalar(select(Assessment).where(Assessment.uuid == joint["uuid"]))
    assert saved.concluding and saved.participants == "Jonas og Signe"
    assert sorted(b.assessor.name for b in saved.basis) == ["Jonas Testesen", "Signe Testesen"]


def test_a_dagplejer_needs_one_individual_before_the_joint_one(client, auth, app):
    group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE)
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp)
    child = make_child(group, dagplejer=dagplejer, birth_date=TODAY - timedelta(days=500))
    auth.login(dagplejer)
    assert client.post("/vurderinger/ny", data=payload(child)).status_code == 303
    auth.login(dpp)
    response = client.post("/vurderinger/ny", data=payload(child, kind="joint"))
    assert response.status_code == 303


def test_a_red_joint_assessment_opens_the_course_of_action(client, auth, team):
    """It sends assessment_recorded and leads the user into concerns.open."""
    child = team["child"]
    received = []

    def receiver(sender, **data):
        received.append(data)

    for user in (team["jonas"], team["signe"]):
        auth.login(user)
        client.post("/vurderinger/ny", data=payload(child))
    with assessment_recorded.connected_to(receiver):
        response = client.post(
            "/vurderinger/ny",
            data=payload(child, kind="joint", position="roed", justification="Virker bange."),
        )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert f"/boern/{child.id}/handleveje/ny" in location
    assert "position=roed" in location and "source=assessment" in location
    assert len(received) == 1 and received[0]["assessment"].position.value == "roed"
    assert received[0]["user"].id == team["signe"].id


def test_a_green_joint_assessment_sends_no_signal(client, auth, team):
    child = team["child"]
    received = []
    for user in (team["jonas"], team["signe"]):
        auth.login(user)
        client.post("/vurderinger/ny", data=payload(child))
    with assessment_recorded.connected_to(lambda sender, **data: received.append(data)):
        response = client.post("/vurderinger/ny", data=payload(child, kind="joint"))
    assert response.status_code == 303
    assert f"/boern/{child.id}" in response.headers["Location"]
    assert received == []


def test_a_nurses_assessment_is_made_with_the_parents_and_concludes(client, auth, app):
    district = make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    baby = make_child(district, nurse=nurse, birth_date=TODAY - timedelta(days=280))
    auth.login(nurse)
    page = client.get(f"/vurderinger/ny?child_id={baby.id}&with_parents=1").get_data(as_text=True)
    assert "Vurdering sammen med forældrene" in page
    assert 'name="with_parents" type="checkbox" value="y" checked' in page or "checked" in page
    data = payload(baby, with_parents="y", position="gul", justification="Græder meget.")
    response = client.post("/vurderinger/ny", data=data)
    assert response.status_code == 303
    assert "/handleveje/ny" in response.headers["Location"]
    saved = db.session.scalar(select(Assessment))
    assert saved.with_parents and saved.concluding and saved.assessor_role == "sundhedsplejerske"
    assert saved.parents_discussed_on == TODAY  # made with them: discussed that day


def test_a_correction_keeps_the_earlier_version_and_the_reason(client, auth, team):
    auth.login(team["jonas"])
    first = payload(team["child"])
    client.post("/vurderinger/ny", data=first)
    old = db.session.scalar(select(Assessment))
    form = client.get(f"/vurderinger/{old.id}/ret").get_data(as_text=True)
    assert f'value="{old.uuid}"' in form  # supersedes

    fix = payload(
        team["child"],
        supersedes=old.uuid,
        base_version=str(old.version),
        position="gul",
        justification="Jeg så forkert.",
        correction_reason="",
    )
    response = client.post(f"/vurderinger/{old.id}/ret", data=fix)
    assert response.status_code == 422
    assert "Skriv hvorfor vurderingen rettes." in response.get_data(as_text=True)

    fix["correction_reason"] = "Forkert barn i første omgang"
    assert client.post(f"/vurderinger/{old.id}/ret", data=fix).status_code == 303
    db.session.expire_all()
    versions = db.session.scalars(select(Assessment).order_by(Assessment.revision)).all()
    assert [(v.revision, v.current, v.position.value) for v in versions] == [
        (1, False, "groen"),
        (2, True, "gul"),
    ]
    assert versions[1].supersedes_id == versions[0].id
    assert versions[1].series_uuid == versions[0].series_uuid == first["uuid"]
    history = client.get(f"/vurderinger/{versions[1].id}").get_data(as_text=True)
    assert "Forkert barn i første omgang" in history and "Historik" in history
    old_page = client.get(f"/vurderinger/{versions[0].id}").get_data(as_text=True)
    assert "Dette er en tidligere version" in old_page
    # The superseded version cannot be corrected again: the newest is shown instead.
    again = client.get(f"/vurderinger/{versions[0].id}/ret")
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/vurderinger/{versions[1].id}")


def test_a_stale_correction_is_a_conflict_and_changes_nothing(client, auth, team):
    auth.login(team["jonas"])
    client.post("/vurderinger/ny", data=payload(team["child"]))
    old = db.session.scalar(select(Assessment))
    common = {
        "supersedes": old.uuid,
        "base_version": str(old.version),
        "correction_reason": "Rettelse",
    }
    assert (
        client.post(f"/vurderinger/{old.id}/ret", data=payload(team["child"], **common)).status_code
        == 303
    )
    response = client.post(f"/vurderinger/{old.id}/ret", data=payload(team["child"], **common))
    assert response.status_code in (303, 409)
    assert db.session.query(Assessment).count() == 2


# --- The submit function (the offline sync uses it too) ---------------------------------


@pytest.fixture
def in_request(app):
    """The sync endpoint calls submit_assessment inside a request (Danish messages need one)."""
    with app.test_request_context():
        yield


def test_submit_is_idempotent_on_uuid(app, team, in_request):
    data = payload(team["child"])
    first = submit_assessment(team["jonas"], data, channel="offline")
    assert first.status == "accepted"
    again = submit_assessment(team["jonas"], data, channel="offline")
    assert again.status == "duplicate" and again.record.id == first.record.id
    changed = submit_assessment(team["jonas"], {**data, "position": "gul", "justification": "x"})
    assert changed.status == "conflict"
    write_pending()  # what the request does before it commits
    assert db.session.query(Assessment).count() == 1
    log = db.session.scalar(select(AccessLog).where(AccessLog.channel == "offline"))
    assert log.what == f"assessment:{first.record.id}"


def test_submit_refuses_a_child_outside_scope_and_reports_invalid_data(app, team, in_request):
    assert submit_assessment(team["jonas"], payload(team["stranger"])).status == "forbidden"
    result = submit_assessment(team["jonas"], payload(team["child"], position="lilla"))
    assert result.status == "invalid" and "position" in result.errors
    result = submit_assessment(team["jonas"], payload(team["child"], form_version="7"))
    assert result.status == "invalid" and "form_version" in result.errors
    result = submit_assessment(team["jonas"], payload(team["child"], indicators=["x.gul.99"]))
    assert result.status == "invalid" and "indicators" in result.errors


def test_a_stale_base_version_is_a_conflict(app, team, in_request):
    first = submit_assessment(team["jonas"], payload(team["child"])).record
    db.session.flush()
    stale = payload(team["child"], supersedes=first.uuid, base_version="0", correction_reason="Ret")
    result = submit_assessment(team["jonas"], stale)
    assert result.status == "conflict"


# --- Scoping ------------------------------------------------------------------------------


def test_another_units_child_is_not_found(app, client, auth, team):
    """A pædagog cannot open, assess or correct a child from another unit."""
    other_staff = make_user(Role.PAEDAGOG, team["stranger"].enrolments[0].unit)
    with app.test_request_context():
        own = submit_assessment(other_staff, payload(team["stranger"])).record
    db.session.commit()
    auth.login(team["jonas"])
    stranger = team["stranger"].id
    assert client.get(f"/vurderinger/ny?child_id={stranger}").status_code == 404
    assert client.post("/vurderinger/ny", data=payload(team["stranger"])).status_code == 404
    assert client.get(f"/vurderinger/{own.id}").status_code == 404
    assert client.get(f"/vurderinger/{own.id}/ret").status_code == 404
    assert client.post(f"/vurderinger/{own.id}/ret", data={}).status_code == 404
    assert client.get("/vurderinger/ny?child_id=abc").status_code == 404


def test_only_leaders_see_the_overview(client, auth, team):
    auth.login(team["jonas"])
    assert client.get("/overblik").status_code == 403
    assert client.get("/overblik.csv").status_code == 403
    assert client.get("/overblik/liste/roed").status_code == 403


def test_an_administrator_cannot_assess(client, auth, team):
    auth.login(make_user(admin=True))
    assert client.get(f"/vurderinger/ny?child_id={team['child'].id}").status_code == 403


# --- Mine børn and the child's page -------------------------------------------------------


def test_mine_boern_shows_position_as_text_next_due_trend_and_what_to_do(client, auth, team):
    child = team["child"]
    auth.login(team["jonas"])
    for position in ("gul", "groen"):
        for user in (team["jonas"], team["signe"]):
            submit_assessment(user, payload(child, assessed_on="2026-09-10"))
        submit_assessment(
            team["signe"],
            payload(
                child,
                kind="joint",
                position=position,
                justification="Begrundet",
                assessed_on="2026-09-15" if position == "groen" else "2026-03-15",
            ),
        )
    db.session.commit()
    newcomer = make_child(
        team["unit"], first_name="Bent", enrolled_from=TODAY - timedelta(days=100)
    )
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Mine børn" in html
    card = html[html.index("Alma") :]
    assert 'class="position position-groen">Grøn<' in card  # text, with the shape class
    assert "15.09.2026" in card and "bedre end sidst" in card
    assert "30.04.2027" in card  # next due: the spring deadline
    newcomer_card = html[html.index(newcomer.first_name) :]
    assert "Lav din egen vurdering" in newcomer_card and "forsinket" in newcomer_card
    todo = client.get("/?vis=gøres").get_data(as_text=True)
    assert "Bent" in todo and "Alma" not in todo


def test_the_joint_to_do_appears_when_enough_individual_ones_are_made(client, auth, team):
    for user in (team["jonas"], team["signe"]):
        submit_assessment(user, payload(team["child"]))
    db.session.commit()
    auth.login(team["jonas"])
    assert "Lav fælles vurdering" in client.get("/").get_data(as_text=True)


def test_the_earlier_units_strip_needs_the_parents_consent(client, auth, app):
    """The børnehave does not see the dagpleje's assessments without the parents' consent
    (tests/web/test_history_sharing.py: with it); a leader over both units sees the strip
    across units."""
    group = make_unit("Dagplejen Test", UnitKind.DAGPLEJEGRUPPE)
    boernehave = make_unit("Børnehaven Ny", UnitKind.BOERNEHAVE)
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp)
    born = TODAY - timedelta(days=3 * 365 + 100)
    moved = TODAY - timedelta(days=60)
    child = make_child(group, dagplejer=dagplejer, birth_date=born, enrolled_to=moved)
    clock.freeze(datetime(2026, 4, 1, 10, tzinfo=UTC))
    submit_assessment(dagplejer, payload(child, assessed_on="2026-03-10"))
    submit_assessment(
        dpp,
        payload(child, kind="joint", position="gul", justification="Uro", assessed_on="2026-03-12"),
    )
    clock.freeze(datetime(2026, 11, 25, 10, tzinfo=UTC))
    from app.children.models import Enrolment

    child.enrolments.append(Enrolment(unit=boernehave, start_date=moved + timedelta(days=1)))
    paedagog = make_user(Role.PAEDAGOG, boernehave)
    db.session.flush()
    submit_assessment(paedagog, payload(child, kind="individual"))
    db.session.commit()
    leader = make_user(Role.LEDER, group)
    leader.memberships.append(Membership(unit=boernehave, role=Role.LEDER))
    db.session.commit()
    auth.login(paedagog)
    html = client.get(f"/boern/{child.id}").get_data(as_text=True)
    assert "position-strip" not in html and "12.03.2026" not in html
    assert "Alle vurderinger (1)" in html
    assert "Vurderinger fra tidligere enheder vises kun" in html
    status = client.get("/").get_data(as_text=True)
    assert "Ikke vurderet" in status and "position-gul" not in status
    # New unit, new schedule: the first assessment there within 3 months of the move.
    assert rules.add_months(moved + timedelta(days=1), 3).strftime("%d.%m.%Y") in status
    assert "Lav din egen vurdering" not in status  # she has made hers; waiting for the joint
    auth.login(leader)
    html = client.get(f"/boern/{child.id}").get_data(as_text=True)
    strip = html[html.index("position-strip") :]
    assert "Dagplejen Test" in strip and "12.03.2026" in strip
    assert "Alle vurderinger (3)" in html
    assert "Vurderinger fra tidligere enheder vises kun" not in html


def test_a_dagplejepaedagog_waits_for_the_dagplejer_then_makes_the_joint_one(
    client, auth, app, in_request
):
    group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE)
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp)
    child = make_child(
        group,
        dagplejer=dagplejer,
        birth_date=TODAY - timedelta(days=500),
        enrolled_from=TODAY - timedelta(days=200),
        first_name="Ditte",
    )
    db.session.commit()
    auth.login(dpp)
    html = client.get("/").get_data(as_text=True)
    assert "Venter på dagplejerens egen vurdering." in html
    assert "Lav din egen vurdering" not in html
    auth.login(dagplejer)
    assert "Lav din egen vurdering" in client.get("/").get_data(as_text=True)
    assert client.post("/vurderinger/ny", data=payload(child)).status_code == 303
    auth.login(dpp)
    assert "Lav fælles vurdering" in client.get("/").get_data(as_text=True)
