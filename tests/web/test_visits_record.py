"""The visit record: submit_visit's offline contract, validation, screenings, corrections, and
the HTML form that uses the same function."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask import current_app, g
from sqlalchemy import select

from app import clock
from app.audit.models import AccessLog
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from app.signals import urgent_screening
from app.sync.registry import submitter
from app.visits.models import (
    ChildSex,
    ChildSexChange,
    PlannedVisit,
    Visit,
    VisitAction,
    VisitRevision,
)
from app.visits.screening import ADBB_ITEMS
from app.visits.services import submit_visit
from tests.factories import make_child, make_unit, make_user

ADBB_CODES = tuple(code for code, _label in ADBB_ITEMS)

NEVER = "3"  # printed position of "Aldrig" on EPDS item 10


def submit(user, data: dict, **kwargs):
    """submit_visit as the sync endpoint calls it: inside a request (for the Danish messages).
    The request's anonymous current_user is dropped afterwards, so the test client logs in."""
    with current_app.test_request_context():
        result = submit_visit(user, data, **kwargs)
    g.pop("_login_user", None)
    return result


@pytest.fixture
def district(app):
    return make_unit("Sundhedsplejen Nord", UnitKind.SUNDHEDSPLEJEDISTRIKT)


@pytest.fixture
def nurse(district):
    return make_user(Role.SUNDHEDSPLEJERSKE, district, qualifications={"adbb": True})


@pytest.fixture
def child(district, nurse):
    return make_child(
        district, nurse=nurse, birth_date=clock.today() - timedelta(days=63), cpr=None
    )


def payload(child, **overrides) -> dict:
    """A valid ~2-month home visit, as the form posts it."""
    data = {
        "uuid": str(uuid.uuid4()),
        "child_id": str(child.id),
        "form_version": "1",
        "visit_type": "maaned2",
        "contact_form": "hjemmebesoeg",
        "visit_date": clock.today().isoformat(),
        "visit_time": "10:30",
        "present_mor": "y",
        "sex": "dreng",
        "weight_g": "5600",
        "length_cm": "58,4",
        "length_position": "liggende",
        "head_cm": "39,1",
        "feeding": "fuldamning",
        "ind_social_kontakt": "0",
        "ind_netvaerk": "1",
        "observations": "Mor og barn i god kontakt.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def epds(parent: str, positions: list[int]) -> dict:
    return {f"epds_{parent}_{n}": str(p) for n, p in enumerate(positions, start=1)}


EPDS_LOW = [0, 0, 2, 1, 3, 2, 3, 3, 3, 3]  # total 3, item 10 never


def test_the_visit_kind_is_registered(app):
    assert submitter("visit") is submit_visit


def test_a_valid_visit_is_accepted_with_raw_measurements(app, nurse, child):
    result = submit(nurse, payload(child))
    assert result.status == "accepted"
    visit = result.record
    assert (visit.weight_g, visit.length_mm, visit.head_mm) == (5600, 584, 391)
    assert visit.length_position == "liggende"
    assert visit.present == ["mor"] and visit.nurse_id == nurse.id
    assert visit.indicators == {"social_kontakt": "0", "netvaerk": "1"}
    assert visit.form_version == 1 and visit.version == 1
    assert db.session.get(ChildSex, child.id).sex == "dreng"
    log = db.session.scalars(select(AccessLog).where(AccessLog.child_id == child.id)).all()
    assert [(row.action, row.what, row.channel) for row in log] == [
        ("create", f"visit:{visit.id}", "online")
    ]


def test_same_uuid_same_content_is_a_duplicate(app, nurse, child):
    data = payload(child)
    first = submit(nurse, data, channel="offline")
    again = submit(nurse, data, channel="offline")
    assert again.status == "duplicate" and again.record.id == first.record.id
    assert db.session.scalar(select(db.func.count(Visit.id))) == 1


def test_same_uuid_other_content_is_a_conflict_and_never_applied(app, nurse, child):
    data = payload(child)
    submit(nurse, data)
    result = submit(nurse, {**data, "weight_g": "5700"})
    assert result.status == "conflict"
    assert db.session.scalar(select(Visit.weight_g)) == 5600


def test_an_edit_on_a_stale_version_is_a_conflict(app, nurse, child):
    data = payload(child)
    visit = submit(nurse, data).record
    submit(
        nurse, {**data, "weight_g": "5650", "base_version": "1", "correction_reason": "Tastefejl"}
    )
    assert visit.version == 2
    stale = submit(
        nurse, {**data, "weight_g": "5700", "base_version": "1", "correction_reason": "Også"}
    )
    assert stale.status == "conflict"
    assert visit.weight_g == 5650


def test_a_correction_keeps_the_earlier_text_who_and_why(app, nurse, child):
    data = payload(child)
    visit = submit(nurse, data).record
    no_reason = submit(nurse, {**data, "observations": "Rettet tekst.", "base_version": "1"})
    assert no_reason.status == "invalid" and "correction_reason" in no_reason.errors
    result = submit(
        nurse,
        {
            **data,
            "observations": "Mor og barn i god kontakt. Far var også hjemme.",
            "base_version": "1",
            "correction_reason": "Far var til stede; glemt i første notat.",
        },
    )
    assert result.status == "accepted"
    revision = db.session.scalar(select(VisitRevision))
    assert revision.content["observations"] == "Mor og barn i god kontakt."
    assert revision.corrected_by_id == nurse.id and revision.version == 1
    assert revision.reason == "Far var til stede; glemt i første notat."
    assert visit.observations.endswith("Far var også hjemme.")
    with pytest.raises(RuntimeError):
        db.session.delete(revision)
        db.session.flush()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"weight_g": ""}, "weight_g"),
        ({"length_cm": ""}, "length_cm"),
        ({"weight_g": "", "weight_reason": "afvist"}, "weight_g"),  # no reason at 2 months
        ({"length_cm": "58,45"}, "length_cm"),
        ({"length_position": ""}, "length_position"),
        ({"weight_reason": "ikke_maalt"}, "weight_reason"),  # a value and a reason
        ({"visit_date": (clock.today() + timedelta(days=1)).isoformat()}, "visit_date"),
        ({"uuid": "ikke-et-uuid"}, "uuid"),
        ({"contact_form": "brev"}, "contact_form"),
        ({"length_position": "skraat"}, "length_position"),  # not one of the answers
        ({"feeding": "cola"}, "feeding"),
        ({**epds("mor", EPDS_LOW[:9])}, "epds_mor_10"),
    ],
)
def test_invalid_input_gives_danish_field_errors(app, nurse, child, overrides, field):
    result = submit(nurse, payload(child, **overrides))
    assert result.status == "invalid"
    assert field in result.errors, result.errors
    assert db.session.scalar(select(db.func.count(Visit.id))) == 0


