"""Demo data for the health visits: programmes, past visits with plausible growth, today's visits
for the demo nurse, a few screenings. Invented and deterministic (own random generator)."""

from __future__ import annotations

import random
import uuid as uuidlib
from datetime import date, datetime, time, timedelta

from rcpchgrowth import measurement_from_sds
from sqlalchemy import select

from app import clock
from app.children.models import Caseload, Child
from app.demo import names
from app.extensions import db
from app.reminders.rules import URGENT_DAYS
from app.visits import growth, services
from app.visits.models import ChildSex, PlannedVisit, Visit, VisitAction
from app.visits.programme import programme_from_settings, programme_horizon_days, visit_settings

TODAY_TIMES = (time(9, 0), time(10, 30), time(13, 0), time(14, 30))
NOTES = (
    "Mor og barn i god kontakt. Mor spørger til søvnrytme; vi talte om faste puttetider.",
    "Far passer barnet på barsel. Barnet smiler og pludrer. Gode råd om tandbørstning givet.",
    "Familien virker veltilpas. Amningen går godt efter lidt ømhed i starten.",
    "Barnet er vågent og interesseret. Forældrene har spørgsmål om overgang til skemad.",
    "Mor fortæller om travlhed med storesøster. Aftalt at tale om netværk næste gang.",
)


def _sex_of(child: Child) -> str:
    return "pige" if child.first_name in names.FIRST_GIRLS else "dreng"


def _value(measure: str, sex: str, z: float, age_days: int) -> float | None:
    if age_days < 0:
        return None
    value = measurement_from_sds(
        reference=growth.REFERENCE,
        requested_sds=z,
        measurement_method=growth.MEASURES[measure],
        sex=growth.SEX_TO_RCPCH[sex],
        age=age_days / 365.25,
        default_youngest_reference=age_days < growth.TWO_YEARS_DAYS,
    )
    return None if value is None else float(value)


def _feeding(age_days: int, rng: random.Random) -> str:
    if age_days < 60:
        return rng.choice(
            ["fuldamning", "fuldamning", "fuldamning", "ammes_primaert", "erstatning"]
        )
    if age_days < 180:
        return rng.choice(["fuldamning", "ammes_primaert", "ammes_supplement", "erstatning"])
    return rng.choice(["ammes_supplement", "erstatning", "familiens_mad"])


def _record(child, planned, nurse_id, on, rng, sex, zs, settings, **extra) -> Visit:
    age = growth.corrected_age(child.birth_date, on, child.gestational_age_weeks)
    weight = _value("weight", sex, zs["weight"] + rng.gauss(0, 0.12), age.days)
    length = _value("length", sex, zs["length"] + rng.gauss(0, 0.15), age.days)
    head = _value("head", sex, zs["head"] + rng.gauss(0, 0.12), age.days)
    visit = Visit(
        uuid=str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
        form_version=1,
        child_id=child.id,
        planned_visit=planned,
        nurse_id=nurse_id,
        created_by_id=nurse_id,
        visit_type=planned.visit_type,
        contact_form="hjemmebesoeg",
        visit_date=on,
        visit_time=rng.choice(TODAY_TIMES),
        present=rng.choice([["mor"], ["mor", "far"], ["far"], ["mor", "soeskende"]]),
        weight_g=round(weight * 1000) if weight else None,
        weight_reason=None if weight else "ikke_maalt",
        length_mm=round(length * 10) if length else None,
        length_position="liggende" if length else None,
        length_reason=None if length else "ikke_maalt",
        head_mm=round(head * 10) if head else None,
        head_reason=None if head else "ikke_maalt",
        feeding=_feeding(age.chronological_days, rng),
        indicators={
            "social_kontakt": "0",
            "foraelder_barn": "0",
            "psykisk_tilstand": rng.choice(["0", "0", "0", "1"]),
            "saarbarhed": "0",
            "netvaerk": rng.choice(["0", "0", "0", "1"]),
            "kommunikation": "0",
            "soevn": rng.choice(["0", "0", "1"]),
            "motorik": "0",
            "passiv_rygning": "0",
        },
        observations=rng.choice(NOTES),
    )
    for key, value in extra.items():
        setattr(visit, key, value)
    planned.status = "gennemfoert"
    db.session.add(visit)
    reasons = services._derive(visit, child, settings, sex)
    db.session.flush()
    services._plan_followup(visit, reasons, settings, nurse_id)
    return visit


