"""A synthetic municipality at scale (`flask demo synthetic --children N --seed S`).

Structure (fixed, whatever N): 5 sundhedsplejedistrikter with 25 sundhedsplejersker, one dagpleje
with 15 dagplejegrupper (150 dagplejere, 15 dagplejepædagoger), 60 institutions (18 vuggestuer,
24 børnehaver, 18 integrerede) with pædagoger in proportion to their children and a leader each,
and a leader over all units. N children born over the last six and a half years with their
enrolment history (district from birth, dagpleje/vuggestue from ~11 months, børnehave from
2 years 10 months, school at ~6 years 7 months), guardians, caseloads and access-log rows.
Then each area's history where its models exist (app.bench.history).

Everything is written with bulk inserts and ids chosen here; the same seed and day give the same
rows. Names are invented combinations and CPR-like numbers are synthetic (serials from 9000).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.auth.models import Membership, User
from app.auth.passwords import hash_password
from app.auth.roles import Role
from app.bench.bulk import Bulk
from app.children.models import Caseload, Child, Enrolment, Guardian
from app.demo import names
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.org.models import Area, Municipality, Unit, UnitKind

EMAIL_DOMAIN = "syntetisk.opspor.demo"
N_DISTRICTS, NURSES_PER_DISTRICT = 5, 5
N_GROUPS, DAGPLEJERE_PER_GROUP = 15, 10
DAGPLEJE_PLACES = 4  # children per dagplejer at a time (average)
KIDS_PER_PAEDAGOG = 12
INSTITUTIONS = (  # kind, how many, name prefix
    (UnitKind.VUGGESTUE, 18, "Vuggestuen"),
    (UnitKind.BOERNEHAVE, 24, "Børnehaven"),
    (UnitKind.INTEGRERET, 18, "Børnehuset"),
)
# The first unit of each kind is small (about 60 children at N=40,000): the unit overview page is
# measured on a unit of that size.
SMALL_WEIGHT = {UnitKind.VUGGESTUE: 0.17, UnitKind.BOERNEHAVE: 0.12, UnitKind.INTEGRERET: 0.08}
PLACES = [
    "Solsikken",
    "Mælkebøtten",
    "Regnbuen",
    "Troldehøj",
    "Myretuen",
    "Skovbrynet",
    "Kastanjen",
    "Lærkereden",
    "Spiren",
    "Bikuben",
    "Humlebien",
    "Egernet",
    "Rødkløveren",
    "Fyrtårnet",
    "Skattekisten",
    "Bøgely",
    "Havblik",
    "Anemonen",
    "Mosehuset",
    "Vibereden",
    "Engblommen",
    "Pilehuset",
    "Ugleskoven",
    "Bakkegården",
    "Tusindfryd",
    "Fuglereden",
    "Kløverbakken",
    "Åbrinken",
    "Stjernen",
    "Lindely",
    "Hybenhaven",
    "Mariehønen",
    "Søstjernen",
    "Hasselnødden",
    "Birkelunden",
    "Grantoppen",
    "Rønnebæret",
    "Vandkanten",
    "Dueslaget",
    "Nøddebo",
    "Tumlingen",
    "Bjørnehulen",
    "Sommerfuglen",
    "Kildebakken",
    "Græshoppen",
    "Mågen",
    "Pindsvinet",
    "Rævegraven",
    "Svalereden",
    "Strandengen",
    "Hvedemarken",
    "Vindmøllen",
    "Krudtuglen",
    "Elverhøj",
    "Kornblomsten",
    "Skovsneglen",
    "Bækkelund",
    "Tjørnehaven",
    "Lunden",
    "Æblehaven",
]
DAYCARE_AREAS = ("Dagtilbud Nord", "Dagtilbud Syd", "Dagtilbud Øst", "Dagtilbud Vest")


@dataclass
class Institution:
    id: int
    kind: UnitKind
    name: str
    weight: float
    leader_id: int = 0
    staff: list[int] = field(default_factory=list)


@dataclass
class ChildFacts:
    """What the area generators need to know about a generated child."""

    id: int
    born: date
    # (enrolment id, unit id, dagplejer id or None, start, end or None); district first.
    enrolments: list[tuple[int, int, int | None, date, date | None]]
    nurse_id: int | None
    district_id: int


@dataclass
class World:
    """The generated municipality, handed to each area's history generator."""

    today: date
    rng: random.Random
    bulk: Bulk
    municipality_id: int = 0
    districts: list[int] = field(default_factory=list)
    nurses: dict[int, list[int]] = field(default_factory=dict)  # district → nurses
    dagpleje_id: int = 0
    groups: list[int] = field(default_factory=list)
    dagplejere: list[tuple[int, int, int]] = field(default_factory=list)  # user, group, dpp
    institutions: list[Institution] = field(default_factory=list)
    leaders: dict[int, int] = field(default_factory=dict)  # unit → its leader
    chief_id: int = 0
    admin_id: int = 0
    children: list[ChildFacts] = field(default_factory=list)
    staff: dict[int, list[int]] = field(default_factory=dict)  # unit → users working with kids
    included: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    password_hash: str = ""
    # Concluding gul/rød assessments (id, child, unit, day, position, assessor), for concerns.
    concluded: list[tuple] = field(default_factory=list)

    def stamp(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=UTC)

    def current(self, child: ChildFacts, day: date | None = None):
        """The child's current daycare enrolment (or the district one), or None."""
        day = day or self.today
        found = [e for e in child.enrolments if e[3] <= day and (e[4] is None or e[4] >= day)]
        daycare = [e for e in found if e[1] not in self.district_set]
        return (daycare or found or [None])[0]

    @property
    def district_set(self) -> set[int]:
        return set(self.districts)