@pytest.mark.parametrize("overrides", [{"feeding": "cola"}, {"length_position": "skraat"}])
def test_a_code_that_is_not_among_the_choices_is_refused_in_danish(app, nurse, child, overrides):
    """A select (feeding) or a radio group (length position) sent with a value the form never
    offered (an old device, a tampered request)."""
    result = submit(nurse, payload(child, **overrides))
    (field,) = overrides
    assert result.errors[field] == ["Vælg en af mulighederne."]


def test_the_2_month_visit_requires_weight_and_length(app, nurse, child):
    result = submit(nurse, payload(child, weight_g="", length_cm=""))
    assert result.errors["weight_g"] == ["Vægt skal måles ved besøget ved ca. 2 måneder."]
    assert result.errors["length_cm"] == ["Længde skal måles ved besøget ved ca. 2 måneder."]


def test_other_home_visits_take_a_value_or_a_reason_and_phone_calls_neither(app, nurse, child):
    missing = {"weight_g": "", "length_cm": "", "length_position": "", "head_cm": ""}
    home = submit(nurse, payload(child, visit_type="behov", **missing))
    assert set(home.errors) == {"weight_g", "length_cm", "head_cm"}
    reasons = {
        "weight_reason": "afvist",
        "length_reason": "ikke_muligt",
        "head_reason": "ikke_maalt",
    }
    ok = submit(nurse, payload(child, visit_type="behov", **missing, **reasons))
    assert ok.status == "accepted" and ok.record.weight_reason == "afvist"
    phone = submit(nurse, payload(child, visit_type="behov", contact_form="telefon", **missing))
    assert phone.status == "accepted"


def test_an_implausible_value_warns_but_is_saved(app, nurse, child):
    result = submit(nurse, payload(child, weight_g="11600"))
    assert result.status == "accepted"
    assert [w["measure"] for w in result.record.warnings] == ["weight"]
    assert result.record.warnings[0]["z"] > 4


