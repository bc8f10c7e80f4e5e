"""The leader's overview ("Overblik"): aggregate queries over the units a leader leads.

A fixed number of queries whatever the number of children: per-unit figures come from GROUP BY
queries; due dates become SQL conditions built from the same rules (rules.py) that compute one
child's due date, so the overview and "Mine børn" agree (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, false, func, literal, or_, select, true

from app.assessments import latest as _kept  # noqa: F401 (its flush listener keeps ChildPosition)
from app.assessments import rules, settings
from app.assessments.models import Assessment, ChildPosition
from app.assessments.positions import Position
from app.auth.models import User
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.extensions import db
from app.org.models import Unit
from app.org.queries import descendant_unit_ids

TREND_ROUNDS = 4
# Above this many units the overview shows one table row per unit instead of full sections.
COMPACT_ABOVE = 8


def leader_units(user: User) -> list[Unit]:
    """The units a leader leads and every unit below them, by name."""
    ids = descendant_unit_ids(user.unit_ids(Role.LEDER))
    if not ids:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.name)))


def _enrolled_now(today: date):
    return and_(
        Enrolment.start_date <= today,
        or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
    )


def band_condition(birth, on: date, bands: frozenset[str] | None):
    """SQL: the child born on `birth` is in one of `bands` on `on` (rules.age_band)."""
    if bands is None:
        return true()
    parts = []
    for code, low, high in rules.AGE_BANDS:
        if code not in bands:
            continue
        cond = []
        if low:
            cond.append(birth <= rules.born_on_or_before_for_age(on, low))
        if high is not None:
            cond.append(birth > rules.born_on_or_before_for_age(on, high))
        parts.append(and_(*cond) if cond else true())
    return or_(*parts) if parts else false()


@dataclass
class KindPlan:
    """A unit kind's schedule turned into what the SQL needs."""

    schedule: rules.Schedule
    round: rules.Round | None
    past: list[rules.Round]
    trend: list[rules.Round]


def plans(units: list[Unit], today: date) -> dict[str, KindPlan]:
    found: dict[str, KindPlan] = {}
    for unit in units:
        kind = unit.kind.value
        if kind in found:
            continue
        schedule = settings.schedule_for(unit.municipality, unit.kind)
        has = schedule.has_rounds
        found[kind] = KindPlan(
            schedule,
            rules.current_round(schedule, today) if has else None,
            rules.past_deadline_rounds(schedule, today, years=4) if has else [],
            rules.recent_rounds(schedule, today, TREND_ROUNDS) if has else [],
        )
    return found


def enrolment_facts(unit_ids: set[int], today: date):
    """One row per current enrolment: unit, child, start, birth and the last concluding
    assessment in that unit since the enrolment started.

    `last` comes from a LEFT JOIN and max() grouped per enrolment, not a correlated subquery:
    the round conditions refer to it about 40 times, and both planners inlined a correlated
    subquery at each reference (PostgreSQL took most of a minute at 10,000 children). A grouped
    subquery is computed once.
    """
    found = and_(
        Assessment.child_id == Enrolment.child_id,
        Assessment.unit_id == Enrolment.unit_id,
        Assessment.current.is_(True),
        Assessment.concluding.is_(True),
        Assessment.assessed_on >= Enrolment.start_date,
    )
    return (
        select(
            Enrolment.unit_id,
            Enrolment.child_id,
            Enrolment.start_date.label("start"),
            Child.birth_date.label("birth"),
            func.max(Assessment.assessed_on).label("last"),
        )
        .join(Child, Child.id == Enrolment.child_id)
        .outerjoin(Assessment, found)
        .where(Enrolment.unit_id.in_(unit_ids), _enrolled_now(today))
        .group_by(
            Enrolment.id,
            Enrolment.unit_id,
            Enrolment.child_id,
            Enrolment.start_date,
            Child.birth_date,
        )
        .subquery()
    )