def generate(n_children: int = 40_000, seed: int = 1, today: date | None = None) -> World:
    """Build the municipality into the (empty) database; the caller commits."""
    from app import clock
    from app.bench import history

    world = World(today=today or clock.today(), rng=random.Random(seed), bulk=Bulk())
    _organisation(world)
    _children(world, n_children)
    _paedagoger(world)
    _access_log(world)
    history.generate_all(world)
    world.bulk.finish()
    db.session.flush()
    if "assessments" in world.included:  # inserted in bulk, past the ORM's flush listener
        from app.assessments import latest

        latest.rebuild(db.session.connection())
    return world


def _recorded(world: World, day: date, by: int | None = None) -> dict:
    stamp = world.stamp(min(day, world.today))
    return {
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by_id": by,
        "updated_by_id": by,
    }


def _organisation(world: World) -> None:
    b, rng, today = world.bulk, world.rng, world.today
    stamp = world.stamp(today - timedelta(days=6 * 365 + 200))
    ts = {"created_at": stamp, "updated_at": stamp}
    world.municipality_id = b.next_id(Municipality)
    b.insert(
        Municipality,
        [
            {
                "id": world.municipality_id,
                "name": "Syntetisk Kommune",
                "code": "990",
                "settings": {},
                **ts,
            }
        ],
    )
    area_names = ("Sundhedsplejen", "Dagplejen", *DAYCARE_AREAS)
    area_ids = dict(zip(area_names, b.ids(Area, len(area_names)), strict=True))
    b.insert(
        Area,
        [
            {"id": i, "municipality_id": world.municipality_id, "name": n, **ts}
            for n, i in area_ids.items()
        ],
    )
    units: list[dict] = []

    def unit(area: str, name: str, kind: UnitKind, parent: int | None = None) -> int:
        unit_id = b.next_id(Unit)
        units.append(
            {
                "id": unit_id,
                "area_id": area_ids[area],
                "parent_id": parent,
                "name": name,
                "kind": kind,
                "address": f"{rng.choice(names.STREETS)} {rng.randint(1, 90)}, 9990 Syntetisk",
                "phone": "+45 99 " + " ".join(str(rng.randint(10, 99)) for _ in range(3)),
                "active": True,
                **ts,
            }
        )
        return unit_id

    compass = ("Nord", "Syd", "Øst", "Vest", "Midt")
    world.districts = [
        unit("Sundhedsplejen", f"Sundhedsplejen {c}", UnitKind.SUNDHEDSPLEJEDISTRIKT)
        for c in compass[:N_DISTRICTS]
    ]
    world.dagpleje_id = unit("Dagplejen", "Dagplejen", UnitKind.DAGPLEJE)
    world.groups = [
        unit("Dagplejen", f"Dagplejegruppe {i + 1}", UnitKind.DAGPLEJEGRUPPE, world.dagpleje_id)
        for i in range(N_GROUPS)
    ]
    places = iter(PLACES)
    for kind, count, prefix in INSTITUTIONS:
        for i in range(count):
            name = f"{prefix} {next(places)}"
            weight = SMALL_WEIGHT[kind] if i == 0 else rng.uniform(0.6, 1.5)
            unit_id = unit(DAYCARE_AREAS[len(world.institutions) % len(DAYCARE_AREAS)], name, kind)
            world.institutions.append(Institution(unit_id, kind, name, weight))
    b.insert(Unit, units)

    # Staff (not the pædagoger: they follow the number of children, see _paedagoger).
    world.password_hash = hash_password(DEMO_PASSWORD)
    users: list[dict] = []
    members: list[dict] = []

    def user(local: str, role_memberships: list[tuple[int, Role, int | None]], **extra) -> int:
        user_id = b.next_id(User)
        users.append(_user_row(world, user_id, local, **extra))
        members.extend(
            _membership(world, user_id, unit_id, role, sup)
            for unit_id, role, sup in role_memberships
        )
        return user_id

    for d, district in enumerate(world.districts):
        world.nurses[district] = [
            user(
                f"sundhedsplejerske{d * NURSES_PER_DISTRICT + i + 1:02d}",
                [(district, Role.SUNDHEDSPLEJERSKE, None)],
                qualifications={"adbb": i % 2 == 0},
            )
            for i in range(NURSES_PER_DISTRICT)
        ]
        world.staff[district] = list(world.nurses[district])
    nurse_leader = user(
        "ledende.sundhedsplejerske", [(d, Role.LEDER, None) for d in world.districts]
    )
    for district in world.districts:
        world.leaders[district] = nurse_leader
    n = 0
    for g, group in enumerate(world.groups):
        dpp = user(f"dagplejepaedagog{g + 1:02d}", [(group, Role.DAGPLEJEPAEDAGOG, None)])
        world.staff[group] = [dpp]
        for _ in range(DAGPLEJERE_PER_GROUP):
            n += 1
            dagplejer = user(f"dagplejer{n:03d}", [(group, Role.DAGPLEJER, dpp)])
            world.dagplejere.append((dagplejer, group, dpp))
    dagpleje_leader = user("leder.dagplejen", [(world.dagpleje_id, Role.LEDER, None)])
    world.leaders[world.dagpleje_id] = dagpleje_leader
    for group in world.groups:
        world.leaders[group] = dagpleje_leader
    for i, inst in enumerate(world.institutions):
        inst.leader_id = user(f"leder{i + 1:02d}", [(inst.id, Role.LEDER, None)])
        world.leaders[inst.id] = inst.leader_id
    top_units = [*world.districts, world.dagpleje_id, *(i.id for i in world.institutions)]
    world.chief_id = user("leder.alle", [(u, Role.LEDER, None) for u in top_units])
    world.admin_id = user("admin", [], is_admin=True)
    b.insert(User, users)
    b.insert(Membership, members)


