"""Demo assessment history: several past rounds per child, mostly grøn, some gul, few rød.

Deterministic (its own random generator), invented, and realistic in shape: individual
assessments by the professionals who know the child, then the joint one that links them; in the
last finished round a few children were not assessed (overdue) and a few have only the
individual assessments so far (waiting for the joint one).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from app.assessments import rules, settings
from app.assessments.models import Assessment, AssessmentKind
from app.assessments.positions import Position
from app.auth.models import Membership
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind

HISTORY_YEARS = 2
START = ((Position.GROEN, 0.86), (Position.GUL, 0.11), (Position.ROED, 0.03))
START_BABY = ((Position.GROEN, 0.88), (Position.GUL, 0.10), (Position.ROED, 0.02))
NEXT = {  # position → chances of the next round's position (stable, mostly green)
    Position.GROEN: ((Position.GROEN, 0.94), (Position.GUL, 0.05), (Position.ROED, 0.01)),
    Position.GUL: ((Position.GROEN, 0.50), (Position.GUL, 0.42), (Position.ROED, 0.08)),
    Position.ROED: ((Position.GROEN, 0.05), (Position.GUL, 0.35), (Position.ROED, 0.60)),
}
JUSTIFICATIONS = {
    Position.GUL: [
        "Virker mere træt og stille end tidligere; leger mindre med de andre børn.",
        "Mange konflikter i garderoben og ved måltider; svært ved at falde til ro.",
        "Sproget udvikler sig langsomt, og barnet trækker sig i samling.",
        "Uregelmæssigt fremmøde den seneste måned; virker utryg ved aflevering.",
    ],
    Position.ROED: [
        "Virker bange ved afhentning og er meget indesluttet; har flere gange været sulten.",
        "Vedvarende tilbagetrækning over flere uger; søger ikke trøst hos de voksne.",
        "Mærker på armen uden troværdig forklaring; barnet er meget på vagt.",
    ],
}
PARENTS_VIEW = {
    Position.GROEN: ["Forældrene oplever også, at det går godt derhjemme."],
    Position.GUL: [
        "Forældrene genkender billedet og fortæller, at der er travlt derhjemme.",
        "Forældrene er bekymrede for søvnen og vil gerne samarbejde om en plan.",
    ],
    Position.ROED: ["Forældrene var overraskede og ønskede et nyt møde med sundhedsplejersken."],
}


def _pick(rng: random.Random, options) -> Position:
    roll, acc = rng.random(), 0.0
    for value, chance in options:
        acc += chance
        if roll < acc:
            return value
    return options[-1][0]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class _Seeder:
    def __init__(self, context: dict) -> None:
        self.today: date = context["today"]
        self.kommune = context["municipality"]
        self.rng = random.Random(20263)
        self.leader = context["leader"]
        self.nurse = context["nurse"]
        self.schema = settings.schema(self.kommune)
        self.paedagoger: dict[int, list[int]] = {}
        self.supervisor: dict[int, int] = {}
        for m in db.session.scalars(select(Membership)):
            if m.role is Role.PAEDAGOG:
                self.paedagoger.setdefault(m.unit_id, []).append(m.user_id)
            if m.role is Role.DAGPLEJER and m.supervisor_id:
                self.supervisor[m.user_id] = m.supervisor_id
        self.rows: list[Assessment] = []
        # The first dagplejer (the demo login) gets a round in progress to show.
        self.demo_dagplejer = context["dagplejere"][0].id if context["dagplejere"] else None

    def make(self, child, unit, kind, assessor, role, on: date, position: Position, **extra):
        band = rules.age_band(child.birth_date, on)
        indicators = self._indicators(band, position)
        serious = position.needs_course_of_action
        discussed = serious or self.rng.random() < 0.5 or extra.get("with_parents")
        code = _uuid(self.rng)
        a = Assessment(
            uuid=code,
            series_uuid=code,
            form_version=self.schema.version,
            child_id=child.id,
            unit_id=unit.id,
            kind=kind,
            assessor_id=assessor,
            assessor_role=role,
            with_parents=extra.get("with_parents", False),
            concluding=rules.is_concluding(kind.value, extra.get("with_parents", False), role),
            participants=extra.get("participants"),
            assessed_on=on,
            age_band=band,
            indicators=indicators,
            notes=self._notes(position),
            position=position,
            justification=self.rng.choice(JUSTIFICATIONS[position]) if serious else None,
            parents_discussed_on=on + timedelta(days=self.rng.randint(0, 6)) if discussed else None,
            parents_discussed_how=self.rng.choice(self.schema.parents_how) if discussed else None,
            parents_view=self.rng.choice(PARENTS_VIEW[position]) if discussed else None,
            created_by_id=assessor,
            updated_by_id=assessor,
        )
        if a.parents_discussed_on and a.parents_discussed_on > self.today:
            a.parents_discussed_on = self.today
        self.rows.append(a)
        return a

    def _indicators(self, band: str, position: Position) -> list[str]:
        by_position: dict[Position, list[str]] = {}
        for i in self.schema.indicators(band):
            by_position.setdefault(i.position, []).append(i.code)
        chosen = self.rng.sample(by_position[Position.GROEN], k=self.rng.randint(3, 7))
        if position is not Position.GROEN:
            chosen += self.rng.sample(by_position[Position.GUL], k=self.rng.randint(2, 4))
        if position is Position.ROED:
            chosen += self.rng.sample(by_position[Position.ROED], k=self.rng.randint(1, 2))
        return sorted(chosen)

    def _notes(self, position: Position) -> dict[str, str]:
        if position is Position.GROEN:
            return {"social": "Leger godt med de andre og er glad for de voksne."}
        return {
            "psykisk": "Har været mere ked af det ved aflevering de sidste uger.",
            "social": "Trækker sig fra legen og søger de voksne meget.",
        }

    def assessors(self, enrolment) -> tuple[list[tuple[int, str]], tuple[int, str]]:
        """(individual assessors, joint assessor) with their roles."""
        if enrolment.unit.kind.is_dagpleje and enrolment.dagplejer_id:
            dpp = self.supervisor.get(enrolment.dagplejer_id, self.leader.id)
            return [(enrolment.dagplejer_id, "dagplejer")], (dpp, "dagplejepaedagog")
        staff = self.paedagoger.get(enrolment.unit_id, [])
        people = [(u, "paedagog") for u in staff[:2]]
        if len(people) < 2:
            people.append((self.leader.id, "leder"))
        return people, people[0]

    def child_history(self, child) -> None:
        position = _pick(
            self.rng, ((Position.GROEN, 0.82), (Position.GUL, 0.14), (Position.ROED, 0.04))
        )
        enrolments = [
            e
            for e in child.enrolments
            if e.unit.kind is not UnitKind.SUNDHEDSPLEJEDISTRIKT and e.start_date <= self.today
        ]
        for enrolment in enrolments:
            schedule = settings.schedule_for(self.kommune, enrolment.unit.kind)
            first = max(
                enrolment.start_date + timedelta(days=30),
                date(self.today.year - HISTORY_YEARS, 1, 1),
            )
            last = min(enrolment.end_date or self.today, self.today)
            for r in rules.rounds_between(schedule, first, last):
                if not r.covers_birth(child.birth_date):
                    continue
                latest = (
                    r.deadline >= self.today - timedelta(days=200) and enrolment.end_date is None
                )
                position = _pick(self.rng, NEXT[position])
                self.round(child, enrolment, r, position, latest)
        self.nurse_visit(child)

    def round(self, child, enrolment, r, position: Position, latest: bool) -> None:
        window_end = min(r.end, self.today)
        if window_end < r.start:
            return
        roll = self.rng.random()
        demo_home = enrolment.dagplejer_id == self.demo_dagplejer and enrolment.dagplejer_id
        if latest and (roll < 0.06 or (demo_home and roll < 0.3)):
            return  # not assessed: overdue
        joint_on = r.start + timedelta(
            days=self.rng.randint(10, max(10, (window_end - r.start).days))
        )
        joint_on = min(joint_on, window_end)
        individuals, (joint_by, joint_role) = self.assessors(enrolment)
        made = []
        for user_id, role in individuals:
            on = max(r.start, joint_on - timedelta(days=self.rng.randint(1, 9)))
            own = position if self.rng.random() < 0.8 else _pick(self.rng, NEXT[position])
            made.append(
                self.make(child, enrolment.unit, AssessmentKind.INDIVIDUAL, user_id, role, on, own)
            )
        if latest and (roll > 0.94 or (demo_home and roll > 0.75)):
            return  # the individual assessments are made; the joint one is still to come
        joint = self.make(
            child,
            enrolment.unit,
            AssessmentKind.JOINT,
            joint_by,
            joint_role,
            joint_on,
            position,
            participants="Fælles vurdering i teamet",
        )
        joint.basis = made

    def nurse_visit(self, child) -> None:
        """The sundhedsplejerske's assessment with the parents at the 8–10-month visit."""
        if not any(c.nurse_id == self.nurse.id for c in child.caseloads):
            return
        on = rules.add_months(child.birth_date, 9)
        if on > self.today:
            return
        district = next(
            (e.unit for e in child.enrolments if e.unit.kind is UnitKind.SUNDHEDSPLEJEDISTRIKT),
            None,
        )
        if district is None:
            return
        position = _pick(
            self.rng, ((Position.GROEN, 0.88), (Position.GUL, 0.1), (Position.ROED, 0.02))
        )
        self.make(
            child,
            district,
            AssessmentKind.INDIVIDUAL,
            self.nurse.id,
            "sundhedsplejerske",
            on,
            position,
            with_parents=True,
        )


def seed_assessments(context: dict) -> None:
    seeder = _Seeder(context)
    for child in context["children"]:
        seeder.child_history(child)
    db.session.add_all(seeder.rows)
    db.session.flush()
