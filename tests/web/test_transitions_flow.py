"""The sending side: the list, the schema (draft, finish), consent, withdrawal, print, and
the offline contract of submit_transition."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.models import AccessLog
from app.audit.services import write_pending
from app.extensions import db
from app.signals import transition_handed_over
from app.sync.registry import submitter
from app.transitions import prefill, services
from app.transitions.models import TransitionSchema
from tests.web.transitions_helpers import login, make_world, payload


@pytest.fixture
def world(app):
    return make_world()


def schema_of(world) -> TransitionSchema:
    return db.session.scalar(
        select(TransitionSchema).where(TransitionSchema.child_id == world.child.id)
    )


def finished_schema(world, client) -> TransitionSchema:
    login(client, world.dagplejer)
    response = client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world, "finish"))
    assert response.status_code == 303
    return schema_of(world)


def consent_device(client, world, schema, guardian, **extra):
    data = {
        "guardian_id": guardian.id,
        "method": "device",
        "signed_name": guardian.name,
        "confirm": "y",
    }
    data.update(extra)
    return client.post(f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke", data=data)


def test_the_dagplejer_sees_the_child_on_her_list(world, client):
    """A child moving to the børnehave in 30 days is due in 2 days: 'Skal udfyldes'."""
    login(client, world.dagplejer)
    page = client.get("/overgange")
    assert page.status_code == 200
    assert world.child.name in page.text
    assert "Skal udfyldes" in page.text
    assert f"/boern/{world.child.id}/overgangsskema/ny" in page.text


@pytest.mark.parametrize("who", ["dpp", "dagpleje_leader"])
def test_her_supervisor_and_leader_see_it_too(world, client, who):
    login(client, getattr(world, who))
    assert world.child.name in client.get("/overgange").text


@pytest.mark.parametrize("who", ["other_dagplejer", "paedagog", "bh_leader", "nurse"])
def test_others_do_not_have_it_on_their_sending_list(world, client, who):
    """The receiving unit and the health visitor are not the sender of this transition."""
    login(client, getattr(world, who))
    assert world.child.name not in client.get("/overgange").text


def test_overdue_when_the_due_date_has_passed(app, client):
    world = make_world(start_in_days=20)
    login(client, world.dagplejer)
    assert "Forsinket" in client.get("/overgange").text


def test_a_draft_past_its_due_date_counts_as_overdue_on_the_leaders_overview(app, client):
    world = make_world(start_in_days=20)
    login(client, world.dagplejer)
    client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world, "draft"))
    login(client, world.dagpleje_leader)
    page = client.get("/overgange").text
    overview = page[page.index('id="overview-heading"') : page.index("</section>")]
    assert re.search(r'tr-status-overdue">Forsinket</span>\s*<strong>1</strong>', overview)
    assert re.search(r'tr-status-draft">Kladde</span>\s*<strong>1</strong>', overview)
    row = page[page.index('class="tr-row"') :]
    assert "Kladde" in row and 'tr-status-overdue">Forsinket' in row  # shown as late too


def test_not_listed_long_before_it_is_due(app, client):
    world = make_world(start_in_days=70)
    login(client, world.dagplejer)
    assert world.child.name not in client.get("/overgange").text


def test_the_nav_has_an_overgangsskemaer_entry(world, client):
    login(client, world.dagplejer)
    assert 'href="/overgange"' in client.get("/overgange").text


def test_new_form_follows_the_offline_contract(world, client):
    login(client, world.dagplejer)
    page = client.get(f"/boern/{world.child.id}/overgangsskema/ny")
    assert page.status_code == 200
    html = page.text
    assert 'data-offline-kind="transition"' in html
    for name in ("uuid", "child_id", "form_version", "target"):
        assert re.search(
            rf'<input[^>]*name="{name}"[^>]*type="hidden"|<input[^>]*type="hidden"[^>]*name="{name}"',
            html,
        ), name
    for heading in (
        "Familien",
        "Praktiske oplysninger",
        "Forældrenes egne ord",
        "Aftalte næste skridt",
    ):
        assert heading in html
    assert 'value="Dorthe Dagplejer"' in html  # the contact person is prefilled


def test_the_record_kind_is_registered(app):
    assert submitter("transition") is services.submit_transition


def test_the_form_is_in_the_offline_plan(world, client):
    """ "Gør klar til offline" caches the schema form of the dagplejer's child, and only hers."""
    from app.sync.plan import build_plan

    login(client, world.dagplejer)
    with client.application.test_request_context():
        urls = [p["url"] for p in build_plan(world.dagplejer)["pages"]]
        assert f"/boern/{world.child.id}/overgangsskema/ny" in urls
        other = [p["url"] for p in build_plan(world.nurse)["pages"]]
        assert not any("overgangsskema" in u for u in other)