@pytest.mark.parametrize("answer", ["0", "1", "2", NEVER])
def test_epds_item_10_any_answer_but_never_flags_the_visit_and_signals(app, nurse, child, answer):
    received = []

    def listener(sender, **data):
        received.append((sender, data["user"]))

    urgent_screening.connect(listener)
    try:
        positions = [*EPDS_LOW[:9], int(answer)]
        result = submit(nurse, payload(child, **epds("far", positions)))
    finally:
        urgent_screening.disconnect(listener)
    visit = result.record
    urgent = answer != NEVER
    assert visit.epds_self_harm is urgent
    assert visit.epds_self_harm_parents == ("far" if urgent else None)
    assert received == ([(visit, nurse)] if urgent else [])


def test_epds_scores_with_reverse_items_and_plans_a_follow_up_above_the_cutoff(app, nurse, child):
    # mother: total 16 ≥ 11 (item 10 never); father: 3 < 10
    high = [1, 2, 1, 2, 1, 2, 1, 1, 1, 3]
    result = submit(nurse, payload(child, **epds("mor", high), **epds("far", EPDS_LOW)))
    visit = result.record
    assert (visit.epds_mor_total, visit.epds_far_total) == (16, 3)
    assert visit.epds_mor == high and not visit.epds_self_harm
    followup = db.session.scalar(select(PlannedVisit).where(PlannedVisit.source == "opfoelgning"))
    assert followup.source_visit_uuid == visit.uuid
    assert followup.planned_date == visit.visit_date + timedelta(days=7)
    assert followup.window_end == visit.visit_date + timedelta(days=14)
    assert "EPDS mor 16" in followup.reason


def test_adbb_at_the_cutoff_plans_a_follow_up_within_two_weeks(app, nurse, child):
    scores = {
        f"adbb_{code}": "1"
        for code in (
            "ansigtsudtryk",
            "oejenkontakt",
            "aktivitetsniveau",
            "vokalisering",
            "relation",
        )
    }
    zeros = {f"adbb_{code}": "0" for code in ("selvstimulering", "reaktion", "opmaerksomhed")}
    result = submit(nurse, payload(child, **scores, **zeros))
    assert result.record.adbb_total == 5
    assert db.session.scalar(select(PlannedVisit.reason)).startswith("ADBB 5")


def test_adbb_only_by_certified_staff_and_for_2_to_24_months(app, district, nurse, child):
    scores = {f"adbb_{code}": "0" for code in ADBB_CODES}
    uncertified = make_user(Role.SUNDHEDSPLEJERSKE, district)
    child.caseloads[0].nurse_id = uncertified.id
    result = submit(uncertified, payload(child, **scores))
    assert result.status == "invalid" and "adbb_ansigtsudtryk" in result.errors
    newborn = make_child(district, nurse=nurse, birth_date=clock.today() - timedelta(days=20))
    young = submit(nurse, payload(newborn, visit_type="behov", **scores))
    assert young.errors["adbb_ansigtsudtryk"] == ["ADBB bruges til børn på 2–24 måneder."]


def test_out_of_scope_children_and_other_roles_are_forbidden(app, district, nurse, child):
    other = make_child(make_unit("Syd", UnitKind.SUNDHEDSPLEJEDISTRIKT))
    assert submit(nurse, payload(other)).status == "forbidden"
    paedagog = make_user(Role.PAEDAGOG, district)
    assert submit(paedagog, payload(child)).status == "forbidden"
    assert db.session.scalar(select(db.func.count(Visit.id))) == 0


def test_a_planned_visit_is_fulfilled_once(app, nurse, child):
    planned = PlannedVisit(
        child_id=child.id,
        nurse_id=nurse.id,
        source="program",
        programme_code="maaned2",
        visit_type="maaned2",
        planned_date=clock.today(),
    )
    db.session.add(planned)
    db.session.flush()
    first = submit(nurse, payload(child, planned_visit_id=str(planned.id)))
    assert first.status == "accepted" and planned.status == "gennemfoert"
    second = submit(nurse, payload(child, planned_visit_id=str(planned.id)))
    assert second.status == "invalid" and "planned_visit_id" in second.errors


# --- the HTML form -------------------------------------------------------------------------


