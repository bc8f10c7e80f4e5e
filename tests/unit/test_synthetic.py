"""The synthetic municipality: structure, counts and determinism (small N; no timing)."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import func, inspect, select

from app.audit.models import AccessLog
from app.auth.models import Membership, User
from app.auth.roles import Role
from app.bench.history import GENERATORS
from app.bench.synthetic import generate
from app.children.models import Caseload, Child, Enrolment, Guardian
from app.children.scoping import visible_children
from app.extensions import db
from app.org.models import Unit, UnitKind

DAY = date(2026, 3, 10)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _digest() -> str:
    """A fingerprint of the generated rows (children, enrolments, guardians, access log)."""
    h = hashlib.sha256()
    for model, order in (
        (Child, Child.id),
        (Enrolment, Enrolment.id),
        (Guardian, Guardian.id),
        (Caseload, Caseload.id),
        (AccessLog, AccessLog.id),
        (User, User.id),
        *_area_tables(),
    ):
        columns = [c for c in model.__table__.c if c.name not in ("password_hash",)]
        for row in db.session.execute(select(*columns).order_by(order)):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _area_tables():
    from app import AREAS

    tables = []
    if "assessments" in AREAS:
        from app.assessments.models import Assessment

        tables.append((Assessment, Assessment.id))
    if "visits" in AREAS:
        from app.visits.models import Visit

        tables.append((Visit, Visit.id))
    return tables


def test_structure_of_a_small_municipality(app):
    """The staff and units are there at any N; every child has a district and history."""
    world = generate(300, seed=7, today=DAY)
    db.session.commit()

    def role_count(role):
        return _count(Membership, Membership.role == role)

    assert _count(Child) == 300
    assert role_count(Role.SUNDHEDSPLEJERSKE) == 25
    assert role_count(Role.DAGPLEJER) == 150
    assert role_count(Role.DAGPLEJEPAEDAGOG) == 15
    assert _count(Unit, Unit.kind == UnitKind.DAGPLEJEGRUPPE) == 15
    institutions = _count(
        Unit, Unit.kind.in_([UnitKind.VUGGESTUE, UnitKind.BOERNEHAVE, UnitKind.INTEGRERET])
    )
    assert institutions == 60
    assert role_count(Role.PAEDAGOG) >= 120  # at least two per institution
    # Every child is enrolled in a district from birth and followed by a nurse of that district.
    districts = select(Unit.id).where(Unit.kind == UnitKind.SUNDHEDSPLEJEDISTRIKT)
    assert _count(Enrolment, Enrolment.unit_id.in_(districts)) == 300
    assert _count(Caseload) == 300
    assert _count(Guardian) >= 300
    assert _count(AccessLog) >= 300
    # CPR-like numbers: unique, synthetic serials (9xxx), matching the birth date.
    for cpr, born in db.session.execute(select(Child.cpr, Child.birth_date)):
        if cpr is not None:
            assert cpr[:6] == born.strftime("%d%m%y") and cpr[6] == "9"
    assert db.session.scalar(select(func.count(func.distinct(Child.cpr)))) == _count(
        Child, Child.cpr.is_not(None)
    )
    # Six years of history: the oldest children have left for school, enrolments go back years.
    oldest = db.session.scalar(select(func.min(Enrolment.start_date)))
    assert (DAY - oldest).days > 6 * 365
    # The leader over all units sees every currently enrolled child.
    chief = db.session.get(User, world.chief_id)
    seen = db.session.scalar(
        select(func.count()).select_from(visible_children(chief, DAY).subquery())
    )
    current = db.session.scalar(
        select(func.count(func.distinct(Enrolment.child_id))).where(
            Enrolment.start_date <= DAY,
            (Enrolment.end_date.is_(None)) | (Enrolment.end_date >= DAY),
        )
    )
    assert seen == current > 200
    # Each area's history is either included or named as skipped.
    assert sorted(world.included + world.skipped) == sorted(GENERATORS)
    _check_area_history(world)


def _check_area_history(world) -> None:
    """Where an area is included, its history is there and hangs together."""
    if "assessments" in world.included:
        from app.assessments.models import Assessment, AssessmentKind

        joint = _count(Assessment, Assessment.kind == AssessmentKind.JOINT)
        assert joint > 300  # two rounds a year for children in daycare
        assert db.session.scalar(select(func.max(Assessment.assessed_on))) <= DAY
        assert _count(Assessment, Assessment.with_parents.is_(True)) > 0  # the nurse's at 9 mo.
        from tests.web.test_child_position import assert_positions_match_the_assessments

        assert_positions_match_the_assessments()  # rebuilt after the bulk load
    if "concerns" in world.included:
        from app.concerns.models import CourseOfAction

        assert 0 < _count(CourseOfAction) <= len(world.concluded)
        assert _count(CourseOfAction, CourseOfAction.status == "open") > 0
    if "visits" in world.included:
        from app.visits.models import PlannedVisit, Visit

        assert _count(Visit) > 300 * 3  # most children have had the whole programme
        assert _count(Visit, Visit.planned_visit_id.is_(None)) == 0
        assert _count(PlannedVisit, PlannedVisit.status == "planlagt") > 0
    if "transitions" in world.included:
        from app.transitions.models import TransitionConsent, TransitionSchema

        assert _count(TransitionSchema) > 0 and _count(TransitionConsent) > 0


def test_indexes_and_constraints_are_built_again_after_the_load(app):
    """The generator drops indexes (on PostgreSQL also foreign keys and unique constraints) for
    its load; afterwards the schema has every one of them again."""

    def schema() -> dict:
        inspector = inspect(db.engine)
        return {
            table: [
                sorted(str(item["name"]) for item in get(table))
                for get in (
                    inspector.get_indexes,
                    inspector.get_foreign_keys,
                    inspector.get_unique_constraints,
                )
            ]
            for table in inspector.get_table_names()
        }

    before = schema()
    generate(60, seed=5, today=DAY)
    db.session.commit()
    assert schema() == before


def test_the_same_seed_gives_the_same_rows(app):
    """Deterministic: the same seed and day give identical rows; another seed does not."""
    generate(120, seed=3, today=DAY)
    db.session.commit()
    first = _digest()
    for seed, same in ((3, True), (4, False)):
        db.session.remove()
        db.drop_all()
        db.create_all()
        generate(120, seed=seed, today=DAY)
        db.session.commit()
        assert (_digest() == first) is same


def test_cli_command(runner):
    """`flask demo synthetic` fills an empty database and refuses a filled one."""
    result = runner.invoke(args=["demo", "synthetic", "--children", "40", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "child 40" in result.output
    again = runner.invoke(args=["demo", "synthetic", "--children", "40"])
    assert again.exit_code != 0
    assert "--reset" in again.output