def test_save_a_draft_and_finish_it_later(world, client):
    login(client, world.dagplejer)
    data = payload(world, "draft", social_wellbeing="", parents_words="Hun glæder sig.")
    response = client.post(f"/boern/{world.child.id}/overgangsskema", data=data)
    assert response.status_code == 303
    schema = schema_of(world)
    assert schema.status == "draft" and schema.answers["parents_words"] == "Hun glæder sig."
    assert "Kladde" in client.get("/overgange").text
    edit = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}/rediger")
    assert f'name="base_version" type="hidden" value="{schema.version}"' in edit.text or (
        f'value="{schema.version}"' in edit.text
    )
    data.update(action="finish", social_wellbeing="Glad og tryg.", base_version=str(schema.version))
    assert client.post(f"/boern/{world.child.id}/overgangsskema", data=data).status_code == 303
    db.session.refresh(schema)
    assert schema.status == "finished" and schema.finished_by_id == world.dagplejer.id


def test_finishing_needs_the_required_fields(world, client):
    """Invalid: the same form again (422), the values kept, a Danish error next to the field."""
    login(client, world.dagplejer)
    data = payload(world, "finish", next_steps="", household="Mor, far og lillebror")
    response = client.post(f"/boern/{world.child.id}/overgangsskema", data=data)
    assert response.status_code == 422
    assert "Skal udfyldes, før skemaet kan afsluttes." in response.text
    assert 'id="next_steps-error"' in response.text
    assert "Mor, far og lillebror" in response.text
    assert schema_of(world) is None


def test_the_health_visitor_cannot_make_the_dagplejers_schema(world, client):
    login(client, world.nurse)
    assert client.get(f"/boern/{world.child.id}/overgangsskema/ny").status_code == 404


def test_wellbeing_is_included_only_when_the_parents_agree(world, client, monkeypatch):
    snapshot = {"position": "gul", "label": "Gul", "assessed_on": "01.10.2026", "action_plan": "x"}
    monkeypatch.setattr(prefill, "latest_wellbeing", lambda child_id, viewer: snapshot)
    login(client, world.dagplejer)
    client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world))
    schema = schema_of(world)
    assert schema.include_wellbeing is False and schema.wellbeing is None
    data = payload(world, uuid=schema.uuid, base_version=str(schema.version), include_wellbeing="y")
    client.post(f"/boern/{world.child.id}/overgangsskema", data=data)
    db.session.refresh(schema)
    assert schema.include_wellbeing and schema.wellbeing == snapshot
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}")
    assert "Trivselsvurdering og handleplan" in page.text and "position-gul" in page.text


# -- consent ----------------------------------------------------------------------------------


def test_consent_on_the_device_needs_the_typed_name_and_the_tick(world, client):
    schema = finished_schema(world, client)
    mother = world.child.guardians[0]
    response = consent_device(client, world, schema, mother, signed_name="", confirm="")
    assert response.status_code == 422
    assert "Forælderen skriver sit fulde navn." in response.text
    assert "Forælderen skal sætte flueben" in response.text
    assert schema.consents == []


