"""Domain rules for concerns and courses of action. Plain functions, no Flask.

- what a position (gul / rød / akut) triggers, and which steps of a course are done;
- Danish public holidays and working days (for the underretning receipt, due in 6 working days);
- the personal-data check of an anonymous sparring request;
- the per-municipality settings with their defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.concerns.first_names import COMMON_FIRST_NAMES

# ---------------------------------------------------------------------------------------------
# Levels and what they trigger


class Level(StrEnum):
    """The position a course of action was opened for. "akut": a child may be in danger now."""

    GUL = "gul"
    ROED = "roed"
    AKUT = "akut"

    @property
    def rank(self) -> int:
        return {"gul": 1, "roed": 2, "akut": 3}[self.value]

    @property
    def is_serious(self) -> bool:
        """Rød and akut: the leader is told the same day and the underretning question asked."""
        return self is not Level.GUL


def level_from(value: str | None) -> Level | None:
    """'gul', 'roed' (also 'rød'), 'akut' → Level; 'groen' and anything else → None."""
    value = (value or "").strip().lower().replace("ø", "oe")
    try:
        return Level(value)
    except ValueError:
        return None


class Trigger(StrEnum):
    INVOLVE_PARENTS = "involve_parents"
    ACTION_PLAN = "action_plan"
    FOLLOW_UP_DATE = "follow_up_date"
    CONSIDER_SPARRING = "consider_sparring"
    INFORM_LEADER_SAME_DAY = "inform_leader_same_day"
    UNDERRETNING_QUESTION = "underretning_question"
    ACUTE_CONTACT = "acute_contact"


def triggers(level: Level | str | None) -> tuple[Trigger, ...]:
    """What a position sets going (domain §2). Green (or nothing) triggers nothing."""
    level = level if isinstance(level, Level) else level_from(level)
    if level is None:
        return ()
    found = [
        Trigger.INVOLVE_PARENTS,
        Trigger.ACTION_PLAN,
        Trigger.FOLLOW_UP_DATE,
        Trigger.CONSIDER_SPARRING,
    ]
    if level.is_serious:
        found += [Trigger.INFORM_LEADER_SAME_DAY, Trigger.UNDERRETNING_QUESTION]
    if level is Level.AKUT:
        found.insert(0, Trigger.ACUTE_CONTACT)
    return tuple(found)


def escalates(current: Level, new: Level) -> bool:
    return new.rank > current.rank


class Answer(StrEnum):
    """The answer to the underretning question."""

    YES = "ja"
    NO = "nej"
    NOT_YET = "endnu_ikke"


@dataclass(frozen=True)
class Step:
    code: str
    done: bool
    required: bool = True


def course_steps(
    level: Level,
    *,
    parents_done: bool,
    has_plan: bool,
    follow_up_on: date | None,
    leader_informed: bool,
    underretning_answer: Answer | None,
) -> list[Step]:
    """The steps of a course of action and whether each is done, in the order they are shown.

    "Endnu ikke" is a recorded answer but not a finished step: the question comes back.
    """
    steps = []
    if level.is_serious:
        steps.append(Step("leader", leader_informed))
    steps += [
        Step("parents", parents_done),
        Step("plan", has_plan),
        Step("follow_up", follow_up_on is not None),
        Step("sparring", False, required=False),
    ]
    if level.is_serious:
        steps.append(Step("underretning", underretning_answer in (Answer.YES, Answer.NO)))
    return steps


def missing_steps(steps: Iterable[Step]) -> list[str]:
    return [s.code for s in steps if s.required and not s.done]


def follow_up_state(due: date | None, today: date, window_days: int) -> str | None:
    """'overdue' before today, 'due' up to today + window, 'later' after; None without a date."""
    if due is None:
        return None
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=window_days):
        return "due"
    return "later"


# ---------------------------------------------------------------------------------------------
# Danish public holidays and working days


def easter_sunday(year: int) -> date:
    """Påskedag in the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def danish_holidays(year: int, *, customary: bool = True) -> dict[date, str]:
    """Danish public holidays (helligdage) of `year`, with their names.

    Store bededag is a holiday only until 2023 (abolished by law from 2024). With `customary`
    the days public offices are closed without being helligdage are included too: grundlovsdag,
    juleaftensdag and nytårsaftensdag.
    """
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Nytårsdag",
        easter - timedelta(days=3): "Skærtorsdag",
        easter - timedelta(days=2): "Langfredag",
        easter: "Påskedag",
        easter + timedelta(days=1): "2. påskedag",
        easter + timedelta(days=39): "Kristi himmelfartsdag",
        easter + timedelta(days=49): "Pinsedag",
        easter + timedelta(days=50): "2. pinsedag",
        date(year, 12, 25): "Juledag",
        date(year, 12, 26): "2. juledag",
    }
    if year <= 2023:
        days[easter + timedelta(days=26)] = "Store bededag"
    if customary:
        days[date(year, 6, 5)] = "Grundlovsdag"
        days[date(year, 12, 24)] = "Juleaftensdag"
        days[date(year, 12, 31)] = "Nytårsaftensdag"
    return dict(sorted(days.items()))


