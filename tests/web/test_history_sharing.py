"""A child moves from a dagpleje to a børnehave: the dagpleje's assessments and courses of
action follow it only with the parents' consent to share the wellbeing history; a withdrawal
hides them again at once. Leaders over both units see everything as before."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.assessments import rules
from app.assessments.models import Assessment
from app.assessments.services import submit_assessment
from app.audit.models import AccessLog
from app.auth.models import Membership
from app.auth.roles import Role
from app.concerns import services as concerns
from app.concerns.models import CourseOfAction, PlanItem, Underretning
from app.concerns.rules import Level
from app.extensions import db
from app.transitions.models import TransitionSchema
from tests.factories import make_user
from tests.web.transitions_helpers import login, make_world, payload, start_today

NOTICE = "Vurderinger fra tidligere enheder vises kun, når forældrene har givet samtykke"


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    yield
    clock.freeze(None)


def assessment(world, user, **changes) -> dict:
    data = {
        "uuid": str(uuid.uuid4()),
        "child_id": str(world.child.id),
        "form_version": "1",
        "kind": "individual",
        "age_band": rules.age_band(world.child.birth_date, clock.today()),
        "assessed_on": (clock.today() - timedelta(days=40)).isoformat(),
        "indicators": ["psykisk.gul.1"],
        "position": "gul",
        "justification": "Uro ved aflevering i dagplejen.",
    }
    data.update(changes)
    result = submit_assessment(user, data)
    assert result.ok, result.errors
    return result.record


@pytest.fixture
def world(app):
    """The dagpleje assessed the child (gul) and opened a course; the child starts in the
    børnehave in 30 days."""
    world = make_world()
    assessment(world, world.dagplejer)
    world.joint = assessment(world, world.dpp, kind="joint")
    world.course, _ = concerns.open_course(world.dpp, world.child, Level.GUL, "manual", None, "Uro")
    world.course.opened_on = clock.today() - timedelta(days=40)
    db.session.commit()
    return world


def hand_over(world, client, history: bool) -> TransitionSchema:
    """The dagplejer finishes the schema, both parents consent, the child starts today."""
    login(client, world.dagplejer)
    client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world, "finish"))
    schema = db.session.scalar(
        select(TransitionSchema).where(TransitionSchema.child_id == world.child.id)
    )
    for guardian in world.child.guardians:
        data = {
            "guardian_id": guardian.id,
            "method": "device",
            "signed_name": guardian.name,
            "confirm": "y",
        }
        if history:
            data["share_wellbeing_history"] = "y"
        url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke"
        assert client.post(url, data=data).status_code == 303
    start_today(world)
    return schema


def urls(world) -> dict[str, str]:
    return {
        "assessment": f"/vurderinger/{world.joint.id}",
        "course": f"/boern/{world.child.id}/handleveje/{world.course.id}",
    }


def logged(world, user, what: str) -> int:
    """How often `user` was logged reading `what` of the child."""
    query = select(AccessLog).where(
        AccessLog.child_id == world.child.id, AccessLog.user_id == user.id, AccessLog.what == what
    )
    return len(db.session.scalars(query).all())


def test_without_consent_the_boernehave_sees_none_of_the_dagplejes_records(world, client):
    hand_over(world, client, history=False)
    login(client, world.paedagog)
    for url in urls(world).values():
        assert client.get(url).status_code == 404
    assert client.get(f"/vurderinger/{world.joint.id}/ret").status_code == 404
    page = client.get(f"/boern/{world.child.id}").text
    assert "position-strip" not in page and "Uro ved aflevering" not in page
    assert "Dagplejen" not in page.split("Trivselsvurderinger")[1].split("Forældre")[0]
    assert page.count(NOTICE) == 1
    assert "Rejs en bekymring" in page  # no course of her unit's own
    assert logged(world, world.paedagog, f"assessment:{world.joint.id}") == 0
    mine = client.get("/").text
    assert "Ikke vurderet endnu" in mine and "position-gul" not in mine


def test_with_history_consent_the_boernehave_sees_them(world, client):
    hand_over(world, client, history=True)
    login(client, world.paedagog)
    for url in urls(world).values():
        assert client.get(url).status_code == 200
    page = client.get(f"/boern/{world.child.id}").text
    strip = page[page.index("position-strip") :]
    assert "Gruppe Øst" in strip
    assert NOTICE not in page
    assert f"/vurderinger/{world.joint.id}/ret" not in client.get(urls(world)["assessment"]).text
    assert logged(world, world.paedagog, f"assessment:{world.joint.id}") == 2


def test_a_handed_over_record_is_read_only(world, client):
    """With consent the receiver reads the dagpleje's course, but does not add to it; a concern
    she raises opens her unit's own course."""
    hand_over(world, client, history=True)
    login(client, world.paedagog)
    course = urls(world)["course"]
    assert client.post(f"{course}/opfoelgning", data={}).status_code == 404
    assert client.get(f"/vurderinger/{world.joint.id}/ret").status_code == 404
    opened = client.post(
        f"/boern/{world.child.id}/handleveje/ny?source=manual",
        data={"level": "gul", "reason": "Trist om morgenen"},
    )
    assert opened.status_code == 303
    own = db.session.scalar(
        select(CourseOfAction).where(
            CourseOfAction.child_id == world.child.id, CourseOfAction.id != world.course.id
        )
    )
    assert own is not None and own.unit_id == world.boernehave.id
    assert world.course.reason == "Uro"