def _user_row(world: World, user_id: int, local: str, **extra) -> dict:
    first = world.rng.choice(names.ADULT_FIRST)
    last = world.rng.choice(names.LAST)
    stamp = world.stamp(world.today - timedelta(days=400))
    return {
        "id": user_id,
        "email": f"{local}@{EMAIL_DOMAIN}",
        "name": f"{first} {last}",
        "password_hash": world.password_hash,
        "is_admin": extra.get("is_admin", False),
        "active": True,
        "locale": None,
        "qualifications": extra.get("qualifications", {}),
        "session_token": f"{user_id:032x}",
        "created_at": stamp,
        "updated_at": stamp,
    }


def _membership(world: World, user_id: int, unit_id: int, role: Role, sup: int | None) -> dict:
    stamp = world.stamp(world.today - timedelta(days=400))
    return {
        "id": world.bulk.next_id(Membership),
        "user_id": user_id,
        "unit_id": unit_id,
        "role": role,
        "supervisor_id": sup,
        "created_at": stamp,
        "updated_at": stamp,
    }


def _pick(rng: random.Random, items: list[Institution], kind: UnitKind) -> Institution:
    pool = [i for i in items if i.kind is kind]
    return rng.choices(pool, weights=[i.weight for i in pool])[0]


def _children(world: World, n: int) -> None:
    b, rng, today = world.bulk, world.rng, world.today
    child_ids = b.ids(Child, n)
    serials: dict[date, int] = {}
    small_share = 1.9 / 6.5  # children between ~11 months and 2 years 10 months
    dagpleje_p = min(0.3, len(world.dagplejere) * DAGPLEJE_PLACES / max(1.0, n * small_share))
    children, guardians, enrolments, caseloads = [], [], [], []
    for child_id in child_ids:
        born = today - timedelta(days=rng.randint(3, 6 * 365 + 200))
        girl = rng.random() < 0.5
        first = rng.choice(names.FIRST_GIRLS if girl else names.FIRST_BOYS)
        last = rng.choice(names.LAST)
        serial = serials.get(born, 9000)
        serials[born] = serial + 1
        cpr = born.strftime("%d%m%y") + f"{serial:04d}"
        children.append(
            {
                "id": child_id,
                "first_name": first,
                "last_name": last,
                "birth_date": born,
                "cpr": None if (today - born).days < 10 and child_id % 2 else cpr,
                "gestational_age_weeks": rng.choice((33, 35, 37, 38, 39, 40, 40, 40, 41)),
                "search_name": f"{first} {last}".lower(),
                **_recorded(world, born),
            }
        )
        street = f"{rng.choice(names.STREETS)} {rng.randint(1, 120)}, 9990 Syntetisk"
        for parent in range(1 if rng.random() < 0.15 else 2):
            relation = "mor" if parent == 0 else "far"
            guardians.append(
                {
                    "id": 0,
                    "child_id": child_id,
                    "name": f"{rng.choice(names.parent_first(relation))} {last}",
                    "relation": relation,
                    "phone": "+45 99 " + " ".join(str(rng.randint(10, 99)) for _ in range(3)),
                    "email": f"foraelder{child_id}-{parent}@{EMAIL_DOMAIN}",
                    "address": street,
                    "language": "arabisk" if child_id % 23 == 0 else "dansk",
                    "needs_interpreter": child_id % 23 == 0,
                    "has_custody": True,
                    **_recorded(world, born),
                }
            )
        school = born + timedelta(days=6 * 365 + 200)
        left = school - timedelta(days=1) if school <= today else None
        district = world.districts[rng.randrange(len(world.districts))]
        spells = [(district, None, born, left)]
        spells += _daycare(world, rng, born, school, dagpleje_p)
        facts = ChildFacts(child_id, born, [], None, district)
        for unit_id, dagplejer, start, end in spells:
            enrolment_id = b.next_id(Enrolment)
            facts.enrolments.append((enrolment_id, unit_id, dagplejer, start, end))
            enrolments.append(
                {
                    "id": enrolment_id,
                    "child_id": child_id,
                    "unit_id": unit_id,
                    "dagplejer_id": dagplejer,
                    "start_date": start,
                    "end_date": end,
                    "note": None,
                    **_recorded(world, start),
                }
            )
        nurse = rng.choice(world.nurses[district])
        facts.nurse_id = nurse
        followed = born + timedelta(days=540) if rng.random() < 0.85 else None
        caseloads.append(
            {
                "id": b.next_id(Caseload),
                "child_id": child_id,
                "nurse_id": nurse,
                "start_date": born,
                "end_date": followed,
                **_recorded(world, born, nurse),
            }
        )
        world.children.append(facts)
    for guardian, guardian_id in zip(guardians, b.ids(Guardian, len(guardians)), strict=True):
        guardian["id"] = guardian_id
    b.insert(Child, children)
    b.insert(Guardian, guardians)
    b.insert(Enrolment, enrolments)
    b.insert(Caseload, caseloads)