def test_the_form_follows_the_offline_contract(client, auth, nurse, child):
    auth.login(nurse)
    response = client.get(f"/boern/{child.id}/besoeg/ny")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-offline-kind="visit"' in html
    for name in ("uuid", "child_id", "form_version"):
        assert (
            f'name="{name}" type="hidden"' in html
            or f'type="hidden" name="{name}"' in html
            or (f'name="{name}"' in html)
        )
    assert "data-epds-item10" in html and f'data-never="{NEVER}"' in html
    assert "js/visits.js" in html


def test_posting_the_form_saves_and_redirects(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child)
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=data)
    assert response.status_code == 303
    visit = db.session.scalar(select(Visit))
    assert response.headers["Location"].endswith(f"/besoeg/{visit.id}")


def test_invalid_form_is_rerendered_with_422_and_the_values_kept(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child, weight_g="", observations="Skrevet i hjemmet.")
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vægt skal måles ved besøget ved ca. 2 måneder." in html
    assert "Skrevet i hjemmet." in html and data["uuid"] in html


def test_item_10_shows_an_alert_to_act_today_on_the_saved_visit(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child, **epds("mor", [*EPDS_LOW[:9], 1]))
    client.post(f"/boern/{child.id}/besoeg/ny", data=data)
    visit = db.session.scalar(select(Visit))
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert 'role="alert"' in html and "Handl i dag" in html
    response = client.post(
        f"/besoeg/{visit.id}/handling",
        data={"urgent_action": "Talt med mor; tid hos egen læge i dag kl. 15."},
    )
    assert response.status_code == 303
    db.session.refresh(visit)
    (action,) = visit.actions
    assert action.text.startswith("Talt med mor") and action.by_id == nurse.id


def test_item_10_prompt_is_already_in_a_rerendered_form(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child, weight_g="", **epds("mor", [*EPDS_LOW[:9], 0]))
    html = client.post(f"/boern/{child.id}/besoeg/ny", data=data).get_data(as_text=True)
    assert "Handl i dag: Mor har svaret" in html


def test_the_visit_page_links_to_assessment_and_concern_when_they_exist(
    app, client, auth, nurse, child
):
    auth.login(nurse)
    visit = submit(nurse, payload(child)).record
    db.session.commit()
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    if "assessments.new" in app.view_functions:
        assert "Trivselsvurdering med forældrene" in html and "with_parents=1" in html
    if "concerns.open" in app.view_functions:
        assert "Rejs en bekymring" in html and f"source_id={visit.id}" in html


def test_links_to_missing_endpoints_are_left_out(app):
    from app.visits.routes import optional_url

    with app.test_request_context():
        assert optional_url("nowhere.new", child_id=1) is None
        assert optional_url("visits.growth", child_id=1) == "/boern/1/vaekst"


def test_correcting_through_the_form_shows_the_history(client, auth, nurse, child):
    auth.login(nurse)
    visit = submit(nurse, payload(child)).record
    db.session.commit()
    form_html = client.get(f"/besoeg/{visit.id}/ret").get_data(as_text=True)
    assert 'name="base_version"' in form_html and "58,4" in form_html
    data = payload(
        child,
        uuid=visit.uuid,
        base_version="1",
        weight_g="5660",
        correction_reason="Vejet igen med ny vægt.",
    )
    response = client.post(f"/besoeg/{visit.id}/ret", data=data)
    assert response.status_code == 303
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert "Vejet igen med ny vægt." in html and "vægt" in html


def test_the_correction_form_opens_for_a_visit_without_length_and_head(client, auth, nurse, child):
    """Measurements not taken (a reason instead) are shown as empty fields, not a 500."""
    auth.login(nurse)
    data = payload(
        child,
        visit_type="behov",
        length_cm="",
        length_position="",
        length_reason="ikke_maalt",
        head_cm="",
        head_reason="ikke_maalt",
    )
    visit = submit(nurse, data).record
    db.session.commit()
    assert visit.length_mm is None and visit.head_mm is None
    response = client.get(f"/besoeg/{visit.id}/ret")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("length_cm", "head_cm"):
        (tag,) = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert 'value=""' in tag, tag


def test_a_sex_recorded_meanwhile_by_another_request_does_not_fail_the_form(app, child):
    """Two visits recorded at once for a child both find no recorded sex; the second one's
    upsert takes over the row instead of failing on the unique key."""
    from app.visits.models import ChildSex
    from app.visits.services import _record_sex

    db.session.add(ChildSex(child_id=child.id, sex="pige"))  # the other request's row
    db.session.flush()
    db.session.expunge_all()
    assert _record_sex(child.id, "dreng").sex == "dreng"
    assert db.session.scalar(select(db.func.count()).select_from(ChildSex)) == 1