def test_consent_to_the_schema_alone_shares_no_history(world, client):
    hand_over(world, client, history=False)
    login(client, world.bh_leader)
    assert client.get(urls(world)["assessment"]).status_code == 404
    assert NOTICE in client.get(f"/boern/{world.child.id}").text


def test_a_withdrawal_hides_the_history_again(world, client):
    schema = hand_over(world, client, history=True)
    login(client, world.paedagog)
    assert client.get(urls(world)["assessment"]).status_code == 200
    schema.consents[0].withdrawn_at = clock.now()
    db.session.commit()
    for url in urls(world).values():
        assert client.get(url).status_code == 404
    page = client.get(f"/boern/{world.child.id}").text
    assert "position-strip" not in page and NOTICE in page


def test_leaders_over_both_units_and_the_dagpleje_keep_seeing_everything(world, client):
    hand_over(world, client, history=False)
    both = make_user(Role.LEDER, world.dagpleje)
    both.memberships.append(Membership(unit=world.boernehave, role=Role.LEDER))
    db.session.commit()
    login(client, both)
    for url in urls(world).values():
        assert client.get(url).status_code == 200
    page = client.get(f"/boern/{world.child.id}").text
    assert "position-strip" in page and NOTICE not in page


def test_the_underretning_draft_leaves_out_what_was_not_shared(world, client):
    hand_over(world, client, history=False)
    login(client, world.paedagog)
    response = client.post(f"/boern/{world.child.id}/underretninger/ny")
    assert response.status_code == 303
    draft = db.session.scalar(select(Underretning).where(Underretning.child_id == world.child.id))
    assert "Uro ved aflevering" not in (draft.observations or "")
    assert (
        client.post(
            f"/boern/{world.child.id}/underretninger/ny?course_id={world.course.id}"
        ).status_code
        == 404
    )


def test_the_health_visitor_keeps_her_own_records(world, client):
    """A sundhedsplejerske's assessment from before the move stays hers; without consent the
    børnehave does not see it."""
    world.child.caseloads.clear()
    from app.children.models import Caseload

    world.child.caseloads.append(
        Caseload(nurse_id=world.nurse.id, start_date=world.child.birth_date)
    )
    db.session.commit()
    visit = assessment(world, world.nurse, with_parents="y")
    db.session.commit()
    assert visit.unit_id != world.group.id
    hand_over(world, client, history=False)
    login(client, world.nurse)
    assert client.get(f"/vurderinger/{visit.id}").status_code == 200
    login(client, world.paedagog)
    assert client.get(f"/vurderinger/{visit.id}").status_code == 404
    assert db.session.get(Assessment, visit.id) is not None