def _daycare(world: World, rng: random.Random, born: date, school: date, dagpleje_p: float):
    """Enrolment spells after the district: (unit, dagplejer, start, end)."""
    today = world.today
    small_start = born + timedelta(days=rng.randint(300, 400))
    big_start = born + timedelta(days=3 * 365 - 60)
    if small_start > today:
        return []
    last_day = school - timedelta(days=1)

    def end(day: date) -> date | None:
        return day if day < today else None

    track = rng.random()
    if track < dagpleje_p:
        dagplejer, group, _ = world.dagplejere[rng.randrange(len(world.dagplejere))]
        small = (group, dagplejer)
    elif track < dagpleje_p + (1 - dagpleje_p) * 0.55:
        small = (_pick(rng, world.institutions, UnitKind.VUGGESTUE).id, None)
    else:
        unit_id = _pick(rng, world.institutions, UnitKind.INTEGRERET).id
        return [(unit_id, None, small_start, end(last_day))]
    # Planned moves up to 45 days ahead are already known (a transition is due).
    if big_start > today + timedelta(days=45):
        return [(*small, small_start, None)]
    spells = [(*small, small_start, big_start - timedelta(days=1))]
    kind = UnitKind.BOERNEHAVE if rng.random() < 0.85 else UnitKind.INTEGRERET
    spells.append((_pick(rng, world.institutions, kind).id, None, big_start, end(last_day)))
    return spells


