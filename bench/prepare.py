"""Pick the bench users and ids from the synthetic data, and write the load test's context."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.auth.models import Membership, User
from app.auth.roles import Role
from app.bench.synthetic import EMAIL_DOMAIN
from app.children.models import Child, Enrolment
from app.children.scoping import visible_children
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.org.models import Unit, UnitKind
from bench.pages import CYCLES, PAGES, url_templates

INSTITUTION_KINDS = (UnitKind.VUGGESTUE, UnitKind.BOERNEHAVE, UnitKind.INTEGRERET)
TARGET_UNIT_SIZE = 60


def _current(today):
    return (Enrolment.start_date <= today) & (
        Enrolment.end_date.is_(None) | (Enrolment.end_date >= today)
    )


def unit_near(size: int, today) -> tuple[int, int]:
    """The institution whose number of current children is closest to `size`: (id, count)."""
    rows = db.session.execute(
        select(Enrolment.unit_id, func.count(func.distinct(Enrolment.child_id)))
        .join(Unit, Unit.id == Enrolment.unit_id)
        .where(Unit.kind.in_(INSTITUTION_KINDS), _current(today))
        .group_by(Enrolment.unit_id)
    ).all()
    unit_id, count = min(rows, key=lambda r: (abs(r[1] - size), r[0]))
    return unit_id, count


def _user(email_local: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{email_local}@{EMAIL_DOMAIN}"))


def _member(unit_id: int, role: Role) -> User:
    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.unit_id == unit_id, Membership.role == role)
        .order_by(User.id)
        .limit(1)
    )


def _busiest_dagplejer(today) -> User:
    dagplejer_id = db.session.scalar(
        select(Enrolment.dagplejer_id)
        .where(Enrolment.dagplejer_id.is_not(None), _current(today))
        .group_by(Enrolment.dagplejer_id)
        .order_by(func.count().desc(), Enrolment.dagplejer_id)
        .limit(1)
    )
    return db.session.get(User, dagplejer_id) if dagplejer_id else _user("dagplejer001")


def build_context(app: Flask, today, n_ids: int = 40) -> dict:
    """Users per role, ids they may see, URL templates; everything the locust users need."""
    unit_id, unit_size = unit_near(TARGET_UNIT_SIZE, today)
    users = {
        "sundhedsplejerske": _user("sundhedsplejerske01"),
        "dagplejer": _busiest_dagplejer(today),
        "dagplejepaedagog": _user("dagplejepaedagog01"),
        "paedagog": _member(unit_id, Role.PAEDAGOG),
        "leder": _member(unit_id, Role.LEDER),
        "leder_alle": _user("leder.alle"),
        "admin": _user("admin"),
    }
    ids = {}
    for role, user in users.items():
        children = db.session.execute(
            visible_children(user, today)
            .with_only_columns(Child.id, Child.first_name)
            .order_by(Child.id)
            .limit(n_ids)
        ).all()
        ids[role] = {
            "child_ids": [c.id for c in children],
            "search": children[0].first_name[:3].lower() if children else "a",
        }
    urls = url_templates(app)
    return {
        "users": {role: u.email for role, u in users.items()},
        "user_ids": {role: u.id for role, u in users.items()},
        "password": DEMO_PASSWORD,
        "unit_id": unit_id,
        "unit_size": unit_size,
        "n_children": db.session.scalar(select(func.count(Child.id))),
        "ids": ids,
        "urls": urls,
        "cycles": {role: list(steps) for role, steps in CYCLES.items()},
        "kinds": {p.key: p.kind for p in PAGES},
        "pages": {
            p.key: {"query": p.query, "htmx": p.htmx, "overrides": p.overrides} for p in PAGES
        },
    }