def test_the_boernehaves_overview_counts_only_its_own_positions(world, client):
    """A unit's figures count the positions that unit made: the newcomer is not assessed in
    the børnehave and not on its list of children in a yellow position (for a leader over both
    units too; the child's page still shows them the whole history)."""
    hand_over(world, client, history=False)
    login(client, world.bh_leader)
    assert world.child.first_name not in client.get("/overblik/liste/gul").text
    assert world.child.first_name in client.get("/overblik/liste/ikke-vurderet").text
    figures = client.get(f"/overblik/enhed/{world.boernehave.id}").text
    assert "Ikke vurderet <strong>1</strong>" in figures


def test_the_schema_carries_only_what_the_sender_sees_herself(world, client):
    """The sundhedsplejerske's later red assessment with the parents and her course's plan
    are hers: the dagplejer's schema carries the dagpleje's own joint assessment (gul) and
    the plan of the dagpleje's course, on the form and in the saved snapshot."""
    from app.children.models import Caseload
    from app.i18n import format_date

    world.child.caseloads.clear()
    world.child.caseloads.append(
        Caseload(nurse_id=world.nurse.id, start_date=world.child.birth_date)
    )
    db.session.add(
        PlanItem(
            course=world.course,
            action="Fast voksen ved aflevering",
            responsible_text="Dorthe",
            due_on=clock.today() + timedelta(days=14),
        )
    )
    db.session.commit()
    visit = assessment(
        world,
        world.nurse,
        with_parents="y",
        position="roed",
        indicators=["psykisk.roed.1"],
        assessed_on=(clock.today() - timedelta(days=5)).isoformat(),
        justification="Græder meget hjemme.",
    )
    nurses, _ = concerns.open_course(world.nurse, world.child, Level.ROED, "manual", None, "Søvn")
    db.session.add(
        PlanItem(
            course=nurses,
            action="Hjemmebesøg hver uge",
            responsible_text="Sundhedsplejersken",
            due_on=clock.today() + timedelta(days=7),
        )
    )
    db.session.commit()
    assert visit.concluding and nurses.id != world.course.id

    login(client, world.dagplejer)
    form = client.get(f"/boern/{world.child.id}/overgangsskema/ny").text
    assert "Fast voksen ved aflevering" in form and "Hjemmebesøg" not in form
    sent = client.post(
        f"/boern/{world.child.id}/overgangsskema",
        data=payload(world, "finish", include_wellbeing="y"),
    )
    assert sent.status_code == 303
    schema = db.session.scalar(
        select(TransitionSchema).where(TransitionSchema.child_id == world.child.id)
    )
    assert schema.wellbeing["position"] == "gul"
    assert schema.wellbeing["assessed_on"] == format_date(world.joint.assessed_on)
    assert "Fast voksen ved aflevering" in schema.wellbeing["action_plan"]
    assert "Hjemmebesøg" not in schema.wellbeing["action_plan"]


def test_the_received_schema_shows_the_history_the_receiver_sees(world, client):
    """With the history shared the børnehave sees the positions from before the child's
    start, not a sundhedsplejerske's assessment made since (that one is not handed over)."""
    from app.children.models import Caseload

    schema = hand_over(world, client, history=True)
    world.child.caseloads.clear()
    world.child.caseloads.append(
        Caseload(nurse_id=world.nurse.id, start_date=world.child.birth_date)
    )
    db.session.commit()
    assessment(
        world,
        world.nurse,
        with_parents="y",
        position="roed",
        indicators=["psykisk.roed.1"],
        assessed_on=clock.today().isoformat(),
        justification="Græder meget hjemme.",
    )
    db.session.commit()
    login(client, world.paedagog)
    page = client.get(f"/overgange/modtagne/{schema.id}").text
    history = page.split('id="history-heading"')[1].split("</section>")[0]
    assert "position-gul" in history and "position-roed" not in history
