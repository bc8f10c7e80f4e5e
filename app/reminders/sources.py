"""Reads the facts the rules need from the other areas' tables, as plain dataclasses.

Each source is one function; an area that is not installed yields no facts, and the sweep logs
and skips a source that fails, so one broken area never stops the other reminders.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from importlib.util import find_spec

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import selectinload

from app import clock
from app.auth.models import Membership, User
from app.auth.roles import Role
from app.extensions import db
from app.org.models import Area, Municipality, Unit
from app.reminders.rules import (
    URGENT_DAYS,
    Concern,
    DueAssessment,
    FollowUp,
    PendingTransition,
    RedNews,
    Settings,
    SettingsError,
    UnitStats,
    UrgentScreening,
)

log = logging.getLogger(__name__)


def installed(area: str) -> bool:
    """The area is switched on (in AREAS) and has its models: only then are its tables there."""
    from app import AREAS

    return area in AREAS and find_spec(f"app.{area}.models") is not None


def settings_or_defaults(raw) -> Settings:
    """The municipality's reminder settings; a bad one is logged by name and the defaults
    apply, so a typo in one municipality never silences red news anywhere."""
    try:
        return Settings.from_municipality(raw)
    except SettingsError as exc:
        log.error("reminder settings ignored: %s", exc)
        return Settings()


class Org:
    """The unit tree, each unit's leaders and its municipality's reminder settings, read once."""

    def __init__(self) -> None:
        rows = db.session.execute(
            select(Unit.id, Unit.parent_id, Unit.name, Municipality.settings)
            .join(Area, Unit.area_id == Area.id)
            .join(Municipality, Area.municipality_id == Municipality.id)
        ).all()
        self.cache: dict[str, object] = {}  # facts shared by several sources in one sweep
        self.parent = {r.id: r.parent_id for r in rows}
        self.names = {r.id: r.name for r in rows}
        cache: dict[str, Settings] = {}
        self.settings: dict[int, Settings] = {}
        for r in rows:
            key = json.dumps(r.settings or {}, sort_keys=True, default=str)
            if key not in cache:
                cache[key] = settings_or_defaults(r.settings)
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
            self.leaders[unit_id] = frozenset(self._above(unit_id, direct))

    def _above(self, unit_id: int | None, direct: dict[int, set[int]]) -> set[int]:
        """Leaders of the unit and of the units above it (a dagplejegruppe's leader leads the
        dagpleje above it), the same people the concerns area tells of a course."""
        found: set[int] = set()
        seen: set[int] = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            found |= direct.get(unit_id, set())
            unit_id = self.parent.get(unit_id)
        return found

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
            CourseOfAction.child_id,
            CourseOfAction.unit_id,
            CourseOfAction.level,
            CourseOfAction.opened_on,
            has_plan.label("has_plan"),
            reached.label("reached"),
        ).where(CourseOfAction.status == "open", CourseOfAction.unit_id.is_not(None))
    ).all()
    facts = []
    for r in rows:
        reached_on = clock.local_date(r.reached) if r.reached else r.opened_on
        facts.append(
            Concern(
                key=f"course:{r.id}",
                unit_id=r.unit_id,
                unit_name=org.names.get(r.unit_id, ""),
                level=str(getattr(r.level, "value", r.level)),
                opened_on=r.opened_on,
                since=max(r.opened_on, reached_on),
                has_action_plan=bool(r.has_plan),
                child_id=r.child_id,
            )
        )
    return facts


def red_news(org: Org, today: date) -> list[RedNews]:
    """Red news per child: every current red assessment, individual or joint (a dagplejer's own
    assessment reaches the leader without waiting for the joint one), and red/acute courses;
    each with the start of the child's red episode already told, from the ledger. A course
    opened from a red assessment is the same news and is left out; a correction of an
    assessment keeps its series key."""
    facts: list[RedNews] = []
    red_series: set[str] = set()
    look_back = max((s.recent_days for s in org.settings.values()), default=Settings.recent_days)
    since = today - timedelta(days=look_back)  # the rule narrows this to each municipality's
    if installed("assessments"):
        from app.assessments.models import Assessment
        from app.assessments.new_red import news_since
        from app.assessments.positions import Position

        for r in db.session.execute(
            select(
                Assessment.series_uuid,
                Assessment.child_id,
                Assessment.unit_id,
                Assessment.assessed_on,
                Assessment.created_at,
            ).where(
                Assessment.current.is_(True),
                Assessment.position == Position.ROED,
                news_since(since),  # as the leaders' list of new red assessments reads
            )
        ):
            red_series.add(r.series_uuid)
            recorded = clock.local_date(r.created_at) if r.created_at else r.assessed_on
            facts.append(
                RedNews(
                    r.child_id,
                    r.unit_id,
                    org.names.get(r.unit_id, ""),
                    max(r.assessed_on, recorded),
                )
            )
    courses = [c for c in concerns(org, today) if c.serious]
    if courses and red_series:
        from app.assessments.models import Assessment
        from app.concerns.models import CourseSource

        same = {
            f"course:{course_id}"
            for course_id, series in db.session.execute(
                select(CourseSource.course_id, Assessment.series_uuid)
                .join(Assessment, Assessment.id == CourseSource.source_id)
                .where(CourseSource.source == "assessment")
            )
            if series in red_series
        }
        courses = [c for c in courses if c.key not in same]
    facts += [RedNews(c.child_id, c.unit_id, c.unit_name, c.since) for c in courses]
    oldest = today - timedelta(
        days=look_back + max((s.red_again_days for s in org.settings.values()), default=28)
    )
    told = _red_episodes_told({f.child_id for f in facts}, oldest)
    return [replace(f, told=told.get(f.child_id)) for f in facts]


def _red_episodes_told(child_ids: set[int], oldest: date) -> dict[int, date]:
    """child id → the start of its latest red episode in the ledger. Episodes told before
    `oldest` cannot hold any news the rule still looks at, so only recent rows are read."""
    if not child_ids:
        return {}
    from app.reminders.models import SentReminder
    from app.reminders.rules import parse_red_subject

    told: dict[int, date] = {}
    for subject in db.session.scalars(
        select(SentReminder.subject_key).where(
            SentReminder.rule == "red_concern",
            SentReminder.created_at >= clock.local_midnight(oldest),
        )
    ):
        parsed = parse_red_subject(subject)
        if parsed and parsed[0] in child_ids:
            told[parsed[0]] = max(parsed[1], told.get(parsed[0], parsed[1]))
    return told


def follow_ups(org: Org, today: date) -> list[FollowUp]:
    """Follow-ups past their date: the courses' follow-up dates and the open plan items
    (fokuspunkter, agreed meeting actions), exactly as the concerns area lists them."""
    if not installed("concerns"):
        return []
    from app.concerns.models import CourseOfAction
    from app.concerns.queries import follow_up_rows

    rows = db.session.execute(follow_up_rows(true(), today - timedelta(days=1))).all()
    if not rows:
        return []
    course_ids = {r.course_id for r in rows}
    courses = {
        c.id: c
        for c in db.session.execute(
            select(CourseOfAction.id, CourseOfAction.unit_id, CourseOfAction.opened_by_id).where(
                CourseOfAction.id.in_(course_ids)
            )
        )
    }
    facts = []
    for r in rows:
        course = courses[r.course_id]
        if course.unit_id is None:
            continue
        key = f"course:{r.course_id}" if r.kind == "course" else f"plan:{r.item_id}"
        responsible = r.responsible_id or course.opened_by_id
        facts.append(
            FollowUp(
                key=key,
                unit_id=course.unit_id,
                unit_name=org.names.get(course.unit_id, ""),
                due=r.due_on,
                responsible_ids=frozenset({responsible} if responsible else ()),
            )
        )
    return facts


# ---- assessments (app/assessments) --------------------------------------------------------


def _schedules(org: Org) -> dict[int, object]:
    """unit id → its assessment schedule (only units whose kind has rounds)."""
    from app.assessments import settings as assessment_settings

    found: dict[int, object] = {}
    by_kind: dict[tuple[int, str], object] = {}
    units = db.session.scalars(
        select(Unit).options(selectinload(Unit.area).selectinload(Area.municipality))
    )
    for unit in units:
        key = (unit.area.municipality_id, unit.kind.value)
        if key not in by_kind:
            try:
                by_kind[key] = assessment_settings.schedule_for(unit.municipality, unit.kind)
            except ValueError:  # a broken schedule is the administrator's problem, not ours
                by_kind[key] = None
        schedule = by_kind[key]
        if schedule is not None and schedule.has_rounds:
            found[unit.id] = schedule
    return found


def due_assessments(org: Org, today: date) -> list[DueAssessment]:
    """Every currently enrolled child's next due assessment in its unit, computed by the
    assessments area's own rules (next_due), with who is responsible: the dagplejer and her
    dagplejepædagog in a dagpleje, the unit's pædagoger in an institution."""
    if "due" in org.cache:
        return org.cache["due"]
    org.cache["due"] = []
    if not installed("assessments"):
        return []
    from app.assessments import rules as assessment_rules
    from app.assessments.queries import last_concluded_in_enrolment
    from app.children.models import Child, Enrolment

    schedules = _schedules(org)
    if not schedules:
        return []
    last = last_concluded_in_enrolment()
    rows = db.session.execute(
        select(
            Enrolment.unit_id,
            Enrolment.child_id,
            Enrolment.start_date,
            Enrolment.dagplejer_id,
            Child.birth_date,
            last.label("last"),
        )
        .join(Child, Child.id == Enrolment.child_id)
        .where(
            Enrolment.unit_id.in_(schedules),
            Enrolment.start_date <= today,
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
        )
    ).all()
    paedagoger: dict[int, set[int]] = defaultdict(set)
    supervisors: dict[int, set[int]] = defaultdict(set)
    for unit_id, user_id, role, supervisor_id in db.session.execute(
        select(Membership.unit_id, Membership.user_id, Membership.role, Membership.supervisor_id)
        .join(User, Membership.user_id == User.id)
        .where(User.active.is_(True), Membership.role.in_((Role.PAEDAGOG, Role.DAGPLEJER)))
    ):
        if role == Role.PAEDAGOG:
            paedagoger[unit_id].add(user_id)
        elif supervisor_id:
            supervisors[user_id].add(supervisor_id)
    facts = []
    for r in rows:
        try:
            due = assessment_rules.next_due(
                schedules[r.unit_id], r.birth_date, r.start_date, r.last
            )
        except ValueError:
            continue
        if due is None:
            continue
        if r.dagplejer_id:
            responsible = {r.dagplejer_id, *supervisors.get(r.dagplejer_id, ())}
        else:
            responsible = paedagoger.get(r.unit_id, set())
        facts.append(
            DueAssessment(
                child_id=r.child_id,
                unit_id=r.unit_id,
                unit_name=org.names.get(r.unit_id, ""),
                due=due,
                responsible_ids=frozenset(responsible),
            )
        )
    org.cache["due"] = facts
    return facts