def holidays_around(day: date, *, customary: bool = True) -> frozenset[date]:
    """Holidays of the year of `day` and the next (a deadline can run into January)."""
    found: set[date] = set()
    for year in (day.year, day.year + 1):
        found.update(danish_holidays(year, customary=customary))
    return frozenset(found)


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, n: int, holidays: Iterable[date] = ()) -> date:
    """The n-th working day after `start` (start itself never counts, whatever day it is)."""
    if n < 0:
        raise ValueError("n must be zero or more")
    holidays = frozenset(holidays)
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            n -= 1
    return day


RECEIPT_WORKING_DAYS = 6


def receipt_due(
    sent_on: date, holidays: Iterable[date] | None = None, days: int = RECEIPT_WORKING_DAYS
) -> date:
    """The last day the municipality should confirm receipt of an underretning (6 working days).

    `holidays` defaults to the Danish public holidays around `sent_on`.
    """
    if holidays is None:
        holidays = holidays_around(sent_on)
    return add_working_days(sent_on, days, holidays)


# ---------------------------------------------------------------------------------------------
# Personal data in the free text of an anonymous sparring request


@dataclass(frozen=True)
class Finding:
    kind: str  # "name" | "cpr" | "phone" | "email"
    text: str
    start: int
    end: int


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CPR = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[-\s]?(\d{4})(?![\d])")
_PHONE = re.compile(r"(?<![\d+])(?:\+45[\s-]?)?(?:\d{2}[\s-]?){3}\d{2}(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Words that are never names even when a known name contains them (relations, particles).
_NOT_NAMES = frozenset(
    {"mor", "far", "og", "van", "von", "de", "la", "el", "al", "bin", "ibn", "forælder"}
)


def cpr_birth_date(digits: str) -> date | None:
    """The birth date encoded in a 10-digit CPR-like number (century rule), or None if none."""
    if len(digits) != 10 or not digits.isdigit():
        return None
    day, month, yy, century_digit = (
        int(digits[:2]),
        int(digits[2:4]),
        int(digits[4:6]),
        int(digits[6]),
    )
    if century_digit <= 3:
        year = 1900 + yy
    elif century_digit in (4, 9):
        year = 2000 + yy if yy <= 36 else 1900 + yy
    else:
        year = 2000 + yy if yy <= 57 else 1800 + yy
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _name_parts(names: Iterable[str]) -> set[str]:
    parts: set[str] = set()
    for name in names:
        for word in _WORD.findall(name or ""):
            for part in [word, *word.split("-")]:
                part = part.casefold()
                if len(part) >= 2 and part not in _NOT_NAMES:
                    parts.add(part)
    return parts


def _strip_genitive(word: str) -> str:
    return word[:-1] if len(word) > 2 and word[-1] in "sS" else word


def find_personal_data(
    text: str,
    known_names: Iterable[str] = (),
    first_names: Iterable[str] = COMMON_FIRST_NAMES,
) -> list[Finding]:
    """Things in `text` that look like they identify a person, in order of appearance.

    - any word matching a part of `known_names` (the child's and guardians' names), in any case,
      also in the genitive ("Idas");
    - a capitalised word that is a common first name ("Ida", "Anne-Marie" by its parts);
    - a CPR-like number: DDMMYY-XXXX, DDMMYY XXXX or ten digits, whose date is a real date;
    - a Danish phone number (8 digits, optionally +45) and an e-mail address.
    It warns; it never decides. The user confirms or edits.
    """
    text = text or ""
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        findings.append(Finding(kind, text[start:end], start, end))

    for match in _EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in _CPR.finditer(text):
        if cpr_birth_date("".join(match.groups())):
            add("cpr", match.start(), match.end())
    for match in _PHONE.finditer(text):
        add("phone", match.start(), match.end())

    known = _name_parts(known_names)
    common = {n.casefold() for n in first_names}
    for match in _WORD.finditer(text):
        word = match.group()
        parts = [word, *word.split("-")] if "-" in word else [word]
        is_name = False
        for part in parts:
            folded = part.casefold()
            candidates = {folded, _strip_genitive(folded)}
            if candidates & known or (part[:1].isupper() and candidates & common):
                is_name = True
        if is_name:
            add("name", match.start(), match.end())
    findings.sort(key=lambda f: f.start)
    return findings


# ---------------------------------------------------------------------------------------------
# Settings per municipality (Municipality.settings["concerns"]), with defaults

DEFAULT_PARTNERS = (
    ("forpost", "Forpost/socialrådgiver"),
    ("ppr", "PPR (psykolog, tale-hørekonsulent)"),
    ("sundhedsplejerske", "Sundhedsplejerske"),
    ("ressourceteam", "Ressourceteam"),
)
DEFAULT_CHANNELS = (
    "Kommunens digitale underretningsformular",
    "Sikker e-mail",
    "Telefon, fulgt op skriftligt",
    "Brev",
)
DEFAULT_ACUTE_CONTACT = (
    "Ring straks til Børne- og Familieafdelingen (uden for åbningstid: Den Sociale Døgnvagt). "
    "Er barnet i fare lige nu, så ring 112."
)


@dataclass(frozen=True)
class ConcernSettings:
    plan_within_days: int = 7
    follow_up_window_days: int = 14
    receipt_working_days: int = RECEIPT_WORKING_DAYS
    partners: tuple[tuple[str, str], ...] = DEFAULT_PARTNERS
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    acute_contact: str = DEFAULT_ACUTE_CONTACT

    def partner_label(self, code: str) -> str:
        return dict(self.partners).get(code, code)


def concern_settings(raw: dict | None) -> ConcernSettings:
    """Read `Municipality.settings["concerns"]`; missing or malformed values use the defaults.

    Example: {"plan_within_days": 10, "sparring_partners": [{"code": "ppr", "label": "PPR"}],
    "underretning_channels": ["KMD-formular"], "acute_contact": "Ring 7011 2233"}.
    """
    raw = raw if isinstance(raw, dict) else {}
    defaults = ConcernSettings()

    def positive_int(key: str, default: int) -> int:
        value = raw.get(key, default)
        return (
            value
            if isinstance(value, int) and not isinstance(value, bool) and value > 0
            else (default)
        )

    partners = tuple(
        (str(p["code"]), str(p["label"]))
        for p in raw.get("sparring_partners") or ()
        if isinstance(p, dict) and p.get("code") and p.get("label")
    )
    channels = tuple(str(c) for c in raw.get("underretning_channels") or () if c)
    return ConcernSettings(
        plan_within_days=positive_int("plan_within_days", defaults.plan_within_days),
        follow_up_window_days=positive_int("follow_up_window_days", defaults.follow_up_window_days),
        receipt_working_days=positive_int("receipt_working_days", defaults.receipt_working_days),
        partners=partners or defaults.partners,
        channels=channels or defaults.channels,
        acute_contact=str(raw.get("acute_contact") or defaults.acute_contact),
    )
