"""What is due for whom: plain functions over plain facts. No Flask, no database.

Each rule takes facts (small frozen dataclasses the sweep reads from the other areas), the local
time and the municipality's settings, and returns `Reminder`s. A reminder names the subjects it is
about (e.g. ``course:12``) and a period (``2026-W10``, ``once``, a due date); the sweep records
one ledger row per (rule, subject, period, user), so nothing is sent twice.

Defaults follow the issue; a municipality overrides them in ``Municipality.settings["reminders"]``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta

# Levels of a course of action that reach the leader at once (rød, and akut concern).
SERIOUS = frozenset({"roed", "akut"})
HOUR = 3600
DAY = 24 * HOUR
# An EPDS item 10 screening is news for this many days (dated or recorded then).
URGENT_DAYS = 2


@dataclass(frozen=True)
class Kind:
    """How a kind of reminder is delivered. `urgent` ones ignore quiet hours."""

    name: str
    urgent: bool
    urgency: str  # the Web Push Urgency header: very-low | low | normal | high
    ttl: int  # seconds the push service keeps it for an offline device


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("assessments_due", False, "low", 3 * DAY),
        Kind("red_concern", True, "high", DAY),
        Kind("no_action_plan", False, "normal", 2 * DAY),
        Kind("follow_up_overdue", False, "normal", 2 * DAY),
        Kind("urgent_screening", True, "high", DAY),
        Kind("transition_ack", False, "normal", 2 * DAY),
        Kind("leader_digest", False, "low", DAY),
        Kind("test", True, "normal", HOUR),
    )
}


class SettingsError(ValueError):
    """A municipality's reminder setting is out of range; the message names the setting."""


# (lowest, highest) for each whole-number setting; None = no upper bound.
_RANGES: dict[str, tuple[int, int | None]] = {
    "due_soon_days": (1, None),
    "no_plan_days": (1, None),
    "recent_days": (1, None),
    "red_again_days": (1, None),
    "quiet_start": (0, 23),
    "quiet_end": (0, 23),
    "weekly_weekday": (0, 6),
    "weekly_hour": (0, 23),
}


@dataclass(frozen=True)
class Settings:
    """Per-municipality configuration (defaults from the issue)."""

    due_soon_days: int = 14
    no_plan_days: int = 7
    # Immediate rules look back this far, so switching reminders on does not flood old news.
    recent_days: int = 14
    # One red episode of a child: red news within this many days of the first is not told again.
    red_again_days: int = 28
    quiet_start: int = 18
    quiet_end: int = 7
    quiet_weekends: bool = True
    # Weekly reminders and the leaders' digest go out from this weekday (0 = Monday) and hour.
    weekly_weekday: int = 0
    weekly_hour: int = 7
    disabled: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_municipality(cls, settings: Mapping | None) -> Settings:
        """Read ``settings["reminders"]``; unknown keys are ignored, a bad value raises
        `SettingsError` naming the setting (a bool is not a number, hours are 0–23)."""
        own = dict((settings or {}).get("reminders") or {})
        known = {f.name for f in fields(cls)}
        values = {key: _checked(key, value) for key, value in own.items() if key in known}
        # The concerns area's "plan within" setting is the same deadline; one place to set it.
        plan_days = ((settings or {}).get("concerns") or {}).get("plan_within_days")
        if "no_plan_days" not in values and _whole(plan_days) and plan_days > 0:
            values["no_plan_days"] = plan_days
        return cls(**values)

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(key: str, value):
    name = f"reminders.{key}"
    if key == "disabled":
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise SettingsError(f"{name} must be a list of rule names, got {value!r}")
        unknown = sorted(str(v) for v in value if v not in RULES)
        if unknown:
            raise SettingsError(f"{name}: unknown rules {unknown}; known: {list(RULES)}")
        return frozenset(value)
    if key == "quiet_weekends":
        if not isinstance(value, bool):
            raise SettingsError(f"{name} must be true or false, got {value!r}")
        return value
    low, high = _RANGES[key]
    if not _whole(value) or value < low or (high is not None and value > high):
        limits = f"{low}–{high}" if high is not None else f"{low} or more"
        raise SettingsError(f"{name} must be a whole number {limits}, got {value!r}")
    return value


@dataclass(frozen=True)
class QuietHours:
    start: int = 18
    end: int = 7
    weekends: bool = True


# ---- facts: what the sweep reads from the other areas -------------------------------------