def _by_kind(units: list[Unit], plan_of: dict[str, KindPlan], facts, build):
    """OR over unit kinds of (unit in the kind's units AND the kind's condition)."""
    parts = []
    for kind, plan in plan_of.items():
        ids = [u.id for u in units if u.kind.value == kind]
        condition = build(plan, facts)
        if ids and condition is not None:
            parts.append(and_(facts.c.unit_id.in_(ids), condition))
    return or_(*parts) if parts else false()


def _overdue(plan: KindPlan, facts, today: date):
    """rules.next_due(...) < today, as SQL (see the module docstring of rules.py)."""
    if not plan.schedule.has_rounds:
        return None
    first_cut = rules.latest_start_due_before(today, plan.schedule.first_within_months)
    parts = [and_(facts.c.last.is_(None), facts.c.start <= first_cut)]
    for r in plan.past:
        started_after = or_(
            and_(facts.c.last.is_(None), facts.c.start <= r.start), facts.c.last < r.start
        )
        parts.append(and_(band_condition(facts.c.birth, r.start, r.spec.age_bands), started_after))
    return or_(*parts)


def _covered(plan: KindPlan, facts):
    if plan.round is None:
        return None
    return band_condition(facts.c.birth, plan.round.start, plan.round.spec.age_bands)


def _assessed(plan: KindPlan, facts):
    if plan.round is None:
        return None
    # "is not None" first: NOT (NULL >= x) is NULL, which would drop never-assessed children.
    return and_(_covered(plan, facts), facts.c.last.is_not(None), facts.c.last >= plan.round.start)


def conditions(units: list[Unit], today: date, facts, plan_of: dict[str, KindPlan] | None = None):
    plan_of = plan_of or plans(units, today)
    return {
        "overdue": _by_kind(units, plan_of, facts, lambda p, f: _overdue(p, f, today)),
        "covered": _by_kind(units, plan_of, facts, _covered),
        "assessed": _by_kind(units, plan_of, facts, _assessed),
    }


def made_here(position, unit_id, start):
    """SQL: `position` (a child_position row) is the child's position in this enrolment: made
    in its unit since it started, as the due dates count (a child new here is not assessed
    until assessed here; another unit's position needs the parents' consent,
    app/children/records.py)."""
    return and_(position.unit_id == unit_id, position.assessed_on >= start)


def latest_position_subquery(child_ids):
    """(child_id, unit_id, position, assessed_on) of these children's current positions in
    each unit that assessed them (kept by latest.py)."""
    return (
        select(
            ChildPosition.child_id,
            ChildPosition.unit_id,
            ChildPosition.position,
            ChildPosition.assessed_on,
        )
        .where(ChildPosition.child_id.in_(child_ids))
        .subquery()
    )


@dataclass
class UnitFigures:
    unit: Unit
    children: int = 0
    covered: int = 0
    assessed: int = 0
    overdue: int = 0
    positions: dict[str, int] = field(default_factory=lambda: {p.value: 0 for p in Position})
    not_assessed: int = 0
    round: rules.Round | None = None
    trend: list[tuple[rules.Round, dict[str, int]]] = field(default_factory=list)
    concerns: dict[str, int | None] = field(default_factory=dict)

    @property
    def in_use(self) -> bool:
        """Has children now or assessments in the recent rounds (else left out of the page)."""
        return bool(self.children or any(sum(c.values()) for _, c in self.trend))

    @property
    def share(self) -> int | None:
        """Per cent assessed in the current round (None without a round or children)."""
        if self.round is None or not self.covered:
            return None
        return round(100 * self.assessed / self.covered)


