"""Factories with sensible defaults: make_unit(), make_user(), make_child() (flaskr/Indico style).

Passwords are hashed once per test session: argon2 is deliberately slow.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import cache

from app import clock
from app.auth.models import Membership, User
from app.auth.passwords import hash_password
from app.auth.roles import Role
from app.children.models import Caseload, Child, Enrolment, Guardian
from app.extensions import db
from app.org.models import Area, Municipality, Unit, UnitKind

PASSWORD = "korrekt-hest-batteri"
_seq = itertools.count(1)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def municipality() -> Municipality:
    found = db.session.query(Municipality).first()
    if found:
        return found
    m = Municipality(name="Testrup Kommune", code="998", settings={})
    db.session.add(m)
    db.session.add(Area(municipality=m, name="Område 1"))
    db.session.flush()
    return m


def make_unit(name: str | None = None, kind: UnitKind = UnitKind.BOERNEHAVE, parent=None) -> Unit:
    area = municipality().areas[0]
    unit = Unit(area=area, name=name or f"Enhed {next(_seq)}", kind=kind, parent=parent)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(
    role: Role | None = None,
    unit: Unit | None = None,
    *,
    name: str | None = None,
    email: str | None = None,
    supervisor: User | None = None,
    admin: bool = False,
    **extra,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@test.invalid".replace(".invalid", ".opspor"),
        name=name or f"Medarbejder {n}",
        password_hash=password_hash(),
        is_admin=admin,
        **extra,
    )
    if role:
        user.memberships.append(
            Membership(unit=unit or make_unit(), role=role, supervisor=supervisor)
        )
    db.session.add(user)
    db.session.flush()
    return user


def make_child(
    unit: Unit | None = None,
    *,
    dagplejer: User | None = None,
    nurse: User | None = None,
    birth_date: date | None = None,
    first_name: str = "Testbarn",
    last_name: str | None = None,
    cpr: str | None = None,
    enrolled_from: date | None = None,
    enrolled_to: date | None = None,
) -> Child:
    n = next(_seq)
    born = birth_date or clock.today() - timedelta(days=800)
    child = Child(
        first_name=first_name, last_name=last_name or f"Efternavn{n}", birth_date=born, cpr=cpr
    )
    child.guardians.append(Guardian(name=f"Forælder {n}", phone="+45 99 00 00 00"))
    if unit is not None:
        child.enrolments.append(
            Enrolment(
                unit=unit,
                dagplejer_id=dagplejer.id if dagplejer else None,
                start_date=enrolled_from or born,
                end_date=enrolled_to,
            )
        )
    if nurse is not None:
        child.caseloads.append(Caseload(nurse_id=nurse.id, start_date=born))
    db.session.add(child)
    db.session.flush()
    return child