def seed_visits(context: dict) -> None:
    today: date = context["today"]
    demo_nurse = context["nurse"]
    rng = random.Random(4242)
    settings = visit_settings(context["municipality"].settings)
    programme = programme_from_settings(context["municipality"].settings)
    horizon = programme_horizon_days(programme)
    rows = db.session.execute(
        select(Child, Caseload)
        .join(Caseload, Caseload.child_id == Child.id)
        .where(Caseload.end_date.is_(None))
        .order_by(Child.id)
    ).all()
    for child, _caseload in rows:
        db.session.add(ChildSex(child_id=child.id, sex=_sex_of(child)))
    db.session.flush()

    falling_shown = False
    epds_candidates, adbb_candidates = [], []
    for child, caseload in rows:
        if (today - child.birth_date).days > horizon:
            continue
        sex = _sex_of(child)
        services.ensure_programme(
            child, caseload.nurse_id, caseload.start_date, context["municipality"].settings
        )
        zs = {m: max(-1.8, min(1.8, rng.gauss(0, 0.8))) for m in ("weight", "length", "head")}
        mine = caseload.nurse_id == demo_nurse.id
        falling = mine and not falling_shown and (today - child.birth_date).days > 200
        planned_rows = db.session.scalars(
            select(PlannedVisit)
            .where(PlannedVisit.child_id == child.id)
            .order_by(PlannedVisit.planned_date)
        ).all()
        for planned in planned_rows:
            if planned.planned_date >= today:
                continue
            roll = rng.random()
            if roll < 0.07:
                planned.status = "ikke_gennemfoert"
                planned.not_done_reason = "afbud"
                planned.not_done_note = "Familien meldte afbud pga. sygdom; nyt besøg tilbudt."
                continue
            if roll < 0.13 and planned.window_end and planned.window_end >= today:
                continue  # overdue: not recorded yet
            on = min(
                today - timedelta(days=1), planned.planned_date + timedelta(days=rng.randint(0, 3))
            )
            if falling and planned.visit_type == "maaned4_6":
                zs["weight"] -= 1.6  # a fall across two centile lines, to show the flag
                falling_shown = True
            extra = {}
            if mine and planned.visit_type == "maaned2":
                extra["epds_mor"] = list(EPDS_LOW)
            if mine and planned.visit_type in ("maaned4_6", "maaned8_11"):
                extra["adbb_scores"] = list(ADBB_LOW)
            visit = _record(child, planned, caseload.nurse_id, on, rng, sex, zs, settings, **extra)
            if "epds_mor" in extra:
                epds_candidates.append((visit, child, sex, zs))
            if planned.visit_type == "maaned4_6" and "adbb_scores" in extra:
                adbb_candidates.append((visit, child, sex, zs))
    # The most recent screenings of the demo nurse come out above the cut-off.
    if epds_candidates:
        _screen(
            max(epds_candidates, key=lambda c: c[0].visit_date),
            "epds_mor",
            EPDS_HIGH,
            settings,
            today,
            rng,
        )
    if adbb_candidates:
        _screen(
            max(adbb_candidates, key=lambda c: c[0].visit_date),
            "adbb_scores",
            ADBB_HIGH,
            settings,
            today,
            rng,
        )
    db.session.flush()
    _urgent_epds(demo_nurse, today, settings, rng)
    _todays_visits(demo_nurse, today, rng)


EPDS_LOW = (0, 0, 2, 1, 3, 2, 3, 3, 3, 3)  # total 3; item 10 "never"
EPDS_HIGH = (1, 2, 1, 2, 1, 2, 1, 1, 1, 3)  # total 16 ≥ 11; item 10 "never"
ADBB_LOW = (0, 0, 1, 0, 0, 0, 0, 0)
ADBB_HIGH = (1, 1, 1, 0, 1, 1, 1, 0)  # 6 ≥ 5: repeat within 1–2 weeks


def _screen(candidate, field: str, values, settings, today: date, rng) -> None:
    """Make a recorded screening come out above its cut-off, with its follow-up visit
    (recorded already if its window has passed)."""
    visit, child, sex, zs = candidate
    setattr(visit, field, list(values))
    reasons = services._derive(visit, child, settings, sex)
    db.session.flush()
    services._plan_followup(visit, reasons, settings, visit.nurse_id)
    db.session.flush()
    followup = db.session.scalar(
        select(PlannedVisit).where(PlannedVisit.source_visit_uuid == visit.uuid)
    )
    if followup is not None and followup.window_end < today:
        followup.planned_date = followup.window_start
        low = EPDS_LOW if field == "epds_mor" else ADBB_LOW
        _record(
            child,
            followup,
            visit.nurse_id,
            followup.window_start,
            rng,
            sex,
            zs,
            settings,
            **{field: list(low)},
        )


def _urgent_day(today: date) -> date:
    """The last working day before today, if the leader's look-back for urgent screenings
    still reaches it; after a weekend (a Monday) today instead, early in the morning."""
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day if (today - day).days <= URGENT_DAYS else today