def unit_stats(org: Org, today: date) -> list[UnitStats]:
    """The leaders' Monday figures per unit, from the assessments overview's own queries
    (children, assessed this round, overdue) and the concerns lists (without a plan)."""
    if not installed("assessments"):
        return []
    from app.assessments import overview

    led = [unit_id for unit_id, leaders in org.leaders.items() if leaders]
    if not led:
        return []
    units = list(
        db.session.scalars(
            select(Unit)
            .where(Unit.id.in_(led))
            .options(selectinload(Unit.area).selectinload(Area.municipality))
            .order_by(Unit.name)
        )
    )
    figures = overview.unit_figures(units, today)
    without_plan: dict[int, int] = {}
    if installed("concerns"):
        from app.assessments import concerns_bridge

        for unit_id, counts in concerns_bridge.unit_counts(set(led), today).items():
            without_plan[unit_id] = counts.get("uden-handleplan", 0)
    soon: dict[int, int] = defaultdict(int)
    for fact in due_assessments(org, today):
        horizon = today + timedelta(days=org.settings_for(fact.unit_id).due_soon_days)
        if today <= fact.due <= horizon:
            soon[fact.unit_id] += 1
    return [
        UnitStats(
            unit_id=f.unit.id,
            unit_name=f.unit.name,
            children=f.covered,  # the children the current round covers
            assessed=f.assessed,
            overdue=f.overdue,
            due_soon=soon.get(f.unit.id, 0),
            without_plan=without_plan.get(f.unit.id, 0),
        )
        for f in figures
        if f.round is not None and f.covered  # units with rounds (not health districts)
    ]


