"""The nurse's day: programme generation, today's visits, overdue visits, gaps; moving and
skipping visits; scoping of health records; growth charts; the child page section; the demo."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, time, timedelta

import pytest
from flask import current_app, g
from sqlalchemy import func, select

from app import clock
from app.audit.models import AccessLog
from app.auth.models import Membership
from app.auth.roles import Role
from app.children.models import Enrolment
from app.extensions import db
from app.org.models import UnitKind
from app.visits import services
from app.visits.models import ChildSex, PlannedVisit, PlannedVisitChange, Visit
from app.visits.seed import _urgent_day
from tests.factories import make_child, make_unit, make_user


@pytest.fixture
def district(app):
    return make_unit("Sundhedsplejen Nord", UnitKind.SUNDHEDSPLEJEDISTRIKT)


@pytest.fixture
def nurse(district):
    return make_user(Role.SUNDHEDSPLEJERSKE, district, name="Hanne Test")


def baby(district, nurse, days: int, **kwargs):
    return make_child(
        district, nurse=nurse, birth_date=clock.today() - timedelta(days=days), **kwargs
    )


def planned(child, nurse, on, at=None, **kwargs) -> PlannedVisit:
    values = {"source": "behov", "visit_type": "behov", "reason": "Behov."} | kwargs
    visit = PlannedVisit(
        child_id=child.id, nurse_id=nurse.id, planned_date=on, planned_time=at, **values
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def test_the_home_screen_plans_the_programme_for_the_caseload(client, auth, district, nurse):
    """Opening her day creates the five programme visits for a newborn in her caseload."""
    child = baby(district, nurse, 3)
    older = baby(district, nurse, 5 * 365)  # past the programme: nothing planned
    auth.login(nurse)
    assert client.get("/").status_code == 200
    rows = db.session.scalars(
        select(PlannedVisit).where(PlannedVisit.child_id == child.id).order_by(PlannedVisit.id)
    ).all()
    assert [p.programme_code for p in rows] == [
        "uge1",
        "maaned1",
        "maaned2",
        "maaned4_6",
        "maaned8_10",
    ]
    assert all(p.nurse_id == nurse.id and p.status == "planlagt" for p in rows)
    assert not db.session.scalar(select(PlannedVisit).where(PlannedVisit.child_id == older.id))
    client.get("/")  # idempotent
    assert db.session.scalar(select(func.count(PlannedVisit.id))) == 5


def test_todays_visits_in_time_order_with_address_and_tap_to_call(client, auth, district, nurse):
    today = clock.today()
    late = baby(district, nurse, 400, first_name="Sen")
    early = baby(district, nurse, 420, first_name="Tidlig")
    early.guardians[0].address = "Egevej 3, 9999 Egeskov"
    early.guardians[0].phone = "+45 99 11 22 33"
    planned(late, nurse, today, time(13, 0))
    planned(early, nurse, today, time(9, 0))
    auth.login(nurse)
    html = client.get("/").get_data(as_text=True)
    assert "Dagens besøg" in html
    assert html.index("09:00") < html.index("13:00")
    assert html.index("Tidlig") < html.index("Sen")
    assert "Egevej 3, 9999 Egeskov" in html
    assert 'href="tel:+4599112233"' in html
    logged = db.session.scalars(select(AccessLog.child_id).where(AccessLog.action == "view")).all()
    assert set(logged) >= {early.id, late.id}


def test_coming_days_overdue_and_gaps(client, auth, district, nurse):
    today = clock.today()
    coming = baby(district, nurse, 500, first_name="Kommende")
    late = baby(district, nurse, 510, first_name="Forsinket")
    gap = baby(district, nurse, 520, first_name="Hul")
    planned(coming, nurse, today + timedelta(days=2), time(10, 0))
    planned(late, nurse, today - timedelta(days=3))
    planned(
        gap,
        nurse,
        today - timedelta(days=30),
        source="program",
        programme_code="maaned2",
        visit_type="maaned2",
        window_end=today - timedelta(days=5),
    )
    auth.login(nurse)
    html = client.get("/besoeg").get_data(as_text=True)
    coming_part = html[html.index("De kommende dage") : html.index("Forsinkede besøg")]
    overdue_part = html[html.index("Forsinkede besøg") : html.index("Børn med huller")]
    gaps_part = html[html.index("Børn med huller") :]
    assert "Kommende" in coming_part
    assert "Forsinket" in overdue_part and "Hul" not in overdue_part
    assert "Hul" in gaps_part and "Besøg ved det ca. 2 måneder gamle barn" in gaps_part


def test_moving_a_visit_keeps_the_old_date_and_the_reason(client, auth, district, nurse):
    child = baby(district, nurse, 60)
    visit = planned(child, nurse, clock.today())
    auth.login(nurse)
    empty = client.post(f"/planlagte-besoeg/{visit.id}/flyt", data={"planned_date": ""})
    assert empty.status_code == 422 and "Skriv hvorfor." in empty.get_data(as_text=True)
    new_day = clock.today() + timedelta(days=4)
    response = client.post(
        f"/planlagte-besoeg/{visit.id}/flyt",
        data={
            "planned_date": new_day.isoformat(),
            "planned_time": "11:30",
            "reason": "Mor har bedt om en senere dag.",
        },
    )
    assert response.status_code == 303
    db.session.refresh(visit)
    assert visit.planned_date == new_day and visit.planned_time == time(11, 30)
    change = db.session.scalar(select(PlannedVisitChange))
    assert (change.kind, change.from_date, change.to_date) == ("flyttet", clock.today(), new_day)
    assert change.reason == "Mor har bedt om en senere dag." and change.by_id == nurse.id


def test_a_visit_cannot_be_moved_into_the_past_but_to_today(client, auth, district, nurse):
    child = baby(district, nurse, 60)
    visit = planned(child, nurse, clock.today() + timedelta(days=2))
    auth.login(nurse)
    yesterday = clock.today() - timedelta(days=1)
    response = client.post(
        f"/planlagte-besoeg/{visit.id}/flyt",
        data={"planned_date": yesterday.isoformat(), "reason": "Glemt at flytte den."},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Datoen ligger i fortiden. Vælg i dag eller en senere dato." in html
    assert f'value="{yesterday.isoformat()}"' in html and "Glemt at flytte den." in html
    db.session.refresh(visit)
    assert visit.planned_date == clock.today() + timedelta(days=2)
    today = client.post(
        f"/planlagte-besoeg/{visit.id}/flyt",
        data={"planned_date": clock.today().isoformat(), "reason": "Familien kan i dag."},
    )
    assert today.status_code == 303
    db.session.refresh(visit)
    assert visit.planned_date == clock.today()


def test_a_programme_visit_not_carried_out_may_be_planned_again_while_its_window_is_open(
    client, auth, district, nurse
):
    """Marked not carried out inside its window, a contact is no gap yet: it is planned again
    (keeping why it was not carried out); once its window closes without a visit, it is one."""
    child = baby(district, nurse, 70, first_name="Afbud")
    visit = planned(
        child,
        nurse,
        clock.today(),
        source="program",
        programme_code="maaned2",
        visit_type="maaned2",
        window_start=clock.today() - timedelta(days=10),
        window_end=clock.today() + timedelta(days=10),
    )
    auth.login(nurse)
    assert client.post(f"/planlagte-besoeg/{visit.id}/ikke-gennemfoert", data={}).status_code == 422
    response = client.post(
        f"/planlagte-besoeg/{visit.id}/ikke-gennemfoert",
        data={"not_done_reason": "afbud", "note": "Barnet syg."},
    )
    assert response.status_code == 303
    db.session.refresh(visit)
    assert visit.status == "ikke_gennemfoert" and visit.not_done_reason == "afbud"
    html = client.get("/besoeg").get_data(as_text=True)
    assert "Børn med huller" not in html or "Afbud" not in html[html.index("Børn med huller") :]
    assert client.post(f"/planlagte-besoeg/{visit.id}/flyt", data={}).status_code == 409
    page = client.get(f"/boern/{child.id}/besoeg").get_data(as_text=True)
    assert f"/planlagte-besoeg/{visit.id}/planlaeg-igen" in page
    again = clock.today() + timedelta(days=3)
    response = client.post(
        f"/planlagte-besoeg/{visit.id}/planlaeg-igen",
        data={"planned_date": again.isoformat(), "reason": "Ny tid aftalt med mor."},
    )
    assert response.status_code == 303
    db.session.refresh(visit)
    assert (visit.status, visit.planned_date, visit.not_done_reason) == ("planlagt", again, None)
    kinds = [(c.kind, c.reason) for c in visit.changes]
    assert kinds == [
        ("ikke_gennemfoert", "Barnet syg."),
        ("planlagt_igen", "Ny tid aftalt med mor."),
    ]
    assert client.get(f"/planlagte-besoeg/{visit.id}/planlaeg-igen").status_code == 409

    services.mark_not_done(visit, nurse, "afbud", None)
    visit.window_end = clock.today() - timedelta(days=1)
    db.session.flush()
    html = client.get("/besoeg").get_data(as_text=True)
    assert "Afbud" in html[html.index("Børn med huller") :]
    assert client.get(f"/planlagte-besoeg/{visit.id}/planlaeg-igen").status_code == 409


def test_a_catch_up_visit_of_the_type_inside_the_window_closes_the_gap(
    client, auth, district, nurse
):
    """4–6 months marked not carried out, then a 4–6-month visit recorded in its window."""
    child = baby(district, nurse, 210, first_name="Indhentet", cpr=None)
    contact = planned(
        child,
        nurse,
        clock.today() - timedelta(days=60),
        source="program",
        programme_code="maaned4_6",
        visit_type="maaned4_6",
        window_start=clock.today() - timedelta(days=90),
        window_end=clock.today() - timedelta(days=10),
        status="ikke_gennemfoert",
        not_done_reason="afbud",
    )
    auth.login(nurse)
    html = client.get("/besoeg").get_data(as_text=True)
    assert "Indhentet" in html[html.index("Børn med huller") :]
    db.session.add(
        Visit(
            uuid=str(uuid.uuid4()),
            child_id=child.id,
            nurse_id=nurse.id,
            visit_type=contact.visit_type,
            contact_form="hjemmebesoeg",
            visit_date=clock.today() - timedelta(days=20),
        )
    )
    db.session.flush()
    html = client.get("/besoeg").get_data(as_text=True)
    assert "Børn med huller" not in html or "Indhentet" not in html[html.index("Børn med huller") :]


def test_a_needs_based_visit_is_added_by_hand(client, auth, district, nurse):
    child = baby(district, nurse, 90)
    auth.login(nurse)
    response = client.post(
        f"/boern/{child.id}/besoeg/behov",
        data={
            "planned_date": clock.today().isoformat(),
            "planned_time": "14:00",
            "reason": "Uro og gråd om aftenen.",
        },
    )
    assert response.status_code == 303
    added = db.session.scalar(select(PlannedVisit).where(PlannedVisit.source == "behov"))
    assert added.visit_type == "behov" and added.nurse_id == nurse.id
    assert "Uro og gråd om aftenen." in client.get("/").get_data(as_text=True)


def test_recording_from_today_list_fulfils_the_planned_visit(client, auth, district, nurse):
    child = baby(district, nurse, 62, first_name="Idag")
    visit = planned(
        child,
        nurse,
        clock.today(),
        time(9, 0),
        source="program",
        programme_code="maaned2",
        visit_type="maaned2",
    )
    auth.login(nurse)
    form = client.get(f"/boern/{child.id}/besoeg/ny?planlagt={visit.id}").get_data(as_text=True)
    assert f'name="planned_visit_id" type="hidden" value="{visit.id}"' in form or (
        f'value="{visit.id}"' in form
    )
    data = {
        "uuid": str(uuid.uuid4()),
        "child_id": str(child.id),
        "form_version": "1",
        "planned_visit_id": str(visit.id),
        "visit_type": "maaned2",
        "contact_form": "hjemmebesoeg",
        "visit_date": clock.today().isoformat(),
        "weight_g": "5400",
        "length_cm": "57,0",
        "length_position": "liggende",
        "head_reason": "ikke_maalt",
        "sex": "pige",
    }
    assert client.post(f"/boern/{child.id}/besoeg/ny", data=data).status_code == 303
    db.session.refresh(visit)
    assert visit.status == "gennemfoert" and visit.record is not None
    html = client.get("/").get_data(as_text=True)
    assert "Registreret i dag" in html


# --- scoping -------------------------------------------------------------------------------


def test_a_nurse_sees_her_caseload_and_district_only(client, auth, district, nurse):
    own = baby(district, nurse, 100)
    other_district = make_unit("Syd", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    other_nurse = make_user(Role.SUNDHEDSPLEJERSKE, other_district)
    foreign = baby(other_district, other_nurse, 100)
    # A child of her district followed by a colleague: she sees it (district), but its
    # planned visits are the colleague's, not on her screen.
    colleague = make_user(Role.SUNDHEDSPLEJERSKE, district)
    shared = baby(district, colleague, 100, first_name="Kollegas")
    planned(shared, colleague, clock.today(), time(8, 0))
    auth.login(nurse)
    for child in (own, shared):
        assert client.get(f"/boern/{child.id}/besoeg").status_code == 200
    for url in (
        f"/boern/{foreign.id}/besoeg",
        f"/boern/{foreign.id}/vaekst",
        f"/boern/{foreign.id}/besoeg/ny",
    ):
        assert client.get(url).status_code == 404
    assert "Kollegas" not in client.get("/").get_data(as_text=True)


def test_daycare_staff_see_the_child_but_not_its_health_records(client, auth, district, nurse):
    vuggestue = make_unit("Vuggestue", UnitKind.VUGGESTUE)
    child = baby(district, nurse, 400)
    child.enrolments.append(Enrolment(unit=vuggestue, start_date=clock.today()))
    paedagog = make_user(Role.PAEDAGOG, vuggestue)
    with current_app.test_request_context():
        record = services.submit_visit(
            nurse,
            {
                "uuid": str(uuid.uuid4()),
                "child_id": str(child.id),
                "form_version": "1",
                "visit_type": "behov",
                "contact_form": "telefon",
                "visit_date": clock.today().isoformat(),
                "observations": "Fortroligt.",
            },
        ).record
    g.pop("_login_user", None)
    auth.login(paedagog)
    page = client.get(f"/boern/{child.id}")
    assert page.status_code == 200 and "visits-section-heading" not in page.get_data(as_text=True)
    assert client.get(f"/besoeg/{record.id}").status_code == 403
    assert client.get(f"/boern/{child.id}/vaekst").status_code == 403


def test_the_health_visiting_leader_reads_but_does_not_record(client, auth, district, nurse):
    leader = make_user(Role.LEDER, district)
    child = baby(district, nurse, 100)
    auth.login(leader)
    assert client.get(f"/boern/{child.id}/besoeg").status_code == 200
    assert client.get(f"/boern/{child.id}/besoeg/ny").status_code == 403


# --- growth and the child page -------------------------------------------------------------


def _measured(child, nurse, days_old: int, weight_g: int, length_mm: int, head_mm: int):
    visit = Visit(
        uuid=str(uuid.uuid4()),
        child_id=child.id,
        nurse_id=nurse.id,
        visit_type="behov",
        contact_form="hjemmebesoeg",
        visit_date=child.birth_date + timedelta(days=days_old),
        weight_g=weight_g,
        length_mm=length_mm,
        length_position="liggende",
        head_mm=head_mm,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def test_growth_page_draws_the_points_and_a_table(client, auth, district, nurse):
    child = baby(district, nurse, 200, cpr=None)
    db.session.add(ChildSex(child_id=child.id, sex="dreng"))
    _measured(child, nurse, 30, 4500, 547, 373)
    _measured(child, nurse, 183, 7900, 676, 433)
    auth.login(nurse)
    html = client.get(f"/boern/{child.id}/vaekst").get_data(as_text=True)
    assert html.count('<svg class="growth-chart"') == 3
    assert len(re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="5">', html)) == 6
    assert "WHO Child Growth Standards 2006" in html
    assert "7900 g" in html  # the table: the text alternative, in the visit record's grams
    assert "Vægt at være opmærksom på" not in html


def test_growth_flags_on_the_child_page(client, auth, district, nurse):
    child = baby(district, nurse, 200)
    db.session.add(ChildSex(child_id=child.id, sex="pige"))
    _measured(child, nurse, 61, 5100, 570, 381)
    _measured(child, nurse, 183, 6000, 640, 410)  # weight down across two centile lines
    auth.login(nurse)
    html = client.get(f"/boern/{child.id}").get_data(as_text=True)
    assert "Sundhedspleje" in html and "Seneste målinger" in html
    assert "Vægt er faldet over 2 percentillinjer" in html
    assert f"/boern/{child.id}/vaekst" in html


def test_premature_child_is_plotted_at_corrected_age(client, auth, district, nurse):
    child = baby(district, nurse, 120)
    child.gestational_age_weeks = 32
    db.session.add(ChildSex(child_id=child.id, sex="pige"))
    _measured(child, nurse, 120, 5000, 580, 390)
    auth.login(nurse)
    html = client.get(f"/boern/{child.id}/vaekst").get_data(as_text=True)
    assert "korrigeret" in html and "født i uge 32" in html


def test_home_screen_queries_do_not_grow_with_the_number_of_visits(
    client, auth, district, nurse, count_queries
):
    today = clock.today()
    for i in range(3):
        planned(baby(district, nurse, 300 + i), nurse, today, time(9 + i, 0))
    auth.login(nurse)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for i in range(12):
        planned(baby(district, nurse, 400 + i), nurse, today, time(8, i))
    db.session.commit()
    with count_queries() as many:
        client.get("/")
    # Each of today's visits writes one access-log row; reads stay constant.
    reads = lambda stmts: [s for s in stmts if not s.lstrip().upper().startswith("INSERT")]  # noqa: E731
    assert len(reads(many)) <= len(reads(few)) + 2


def test_the_demo_gives_the_nurse_a_day_to_start(app):
    """Today's visits with times, an EPDS above the cut-off and ADBB for the demo nurse."""
    from app.auth.models import User
    from app.demo.seed import seed_demo
    from app.reminders import sweep

    seed_demo(clock.today(), n_children=80)
    nurse = db.session.scalar(select(User).where(User.email == "sundhedsplejerske@opspor.demo"))
    today = db.session.scalars(
        select(PlannedVisit).where(
            PlannedVisit.nurse_id == nurse.id,
            PlannedVisit.planned_date == clock.today(),
            PlannedVisit.status == "planlagt",
        )
    ).all()
    assert len(today) >= 3 and sum(1 for p in today if p.planned_time) >= 3
    # Every coming visit of hers lies in its contact's window (no 2-month visit at five weeks).
    coming = db.session.scalars(
        select(PlannedVisit).where(
            PlannedVisit.nurse_id == nurse.id,
            PlannedVisit.status == "planlagt",
            PlannedVisit.planned_date >= clock.today(),
        )
    ).all()
    outside = [
        (p.visit_type, p.planned_date, p.window_start, p.window_end)
        for p in coming
        if (p.window_start and p.planned_date < p.window_start)
        or (p.window_end and p.planned_date > p.window_end)
    ]
    assert outside == []
    # "Ring til mor" shows a mother's name, "Ring til far" a father's.
    from app.children.models import Guardian
    from app.demo.names import FATHERS_FIRST, MOTHERS_FIRST

    for guardian in db.session.scalars(select(Guardian)):
        first = guardian.name.split()[0]
        assert first in {"mor": MOTHERS_FIRST, "far": FATHERS_FIRST}[guardian.relation], (
            guardian.name,
            guardian.relation,
        )
    mine = select(Visit).where(Visit.nurse_id == nurse.id)
    assert db.session.scalar(mine.where(Visit.epds_mor_total >= 11))
    assert db.session.scalar(mine.where(Visit.adbb_total.is_not(None)))
    assert db.session.scalar(mine.where(Visit.weight_g.is_not(None)))
    assert nurse.qualifications.get("adbb")
    assert db.session.scalar(select(func.count(Membership.id)))  # the base demo is there
    # A visit on her last working day (today early on a Monday) whose EPDS item 10 needs
    # action, the action recorded that day, the leader told: recorded on its own date like
    # every seeded record, yet within the leader's look-back.
    (urgent,) = db.session.scalars(mine.where(Visit.epds_self_harm.is_(True))).all()
    assert urgent.visit_date == _urgent_day(clock.today()) and urgent.visit_time
    assert urgent.epds_self_harm_parents == "far"
    assert clock.local_date(urgent.created_at) == urgent.visit_date
    assert [a.by_id for a in urgent.actions] == [nurse.id]
    assert clock.local_date(urgent.actions[0].at) == urgent.visit_date
    acted = urgent.actions[0].at
    acted = acted if acted.tzinfo else acted.replace(tzinfo=UTC)  # SQLite: naive UTC
    assert acted.astimezone(clock.LOCAL_TZ).time() > urgent.visit_time
    leader = db.session.scalar(select(User).where(User.email == "ledende.sp@opspor.demo"))
    reminders = sweep.plan(clock.local_now(), only=("urgent_screening",))
    assert any(r.user_id == leader.id and f"visit:{urgent.id}" in r.subjects for r in reminders), (
        reminders
    )