def _urgent_epds(nurse, today: date, settings: dict, rng: random.Random) -> None:
    """A visit of the demo nurse on her last working day (see _urgent_day) gets a father's
    EPDS with item 10 answered "Næsten aldrig" and the action she recorded after it: the
    visit's prompt record, and recent enough for her leader's "Handling i dag" notification.
    A programme visit of that day if she had one, else a needs-based visit to the family of
    her latest visit."""
    day = _urgent_day(today)
    visit = db.session.scalar(
        select(Visit)
        .where(
            Visit.nurse_id == nurse.id,
            Visit.visit_date == day,
            Visit.epds_mor.is_(None),
            Visit.epds_far.is_(None),
            Visit.adbb_scores.is_(None),
        )
        .order_by(Visit.visit_time, Visit.id)
        .limit(1)
    )
    if visit is None:
        latest = db.session.scalar(
            select(Visit)
            .where(Visit.nurse_id == nurse.id, Visit.visit_date < today)
            .order_by(Visit.visit_date.desc(), Visit.id.desc())
            .limit(1)
        )
        if latest is None:
            return
        at = time(8, 0) if day == today else time(9, 0)
        planned = PlannedVisit(
            child_id=latest.child_id,
            nurse_id=nurse.id,
            source="behov",
            visit_type="behov",
            planned_date=day,
            planned_time=at,
            reason="Mor har ringet: far sover dårligt og virker nedtrykt. Besøg med begge "
            "forældre.",
        )
        db.session.add(planned)
        not_measured = {f"{m}_reason": "ikke_maalt" for m in ("weight", "length", "head")}
        visit = _record(
            latest.child,
            planned,
            nurse.id,
            day,
            rng,
            _sex_of(latest.child),
            {"weight": 0.0, "length": 0.0, "head": 0.0},
            settings,
            visit_time=at,
            weight_g=None,
            length_mm=None,
            length_position=None,
            head_mm=None,
            observations="Far fortæller om dårlig søvn og tristhed siden fødslen.",
            **not_measured,
        )
    visit.present = ["mor", "far"]
    visit.epds_far = [*EPDS_LOW[:9], 2]  # item 10: "Næsten aldrig"
    services._derive(visit, visit.child, settings, _sex_of(visit.child))
    # Written down when she had talked with him, about three quarters of an hour in.
    visited = datetime.combine(visit.visit_date, visit.visit_time or time(9, 0), clock.LOCAL_TZ)
    visit.actions.append(
        VisitAction(
            text=(
                "Talt med far om tankerne. Han har tid hos egen læge i dag kl. 15 og ved, at han "
                "kan ringe til akutpsykiatrien. Jeg ringer til ham i morgen."
            ),
            by_id=nurse.id,
            at=min(visited + timedelta(minutes=45), clock.now()),
        )
    )


def _in_window(planned: PlannedVisit, day: date) -> bool:
    """The day lies in the contact's window (a needs visit has none: any day)."""
    return (planned.window_start is None or planned.window_start <= day) and (
        planned.window_end is None or day <= planned.window_end
    )


def _todays_visits(nurse, today: date, rng: random.Random) -> None:
    """Put 3–4 of the demo nurse's coming visits on today, with times, and a few in the days
    after, so her day starts with a plan."""
    upcoming = db.session.scalars(
        select(PlannedVisit)
        .where(
            PlannedVisit.nurse_id == nurse.id,
            PlannedVisit.status == "planlagt",
            PlannedVisit.planned_date >= today,
        )
        .order_by(PlannedVisit.planned_date, PlannedVisit.id)
    ).all()
    seen: set[int] = set()
    chosen = []
    for planned in upcoming:
        # Only a contact whose window is open today moves to today: a nurse never comes to
        # the 2-month visit when the child is five weeks old.
        if planned.child_id not in seen and _in_window(planned, today):
            seen.add(planned.child_id)
            chosen.append(planned)
    for planned, at in zip(chosen[:4], TODAY_TIMES, strict=False):
        planned.planned_date, planned.planned_time = today, at
    days = [today + timedelta(days=n) for n in range(1, 12)]
    working_days = [d for d in days if d.weekday() < 5]
    for day, planned in zip(working_days, chosen[4:8], strict=False):
        if _in_window(planned, day):
            planned.planned_date = day
            planned.planned_time = time(9 + rng.randint(0, 5), rng.choice([0, 30]))
    missing = 3 - min(len(chosen), 3)
    if missing:
        # A small demo: needs-based visits to other children of her caseload.
        others = db.session.scalars(
            select(Child)
            .join(Caseload, Caseload.child_id == Child.id)
            .where(
                Caseload.nurse_id == nurse.id,
                Caseload.end_date.is_(None),
                Child.id.not_in(seen or {0}),
            )
            .order_by(Child.birth_date.desc())
            .limit(missing)
        ).all()
        for child, at in zip(others, TODAY_TIMES[len(chosen) :], strict=False):
            db.session.add(
                PlannedVisit(
                    child_id=child.id,
                    nurse_id=nurse.id,
                    source="behov",
                    visit_type="behov",
                    planned_date=today,
                    planned_time=at,
                    reason="Forældrene har bedt om et besøg om søvn og uro.",
                )
            )
    db.session.flush()
