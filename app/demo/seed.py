"""`flask demo seed`: one invented municipality with about 300 children and a login per role.

CPR-like numbers are synthetic: the birth date followed by a serial from a counter that starts
at 9000 (for children born 2000–2036), so they never come from a register.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib.util import find_spec

from sqlalchemy import bindparam, select, update

from app import clock
from app.auth.models import Membership, User
from app.auth.passwords import hash_password
from app.auth.roles import Role
from app.children.models import Caseload, Child, Enrolment, Guardian
from app.demo import names
from app.extensions import db
from app.org.models import Area, Municipality, Unit, UnitKind

DEMO_PASSWORD = "opspor-demo"  # noqa: S105 (shown on the login page in demo mode only)


@dataclass(frozen=True)
class DemoLogin:
    label: str
    email: str
    password: str = DEMO_PASSWORD


DEMO_LOGINS = (
    DemoLogin("Sundhedsplejerske", "sundhedsplejerske@opspor.demo"),
    DemoLogin("Dagplejer", "dagplejer@opspor.demo"),
    DemoLogin("Dagplejepædagog", "dagplejepaedagog@opspor.demo"),
    DemoLogin("Pædagog", "paedagog@opspor.demo"),
    DemoLogin("Leder", "leder@opspor.demo"),
    DemoLogin("Ledende sundhedsplejerske", "ledende.sp@opspor.demo"),
    DemoLogin("Administrator", "admin@opspor.demo"),
)

# Extra seeders from other areas (assessments, visits, …) run after the base data.
SEEDERS: list = []


def register_seeder(fn) -> None:
    if fn not in SEEDERS:
        SEEDERS.append(fn)


class _Cpr:
    def __init__(self) -> None:
        self.serial = 9000

    def __call__(self, born: date) -> str:
        self.serial += 1
        return born.strftime("%d%m%y") + f"{self.serial % 10000:04d}"


def seed_demo(today: date, seed: int = 2026, n_children: int = 300) -> dict:
    """Create the demo municipality. Returns the main objects for other seeders and tests."""
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)
    cpr = _Cpr()

    kommune = Municipality(name="Egeskov Kommune", code="999", settings={})
    sp_area = Area(municipality=kommune, name="Sundhedsplejen")
    dt_area = Area(municipality=kommune, name="Dagtilbud Nord")
    north = Unit(area=sp_area, name="Sundhedsplejen Nord", kind=UnitKind.SUNDHEDSPLEJEDISTRIKT)
    south = Unit(area=sp_area, name="Sundhedsplejen Syd", kind=UnitKind.SUNDHEDSPLEJEDISTRIKT)
    dagplejen = Unit(area=dt_area, name="Dagplejen Nord", kind=UnitKind.DAGPLEJE)
    group_east = Unit(
        area=dt_area, parent=dagplejen, name="Dagplejegruppe Øst", kind=UnitKind.DAGPLEJEGRUPPE
    )
    group_west = Unit(
        area=dt_area, parent=dagplejen, name="Dagplejegruppe Vest", kind=UnitKind.DAGPLEJEGRUPPE
    )
    vuggestue = Unit(
        area=dt_area, name="Vuggestuen Solsikken", kind=UnitKind.VUGGESTUE, address="Solsikkevej 4"
    )
    boernehave = Unit(
        area=dt_area, name="Børnehaven Mælkebøtten", kind=UnitKind.BOERNEHAVE, address="Engvej 12"
    )
    integreret = Unit(
        area=dt_area, name="Regnbuen (integreret)", kind=UnitKind.INTEGRERET, address="Skolevej 2"
    )
    db.session.add_all(
        [
            kommune,
            north,
            south,
            dagplejen,
            group_east,
            group_west,
            vuggestue,
            boernehave,
            integreret,
        ]
    )

    def user(email: str, name: str, *memberships: tuple, admin: bool = False, **extra) -> User:
        u = User(email=email, name=name, password_hash=password_hash, is_admin=admin, **extra)
        for unit, role, *sup in memberships:
            u.memberships.append(
                Membership(unit=unit, role=role, supervisor=sup[0] if sup else None)
            )
        db.session.add(u)
        return u

    nurse = user(
        "sundhedsplejerske@opspor.demo",
        "Hanne Skovdal",
        (north, Role.SUNDHEDSPLEJERSKE),
        qualifications={"adbb": True},
    )
    nurse2 = user(
        "sundhedsplejerske2@opspor.demo", "Birgit Lyngsø", (south, Role.SUNDHEDSPLEJERSKE)
    )
    user("ledende.sp@opspor.demo", "Karen Hvidberg", (north, Role.LEDER), (south, Role.LEDER))
    dpp_east = user(
        "dagplejepaedagog@opspor.demo", "Susanne Engstrup", (group_east, Role.DAGPLEJEPAEDAGOG)
    )
    dpp_west = user(
        "dagplejepaedagog2@opspor.demo", "Lone Bjerrum", (group_west, Role.DAGPLEJEPAEDAGOG)
    )
    dagplejere = []
    for i in range(8):
        group, sup = (group_east, dpp_east) if i < 4 else (group_west, dpp_west)
        email = "dagplejer@opspor.demo" if i == 0 else f"dagplejer{i + 1}@opspor.demo"
        name = (
            f"{rng.choice(names.ADULT_FIRST[:10])} {rng.choice(names.LAST)}"
            if i
            else "Dorthe Kragelund"
        )
        dagplejere.append(user(email, name, (group, Role.DAGPLEJER, sup)))
    user("paedagog@opspor.demo", "Jonas Rosendal", (boernehave, Role.PAEDAGOG))
    user("paedagog2@opspor.demo", "Signe Holmbæk", (boernehave, Role.PAEDAGOG))
    user("paedagog3@opspor.demo", "Maria Fjordby", (vuggestue, Role.PAEDAGOG))
    user("paedagog4@opspor.demo", "Line Thorsager", (integreret, Role.PAEDAGOG))
    leader = user(
        "leder@opspor.demo",
        "Peter Damsgaard",
        (dagplejen, Role.LEDER),
        (vuggestue, Role.LEDER),
        (boernehave, Role.LEDER),
        (integreret, Role.LEDER),
    )
    user("admin@opspor.demo", "Anne Administrator", admin=True)
    db.session.flush()

    slots = {d.id: 4 for d in dagplejere}
    children = []
    for i in range(n_children):
        age_days = rng.randint(3, 6 * 365 + 300)
        born = today - timedelta(days=age_days)
        girl = rng.random() < 0.5
        last = rng.choice(names.LAST)
        child = Child(
            first_name=rng.choice(names.FIRST_GIRLS if girl else names.FIRST_BOYS),
            last_name=last,
            birth_date=born,
            cpr=None if age_days < 10 and i % 2 else cpr(born),
            gestational_age_weeks=rng.choice([40, 39, 41, 38, 40, 35, 33]) if i % 9 == 0 else 40,
        )
        street = f"{rng.choice(names.STREETS)} {rng.randint(1, 80)}, 9999 Egeskov"
        for parent in range(1 if i % 7 == 0 else 2):
            relation = "mor" if parent == 0 else "far"
            child.guardians.append(
                Guardian(
                    name=f"{rng.choice(names.parent_first(relation))} {last}",
                    relation=relation,
                    phone="+45 99 " + " ".join(str(rng.randint(10, 99)) for _ in range(3)),
                    email=f"foraelder{i}-{parent}@opspor.demo",
                    address=street,
                    language="arabisk" if i % 23 == 0 else "dansk",
                    needs_interpreter=i % 23 == 0,
                )
            )
        district, district_nurse = (north, nurse) if i % 2 == 0 else (south, nurse2)
        school_start = born + timedelta(days=6 * 365 + 200)
        child.enrolments.append(Enrolment(unit=district, start_date=born, end_date=None))
        if age_days < 400 or i % 5 == 0:
            child.caseloads.append(Caseload(nurse_id=district_nurse.id, start_date=born))
        _daycare_history(
            child, born, today, rng, slots, dagplejere, vuggestue, boernehave, integreret
        )
        if school_start <= today:
            child.enrolments[0].end_date = school_start
        db.session.add(child)
        children.append(child)
    db.session.flush()
    context = {
        "municipality": kommune,
        "today": today,
        "rng": rng,
        "children": children,
        "leader": leader,
        "nurse": nurse,
        "dagplejere": dagplejere,
    }
    for seeder in SEEDERS:
        seeder(context)
    db.session.flush()
    backdate_records(random.Random(seed))
    return context


def _installed(area: str) -> bool:
    from app import AREAS

    return area in AREAS and find_spec(f"app.{area}.models") is not None


def _dated_records():
    """(records, the moment each was recorded) for the seeded records whose recorded time the
    reminders read: an assessment (news when dated or recorded within the look-back), a course
    of action and the sources that set its level, a visit (item 10 is urgent when recorded
    lately). Transitions already carry their own finished/given times; follow-ups and plan
    items are due by their own dates."""
    if _installed("assessments"):
        from app.assessments.models import Assessment

        yield db.session.scalars(select(Assessment)), lambda a: a.assessed_on
    if _installed("concerns"):
        from app.concerns.models import CourseOfAction, CourseSource

        yield db.session.scalars(select(CourseOfAction)), lambda c: c.opened_at or c.opened_on
        yield db.session.scalars(select(CourseSource)), lambda s: s.course.opened_at
    if _installed("visits"):
        from app.visits.models import Visit

        yield (
            db.session.scalars(select(Visit)),
            lambda v: (
                datetime.combine(v.visit_date, v.visit_time, tzinfo=clock.LOCAL_TZ)
                if v.visit_time
                else v.visit_date
            ),
        )


def backdate_records(rng: random.Random) -> None:
    """Seeded records were recorded on their own date at a working hour, not at seed time;
    else the first reminder sweep and Nye røde vurderinger take years-old red assessments for
    news. Never later than now. A plain UPDATE: the records' versions stay as seeded."""
    now = clock.now()
    for records, recorded in _dated_records():
        table, rows = None, []
        for record in records:
            when = recorded(record)
            if not isinstance(when, datetime):
                hour = time(rng.randint(8, 14), rng.choice((0, 15, 30, 45)))
                when = datetime.combine(when, hour, tzinfo=clock.LOCAL_TZ)
            elif when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            rows.append({"_id": record.id, "at": min(when.astimezone(UTC), now)})
            table = record.__table__
            db.session.expire(record, ["created_at"])
        if rows:
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(created_at=bindparam("at")),
                rows,
            )


