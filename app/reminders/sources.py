"""Reads the facts the rules need from the other areas' tables, as plain dataclasses.

Each source is one function; an area that is not installed yields no facts, and the sweep logs
and skips a source that fails, so one broken area never stops the other reminders.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from importlib.util import find_spec

from sqlalchemy import func, select

from app.auth.models import Membership, User
from app.auth.roles import Role
from app.extensions import db
from app.org.models import Area, Municipality, Unit
from app.reminders import rules
from app.reminders.rules import Concern, FollowUp, PendingTransition, Settings


def installed(area: str) -> bool:
    """The area is switched on (in AREAS) and has its models: only then are its tables there."""
    from app import AREAS

    return area in AREAS and find_spec(f"app.{area}.models") is not None


class Org:
    """The unit tree, each unit's leaders and its municipality's reminder settings, read once."""

    def __init__(self) -> None:
        rows = db.session.execute(
            select(Unit.id, Unit.parent_id, Unit.name, Municipality.settings)
            .join(Area, Unit.area_id == Area.id)
            .join(Municipality, Area.municipality_id == Municipality.id)
        ).all()
        self.parent = {r.id: r.parent_id for r in rows}
        self.names = {r.id: r.name for r in rows}
        cache: dict[str, Settings] = {}
        self.settings: dict[int, Settings] = {}
        for r in rows:
            key = repr(sorted(((r.settings or {}).get("reminders") or {}).items()))
            if key not in cache:
                cache[key] = Settings.from_municipality(r.settings)
            self.settings[r.id] = cache[key]
        direct: dict[int, set[int]] = defaultdict(set)
        for unit_id, user_id in db.session.execute(
            select(Membership.unit_id, Membership.user_id)
            .join(User, Membership.user_id == User.id)
            .where(Membership.role == Role.LEDER, User.active.is_(True))
        ):
            direct[unit_id].add(user_id)
        self.leaders: dict[int, frozenset[int]] = {}
        for unit_id in self.parent:
            self.leaders[unit_id] = frozenset(self._nearest(unit_id, direct))

    def _nearest(self, unit_id: int | None, direct: dict[int, set[int]]) -> set[int]:
        """The unit's own leaders, else its parent's (a dagplejegruppe's leader leads the
        dagpleje above it)."""
        seen: set[int] = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            if direct.get(unit_id):
                return direct[unit_id]
            unit_id = self.parent.get(unit_id)
        return set()

    def settings_for(self, unit_id: int | None) -> Settings:
        return self.settings.get(unit_id, Settings()) if unit_id else Settings()


# ---- concerns (app/concerns) --------------------------------------------------------------


def concerns(org: Org, today: date) -> list[Concern]:
    """Open courses of action, with whether they have an action plan (plan items)."""
    if not installed("concerns"):
        return []
    from app.concerns.models import CourseOfAction, CourseSource, PlanItem

    has_plan = select(PlanItem.id).where(PlanItem.course_id == CourseOfAction.id).exists()
    reached = (
        select(func.max(CourseSource.created_at))
        .where(
            CourseSource.course_id == CourseOfAction.id,
            CourseSource.level == CourseOfAction.level,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            CourseOfAction.id,
            CourseOfAction.unit_id,
            CourseOfAction.level,
            CourseOfAction.opened_on,
            has_plan.label("has_plan"),
            reached.label("reached"),
        ).where(CourseOfAction.status == "open", CourseOfAction.unit_id.is_not(None))
    ).all()
    facts = []
    for r in rows:
        reached_on = _local_date(r.reached) if r.reached else r.opened_on
        facts.append(
            Concern(
                key=f"course:{r.id}",
                unit_id=r.unit_id,
                unit_name=org.names.get(r.unit_id, ""),
                level=str(getattr(r.level, "value", r.level)),
                opened_on=r.opened_on,
                since=max(r.opened_on, reached_on),
                has_action_plan=bool(r.has_plan),
            )
        )
    return facts


def follow_ups(org: Org, today: date) -> list[FollowUp]:
    """Follow-up dates of open courses and agreed actions (plan items) not yet done."""
    if not installed("concerns"):
        return []
    from app.concerns.models import CourseOfAction, PlanItem

    facts = []
    for r in db.session.execute(
        select(
            CourseOfAction.id,
            CourseOfAction.unit_id,
            CourseOfAction.follow_up_on,
            CourseOfAction.responsible_id,
            CourseOfAction.opened_by_id,
        ).where(
            CourseOfAction.status == "open",
            CourseOfAction.follow_up_on.is_not(None),
            CourseOfAction.follow_up_on < today,
            CourseOfAction.unit_id.is_not(None),
        )
    ):
        facts.append(
            FollowUp(
                key=f"course:{r.id}",
                unit_id=r.unit_id,
                unit_name=org.names.get(r.unit_id, ""),
                due=r.follow_up_on,
                responsible_ids=frozenset({r.responsible_id or r.opened_by_id}),
            )
        )
    for r in db.session.execute(
        select(PlanItem.id, PlanItem.due_on, PlanItem.responsible_id, CourseOfAction.unit_id)
        .join(CourseOfAction, PlanItem.course_id == CourseOfAction.id)
        .where(
            CourseOfAction.status == "open",
            PlanItem.done_on.is_(None),
            PlanItem.due_on < today,
            CourseOfAction.unit_id.is_not(None),
        )
    ):
        facts.append(
            FollowUp(
                key=f"plan:{r.id}",
                unit_id=r.unit_id,
                unit_name=org.names.get(r.unit_id, ""),
                due=r.due_on,
                responsible_ids=frozenset({r.responsible_id} if r.responsible_id else ()),
            )
        )
    return facts


# ---- transitions (app/transitions) --------------------------------------------------------


def pending_transitions(org: Org, today: date) -> list[PendingTransition]:
    """Finished schemas with complete consent, the child enrolled in the receiving unit, and
    no acknowledgement yet: what the receiving leader is asked to read."""
    if not installed("transitions"):
        return []
    from app.children.models import Enrolment, Guardian
    from app.transitions import rules as transition_rules
    from app.transitions.models import TransitionConsent, TransitionSchema

    schemas = db.session.execute(
        select(
            TransitionSchema.id,
            TransitionSchema.child_id,
            TransitionSchema.receiving_unit_id,
            TransitionSchema.finished_at,
            Enrolment.start_date,
            Enrolment.end_date,
        )
        .join(Enrolment, TransitionSchema.receiving_enrolment_id == Enrolment.id)
        .where(
            TransitionSchema.status == "finished",
            TransitionSchema.acknowledged_at.is_(None),
            TransitionSchema.receiving_unit_id.is_not(None),
            Enrolment.start_date <= today,
        )
    ).all()
    if not schemas:
        return []
    ids = [s.id for s in schemas]
    child_ids = {s.child_id for s in schemas}
    consents: dict[int, list] = defaultdict(list)
    for c in db.session.scalars(
        select(TransitionConsent).where(TransitionConsent.schema_id.in_(ids))
    ):
        consents[c.schema_id].append(
            transition_rules.ConsentFact(
                c.guardian_id, c.id, c.withdrawn_at is not None, c.share_wellbeing_history
            )
        )
    custody: dict[int, list] = defaultdict(list)
    for g in db.session.execute(
        select(Guardian.id, Guardian.child_id, Guardian.has_custody).where(
            Guardian.child_id.in_(child_ids)
        )
    ):
        custody[g.child_id].append((g.id, g.has_custody))
    facts = []
    for s in schemas:
        cfg = transition_rules.settings(_municipality_settings(s.receiving_unit_id, "transitions"))
        state = transition_rules.consent_state(
            transition_rules.required_custodians(custody[s.child_id]),
            consents[s.id],
            bool(cfg["consent_from_all_custodians"]),
        )
        if transition_rules.receiver_may_read(
            finished=True,
            consent=state,
            enrolment_start=s.start_date,
            enrolment_end=s.end_date,
            today=today,
        ):
            facts.append(
                PendingTransition(
                    key=f"transition:{s.id}",
                    unit_id=s.receiving_unit_id,
                    unit_name=org.names.get(s.receiving_unit_id, ""),
                    handed_over_on=_local_date(s.finished_at) if s.finished_at else today,
                )
            )
    return facts


# ---- helpers ------------------------------------------------------------------------------


def _local_date(moment) -> date:
    from datetime import UTC

    from app.clock import LOCAL_TZ

    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def _municipality_settings(unit_id: int, section: str) -> dict:
    raw = db.session.scalar(
        select(Municipality.settings)
        .join(Area, Area.municipality_id == Municipality.id)
        .join(Unit, Unit.area_id == Area.id)
        .where(Unit.id == unit_id)
    )
    return (raw or {}).get(section) or {}


# rule name → source function (facts for that rule)
SOURCES = {
    "red_concern": concerns,
    "no_action_plan": concerns,
    "follow_up_overdue": follow_ups,
    "transition_ack": pending_transitions,
}

__all__ = ["Org", "SOURCES", "rules"]
