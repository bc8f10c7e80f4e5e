"""Each child's current position in each unit, kept in `child_position` as assessments change.

A unit's position of a child is the child's latest current concluding assessment made in that
unit (queries.py: ranked_concluding per unit): the overview counts, per unit, the positions
that unit made (another unit's need the parents' consent, app/children/records.py). Ranking
every assessment of a health district's 8,000 children took 100 ms at every recompute, so the
latest per child and unit is kept and rewritten in the same flush as any change to one of the
child's assessments: the rows of the children a flush touched are deleted and inserted again
from the ranking (a handful of children per flush). Bulk update()/delete() of assessments are
refused (stamps.py), so no change bypasses the flush; bulk loads that insert with Core
statements call rebuild().
"""

from __future__ import annotations

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from app.assessments.models import Assessment, ChildPosition
from app.assessments.queries import ranked_concluding
from app.children.models import Child

_TABLE = ChildPosition.__table__


def _latest(child_ids):
    ranked = ranked_concluding(child_ids, per_unit=True)
    return select(
        ranked.c.child_id, ranked.c.unit_id, ranked.c.id, ranked.c.position, ranked.c.assessed_on
    ).where(ranked.c.rn == 1)


def _insert_from(query):
    return insert(_TABLE).from_select(
        ["child_id", "unit_id", "assessment_id", "position", "assessed_on"], query
    )


def refresh(connection, child_ids: set[int]) -> None:
    """Rewrite the rows of these children from their assessments.

    Two transactions rewriting the same child at once (two staff assessing it, a sync batch
    beside a form) would both delete and then both insert its row: on PostgreSQL the second
    insert failed on the key. So the children's own rows are locked first, in id order: the
    second transaction waits for the first to commit, and its statements then see the first's
    assessments and row. NO KEY UPDATE, not UPDATE: the assessment's foreign key already holds
    a KEY SHARE lock on the child, which UPDATE would wait on in the other transaction too.
    SQLite has one writer at a time and needs no lock."""
    ids = sorted(child_ids)
    connection.execute(
        select(Child.id).where(Child.id.in_(ids)).order_by(Child.id).with_for_update(key_share=True)
    )
    connection.execute(delete(_TABLE).where(_TABLE.c.child_id.in_(ids)))
    connection.execute(_insert_from(_latest(ids)))


def rebuild(connection) -> None:
    """Every child's row from scratch (after a bulk load)."""
    connection.execute(delete(_TABLE))
    connection.execute(_insert_from(_latest(select(Assessment.child_id).distinct())))


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context) -> None:
    children: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Assessment):
            history = inspect(obj).attrs.child_id.history
            children.update(v for v in (obj.child_id, *history.deleted) if v is not None)
    if children:
        refresh(session.connection(), children)