def test_both_custodians_consent_then_it_is_handed_over(world, client):
    """Mother signs on the device, father on paper; the handover signal goes once."""
    schema = finished_schema(world, client)
    mother, father = world.child.guardians
    sent = []
    handler = lambda sender, **data: sent.append(data["schema"].id)  # noqa: E731
    transition_handed_over.connect(handler)
    try:
        assert consent_device(client, world, schema, mother).status_code == 303
        assert sent == []
        page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}")
        assert "Der mangler samtykke fra: Far Testesen" in page.text
        paper = {
            "guardian_id": father.id,
            "method": "paper",
            "paper_signed_on": (clock.today() - timedelta(days=1)).isoformat(),
            "share_wellbeing_history": "y",
        }
        response = client.post(
            f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke", data=paper
        )
        assert response.status_code == 303
    finally:
        transition_handed_over.disconnect(handler)
    assert sent == [schema.id]
    db.session.refresh(schema)
    methods = {(c.guardian_name, c.method, c.shared_with_name) for c in schema.consents}
    assert methods == {
        (mother.name, "device", "Børnehaven Mælkebøtten"),
        ("Far Testesen", "paper", "Børnehaven Mælkebøtten"),
    }
    assert schema.consents[0].signed_name == mother.name
    page = client.get("/overgange")
    assert "Overdraget" in page.text


def test_one_custodian_is_enough_when_the_municipality_says_so(world, client):
    world.group.area.municipality.settings = {"transitions": {"consent_from_all_custodians": False}}
    schema = finished_schema(world, client)
    consent_device(client, world, schema, world.child.guardians[0])
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}")
    assert "Samtykket er givet." in page.text


def test_a_guardian_without_custody_cannot_consent(world, client):
    world.child.guardians[1].has_custody = False
    schema = finished_schema(world, client)
    response = consent_device(client, world, schema, world.child.guardians[1])
    assert response.status_code == 422  # not among the choices
    assert schema.consents == []


def test_a_draft_cannot_be_consented(world, client):
    login(client, world.dagplejer)
    client.post(f"/boern/{world.child.id}/overgangsskema", data=payload(world))
    schema = schema_of(world)
    consent_device(client, world, schema, world.child.guardians[0])
    assert schema.consents == []


def test_a_signed_schema_cannot_be_changed(world, client):
    schema = finished_schema(world, client)
    consent_device(client, world, schema, world.child.guardians[0])
    edit = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}/rediger")
    assert edit.status_code == 303
    data = payload(world, "finish", uuid=schema.uuid, base_version=str(schema.version), food="Alt")
    response = client.post(f"/boern/{world.child.id}/overgangsskema", data=data)
    assert response.status_code == 409
    assert "kan ikke ændres" in response.text


def test_withdrawal_is_recorded_and_the_consent_kept(world, client):
    schema = finished_schema(world, client)
    for guardian in world.child.guardians:
        consent_device(client, world, schema, guardian)
    consent = schema.consents[0]
    url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke/{consent.id}/tilbagekald"
    response = client.post(
        url, data={f"c{consent.id}-withdrawal_note": "Vil tale med børnehaven selv"}
    )
    assert response.status_code == 303
    db.session.refresh(consent)
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == world.dagplejer.id
    assert consent.withdrawal_note == "Vil tale med børnehaven selv"
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}")
    assert "Samtykket er trukket tilbage: skemaet deles ikke." in page.text
    assert "Samtykke trukket tilbage" in client.get("/overgange").text