def _daycare_history(child, born, today, rng, slots, dagplejere, vuggestue, boernehave, integreret):
    """Realistic enrolments: daycare from ~10 months, børnehave from 2 years 10 months."""
    start_small = born + timedelta(days=rng.randint(300, 400))
    start_big = born + timedelta(days=365 * 3 - 60)
    if start_small > today:
        return
    track = rng.random()
    if track < 0.35 and any(slots.values()):
        # The emptiest home first, so every dagplejer has children even in a small demo.
        dagplejer = max(dagplejere, key=lambda d: slots[d.id])
        unit = dagplejer.memberships[0].unit
        small = Enrolment(unit=unit, dagplejer_id=dagplejer.id, start_date=start_small)
        if start_big > today:
            slots[dagplejer.id] -= 1
    elif track < 0.7:
        small = Enrolment(unit=vuggestue, start_date=start_small)
    else:
        child.enrolments.append(Enrolment(unit=integreret, start_date=start_small))
        return
    child.enrolments.append(small)
    if start_big <= today:
        small.end_date = start_big - timedelta(days=1)
        child.enrolments.append(Enrolment(unit=boernehave, start_date=start_big))
    elif start_big <= today + timedelta(days=45):
        # Moving on soon: the coming enrolment is known (transition schema due).
        small.end_date = start_big - timedelta(days=1)
        child.enrolments.append(Enrolment(unit=boernehave, start_date=start_big))