@dataclass(frozen=True)
class DueAssessment:
    """A child's next wellbeing assessment (trivselsvurdering) and who is responsible for it."""

    child_id: int
    unit_id: int
    unit_name: str
    due: date
    responsible_ids: frozenset[int]


@dataclass(frozen=True)
class Concern:
    """A yellow/red position being followed (a course of action, handlevej)."""

    key: str  # "course:12"
    unit_id: int
    unit_name: str
    level: str  # "gul" | "roed" | "akut"
    opened_on: date
    since: date  # the day the course reached this level (opened_on unless escalated)
    has_action_plan: bool
    closed: bool = False
    child_id: int | None = None

    @property
    def serious(self) -> bool:
        return self.level in SERIOUS


@dataclass(frozen=True)
class RedNews:
    """One piece of red news about a child: a current red assessment (individual or joint) or
    a red/acute course of action. `told` is the start of the child's latest red episode the
    ledger says was told (None if never); the sweep reads it, the rule decides."""

    child_id: int
    unit_id: int
    unit_name: str
    on: date  # the day it became news (recorded, or the course reached red)
    told: date | None = None


@dataclass(frozen=True)
class FollowUp:
    """An agreed follow-up (opfølgning) with a date."""

    key: str  # "followup:7"
    unit_id: int
    unit_name: str
    due: date
    responsible_ids: frozenset[int]
    done: bool = False


@dataclass(frozen=True)
class UrgentScreening:
    """A screening that needs action today (EPDS item 10), made by a health visitor."""

    key: str  # "visit:31"
    unit_id: int
    unit_name: str
    on: date
    nurse_id: int


@dataclass(frozen=True)
class PendingTransition:
    """A transition schema handed over (consent given) and not yet acknowledged."""

    key: str  # "transition:5"
    unit_id: int  # the receiving unit
    unit_name: str
    handed_over_on: date


@dataclass(frozen=True)
class UnitStats:
    """Counts for the leaders' Monday digest. Numbers only."""

    unit_id: int
    unit_name: str
    children: int = 0
    assessed: int = 0  # assessed in the current round
    overdue: int = 0
    due_soon: int = 0
    without_plan: int = 0


# ---- the output ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One notification to one user, about one or more subjects within a period.

    `count` None means "the number of subjects not sent before" (per-item rules); a number means
    a total that belongs to the whole period (weekly rules, with one subject per unit).
    """

    rule: str
    user_id: int
    subjects: tuple[str, ...]
    period: str
    unit_id: int | None = None
    unit_name: str = ""
    count: int | None = None
    details: Mapping = field(default_factory=dict)
    link: tuple[str, tuple] = ("reminders.notifications", ())  # (endpoint, ((name, value),))

    @property
    def kind(self) -> Kind:
        return KINDS[self.rule]

    def with_subjects(self, subjects: Iterable[str]) -> Reminder:
        return replace(self, subjects=tuple(subjects))


# ---- time ---------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_started(local_now: datetime, weekday: int, hour: int) -> bool:
    """True from `weekday` at `hour` until the end of the ISO week (Monday 07:00 by default)."""
    today = local_now.weekday()
    return today > weekday or (today == weekday and local_now.hour >= hour)


def in_quiet_hours(local_now: datetime, quiet: QuietHours) -> bool:
    """18–07 and weekends by default. start == end means no nightly quiet hours."""
    if quiet.weekends and local_now.weekday() >= 5:
        return True
    hour = local_now.hour
    if quiet.start == quiet.end:
        return False
    if quiet.start > quiet.end:  # spans midnight
        return hour >= quiet.start or hour < quiet.end
    return quiet.start <= hour < quiet.end


def may_push(kind: Kind, local_now: datetime, quiet: QuietHours) -> bool:
    """Red concerns and urgent screenings break through quiet hours; nothing else does."""
    return kind.urgent or not in_quiet_hours(local_now, quiet)


# ---- the rules ----------------------------------------------------------------------------

Leaders = Mapping[int, Iterable[int]]  # unit id → the unit's leaders (nearest up the tree)


def assessments_due(
    facts: Iterable[DueAssessment],
    local_now: datetime,
    settings: Settings,
    leaders: Leaders | None = None,
) -> list[Reminder]:
    """Assessments due within 14 days or overdue → each responsible staff member, weekly,
    one reminder per unit with the counts ("2 trivselsvurderinger er forfaldne i Solsikken")."""
    if not week_started(local_now, settings.weekly_weekday, settings.weekly_hour):
        return []
    today = local_now.date()
    horizon = today + timedelta(days=settings.due_soon_days)
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for fact in facts:
        if fact.due > horizon:
            continue
        names[fact.unit_id] = fact.unit_name
        for user_id in fact.responsible_ids:
            counts[user_id, fact.unit_id][0 if fact.due < today else 1] += 1
    return [
        Reminder(
            rule="assessments_due",
            user_id=user_id,
            subjects=(f"unit:{unit_id}",),
            period=iso_week(today),
            unit_id=unit_id,
            unit_name=names[unit_id],
            count=overdue + soon,
            details={"overdue": overdue, "soon": soon, "days": settings.due_soon_days},
            link=("children.home", ()),
        )
        for (user_id, unit_id), (overdue, soon) in sorted(counts.items())
    ]


Link = tuple[str, tuple]  # (endpoint, ((name, value), ...)), resolved with url_for later


def subject_order(key: str) -> tuple:
    """Sort key for subjects with their numbers as numbers: "visit:87" before "visit:100"."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _unit_link(endpoint: str, **values):
    def link(unit_id: int, keys: list[str]) -> Link:
        return (endpoint, tuple({**values, "unit_id": unit_id}.items()))

    return link


