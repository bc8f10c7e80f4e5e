"""Underretning support: a prefilled draft with the full CPR only on its own page (never in a
URL or the log, never cached), sent date/channel, the receipt due in 6 working days, the
feedback. No approval step."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AccessLog
from app.concerns import queries
from app.concerns.models import ConcernEvent, Underretning
from app.extensions import db
from tests.factories import make_child
from tests.web.concerns_helpers import (
    TODAY,
    course_url,
    logged_in_setup,
    open_course,
)


@pytest.fixture
def s(app, auth):
    yield from logged_in_setup(auth)


def start(client, s, **course_kw):
    """A red course with parents told and a fokuspunkt, then the draft from the question."""
    course = open_course(client, s.child, reason="Blå mærker på armen", **course_kw)
    client.post(
        course_url(course, "/foraeldre"),
        data={
            "parents-parents_informed_on": TODAY.isoformat(),
            "parents-parents_how": "samtale",
            "parents-parents_reaction": "Far blev vred",
        },
    )
    client.post(
        course_url(course, "/fokuspunkter"),
        data={
            "plan-observation": "Græder ved afhentning",
            "plan-action": "Daglige noter",
            "plan-responsible_text": "Pia",
            "plan-due_on": "2026-03-20",
        },
    )
    response = client.post(
        course_url(course, "/underretning-spoergsmaal"), data={"question-answer": "ja"}
    )
    assert response.status_code == 303
    draft = db.session.scalar(select(Underretning))
    return course, draft, response.headers["Location"]


def test_the_draft_is_prefilled_with_what_opspor_knows(client, s):
    course, draft, url = start(client, s)
    assert url.endswith(f"/boern/{s.child.id}/underretninger/{draft.id}")
    assert "Blå mærker på armen" in draft.concern
    assert "10.03.2026" in draft.observations and "Græder ved afhentning" in draft.observations
    assert "Daglige noter (Pia), frist 20.03.2026: i gang." in draft.tried
    assert "orienteret 10.03.2026 (samtale)" in draft.parents_text
    assert "Far blev vred" in draft.parents_text
    assert draft.writer_relation.startswith("Jeg er pædagog for Ida i Børnehaven Kløveren")
    response = client.get(url)
    page = response.get_data(as_text=True)
    cpr = s.child.cpr
    assert f"{cpr[:6]}-{cpr[6:]}" in page  # full, for this purpose only
    assert response.headers["Cache-Control"] == "no-store"
    assert "Egevej 3, 9999 Egeskov" in page and "Har brug for tolk" in page
    assert "Børnehaven Kløveren" in page and "Pia Pædagog" in page
    # Never in a URL or the access log.
    assert cpr not in url and cpr[6:] not in url
    whats = db.session.scalars(select(AccessLog.what)).all()
    assert f"underretning:{draft.id}" in whats
    assert not any(cpr[6:] in w for w in whats)


def test_the_parents_are_not_described_when_the_concern_is_abuse_by_them(client, s):
    course = open_course(client, s.child)
    client.post(
        course_url(course, "/foraeldre"),
        data={
            "parents-parents_exempt": "y",
            "parents-parents_exempt_reason": "Mistanke om vold fra far",
        },
    )
    client.post(course_url(course, "/underretning-spoergsmaal"), data={"question-answer": "ja"})
    draft = db.session.scalar(select(Underretning))
    assert draft.parents_text.startswith("Forældrene er ikke orienteret")
    assert "Far blev vred" not in draft.parents_text


def test_saving_the_draft_and_answering_yes_again_reuses_it(client, s):
    course, draft, url = start(client, s)
    response = client.post(
        url, data={"draft-other": "Barnet sagde: far slår", "draft-concern": "Vold"}
    )
    assert response.status_code == 303
    db.session.refresh(draft)
    assert draft.other == "Barnet sagde: far slår" and draft.concern == "Vold"
    again = client.post(
        course_url(course, "/underretning-spoergsmaal"), data={"question-answer": "ja"}
    )
    assert again.headers["Location"].endswith(url)
    assert len(db.session.scalars(select(Underretning)).all()) == 1


def test_sent_receipt_due_in_six_working_days_and_then_frozen(client, s):
    course, draft, url = start(client, s)
    response = client.post(f"{url}/sendt", data={"sent-sent_on": "2026-03-11"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Datoen kan ikke ligge efter i dag." in page
    assert "Vælg hvordan underretningen blev sendt." in page
    response = client.post(
        f"{url}/sendt",
        data={
            "sent-sent_on": "2026-03-06",
            "sent-channel": "Sikker e-mail",
            "sent-sent_to": "Børne- og Familieafdelingen",
        },
    )
    assert response.status_code == 303
    db.session.refresh(draft)
    assert draft.is_sent and draft.channel == "Sikker e-mail"
    assert draft.receipt_due_on == date(2026, 3, 16)  # Friday + 6 working days
    page = client.get(url).get_data(as_text=True)
    assert "senest 16.03.2026" in page
    # What was sent is kept as it was sent.
    assert client.post(url, data={"draft-other": "ændret"}).status_code == 409
    assert client.post(f"{url}/sendt", data={}).status_code == 409


def test_receipt_and_feedback(client, s):
    course, draft, url = start(client, s)
    client.post(
        f"{url}/sendt",
        data={"sent-sent_on": "2026-03-09", "sent-channel": "Brev"},
    )
    response = client.post(f"{url}/kvittering", data={"receipt-receipt_on": "2026-03-02"})
    assert response.status_code == 422
    assert "Kvitteringen kan ikke være modtaget før afsendelsen." in response.get_data(as_text=True)
    response = client.post(f"{url}/kvittering", data={"receipt-receipt_on": "2026-03-10"})
    assert response.status_code == 303
    db.session.refresh(draft)
    assert draft.receipt_on == TODAY and draft.investigation_started is None
    response = client.post(
        f"{url}/kvittering",
        data={
            "receipt-receipt_on": "2026-03-10",
            "receipt-investigation_started": "ja",
            "receipt-feedback_note": "Børnefaglig undersøgelse startet",
        },
    )
    assert response.status_code == 303
    db.session.refresh(draft)
    assert draft.investigation_started == "ja" and draft.feedback_on == TODAY
    corrected = db.session.scalar(
        select(ConcernEvent).where(ConcernEvent.kind == "receipt-corrected")
    )
    assert corrected.before["investigation_started"] is None


def test_missing_receipts_are_listed_after_the_deadline(client, s):
    course, draft, url = start(client, s)
    client.post(f"{url}/sendt", data={"sent-sent_on": "2026-03-02", "sent-channel": "Brev"})
    db.session.refresh(draft)
    assert draft.receipt_due_on == date(2026, 3, 10)
    assert db.session.scalars(queries.missing_receipts({s.unit.id}, TODAY)).all() == []
    tomorrow = TODAY + timedelta(days=1)
    assert db.session.scalars(queries.missing_receipts({s.unit.id}, tomorrow)).all() == [draft]
    assert db.session.scalars(queries.missing_receipts({s.other_unit.id}, tomorrow)).all() == []


def test_an_underretning_can_be_started_from_any_course_and_not_by_strangers(client, auth, s):
    course = open_course(client, s.child, position="gul")
    response = client.post(f"/boern/{s.child.id}/underretninger/ny?course_id={course.id}")
    assert response.status_code == 303
    draft = db.session.scalar(select(Underretning))
    assert draft.course_id == course.id
    auth.login(s.stranger)
    base = f"/boern/{s.child.id}/underretninger"
    assert client.get(f"{base}/{draft.id}").status_code == 404
    for suffix in ("", "/sendt", "/kvittering"):
        assert client.post(f"{base}/{draft.id}{suffix}", data={}).status_code == 404
    assert client.post(f"{base}/ny").status_code == 404
    # A course of another child in the query string is refused too.
    auth.login(s.paedagog)
    sibling = make_child(s.unit, first_name="Alma")
    db.session.commit()
    other = f"/boern/{sibling.id}/underretninger/ny?course_id={course.id}"
    assert client.post(other).status_code == 404


def test_the_draft_carries_dated_assessments_and_only_nurses_get_visit_notes(client, auth, s):
    """Red joint assessments come in with their justification; health-visit notes only when
    the writer may read health records (a sundhedsplejerske), never for a pædagog. The nurse's
    draft carries neither the børnehave's course nor its assessments (no consent)."""
    models = pytest.importorskip("app.assessments.models")
    visits = pytest.importorskip("app.visits.models")
    from app.assessments.positions import Position
    from app.auth.roles import Role
    from app.children.models import Caseload
    from app.org.models import UnitKind
    from tests.factories import make_unit, make_user

    db.session.add(
        models.Assessment(
            uuid="a-1",
            series_uuid="a-1",
            form_version=1,
            child_id=s.child.id,
            unit_id=s.unit.id,
            kind=models.AssessmentKind.JOINT,
            assessor_id=s.paedagog.id,
            concluding=True,
            assessed_on=date(2026, 3, 2),
            age_band="3-6",
            indicators=[],
            notes={},
            position=Position.ROED,
            justification="Trækker sig og virker bange ved afhentning.",
        )
    )
    db.session.add(
        visits.Visit(
            uuid="v-1",
            child_id=s.child.id,
            visit_type="behov",
            contact_form="hjemmebesoeg",
            visit_date=date(2026, 2, 20),
            observations="Mor fortæller om konflikter i hjemmet.",
        )
    )
    db.session.commit()
    course, draft, url = start(client, s)
    assert (
        "02.03.2026: Trivselsvurdering i Børnehaven Kløveren: rød position. Trækker sig"
        in draft.observations
    )
    assert "konflikter i hjemmet" not in draft.observations
    district = make_unit("Distrikt", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    s.child.caseloads.append(Caseload(nurse_id=nurse.id, start_date=s.child.birth_date))
    db.session.commit()
    auth.login(nurse)
    # The børnehave's course is not hers: another unit's records need the parents' consent.
    response = client.post(f"/boern/{s.child.id}/underretninger/ny?course_id={course.id}")
    assert response.status_code == 404
    response = client.post(f"/boern/{s.child.id}/underretninger/ny")
    assert response.status_code == 303
    nurses = db.session.scalars(select(Underretning).order_by(Underretning.id.desc())).first()
    assert "20.02.2026: Behovskontakt: Mor fortæller om konflikter i hjemmet." in (
        nurses.observations
    )
    assert "Trækker sig" not in nurses.observations