def test_an_acknowledgement_is_of_the_version_read(world, client):
    """Acknowledged, then consent withdrawn, the schema changed and consent given again: the
    list no longer says "Kvitteret"; the receiver must read and acknowledge the new version."""
    schema = finished_schema(world, client)
    for guardian in world.child.guardians:
        consent_device(client, world, schema, guardian)
    schema.acknowledged_at, schema.acknowledged_by_id = clock.now(), world.bh_leader.id
    db.session.commit()
    assert "Kvitteret af modtager" in client.get("/overgange").text
    for consent in list(schema.consents):
        url = (
            f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke/{consent.id}/tilbagekald"
        )
        assert client.post(url, data={}).status_code == 303
    db.session.refresh(schema)
    data = payload(world, "finish", uuid=schema.uuid, base_version=str(schema.version), food="Alt")
    assert client.post(f"/boern/{world.child.id}/overgangsskema", data=data).status_code == 303
    for guardian in world.child.guardians:
        assert consent_device(client, world, schema, guardian).status_code == 303
    db.session.refresh(schema)
    assert schema.acknowledged_at is None and schema.acknowledged_by_id is None
    page = client.get("/overgange").text
    assert "Overdraget" in page and "Kvitteret af modtager" not in page


def test_a_consent_given_anew_needs_a_new_acknowledgement(world, client):
    """Withdrawn and given again without an edit: the handover is new, so is its receipt."""
    schema = finished_schema(world, client)
    mother, father = world.child.guardians
    consent_device(client, world, schema, mother)
    consent_device(client, world, schema, father)
    schema.acknowledged_at = clock.now()
    db.session.commit()
    consent = schema.consents[1]
    url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/samtykke/{consent.id}/tilbagekald"
    client.post(url, data={})
    consent_device(client, world, schema, father)
    db.session.refresh(schema)
    assert schema.acknowledged_at is None


def test_print_view_states_what_was_shared_with_whom(world, client):
    schema = finished_schema(world, client)
    for guardian in world.child.guardians:
        consent_device(client, world, schema, guardian)
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}/print")
    assert page.status_code == 200
    assert "Forældrenes kopi" in page.text
    assert "Delt med:" in page.text and "Børnehaven Mælkebøtten" in page.text
    assert "transitions-print.css" in page.text
    log = db.session.scalars(select(AccessLog).where(AccessLog.action == "print")).all()
    assert [entry.what for entry in log] == [f"transition:{schema.id}"]


def test_meeting_can_be_booked_after_consent(world, client):
    schema = finished_schema(world, client)
    for guardian in world.child.guardians:
        consent_device(client, world, schema, guardian)
    url = f"/boern/{world.child.id}/overgangsskema/{schema.id}/moede"
    data = {
        "handover-planned_on": (clock.today() + timedelta(days=10)).isoformat(),
        "handover-planned_participants": "Forældrene, Dorthe, pædagog fra Mælkebøtten",
        "handover-purpose": "Hvordan hjælper vi Alma godt i gang?",
        "handover-questions": "Hvad trøster hende?",
        "handover-roles": "Dorthe fortæller, pædagogen skriver",
        "handover-agreed_with_parents": "Mor og far kommer med.",
        "handover-interpreter_needed": "y",
    }
    invalid = client.post(url, data=data)
    assert invalid.status_code == 422
    assert "Skriv hvilket sprog tolken skal tale." in invalid.text
    assert "Hvad trøster hende?" in invalid.text  # what was typed is kept
    data["handover-interpreter_language"] = "arabisk"
    assert client.post(url, data=data).status_code == 303
    meeting = schema.meetings[0]
    assert meeting.participants.startswith("Forældrene")
    assert (meeting.purpose, meeting.questions, meeting.roles) == (
        "Hvordan hjælper vi Alma godt i gang?",
        "Hvad trøster hende?",
        "Dorthe fortæller, pædagogen skriver",
    )
    assert meeting.agreed_with_parents == "Mor og far kommer med."
    assert (meeting.interpreter_needed, meeting.interpreter_language) == (True, "arabisk")
    page = client.get(f"/boern/{world.child.id}/overgangsskema/{schema.id}").text
    assert "Hvad trøster hende?" in page and "arabisk" in page


def test_the_child_page_shows_the_coming_transition(world, client):
    login(client, world.dagplejer)
    page = client.get(f"/boern/{world.child.id}")
    assert "Skal begynde i Børnehaven Mælkebøtten" in page.text
    assert "Udfyld overgangsskema" in page.text


