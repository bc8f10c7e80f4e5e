"""Who may see which child. One function decides, and every list and lookup uses it.

- dagplejer: children enrolled in her home
- dagplejepædagog: children of the dagplejere she supervises
- pædagog: children of her unit (and its sub-units)
- sundhedsplejerske: her caseload and the children of her district
- leder: children of every unit he leads and everything below them
- administrator: no child data unless also one of the above
"""

from __future__ import annotations

import time
from datetime import date

from flask import abort
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    union,
)

from app import clock
from app.auth.models import Membership, User
from app.auth.roles import Role
from app.children.models import Caseload, Child, Enrolment
from app.extensions import db
from app.org.models import Unit
from app.org.queries import descendant_unit_ids
from app.request_memo import memo


def _current(model, today: date) -> ColumnElement[bool]:
    return and_(model.start_date <= today, or_(model.end_date.is_(None), model.end_date >= today))


def scoped_unit_ids(user: User) -> set[int]:
    """Units whose enrolled children the user sees as a whole (not dagplejer homes)."""
    roots = user.unit_ids(Role.LEDER, Role.PAEDAGOG, Role.SUNDHEDSPLEJERSKE)
    return descendant_unit_ids(roots)


def record_unit_ids(user: User) -> set[int]:
    """Units whose wellbeing records the user sees as her own (app/children/records.py): her
    scope's units, the dagpleje groups she works in and those of the dagplejere she
    supervises. A record from any other unit needs the parents' consent."""
    if not _authenticated(user):
        return set()
    ids = scoped_unit_ids(user) | user.unit_ids(Role.DAGPLEJER, Role.DAGPLEJEPAEDAGOG)
    if Role.DAGPLEJEPAEDAGOG in user.roles:
        ids |= set(
            db.session.scalars(
                select(Membership.unit_id).where(
                    Membership.supervisor_id == user.id, Membership.role == Role.DAGPLEJER
                )
            )
        )
    return ids


def _id_sources(user: User, today: date) -> list[Select]:
    """select()s of child ids, one per way the user may see a child (see the module docstring)."""
    enrolled = _current(Enrolment, today)

    # Uncorrelated id subqueries rather than a correlated EXISTS: the planner then reads the
    # unit's enrolments once instead of once per child (minutes → milliseconds at 40,000).
    def enrolled_where(*criteria) -> Select:
        return select(Enrolment.child_id).where(*criteria, enrolled)

    sources: list[Select] = []
    unit_ids = scoped_unit_ids(user)
    roles = user.roles
    if unit_ids:
        sources.append(enrolled_where(Enrolment.unit_id.in_(unit_ids)))
    if Role.DAGPLEJER in roles:
        sources.append(enrolled_where(Enrolment.dagplejer_id == user.id))
    if Role.DAGPLEJEPAEDAGOG in roles:
        supervised = select(Membership.user_id).where(
            Membership.supervisor_id == user.id, Membership.role == Role.DAGPLEJER
        )
        sources.append(enrolled_where(Enrolment.dagplejer_id.in_(supervised)))
    if Role.SUNDHEDSPLEJERSKE in roles:
        sources.append(
            select(Caseload.child_id).where(Caseload.nurse_id == user.id, _current(Caseload, today))
        )
    return sources


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def child_scope(user: User, today: date | None = None) -> ColumnElement[bool]:
    """A SQL condition on Child that is true exactly for the children `user` may see."""
    if not _authenticated(user):
        return false()
    sources = _id_sources(user, today or clock.today())
    return or_(*(Child.id.in_(s) for s in sources)) if sources else false()


def child_visible(user: User, child_id, today: date | None = None) -> ColumnElement[bool]:
    """SQL: the child `child_id` (a column of the outer query) is one `user` may see.

    Correlated EXISTS per id source, for queries whose rows are already few by another index
    (a nurse's open planned visits): an `IN (ids)` there tempts the planner to start from the
    thousands of children of her district instead."""
    sources = _id_sources(user, today or clock.today()) if _authenticated(user) else []
    if not sources:
        return false()
    return or_(*(s.where(s.selected_columns[0] == child_id).exists() for s in sources))