# --- actions after EPDS item 10 ------------------------------------------------------------


def test_a_correction_records_a_new_action_and_a_replay_is_a_duplicate(app, nurse, child):
    """The correction form asks "Hvad har du gjort i dag?": what is written there is kept as a
    new action (no correction reason needed when nothing else changed); sending the same
    submission again stores nothing twice."""
    data = payload(child, **epds("mor", [*EPDS_LOW[:9], 1]), urgent_action="Talt med mor.")
    visit = submit(nurse, data).record
    assert [a.text for a in visit.actions] == ["Talt med mor."]
    again = {**data, "base_version": "1", "urgent_action": "Mor har tid hos lægen kl. 15."}
    result = submit(nurse, again)
    assert result.status == "accepted", result.errors
    assert [a.text for a in visit.actions] == ["Talt med mor.", "Mor har tid hos lægen kl. 15."]
    assert visit.version == 1 and db.session.scalar(select(db.func.count(VisitRevision.id))) == 0
    assert submit(nurse, again).status == "duplicate"
    assert submit(nurse, data).status == "duplicate"  # the first submission replayed
    assert db.session.scalar(select(db.func.count(VisitAction.id))) == 2
    corrected = submit(
        nurse,
        {
            **again,
            "weight_g": "5650",
            "correction_reason": "Vejet igen.",
            "urgent_action": "Ringet til mor om aftenen.",
        },
    )
    assert corrected.status == "accepted" and visit.weight_g == 5650
    assert len(visit.actions) == 3 and len(visit.revisions) == 1


def test_a_second_action_keeps_the_first_ones_author_and_time(client, auth, district, nurse):
    """Each action is its own row: who and when of the first stay when another is added."""
    child = make_child(
        district, nurse=nurse, birth_date=clock.today() - timedelta(days=63), cpr=None
    )
    colleague = make_user(Role.SUNDHEDSPLEJERSKE, district, name="Kollega Kirsten")
    data = payload(child, **epds("far", [*EPDS_LOW[:9], 0]), urgent_action="Talt med far.")
    visit = submit(nurse, data).record
    first = visit.actions[0]
    first_at = first.at.replace(tzinfo=None)  # SQLite gives it back without the zone
    db.session.commit()
    auth.login(colleague)
    response = client.post(
        f"/besoeg/{visit.id}/handling", data={"urgent_action": "Far ringet op dagen efter."}
    )
    assert response.status_code == 303
    db.session.expire_all()
    texts = [(a.text, a.by_id) for a in visit.actions]
    assert texts == [("Talt med far.", nurse.id), ("Far ringet op dagen efter.", colleague.id)]
    assert visit.actions[0].at.replace(tzinfo=None) == first_at
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert html.index("Talt med far.") < html.index("Far ringet op dagen efter.")
    assert nurse.name in html and "Kollega Kirsten" in html
    with pytest.raises(RuntimeError):
        db.session.delete(visit.actions[0])
        db.session.flush()


def test_correcting_through_the_form_keeps_the_action_written_there(client, auth, nurse, child):
    """The bug: the correction form showed the action field but dropped what was typed."""
    auth.login(nurse)
    data = payload(child, **epds("mor", [*EPDS_LOW[:9], 2]), urgent_action="Talt med mor.")
    visit = submit(nurse, data).record
    db.session.commit()
    form_html = client.get(f"/besoeg/{visit.id}/ret").get_data(as_text=True)
    assert "Talt med mor." in form_html and "Hvad har du gjort i dag?" in form_html
    response = client.post(
        f"/besoeg/{visit.id}/ret",
        data={**data, "base_version": "1", "urgent_action": "Aftalt opfølgning i morgen."},
    )
    assert response.status_code == 303
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert "Talt med mor." in html and "Aftalt opfølgning i morgen." in html


# --- ADBB corrected by a nurse who is not certified ----------------------------------------