# ---- visits (app/visits) ------------------------------------------------------------------


def urgent_screenings(org: Org, today: date) -> list[UrgentScreening]:
    """Visits with EPDS item 10 answered other than "never", recorded in the last two days
    (also when the visit itself was earlier and synced late), with the nurse's district."""
    if not installed("visits"):
        return []
    from app.reminders.urgent import item10_since

    since = today - timedelta(days=URGENT_DAYS)
    return [
        UrgentScreening(
            key=f"visit:{r.visit_id}",
            unit_id=r.unit_id,
            unit_name=org.names.get(r.unit_id, ""),
            on=r.on,
            nurse_id=r.nurse_id or 0,
        )
        for r in item10_since(since)
    ]


# ---- transitions (app/transitions) --------------------------------------------------------


def pending_transitions(org: Org, today: date) -> list[PendingTransition]:
    """Finished schemas with complete consent, the child enrolled in the receiving unit, and
    no acknowledgement yet: what the receiving leader is asked to read."""
    if not installed("transitions"):
        return []
    from app.children.models import Enrolment, Guardian
    from app.transitions import rules as transition_rules
    from app.transitions.models import TransitionConsent, TransitionSchema
    from app.transitions.queries import schema_settings

    schemas = db.session.execute(
        select(
            TransitionSchema.id,
            TransitionSchema.child_id,
            TransitionSchema.receiving_unit_id,
            TransitionSchema.sending_unit_id,
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
        cfg = schema_settings(s.sending_unit_id)
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
                    handed_over_on=clock.local_date(s.finished_at) if s.finished_at else today,
                )
            )
    return facts


# ---- helpers ------------------------------------------------------------------------------


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
    "red_concern": red_news,
    "urgent_screening": urgent_screenings,
    "no_action_plan": concerns,
    "follow_up_overdue": follow_ups,
    "transition_ack": pending_transitions,
    "assessments_due": due_assessments,
    "leader_digest": unit_stats,
}
