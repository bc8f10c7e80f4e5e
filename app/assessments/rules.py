"""Domain rules for wellbeing assessments: age bands, rounds, due dates, suggestions, trend.

Plain functions on plain data (no Flask, no database), so they are tested directly.

Due dates (design, from domain.md §2):
- rounds (vurderingsrunder) are windows in the year, configured per municipality and unit kind,
  each with a deadline (default: the window's end) and optionally the age bands it covers;
- a child newly enrolled in a unit (no concluding assessment there yet) is due within
  `first_within_months` of the enrolment, or by the deadline of the first round that starts on or
  after the enrolment, whichever comes first;
- after a concluding assessment on day L the child is due by the deadline of the first round
  (covering its age band) that starts after L;
- a child who moves unit keeps its history but is "new" in the new unit: the caller passes the
  new enrolment and the last concluding assessment made *in that unit*.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import islice

from app.assessments.positions import Position

# --- Age bands -------------------------------------------------------------------------------

# (code, first month, first month of the next band)
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 12),
    ("1-3", 12, 36),
    ("3-6", 36, None),
)
BAND_CODES = tuple(code for code, _, _ in AGE_BANDS)


def age_months(birth: date, on: date) -> int:
    """Whole months of age on `on` (negative before birth)."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day:
        months -= 1
    return months


def age_band(birth: date, on: date) -> str:
    months = age_months(birth, on)
    for code, _low, high in AGE_BANDS:
        if high is None or months < high:
            return code
    return BAND_CODES[-1]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def born_on_or_before_for_age(on: date, months: int) -> date:
    """The latest birth date with at least `months` whole months of age on `on`.

    age_months(b, on) >= months  ⇔  b <= this date, which lets SQL compare birth dates directly.
    """
    candidate = add_months(on, -months)
    while age_months(candidate + timedelta(days=1), on) >= months:
        candidate += timedelta(days=1)
    while age_months(candidate, on) < months:
        candidate -= timedelta(days=1)
    return candidate


def latest_start_due_before(today: date, months: int) -> date:
    """The latest enrolment date E with add_months(E, months) < today (for SQL comparisons)."""
    candidate = add_months(today, -months)
    while add_months(candidate + timedelta(days=1), months) < today:
        candidate += timedelta(days=1)
    while add_months(candidate, months) >= today:
        candidate -= timedelta(days=1)
    return candidate


# --- Rounds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSpec:
    """A yearly window, e.g. spring 1 Mar–30 Apr. Month/day pairs; the end may wrap the year."""

    name: str
    start: tuple[int, int]
    end: tuple[int, int]
    deadline: tuple[int, int] | None = None  # default: the window's end
    age_bands: frozenset[str] | None = None  # None: every age band

    def covers(self, band: str) -> bool:
        return self.age_bands is None or band in self.age_bands


@dataclass(frozen=True)
class Round:
    """One concrete round, e.g. "Forår 2026" from 1.3.2026 to 30.4.2026."""

    name: str
    start: date
    end: date
    deadline: date
    spec: RoundSpec

    @property
    def label(self) -> str:
        return f"{self.name} {self.start.year}"

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}"

    def covers_birth(self, birth: date) -> bool:
        return self.spec.covers(age_band(birth, self.start))


@dataclass(frozen=True)
class Schedule:
    """A unit kind's rounds and the period within which a newly enrolled child is assessed."""

    rounds: tuple[RoundSpec, ...]
    first_within_months: int = 3

    @property
    def has_rounds(self) -> bool:
        return bool(self.rounds)


DEFAULT_ROUNDS = (
    RoundSpec("Forår", (3, 1), (4, 30)),
    RoundSpec("Efterår", (9, 1), (10, 31)),
)


def _after(start: tuple[int, int], other: tuple[int, int]) -> bool:
    return other < start


def instance(spec: RoundSpec, year: int) -> Round:
    start = date(year, *spec.start)
    end = date(year + _after(spec.start, spec.end), *spec.end)
    deadline_md = spec.deadline or spec.end
    deadline = date(year + _after(spec.start, deadline_md), *deadline_md)
    return Round(spec.name, start, end, deadline, spec)


@lru_cache(maxsize=512)
def _rounds_of_year(specs: tuple[RoundSpec, ...], year: int) -> tuple[Round, ...]:
    # Kept: a home screen asks for the same few years' rounds for each of its ~60 children.
    return tuple(sorted((instance(s, year) for s in specs), key=lambda r: r.start))


def rounds_from(schedule: Schedule, year: int) -> Iterator[Round]:
    """Every round starting in `year` or later, in order of start (an endless generator)."""
    while True:
        yield from _rounds_of_year(schedule.rounds, year)
        year += 1


def rounds_between(schedule: Schedule, first: date, last: date) -> list[Round]:
    """Rounds whose start lies in [first, last], in order."""
    found = []
    for r in rounds_from(schedule, first.year):
        if r.start > last:
            break
        if r.start >= first:
            found.append(r)
    return found