def visible_child_ids(user: User, today: date | None = None) -> Select | CompoundSelect:
    """select() of the ids of the children `user` may see, for `X.child_id.in_(...)`.

    The union of the id sources, not `SELECT id FROM child WHERE <scope>`: that form scans every
    child of the municipality to test the scope on each (20 ms a query at 40,000 children)."""
    sources = _id_sources(user, today or clock.today()) if _authenticated(user) else []
    if not sources:
        return select(Child.id).where(false())
    return sources[0] if len(sources) == 1 else union(*sources)


def visible_children(
    user: User, today: date | None = None, browse: bool = False
) -> Select[tuple[Child]]:
    """select() of the children `user` may see; the caller orders, filters, paginates or counts.

    `browse`: the caller reads only the first rows in an index's order (a page of the list, a
    search). For a broad scope the children are then tested one by one as the index yields
    them, which stops after a page, instead of listing every visible id first (~50 ms at
    40,000 children)."""
    today = today or clock.today()
    if browse and scope_is_broad(user, today):
        return select(Child).where(child_visible(user, Child.id, today))
    return select(Child).where(child_scope(user, today))


# A scope of more children than this is broad: a leader over many units, a nurse's district.
BROAD_SCOPE = 2000
_SIZES_SECONDS = 600
_sizes: dict[str, tuple[float, date, dict[int, int]]] = {}


def _unit_sizes(today: date) -> dict[int, int]:
    """{unit id: current children}, kept per process for ten minutes. Only an estimate that
    picks the form of a query; who may see a child never depends on it."""
    key = str(db.engine.url)
    cached = _sizes.get(key)
    if cached and cached[1] == today and time.monotonic() - cached[0] < _SIZES_SECONDS:
        return cached[2]
    rows = db.session.execute(
        select(Enrolment.unit_id, func.count())
        .where(_current(Enrolment, today))
        .group_by(Enrolment.unit_id)
    )
    sizes = dict(rows.all())
    _sizes[key] = (time.monotonic(), today, sizes)
    return sizes


def scope_is_broad(user: User, today: date | None = None) -> bool:
    """Whether `user` sees more than BROAD_SCOPE children (estimated from unit sizes)."""
    if not _authenticated(user):
        return False
    unit_ids = scoped_unit_ids(user)
    if not unit_ids:
        return False
    sizes = _unit_sizes(today or clock.today())
    return sum(sizes.get(unit_id, 0) for unit_id in unit_ids) > BROAD_SCOPE


# What a request has learned about who may see which child; cleared by any flush of the rows
# scoping reads (see app.request_memo).
_SCOPE_MODELS = (Enrolment, Caseload, Membership, Unit, User)


def _seen(user: User) -> dict[int, bool] | None:
    memo_ = memo("visible_children", depends_on=_SCOPE_MODELS)
    return None if memo_ is None else memo_.setdefault((user.id, clock.today()), {})


def prefetch_visible(user: User, child_ids) -> None:
    """Decide `can_see_child` for many children in one query (a sync batch of records)."""
    seen = _seen(user)
    wanted = {int(i) for i in child_ids} - set(seen or ())
    if seen is None or not wanted or not getattr(user, "is_authenticated", False):
        return
    visible = set(
        db.session.scalars(
            select(Child.id).where(Child.id.in_(wanted), child_visible(user, Child.id))
        )
    )
    seen.update({child_id: child_id in visible for child_id in wanted})


def can_see_child(user: User, child_id: int) -> bool:
    seen = _seen(user) if getattr(user, "is_authenticated", False) else None
    key = int(child_id) if isinstance(child_id, int | str) and str(child_id).isdigit() else None
    if seen is not None and key in seen:
        return seen[key]
    query = select(exists().where(Child.id == child_id, child_visible(user, Child.id)))
    found = bool(db.session.scalar(query))
    if seen is not None and key is not None:
        seen[key] = found
    return found


def get_child_or_404(user: User, child_id: int) -> Child:
    """The child if `user` may see it; 404 otherwise (never 403: existence is not disclosed)."""
    # The correlated check: one child, so no list of every id the user may see.
    child = db.session.scalar(
        select(Child).where(Child.id == child_id, child_visible(user, Child.id))
    )
    if child is None:
        abort(404)
    return child