def unit_figures(units: list[Unit], today: date) -> list[UnitFigures]:
    """Figures per unit in at most 4 queries (counts, positions, trend)."""
    if not units:
        return []
    ids = {u.id for u in units}
    figures = {u.id: UnitFigures(u) for u in units}
    plan_of = plans(units, today)
    for u in units:
        figures[u.id].round = plan_of[u.kind.value].round

    # Units without rounds (a health district: thousands of children) only count children; the
    # last assessment per enrolment that the due dates need is read for the others alone.
    timed = [u for u in units if plan_of[u.kind.value].schedule.has_rounds]
    untimed = ids - {u.id for u in timed}
    if timed:
        facts = enrolment_facts({u.id for u in timed}, today)
        cond = conditions(timed, today, facts, plan_of)

        def total(c):
            return func.sum(case((c, 1), else_=0))

        counts = select(
            facts.c.unit_id,
            func.count(),
            total(cond["covered"]),
            total(cond["assessed"]),
            total(cond["overdue"]),
        ).group_by(facts.c.unit_id)
        for unit_id, n, covered, assessed, overdue in db.session.execute(counts):
            f = figures[unit_id]
            f.children, f.covered = n, covered or 0
            f.assessed, f.overdue = assessed or 0, overdue or 0
    if untimed:
        children = (
            select(Enrolment.unit_id, func.count())
            .where(Enrolment.unit_id.in_(untimed), _enrolled_now(today))
            .group_by(Enrolment.unit_id)
        )
        for unit_id, n in db.session.execute(children):
            figures[unit_id].children = n

    # Each current enrolment looks its child's position in its unit up by key (a district:
    # thousands): the positions this unit made, whatever another unit assessed later.
    here = and_(
        ChildPosition.child_id == Enrolment.child_id,
        made_here(ChildPosition, Enrolment.unit_id, Enrolment.start_date),
    )
    by_position = (
        select(Enrolment.unit_id, ChildPosition.position, func.count())
        .select_from(Enrolment)
        .outerjoin(ChildPosition, here)
        .where(Enrolment.unit_id.in_(ids), _enrolled_now(today))
        .group_by(Enrolment.unit_id, ChildPosition.position)
    )
    for unit_id, position, n in db.session.execute(by_position):
        if position is None:
            figures[unit_id].not_assessed = n
        else:
            figures[unit_id].positions[Position(position).value] = n

    for unit_id, rounds in trend_counts(units, plan_of, today).items():
        figures[unit_id].trend = rounds
    return [figures[u.id] for u in units]


def trend_counts(units, plan_of, today: date) -> dict[int, list]:
    """Per unit and recent round: the children's positions (latest per child in the round).

    A round's period runs from its start to the next round's start, so late assessments count
    for the round they belong to.
    """
    whens, labels = [], {}
    earliest = today
    for kind, plan in plan_of.items():
        ids = [u.id for u in units if u.kind.value == kind]
        if not ids or not plan.trend:
            continue
        starts = [r.start for r in plan.trend] + [today + timedelta(days=1)]
        for i, r in enumerate(plan.trend):
            key = f"{kind}|{i}"
            labels[key] = r
            whens.append(
                (
                    and_(
                        Assessment.unit_id.in_(ids),
                        Assessment.assessed_on >= starts[i],
                        Assessment.assessed_on < starts[i + 1],
                    ),
                    literal(key),
                )
            )
            earliest = min(earliest, r.start)
    result: dict[int, list] = {}
    if not whens:
        return result
    bucket = case(*whens, else_=None)
    ranked = (
        select(
            Assessment.unit_id,
            Assessment.position,
            bucket.label("bucket"),
            func.row_number()
            .over(
                partition_by=(Assessment.unit_id, Assessment.child_id, bucket),
                order_by=(Assessment.assessed_on.desc(), Assessment.id.desc()),
            )
            .label("rn"),
        )
        .where(
            Assessment.current.is_(True),
            Assessment.concluding.is_(True),
            # Only units with a trend: a district's thousands of visit assessments have none.
            Assessment.unit_id.in_([u.id for u in units if plan_of[u.kind.value].trend]),
            Assessment.assessed_on >= earliest,
        )
        .subquery()
    )
    query = (
        select(ranked.c.unit_id, ranked.c.bucket, ranked.c.position, func.count())
        .where(ranked.c.rn == 1, ranked.c.bucket.is_not(None))
        .group_by(ranked.c.unit_id, ranked.c.bucket, ranked.c.position)
    )
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for unit_id, key, position, n in db.session.execute(query):
        counts.setdefault((unit_id, key), {p.value: 0 for p in Position})[
            Position(position).value
        ] = n
    for unit in units:
        plan = plan_of[unit.kind.value]
        result[unit.id] = [
            (r, counts.get((unit.id, f"{unit.kind.value}|{i}"), {p.value: 0 for p in Position}))
            for i, r in enumerate(plan.trend)
        ]
    return result


