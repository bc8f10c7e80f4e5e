"""Which of a child's wellbeing records a viewer sees when the child has changed unit.

Knowledge follows the child only with the parents' consent: a record (an assessment, a course
of action with what hangs on it, named sparring, an underretning) made in a unit is seen by the
staff whose own scope covers that unit, and by a receiving unit only when a transition schema
handed it over with a consent that includes the wellbeing history; then every record dated
before the child's start there is shared, from whichever earlier unit made it.

The rule is plain (`history_shared_before`, `sees_record`); `shared_before_for` reads the
child's handovers for one viewer. Other areas call it through app/children/records.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.transitions import rules


@dataclass(frozen=True)
class Handover:
    """A transition schema of the child received by one of the viewer's units or homes."""

    start: date  # the child's start in the receiving unit
    end: date | None  # the receiving enrolment's end
    finished: bool
    custodians: frozenset[int]
    consents: tuple[rules.ConsentFact, ...]
    all_custodians: bool = True


def history_shared_before(handovers: Iterable[Handover], today: date) -> date | None:
    """Records dated before this day are shared with the viewer; None: nothing is shared.

    A handover shares the history when the receiving unit may read the schema (finished,
    consent complete and not withdrawn, the child enrolled there today) and every standing
    consent includes the wellbeing history."""
    starts = [
        h.start
        for h in handovers
        if rules.receiver_may_read(
            finished=h.finished,
            consent=rules.consent_state(h.custodians, h.consents, h.all_custodians),
            enrolment_start=h.start,
            enrolment_end=h.end,
            today=today,
        )
        and rules.shares_history(h.custodians, h.consents, h.all_custodians)
    ]
    return max(starts, default=None)


def sees_record(
    unit_id: int | None,
    on: date,
    *,
    own_units: Iterable[int],
    shared_before: date | None,
    by_viewer: bool = False,
) -> bool:
    """A record made in `unit_id` and dated `on`: the viewer sees it if the unit is in her
    own scope, she made it herself, or it predates a handover that shared the history."""
    if by_viewer or (unit_id is not None and unit_id in set(own_units)):
        return True
    return shared_before is not None and on < shared_before


def shared_before_for(user, child_id: int, today: date) -> date | None:
    """`history_shared_before` over the schemas of this child that one of the user's units
    or homes received (the same staff test as the receiving list)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.children.models import Child, Enrolment
    from app.extensions import db
    from app.transitions.models import TransitionSchema
    from app.transitions.queries import enrolment_staff, transition_settings

    schemas = db.session.scalars(
        select(TransitionSchema)
        .join(Enrolment, TransitionSchema.receiving_enrolment_id == Enrolment.id)
        .where(TransitionSchema.child_id == child_id, enrolment_staff(user))
        .options(
            selectinload(TransitionSchema.consents),
            selectinload(TransitionSchema.receiving_enrolment),
            selectinload(TransitionSchema.sending_unit),
            selectinload(TransitionSchema.child).selectinload(Child.guardians),
        )
    ).all()
    handovers = []
    for s in schemas:
        cfg = transition_settings(s.sending_unit)
        handovers.append(
            Handover(
                start=s.receiving_enrolment.start_date,
                end=s.receiving_enrolment.end_date,
                finished=s.finished,
                custodians=frozenset(g.id for g in s.child.guardians if g.has_custody),
                consents=tuple(
                    rules.ConsentFact(c.guardian_id, c.id, c.withdrawn, c.share_wellbeing_history)
                    for c in s.consents
                ),
                all_custodians=bool(cfg["consent_from_all_custodians"]),
            )
        )
    return history_shared_before(handovers, today)