def test_far_ahead_the_child_page_only_says_when_the_schema_will_be_due(app, client):
    """No task and no /ny before the list's horizon (4 weeks before the due date)."""
    world = make_world(start_in_days=200)
    login(client, world.dagplejer)
    page = client.get(f"/boern/{world.child.id}").text
    due = clock.today() + timedelta(days=200 - 28)
    listed = due - timedelta(weeks=4)
    assert f"Overgangsskemaet skal være klar {due:%d.%m.%Y}" in page
    assert f"det kommer på listen over overgangsskemaer {listed:%d.%m.%Y}" in page
    assert "Udfyld overgangsskema" not in page and "Skal udfyldes" not in page
    assert client.get(f"/boern/{world.child.id}/overgangsskema/ny").status_code == 404


def test_the_task_appears_on_the_child_page_with_the_list(app, client):
    world = make_world(start_in_days=56)  # due in 28 days: on the list from today
    login(client, world.dagplejer)
    assert world.child.name in client.get("/overgange").text
    assert "Udfyld overgangsskema" in client.get(f"/boern/{world.child.id}").text
    assert client.get(f"/boern/{world.child.id}/overgangsskema/ny").status_code == 200


# -- the offline contract ----------------------------------------------------------------


@pytest.fixture
def request_ctx(app):
    """submit_transition runs inside a request (the HTML view or the sync endpoint)."""
    with app.test_request_context():
        yield


def test_submit_is_idempotent_on_the_uuid(world, request_ctx):
    data = payload(world, "draft")
    first = services.submit_transition(world.dagplejer, data, channel="offline")
    assert first.status == "accepted"
    again = services.submit_transition(world.dagplejer, data, channel="offline")
    assert again.status == "duplicate" and again.record.id == first.record.id
    changed = services.submit_transition(world.dagplejer, {**data, "food": "Alt"})
    assert changed.status == "conflict"
    write_pending()  # what the request does before it commits
    offline = db.session.scalars(select(AccessLog).where(AccessLog.channel == "offline")).all()
    assert [e.action for e in offline] == ["create"]


def test_an_edit_on_a_stale_copy_is_a_conflict(world, request_ctx):
    data = payload(world, "draft")
    record = services.submit_transition(world.dagplejer, data).record
    base = str(record.version)
    assert services.submit_transition(
        world.dagplejer, {**data, "food": "A", "base_version": base}
    ).ok
    stale = services.submit_transition(world.dagplejer, {**data, "food": "B", "base_version": base})
    assert stale.status == "conflict"
    assert record.answers["food"] == "A"


def test_a_second_schema_for_the_same_transition_is_a_conflict(world, request_ctx):
    assert services.submit_transition(world.dagplejer, payload(world)).ok
    second = services.submit_transition(world.dagplejer, payload(world))
    assert second.status == "conflict"


def test_submit_outside_scope_is_forbidden(world, request_ctx):
    assert services.submit_transition(world.other_paedagog, payload(world)).status == "forbidden"
    assert services.submit_transition(world.nurse, payload(world)).status == "forbidden"


def test_submit_invalid_gives_danish_field_errors(world, request_ctx):
    result = services.submit_transition(world.dagplejer, payload(world, "finish", resources=""))
    assert result.status == "invalid"
    assert result.errors["resources"] == ["Skal udfyldes, før skemaet kan afsluttes."]
    unknown = services.submit_transition(world.dagplejer, payload(world, form_version="99"))
    assert unknown.status == "invalid" and "form_version" in unknown.errors


def test_as_payload_round_trips_through_submit(world, request_ctx):
    """What the sync area shows and re-submits for a conflict is the form's own payload."""
    record = services.submit_transition(world.dagplejer, payload(world, "finish")).record
    again = services.submit_transition(world.dagplejer, record.as_payload())
    assert again.status == "duplicate"


def test_submit_for_a_transition_the_child_does_not_have_is_invalid(world, request_ctx):
    result = services.submit_transition(world.dagplejer, payload(world, target="school:2030-08-01"))
    assert result.status == "invalid" and "target" in result.errors