# --- Lists behind the numbers ----------------------------------------------------------------

LISTS = ("forsinkede", "mangler", "groen", "gul", "roed", "ikke-vurderet")


def list_query(units: list[Unit], which: str, today: date) -> Select:
    """(Child, unit_id, start, last) rows behind one number of the overview, by name."""
    ids = {u.id for u in units}
    facts = enrolment_facts(ids, today)
    query = (
        select(Child, facts.c.unit_id, facts.c.start, facts.c.last)
        .join(facts, facts.c.child_id == Child.id)
        .order_by(Child.first_name, Child.last_name, Child.id)
    )
    if which in ("forsinkede", "mangler"):
        cond = conditions(units, today, facts)
        if which == "forsinkede":
            return query.where(cond["overdue"])
        return query.where(cond["covered"], ~cond["assessed"])
    latest = latest_position_subquery(select(facts.c.child_id))
    query = query.outerjoin(
        latest,
        and_(latest.c.child_id == Child.id, made_here(latest.c, facts.c.unit_id, facts.c.start)),
    )
    if which == "ikke-vurderet":
        return query.where(latest.c.position.is_(None))
    return query.where(latest.c.position == Position(which))


LIST_LIMIT = 500


@dataclass
class ListRow:
    child: Child
    unit: Unit
    due: date | None
    last: date | None


def list_rows(units: list[Unit], which: str, today: date) -> tuple[list[ListRow], int]:
    """The rows of one list (at most LIST_LIMIT) and how many there are in all."""
    query = list_query(units, which, today)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    by_id = {u.id: u for u in units}
    plan_of = plans(units, today)
    rows = []
    for child, unit_id, start, last in db.session.execute(query.limit(LIST_LIMIT)):
        unit = by_id[unit_id]
        schedule = plan_of[unit.kind.value].schedule
        rows.append(
            ListRow(child, unit, rules.next_due(schedule, child.birth_date, start, last), last)
        )
    return rows, total or 0


def list_title(which: str, schema) -> str:
    from flask_babel import gettext as _

    titles = {
        "forsinkede": _("Forsinkede vurderinger"),
        "mangler": _("Mangler vurdering i runden"),
        "ikke-vurderet": _("Aldrig vurderet"),
    }
    if which in titles:
        return titles[which]
    return _("Børn i %(label)s position", label=schema.label(which).lower())


def totals(figures: list[UnitFigures]) -> UnitFigures | None:
    """All units together (the first row of the overview)."""
    if len(figures) < 2:
        return None
    total = UnitFigures(unit=None)
    rounds = {f.round for f in figures if f.round is not None}
    total.round = next(iter(rounds)) if len(rounds) == 1 else None
    for f in figures:
        total.children += f.children
        total.covered += f.covered
        total.assessed += f.assessed
        total.overdue += f.overdue
        total.not_assessed += f.not_assessed
        for key, n in f.positions.items():
            total.positions[key] += n
        for key, n in f.concerns.items():
            total.concerns[key] = total.concerns.get(key, 0) + (n or 0)
    return total
