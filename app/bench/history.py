"""Six years of each area's history for the synthetic municipality, one function per area.

An area is included once it is listed in app.AREAS (its tables exist); otherwise it is skipped
and named in the command's summary. Each function reads the world (ids, dates, staff) and the
area's models, and writes with bulk inserts; `fill` supplies any required column added later.

- assessments: two rounds a year (spring, autumn) for every child in daycare: a joint assessment
  each round, with the individual assessments it was based on for the last two years (older
  rounds keep only the joint one), and the sundhedsplejerske's assessment with the parents at
  about 9 months. Positions: about 86 % grøn, 11 % gul, 3 % rød.
- concerns: a course of action for most gul/rød joint assessments (with a plan item, closed
  after about three months), so the overview has open ones, overdue follow-ups and a few
  without a plan.
- visits: the health-visiting programme for every child (planned visits, and a visit record with
  measurements for each contact that has passed).
- transitions: an overgangsskema for each past move from dagpleje/vuggestue to børnehave
  (consented and acknowledged) and for each move in the coming weeks (draft or awaiting
  consent).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from importlib import import_module

from app.bench.bulk import fill
from app.bench.synthetic import ChildFacts, World

# area package → history generator, in the order they run (concerns need assessments).
GENERATORS: dict[str, object] = {}
INDIVIDUALS_FOR_DAYS = 2 * 365  # individual assessments are kept for the last two years
ROUNDS = ((4, 1), (10, 1))  # spring and autumn rounds end by these months (assess in the 2 before)


def area(name: str):
    def register(fn):
        GENERATORS[name] = fn
        return fn

    return register


def generate_all(world: World) -> None:
    from app import AREAS

    for name, fn in GENERATORS.items():
        if name not in AREAS:
            world.skipped.append(name)
            continue
        fn(world, import_module(f"app.{name}.models"))
        world.included.append(name)


def _uuid(world: World) -> str:
    return str(uuid.UUID(int=world.rng.getrandbits(128), version=4))


def _recorded(world: World, day: date, by: int | None) -> dict:
    stamp = datetime.combine(min(day, world.today), time(10), tzinfo=UTC)
    return {
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by_id": by,
        "updated_by_id": by,
    }


def _round_days(world: World, start: date, end: date | None) -> list[date]:
    """Assessment days of the rounds inside an enrolment (a month in, not after today)."""
    rng, last = world.rng, min(end or world.today, world.today)
    first = start + timedelta(days=30)
    days = []
    for year in range(first.year, last.year + 1):
        for month, _ in ROUNDS:
            day = date(year, month - 1, 1) + timedelta(days=rng.randint(0, 58))
            if first <= day <= last:
                days.append(day)
    return days


def _position(world: World):
    roll = world.rng.random()
    return "roed" if roll < 0.03 else ("gul" if roll < 0.14 else "groen")


# -- assessments ---------------------------------------------------------------------------------


@area("assessments")
def assessments(world: World, models) -> None:
    from app.assessments.rules import age_band

    assessment = models.Assessment
    rng, today = world.rng, world.today
    groups = {dagplejer: (group, dpp) for dagplejer, group, dpp in world.dagplejere}
    rows, basis = [], []
    ids = iter(world.bulk.ids(assessment, 40 * len(world.children) + 10))

    def add(child: ChildFacts, unit_id: int, day: date, kind: str, by: int, role: str, **extra):
        row_id = next(ids)
        code = _uuid(world)
        position = extra.pop("position", None) or _position(world)
        concluding = extra.pop("concluding", kind == "joint")
        worried = position != "groen"
        rows.append(
            fill(
                assessment,
                {
                    "id": row_id,
                    "uuid": code,
                    "form_version": 1,
                    "child_id": child.id,
                    "unit_id": unit_id,
                    "kind": kind,
                    "assessor_id": by,
                    "assessor_role": role,
                    "with_parents": extra.pop("with_parents", False),
                    "concluding": concluding,
                    "participants": extra.pop("participants", None),
                    "assessed_on": day,
                    "age_band": age_band(child.born, day),
                    "indicators": [],
                    "notes": {},
                    "position": position,
                    "justification": (
                        "Barnet trives i hverdagen."
                        if not worried
                        else "Vi ser tegn på mistrivsel."
                    ),
                    "parents_discussed_on": day if worried or concluding else None,
                    "parents_discussed_how": "samtale" if worried or concluding else None,
                    "parents_view": None,
                    "series_uuid": code,
                    "revision": 1,
                    "supersedes_id": None,
                    "correction_reason": None,
                    "current": True,
                    **_recorded(world, day, by),
                },
                today,
                {"user": by, "child": child.id, "unit": unit_id},
            )
        )
        if concluding and position != "groen":
            world.concluded.append((row_id, child, unit_id, day, position, by))
        return row_id

    recent = today - timedelta(days=INDIVIDUALS_FOR_DAYS)
    for child in world.children:
        # The sundhedsplejerske's assessment with the parents at about 9 months.
        nine_months = child.born + timedelta(days=270 + rng.randint(0, 40))
        if nine_months <= today and child.nurse_id:
            add(
                child,
                child.district_id,
                nine_months,
                "individual",
                child.nurse_id,
                "sundhedsplejerske",
                with_parents=True,
                concluding=True,
            )
        for _, unit_id, dagplejer, start, end in child.enrolments:
            if unit_id in world.district_set:
                continue
            if dagplejer:
                assessors, role = [dagplejer], "dagplejer"
                joint_by, joint_role = groups[dagplejer][1], "dagplejepaedagog"
            else:
                staff = world.staff.get(unit_id) or [world.chief_id]
                assessors, role = rng.sample(staff, min(2, len(staff))), "paedagog"
                joint_by, joint_role = assessors[0], "paedagog"
            for day in _round_days(world, start, end):
                individual_ids = []
                if day >= recent:
                    individual_ids = [
                        add(child, unit_id, day - timedelta(days=3), "individual", a, role)
                        for a in assessors
                    ]
                joint_id = add(
                    child,
                    unit_id,
                    day,
                    "joint",
                    joint_by,
                    joint_role,
                    participants="Pædagogisk team",
                )
                basis.extend({"joint_id": joint_id, "individual_id": i} for i in individual_ids)
    world.bulk.insert(assessment, rows)
    world.bulk.insert(models.assessment_basis, basis)


# -- concerns (courses of action) ----------------------------------------------------------------


@area("concerns")
def concerns(world: World, models) -> None:
    """Courses of action for gul/rød concluding assessments (assessments must run first)."""
    rng, today = world.rng, world.today
    courses, sources, items = [], [], []
    concluded = world.concluded
    course_ids = iter(world.bulk.ids(models.CourseOfAction, len(concluded) + 1))
    for assessment_id, child, unit_id, day, position, by in concluded:
        if rng.random() < 0.1:
            continue  # no course opened yet: shows on the leader's list of gul/rød without plan
        course_id = next(course_ids)
        closed = day < today - timedelta(days=90)
        follow_up = day + timedelta(days=42)
        opened_at = datetime.combine(day, time(13), tzinfo=UTC)
        leader = world.leaders.get(unit_id)
        courses.append(
            fill(
                models.CourseOfAction,
                {
                    "id": course_id,
                    "child_id": child.id,
                    "unit_id": unit_id,
                    "level": position,
                    "source": "assessment",
                    "reason": "Trivselsvurdering",
                    "status": "closed" if closed else "open",
                    "opened_on": day,
                    "opened_at": opened_at,
                    "opened_by_id": by,
                    "responsible_id": by,
                    "leader_informed_at": opened_at if position == "roed" else None,
                    "leader_informed_how": "mundtligt" if position == "roed" else None,
                    "parents_informed_on": day + timedelta(days=2),
                    "parents_how": "samtale",
                    "parents_reaction": None,
                    "parents_exempt": False,
                    "follow_up_on": follow_up,
                    "underretning_answer": "nej" if position == "roed" else None,
                    "underretning_answered_at": opened_at if position == "roed" else None,
                    "underretning_answered_by_id": by if position == "roed" else None,
                    "closed_at": (
                        datetime.combine(day + timedelta(days=90), time(14), tzinfo=UTC)
                        if closed
                        else None
                    ),
                    "closed_by_id": (leader or by) if closed else None,
                    "closing_note": "Barnet trives igen." if closed else None,
                    "closing_position": "groen" if closed else None,
                    **_recorded(world, day, by),
                },
                today,
                {"user": by, "child": child.id, "unit": unit_id},
            )
        )
        stamp = datetime.combine(day, time(13), tzinfo=UTC)
        sources.append(
            fill(
                models.CourseSource,
                {
                    "course_id": course_id,
                    "source": "assessment",
                    "source_id": assessment_id,
                    "level": position,
                    "created_by_id": by,
                    "created_at": stamp,
                    "updated_at": stamp,
                },
                today,
            )
        )
        if closed or rng.random() < 0.85:
            items.append(
                fill(
                    models.PlanItem,
                    {
                        "course_id": course_id,
                        "meeting_id": None,
                        "observation": "Barnet trækker sig fra legen.",
                        "action": "Voksen støtter barnet i leg med én anden.",
                        "responsible_id": by,
                        "responsible_text": None,
                        "due_on": follow_up,
                        "done_on": follow_up if closed else None,
                        "done_by_id": by if closed else None,
                        "done_note": None,
                        **_recorded(world, day, by),
                    },
                    today,
                )
            )
    for rows, model in ((sources, models.CourseSource), (items, models.PlanItem)):
        for row, row_id in zip(rows, world.bulk.ids(model, len(rows)), strict=True):
            row["id"] = row_id
    world.bulk.insert(models.CourseOfAction, courses)
    world.bulk.insert(models.CourseSource, sources)
    world.bulk.insert(models.PlanItem, items)


# -- visits (sundhedspleje) ----------------------------------------------------------------------


def _growth(days: int, rng) -> tuple[int, int, int]:
    """Rough weight (g), length (mm) and head circumference (mm) at `days` of age."""
    weight = 3400 + 30 * min(days, 90) + 17 * max(0, min(days, 180) - 90) + 10 * max(0, days - 180)
    length = 500 + 1.1 * min(days, 90) + 0.6 * max(0, min(days, 180) - 90)
    length += 0.4 * max(0, days - 180)
    head = 350 + 0.35 * min(days, 120) + 0.12 * max(0, days - 120)
    noise = rng.uniform(0.92, 1.08)
    return round(weight * noise), round(length * noise**0.3), round(head * noise**0.2)


@area("visits")
def visits(world: World, models) -> None:
    from app.visits.programme import DEFAULT_PROGRAMME

    rng, today = world.rng, world.today
    planned, records = [], []
    feeding = ("fuldamning", "ammes_primaert", "ammes_supplement", "erstatning")
    for child in world.children:
        nurse = child.nurse_id
        for contact in DEFAULT_PROGRAMME:
            target = child.born + timedelta(days=contact.target_day)
            done = target + timedelta(days=rng.randint(-2, 4))
            past = done < today
            if target > today + timedelta(days=60):
                continue
            planned_id = world.bulk.next_id(models.PlannedVisit)
            planned.append(
                fill(
                    models.PlannedVisit,
                    {
                        "id": planned_id,
                        "child_id": child.id,
                        "nurse_id": nurse,
                        "source": "program",
                        "programme_code": contact.code,
                        "visit_type": contact.visit_type,
                        "planned_date": target,
                        "planned_time": time(rng.randint(8, 14), rng.choice((0, 30))),
                        "window_start": child.born + timedelta(days=contact.window_start_day),
                        "window_end": child.born + timedelta(days=contact.window_end_day),
                        "status": "gennemfoert" if past else "planlagt",
                        "reason": None,
                        "not_done_reason": None,
                        "not_done_note": None,
                        "source_visit_uuid": None,
                        **_recorded(world, target - timedelta(days=30), nurse),
                    },
                    today,
                )
            )
            if not past:
                continue
            days = (done - child.born).days
            weight, length, head = _growth(days, rng)
            records.append(
                fill(
                    models.Visit,
                    {
                        "id": world.bulk.next_id(models.Visit),
                        "uuid": _uuid(world),
                        "form_version": 1,
                        "child_id": child.id,
                        "planned_visit_id": planned_id,
                        "nurse_id": nurse,
                        "visit_type": contact.visit_type,
                        "contact_form": "hjemmebesoeg",
                        "visit_date": done,
                        "visit_time": time(rng.randint(8, 14), rng.choice((0, 30))),
                        "present": ["mor"] if rng.random() < 0.5 else ["mor", "far"],
                        "present_note": None,
                        "weight_g": weight,
                        "weight_reason": None,
                        "length_mm": length,
                        "length_position": "liggende",
                        "length_reason": None,
                        "head_mm": head,
                        "head_reason": None,
                        "warnings": [],
                        "feeding": feeding[min(3, days // 90)] if days < 330 else "familiens_mad",
                        "indicators": {},
                        "observations": "Barnet er i god trivsel. Forældrene er trygge.",
                        "adbb_scores": None,
                        "adbb_total": None,
                        "epds_mor": None,
                        "epds_mor_total": None,
                        "epds_far": None,
                        "epds_far_total": None,
                        "epds_self_harm": False,
                        "epds_self_harm_parents": None,
                        **_recorded(world, done, nurse),
                    },
                    today,
                )
            )
    world.bulk.insert(models.PlannedVisit, planned)
    world.bulk.insert(models.Visit, records)


# -- transitions (overgangsskemaer) --------------------------------------------------------------


@area("transitions")
def transitions(world: World, models) -> None:
    from sqlalchemy import select

    from app.children.models import Guardian
    from app.extensions import db

    rng, today = world.rng, world.today
    names = {}
    for inst in world.institutions:
        names[inst.id] = inst.name
    guardians: dict[int, list[tuple[int, str]]] = {}
    for guardian_id, child_id, name in db.session.execute(
        select(Guardian.id, Guardian.child_id, Guardian.name)
    ):
        guardians.setdefault(child_id, []).append((guardian_id, name))
    schemas, consents = [], []
    for child in world.children:
        spells = [e for e in child.enrolments if e[1] not in world.district_set]
        for sending, receiving in zip(spells, spells[1:], strict=False):
            start = receiving[3]
            due = start - timedelta(days=28)
            if due > today + timedelta(days=30):
                continue
            by = sending[2] or rng.choice(world.staff.get(sending[1]) or [world.chief_id])
            past = start <= today
            finished = past or rng.random() < 0.4
            schema_id = world.bulk.next_id(models.TransitionSchema)
            done_at = datetime.combine(min(due, today), time(11), tzinfo=UTC)
            schemas.append(
                fill(
                    models.TransitionSchema,
                    {
                        "id": schema_id,
                        "uuid": _uuid(world),
                        "form_version": 1,
                        "child_id": child.id,
                        "target": f"enrolment:{receiving[0]}",
                        "kind": "enrolment",
                        "start_date": start,
                        "sending_enrolment_id": sending[0],
                        "sending_unit_id": sending[1],
                        "receiving_enrolment_id": receiving[0],
                        "receiving_unit_id": receiving[1],
                        "receiving_name": names.get(receiving[1], ""),
                        "answers": {},
                        "include_wellbeing": False,
                        "wellbeing": None,
                        "status": "finished" if finished else "draft",
                        "finished_at": done_at if finished else None,
                        "finished_by_id": by if finished else None,
                        "acknowledged_at": (
                            datetime.combine(start, time(9), tzinfo=UTC) if past else None
                        ),
                        "acknowledged_by_id": world.leaders.get(receiving[1]) if past else None,
                        **_recorded(world, due - timedelta(days=7), by),
                    },
                    today,
                    {"user": by, "child": child.id, "unit": sending[1]},
                )
            )
            if not finished:
                continue
            for guardian_id, name in guardians.get(child.id, []):
                consents.append(
                    fill(
                        models.TransitionConsent,
                        {
                            "schema_id": schema_id,
                            "guardian_id": guardian_id,
                            "guardian_name": name,
                            "method": "device",
                            "signed_name": name,
                            "signed_on": min(due, today),
                            "given_at": done_at,
                            "share_schema": True,
                            "share_wellbeing_history": False,
                            "shared_with_unit_id": receiving[1],
                            "shared_with_name": names.get(receiving[1], ""),
                            "note": None,
                            "withdrawn_at": None,
                            "withdrawn_by_id": None,
                            "withdrawal_note": None,
                            **_recorded(world, min(due, today), by),
                        },
                        today,
                    )
                )
    for row, row_id in zip(
        consents, world.bulk.ids(models.TransitionConsent, len(consents)), strict=True
    ):
        row["id"] = row_id
    world.bulk.insert(models.TransitionSchema, schemas)
    world.bulk.insert(models.TransitionConsent, consents)