def _per_leader(
    rule: str,
    items: Iterable[tuple[str, int, str]],
    leaders: Leaders,
    period: str,
    link,
    extra_users: Mapping[str, Iterable[int]] | None = None,
    extra_link=None,
) -> list[Reminder]:
    """Group per-item facts (key, unit id, unit name) into one reminder per (user, unit).

    `link(unit_id, keys)` gives the leader's page; `extra_link` the page for `extra_users`
    (e.g. the responsible person's own follow-up list).
    """
    grouped: dict[tuple[int, int], list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for key, unit_id, unit_name in items:
        names[unit_id] = unit_name
        users = set(leaders.get(unit_id, ()))
        if extra_users:
            users.update(extra_users.get(key, ()))
        for user_id in users:
            grouped[user_id, unit_id].append(key)
    reminders = []
    for (user_id, unit_id), keys in sorted(grouped.items()):
        is_leader = user_id in set(leaders.get(unit_id, ()))
        make_link = link if is_leader or extra_link is None else extra_link
        keys = sorted(keys, key=subject_order)
        reminders.append(
            Reminder(
                rule=rule,
                user_id=user_id,
                subjects=tuple(keys),
                period=period,
                unit_id=unit_id,
                unit_name=names[unit_id],
                link=make_link(unit_id, keys),
            )
        )
    return reminders


def red_concern(
    facts: Iterable[RedNews], local_now: datetime, settings: Settings, leaders: Leaders
) -> list[Reminder]:
    """A child in red → the unit's leaders at once (quiet hours do not apply), once per red
    episode of the child.

    Any current red assessment counts, a dagplejer's individual one too, so the leader hears the
    same day and not only when the joint assessment is made. The subject is the child and the
    first day of its red episode (``red-child:12@2026-03-02``, no name): an episode starts with
    red news from the last `recent_days`, and every red news about the child within
    `red_again_days` of its start (the joint assessment a week after the individual one, the
    course of action opened from it) belongs to it and is not told again. Red news later than
    that starts a new episode and is told again. The ledger gives the start of the episode
    already told (`told`), so the subject does not move when old news leave the look-back.
    """
    today = local_now.date()
    since = today - timedelta(days=settings.recent_days)
    again = timedelta(days=settings.red_again_days)
    per_child: dict[int, list[RedNews]] = defaultdict(list)
    for fact in facts:
        if fact.on >= since:
            per_child[fact.child_id].append(fact)
    items: list[tuple[str, int, str]] = []
    for child_id, news in per_child.items():
        told = max((f.told for f in news if f.told), default=None)
        new = [f for f in news if told is None or f.on > told + again]
        episode = min(f.on for f in new) if new else told
        latest = max(news, key=lambda f: (f.on, f.unit_id))  # the child's unit now
        items.append((red_subject(child_id, episode), latest.unit_id, latest.unit_name))
    # Nye røde vurderinger of the unit: this news (assessments of any kind, red/acute courses)
    # within `recent_days`; the list of red positions shows only concluding assessments.
    link = _unit_link("assessments.overview_list", which="roed-nye")
    return _per_leader("red_concern", items, leaders, "episode", link)


def red_subject(child_id: int, episode: date) -> str:
    return f"red-child:{child_id}@{episode.isoformat()}"


def parse_red_subject(subject: str) -> tuple[int, date] | None:
    """(child id, episode start) of a red_concern subject; None for other (older) subjects."""
    head, _, day = subject.partition("@")
    kind, _, child_id = head.partition(":")
    if kind != "red-child" or not child_id.isdigit():
        return None
    try:
        return int(child_id), date.fromisoformat(day)
    except ValueError:
        return None


def no_action_plan(
    facts: Iterable[Concern], local_now: datetime, settings: Settings, leaders: Leaders
) -> list[Reminder]:
    """Yellow or red without an action plan 7 days after it was opened → the leader, once."""
    cutoff = local_now.date() - timedelta(days=settings.no_plan_days)
    items = [
        (f.key, f.unit_id, f.unit_name)
        for f in facts
        if not f.closed and not f.has_action_plan and f.opened_on <= cutoff
    ]
    link = _unit_link("concerns.unit_follow_ups")
    return _per_leader("no_action_plan", items, leaders, "no-plan", link)


def follow_up_overdue(
    facts: Iterable[FollowUp], local_now: datetime, settings: Settings, leaders: Leaders
) -> list[Reminder]:
    """A follow-up date passed without a follow-up → the responsible person and the leader.

    The subject carries the due date, so a follow-up moved to a new date is reminded of again.
    """
    today = local_now.date()
    overdue = [f for f in facts if not f.done and f.due < today]
    keys = {f.key: f"{f.key}@{f.due.isoformat()}" for f in overdue}
    return _per_leader(
        "follow_up_overdue",
        [(keys[f.key], f.unit_id, f.unit_name) for f in overdue],
        leaders,
        "overdue",
        _unit_link("concerns.unit_follow_ups"),
        extra_users={keys[f.key]: f.responsible_ids for f in overdue},
        extra_link=lambda unit_id, keys: ("concerns.follow_ups", ()),
    )


def urgent_screening(
    facts: Iterable[UrgentScreening],
    local_now: datetime,
    settings: Settings,
    leaders: Leaders,
) -> list[Reminder]:
    """EPDS item 10 answered other than "never" → the health visitor's leader at once.

    The link is the district's list of recent item 10 screenings (newest first, with whether
    an action is recorded), so every screening the notification counts can be reached."""
    since = local_now.date() - timedelta(days=URGENT_DAYS)
    items = [(f.key, f.unit_id, f.unit_name) for f in facts if f.on >= since]
    link = _unit_link("reminders.urgent_screenings")
    return _per_leader("urgent_screening", items, leaders, "once", link)


def transition_ack(
    facts: Iterable[PendingTransition],
    local_now: datetime,
    settings: Settings,
    leaders: Leaders,
) -> list[Reminder]:
    """A transition schema awaiting the receiving unit's acknowledgement → its leader."""
    items = [(f.key, f.unit_id, f.unit_name) for f in facts]
    link = _unit_link("transitions.received")
    return _per_leader("transition_ack", items, leaders, "once", link)


def leader_digest(
    stats: Iterable[UnitStats], local_now: datetime, settings: Settings, leaders: Leaders
) -> list[Reminder]:
    """Monday morning: one digest per leader with counts per unit (assessed this round,
    overdue, due soon, yellow/red without plan). Also the leader's weekly due-assessment digest."""
    if not week_started(local_now, settings.weekly_weekday, settings.weekly_hour):
        return []
    per_leader: dict[int, list[UnitStats]] = defaultdict(list)
    for unit in stats:
        for user_id in leaders.get(unit.unit_id, ()):
            per_leader[user_id].append(unit)
    period = iso_week(local_now.date())
    return [
        Reminder(
            rule="leader_digest",
            user_id=user_id,
            subjects=("digest",),
            period=period,
            count=len(units),
            details={
                "days": settings.due_soon_days,
                "units": [
                    {
                        "name": u.unit_name,
                        "children": u.children,
                        "assessed": u.assessed,
                        "overdue": u.overdue,
                        "soon": u.due_soon,
                        "without_plan": u.without_plan,
                    }
                    for u in sorted(units, key=lambda u: u.unit_name)
                ],
            },
            link=("assessments.overview", ()),
        )
        for user_id, units in sorted(per_leader.items())
    ]


# The sweep calls these in order; each name is also the rule stored in the ledger.
RULES = (
    "red_concern",
    "urgent_screening",
    "no_action_plan",
    "follow_up_overdue",
    "transition_ack",
    "assessments_due",
    "leader_digest",
)