@pytest.mark.parametrize(
    "today, day",
    [
        (date(2026, 11, 26), date(2026, 11, 25)),  # Thursday: Wednesday
        (date(2026, 11, 24), date(2026, 11, 23)),  # Tuesday: Monday
        (date(2026, 11, 29), date(2026, 11, 27)),  # Sunday: Friday, two days back
        (date(2026, 11, 30), date(2026, 11, 30)),  # Monday: Friday is out of reach, so today
    ],
)
def test_the_demo_item10_visit_lies_within_the_leaders_look_back(today, day):
    assert _urgent_day(today) == day


def test_the_home_screen_caps_the_long_lists_and_links_to_them_in_full(
    client, auth, district, nurse
):
    """Today's visits and a record still waiting for an urgent action are always all there; the
    other lists show their first HOME_LIMIT rows and "Vis alle (N)" leads to the whole list."""
    from app.visits.queries import HOME_LIMIT

    today = clock.today()
    n = HOME_LIMIT + 3
    OLD = 5 * 365  # past the programme: no programme visits of their own
    for i in range(n):
        planned(baby(district, nurse, OLD + i, first_name=f"Idag{i:02d}"), nurse, today, time(8, i))
        planned(
            baby(district, nurse, OLD + 20 + i, first_name=f"Snart{i:02d}"),
            nurse,
            today + timedelta(days=2),
        )
        planned(
            baby(district, nurse, OLD + 40 + i, first_name=f"Sent{i:02d}"),
            nurse,
            today - timedelta(days=2),
        )
    for i in range(n):
        child = baby(district, nurse, OLD + 60 + i, first_name=f"Gjort{i:02d}")
        db.session.add(
            Visit(
                uuid=str(uuid.uuid4()),
                child_id=child.id,
                nurse_id=nurse.id,
                visit_type="behov",
                contact_form="hjemmebesoeg",
                visit_date=today,
                epds_self_harm=(i == 0),
            )
        )
    auth.login(nurse)
    html = client.get("/").get_data(as_text=True)
    assert all(f"Idag{i:02d}" in html for i in range(n))
    assert "Gjort00" in html and "Handling i dag mangler" in html
    for word in ("Snart", "Sent", "Gjort"):
        assert len(set(re.findall(rf"{word}\d\d ", html))) == HOME_LIMIT + (word == "Gjort"), word
    for which, total in (("kommende", n), ("forsinkede", n), ("registreret", n)):
        assert re.search(
            rf'href="/besoeg/liste/{which}">Vis alle<span[^>]*>[^<]*</span> \({total}\)', html
        )
        full = client.get(f"/besoeg/liste/{which}").get_data(as_text=True)
        word = {"kommende": "Snart", "forsinkede": "Sent", "registreret": "Gjort"}[which]
        assert len(set(re.findall(rf"{word}\d\d ", full))) == n, which
    assert "/besoeg/liste/huller" not in html  # no gaps: nothing to show in full
    assert client.get("/besoeg/liste/andet").status_code == 404