def validate_schedule(schedule: Schedule) -> list[str]:
    """Problems with a configured schedule (Danish, for the administrator); [] when fine."""
    problems = []
    for spec in schedule.rounds:
        for md in (spec.start, spec.end, spec.deadline or spec.end):
            try:
                date(2001, *md)  # a non-leap year: 29 February is not a yearly date
            except ValueError:
                problems.append(f"Ugyldig dato i runden {spec.name}: {md[1]}.{md[0]}")
        if spec.age_bands is not None and not spec.age_bands <= set(BAND_CODES):
            problems.append(f"Ukendt aldersgruppe i runden {spec.name}")
    if problems or not schedule.rounds:
        return problems
    for band in BAND_CODES:
        if not any(s.covers(band) for s in schedule.rounds):
            problems.append(f"Ingen runde dækker aldersgruppen {band}")
    year = list(islice(rounds_from(schedule, 2001), len(schedule.rounds) * 2))
    for a, b in zip(year, year[1:], strict=False):
        if a.deadline > b.deadline or a.deadline < a.end or a.end < a.start:
            problems.append(
                f"Fristen for {a.name} skal ligge efter vinduets slutning "
                "og før den næste rundes frist"
            )
    if schedule.first_within_months < 0:
        problems.append("Perioden for første vurdering kan ikke være negativ")
    return problems


def first_round(schedule: Schedule, birth: date, *, after: date, inclusive: bool) -> Round:
    """The first round covering the child that starts after (or on, if inclusive) `after`."""
    for r in rounds_from(schedule, after.year - 1):
        if (r.start > after or (inclusive and r.start == after)) and r.covers_birth(birth):
            return r
        if r.start.year > after.year + 10:
            break
    raise ValueError("no round covers this child; check the schedule with validate_schedule")


def next_due(
    schedule: Schedule, birth: date, enrolled_on: date, last_concluded: date | None
) -> date | None:
    """The one date by which the child must next be assessed in its current unit.

    `last_concluded`: the latest concluding (joint, or with-parents) assessment made in this unit
    since `enrolled_on`, or None. Returns None only for a unit kind without rounds (health
    districts, who assess at visits).
    """
    if not schedule.has_rounds:
        return None
    if last_concluded is None:
        first = add_months(enrolled_on, schedule.first_within_months)
        r = first_round(schedule, birth, after=enrolled_on, inclusive=True)
        return min(first, r.deadline)
    return first_round(schedule, birth, after=last_concluded, inclusive=False).deadline


def current_round(schedule: Schedule, today: date) -> Round | None:
    """The round whose window holds today, else the last one that has started."""
    last = None
    for r in rounds_from(schedule, today.year - 2):
        if r.start > today:
            break
        last = r
    return last


def recent_rounds(schedule: Schedule, today: date, n: int) -> list[Round]:
    """The last `n` rounds that have started, oldest first (the trend's columns)."""
    started = list(rounds_between(schedule, date(today.year - 3, 1, 1), today))
    return started[-n:]


def past_deadline_rounds(schedule: Schedule, today: date, years: int = 3) -> list[Round]:
    """Rounds whose deadline has passed, within `years` (enough to decide overdue in SQL)."""
    first = date(today.year - years, 1, 1)
    return [r for r in rounds_between(schedule, first, today) if r.deadline < today]


def is_overdue(due: date | None, today: date) -> bool:
    return due is not None and due < today


def due_soon(due: date | None, today: date, round_: Round | None, horizon_days: int = 30) -> bool:
    """Due now: overdue, within the horizon, or due by the deadline of the open round."""
    if due is None:
        return False
    if due <= today + timedelta(days=horizon_days):
        return True
    return round_ is not None and round_.start <= today <= round_.end and due <= round_.deadline


# --- The assessment itself -------------------------------------------------------------------


def is_concluding(kind: str, with_parents: bool, assessor_role: str | None) -> bool:
    """A joint assessment concludes a round; so does a sundhedsplejerske's made with parents."""
    return kind == "joint" or (with_parents and assessor_role == "sundhedsplejerske")


def minimum_individual(is_dagpleje: bool, config: dict | None = None) -> int:
    """Individual assessments needed before a joint one (2 in institutions, 1 in dagpleje)."""
    config = config or {}
    if is_dagpleje:
        return int(config.get("dagpleje", 1))
    return int(config.get("institution", 2))


def justification_required(position: Position | str | None) -> bool:
    return position is not None and Position(position).needs_course_of_action


def opens_course_of_action(concluding: bool, position: Position | str) -> bool:
    """A concluding gul/rød assessment leads the assessor into the course of action."""
    return concluding and Position(position).needs_course_of_action


@dataclass(frozen=True)
class Suggestion:
    position: Position | None
    counts: dict[Position, int]


def indicator_position(code: str) -> Position:
    """Indicator codes are "<area>.<position>.<n>"."""
    return Position(code.split(".")[1])


def suggest_position(ticked: Iterable[str]) -> Suggestion:
    """What the ticked indicators point to. A suggestion only: the professional decides.

    Any red sign suggests rød, else any yellow sign gul, else green signs grøn; nothing ticked
    suggests nothing.
    """
    counts = dict.fromkeys(Position, 0)
    for code in ticked:
        counts[indicator_position(code)] += 1
    for position in (Position.ROED, Position.GUL, Position.GROEN):
        if counts[position]:
            return Suggestion(position, counts)
    return Suggestion(None, counts)


def trend(current: Position | str | None, previous: Position | str | None) -> str | None:
    """ "better", "worse" or "same" compared with the previous concluding assessment."""
    if current is None or previous is None:
        return None
    difference = Position(current).rank - Position(previous).rank
    return "same" if difference == 0 else ("better" if difference < 0 else "worse")