def test_a_nurse_not_certified_corrects_a_visit_with_adbb_without_changing_it(
    client, auth, district, nurse, child
):
    scores = dict(zip((f"adbb_{c}" for c in ADBB_CODES), "01000100", strict=True))
    data = payload(child, **scores)
    visit = submit(nurse, data).record
    uncertified = make_user(Role.SUNDHEDSPLEJERSKE, district, name="Ikke Certificeret")
    child.caseloads[0].nurse_id = uncertified.id
    db.session.commit()
    auth.login(uncertified)
    form_html = client.get(f"/besoeg/{visit.id}/ret").get_data(as_text=True)
    assert '<select id="adbb_ansigtsudtryk"' not in form_html
    assert 'type="hidden" name="adbb_oejenkontakt" value="1"' in form_html
    assert "Du kan ikke ændre scorerne" in form_html

    correction = {**data, "base_version": "1", "weight_g": "5650", "correction_reason": "Vejet."}
    changed = client.post(f"/besoeg/{visit.id}/ret", data={**correction, "adbb_relation": "3"})
    html = changed.get_data(as_text=True)
    assert changed.status_code == 422
    assert "ADBB-scorerne kan kun ændres af en medarbejder, der er certificeret i ADBB." in html
    assert "Vejet.</textarea>" in html and 'value="5650"' in html  # what she typed is kept
    assert 'name="adbb_relation" value="0"' in html  # the recorded score, not the changed one
    db.session.expire_all()
    assert visit.weight_g == 5600 and visit.adbb_scores == [0, 1, 0, 0, 0, 1, 0, 0]

    removed = client.post(
        f"/besoeg/{visit.id}/ret", data={k: v for k, v in correction.items() if k not in scores}
    )
    assert removed.status_code == 422

    kept = client.post(f"/besoeg/{visit.id}/ret", data=correction)
    assert kept.status_code == 303
    db.session.expire_all()
    assert visit.weight_g == 5650 and visit.adbb_scores == [0, 1, 0, 0, 0, 1, 0, 0]


# --- the visit page ------------------------------------------------------------------------


def test_the_most_serious_indicator_levels_are_marked_with_text_and_a_sign(
    client, auth, nurse, child
):
    """Not by colour alone: a "!" badge and the words "mest alvorlige niveau"."""
    visit = submit(
        nurse,
        payload(child, ind_social_kontakt="2", ind_netvaerk="1", ind_soevn="1"),
    ).record
    db.session.commit()
    auth.login(nurse)
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    marked = re.findall(
        r'<strong class="indicator-concern"><span class="concern-mark" aria-hidden="true">!</span>'
        r" ([^<]+) <span",
        html,
    )
    assert marked == ["Udfordringer i social kontakt", "Sparsomt netværk"]
    assert html.count("(mest alvorlige niveau)") == 2
    assert "<strong>Let forstyrret søvn</strong>" in html  # the middle level: not marked


# --- the child's sex for growth ------------------------------------------------------------


def test_changing_the_childs_sex_keeps_the_earlier_one_and_says_z_scores_changed(
    client, auth, nurse, child
):
    first = submit(nurse, payload(child, sex="dreng")).record
    assert db.session.scalar(select(db.func.count(ChildSexChange.id))) == 0  # the first recorded
    second = submit(nurse, payload(child, sex="pige")).record
    (change,) = db.session.scalars(select(ChildSexChange)).all()
    assert (change.old_sex, change.new_sex) == ("dreng", "pige")
    assert change.changed_by_id == nurse.id and change.visit_id == second.id
    assert db.session.get(ChildSex, child.id).sex == "pige"
    db.session.commit()
    auth.login(nurse)
    for visit in (first, second):
        html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
        assert "Barnets køn til vækstkurverne er ændret" in html
        assert "fra dreng til pige" in html and nurse.name in html
        assert "z-scorer og percentiler er beregnet igen" in html


def test_a_correction_of_only_the_sex_is_kept_and_not_taken_for_a_duplicate(app, district, nurse):
    """The sex from the CPR number is the earlier one when none was recorded."""
    boy = make_child(
        district, nurse=nurse, birth_date=clock.today() - timedelta(days=63), cpr="0101261233"
    )
    data = payload(boy, sex="dreng")
    visit = submit(nurse, data).record
    result = submit(nurse, {**data, "sex": "pige", "base_version": "1"})
    assert result.status == "accepted", result.errors
    (change,) = db.session.scalars(select(ChildSexChange)).all()
    assert (change.old_sex, change.new_sex, change.visit_id) == ("dreng", "pige", visit.id)
    assert visit.revisions == []