def _paedagoger(world: World) -> None:
    """Pædagoger per institution in proportion to its current children (at least two)."""
    current: dict[int, int] = {}
    for child in world.children:
        enrolment = world.current(child)
        if enrolment:
            current[enrolment[1]] = current.get(enrolment[1], 0) + 1
    users, members = [], []
    n = 0
    for inst in world.institutions:
        for _ in range(max(2, math.ceil(current.get(inst.id, 0) / KIDS_PER_PAEDAGOG))):
            n += 1
            user_id = world.bulk.next_id(User)
            users.append(_user_row(world, user_id, f"paedagog{n:04d}"))
            members.append(_membership(world, user_id, inst.id, Role.PAEDAGOG, None))
            inst.staff.append(user_id)
        world.staff[inst.id] = inst.staff
    for dagplejer, group, _ in world.dagplejere:
        world.staff.setdefault(group, []).append(dagplejer)
    world.bulk.insert(User, users)
    world.bulk.insert(Membership, members)


def _access_log(world: World) -> None:
    """Views of each child by the staff of its units: about one a year per enrolment (the
    benchmark reads the log per child only, so its size matters little)."""
    from app.audit.models import AccessLog

    rng, today, rows = world.rng, world.today, []
    roles = {}
    for unit_id in world.districts:
        roles[unit_id] = Role.SUNDHEDSPLEJERSKE.value
    for child in world.children:
        for _, unit_id, dagplejer, start, end in child.enrolments:
            stop = min(end or today, today)
            days = (stop - start).days
            if days < 0:
                continue
            if dagplejer:
                staff, role = [dagplejer], Role.DAGPLEJER.value
            elif unit_id in roles:
                staff, role = [child.nurse_id], roles[unit_id]
            else:
                staff, role = world.staff.get(unit_id) or [world.chief_id], Role.PAEDAGOG.value
            for _ in range(1 + days // 365):
                at = datetime.combine(
                    start + timedelta(days=rng.randint(0, days)),
                    time(rng.randint(7, 16), rng.randint(0, 59)),
                    tzinfo=UTC,
                )
                rows.append(
                    {
                        "user_id": rng.choice(staff),
                        "role": role,
                        "child_id": child.id,
                        "action": "view",
                        "what": "child",
                        "channel": "online" if rng.random() < 0.9 else "offline",
                        "at": at,
                        "occurred_at": at,
                    }
                )
    for row, row_id in zip(rows, world.bulk.ids(AccessLog, len(rows)), strict=True):
        row["id"] = row_id
    world.bulk.insert(AccessLog, rows)
