"""Growth against the WHO 2006 Child Growth Standards (0–5 years), computed with `rcpchgrowth`.

We ask rcpchgrowth for its ``"who"`` reference explicitly (not ``"uk-who"``, which switches to
UK90 data at 4 years and uses UK90 preterm data before term): for ages 0–5 that is the WHO 2006
standard (length under 2 years, height from 2 years; head circumference to 5 years), the one
Sundhedsstyrelsen's guidance uses. Raw measurements are stored; z-scores are computed when shown.

Age is corrected for prematurity (gestational age under 37 weeks) until the child is 2 years
old: corrected age = chronological age − (40 − gestational age) weeks. Before term-equivalent
age there is no WHO value (None).

WHO convention for length/height: a child under 2 measured standing gets +0.7 cm, a child of
2 or more measured lying −0.7 cm, before the z-score is computed.

Flags (design): weight or length below −2 SD; weight or length falling across two major centile
lines (0.4/2/9/25/50/75/91/98/99.6, i.e. z = 0, ±2/3, ±4/3, ±2, ±8/3) from an earlier
measurement; head circumference falling across two major centile lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from rcpchgrowth import centile as rcpch_centile
from rcpchgrowth import measurement_from_sds, sds_for_measurement

from app.visits.valuesets import N_

REFERENCE = "who"  # rcpchgrowth's WHO 2006 (0–5 y) / 2007 (5–19 y); we stop at 5 years
REFERENCE_NAME = "WHO Child Growth Standards 2006"
MAX_AGE_DAYS = 5 * 365 + 1  # WHO 2006 covers 0–5 years
TWO_YEARS_DAYS = 731  # decimal age 2.0 (730.5 days) and above uses the height data
PRETERM_WEEKS = 37
TERM_WEEKS = 40
LENGTH_POSITION_ADJUST_CM = 0.7

MEASURES: dict[str, str] = {"weight": "weight", "length": "height", "head": "ofc"}
MEASURE_LABELS = {
    "weight": N_("Vægt"),
    "length": N_("Længde"),
    "head": N_("Hovedomfang"),
}
MEASURE_UNITS = {"weight": "kg", "length": "cm", "head": "cm"}
SEX_TO_RCPCH = {"dreng": "male", "pige": "female"}

# Major centile lines and their z-scores (the UK-WHO chart lines are 2/3 SD apart).
CENTILE_LINES: tuple[tuple[str, float], ...] = (
    ("0,4", -8 / 3),
    ("2", -2.0),
    ("9", -4 / 3),
    ("25", -2 / 3),
    ("50", 0.0),
    ("75", 2 / 3),
    ("91", 4 / 3),
    ("98", 2.0),
    ("99,6", 8 / 3),
)
LOW_Z = -2.0
LINES_FOR_FALL = 2
EARLY_WEIGHT_LOSS_DAYS = 14  # the newborn's normal weight loss is not a fall
IMPLAUSIBLE_Z = 4.0


@dataclass(frozen=True)
class Age:
    chronological_days: int
    days: int  # used for the reference: corrected if premature and under 2 years
    corrected: bool

    @property
    def years(self) -> float:
        return self.days / 365.25


def corrected_age(birth_date: date, on: date, gestational_age_weeks: int | None) -> Age:
    """The age to plot: corrected for prematurity (< 37 weeks) until 2 years of age."""
    chronological = (on - birth_date).days
    if (
        gestational_age_weeks is not None
        and gestational_age_weeks < PRETERM_WEEKS
        and on < _add_years(birth_date, 2)
    ):
        shift = (TERM_WEEKS - gestational_age_weeks) * 7
        return Age(chronological, chronological - shift, True)
    return Age(chronological, chronological, False)


def term_equivalent_date(birth_date: date, gestational_age_weeks: int | None) -> date | None:
    """The date the child would have been born at 40 weeks (for a premature child)."""
    if gestational_age_weeks is None or gestational_age_weeks >= PRETERM_WEEKS:
        return None
    return birth_date + timedelta(days=(TERM_WEEKS - gestational_age_weeks) * 7)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def adjusted_length(length_cm: float, age_days: int, position: str | None) -> float:
    """WHO convention: lying length under 2 years, standing height from 2 years."""
    if age_days < TWO_YEARS_DAYS and position == "staaende":
        return length_cm + LENGTH_POSITION_ADJUST_CM
    if age_days >= TWO_YEARS_DAYS and position == "liggende":
        return length_cm - LENGTH_POSITION_ADJUST_CM
    return length_cm


# Pure in its arguments; rcpchgrowth looks the age up with a linear scan of about 1,800 rows
# (a few ms a call), and child pages and sync batches ask for the same values again.
@lru_cache(maxsize=8192)
def zscore(
    measure: str, value: float, sex: str, age_days: int, position: str | None = None
) -> float | None:
    """z-score against WHO 2006; `value` in kg (weight) or cm. None outside 0–5 years."""
    if sex not in SEX_TO_RCPCH or age_days < 0 or age_days > MAX_AGE_DAYS:
        return None
    if measure == "length":
        value = adjusted_length(value, age_days, position)
    try:
        z = sds_for_measurement(
            reference=REFERENCE,
            age=age_days / 365.25,
            measurement_method=MEASURES[measure],
            observation_value=float(value),
            sex=SEX_TO_RCPCH[sex],
        )
    except (LookupError, ValueError, ZeroDivisionError):
        return None
    return None if z is None else float(z)


def centile(z: float | None) -> float | None:
    return None if z is None else float(rcpch_centile(z))


def lines_crossed_down(from_z: float, to_z: float) -> int:
    """How many major centile lines lie strictly between a higher z and a lower one."""
    if to_z >= from_z:
        return 0
    return sum(1 for _, line in CENTILE_LINES if to_z < line < from_z)


@dataclass(frozen=True)
class Point:
    """One measurement of one measure, placed against the reference."""

    on: date
    age: Age
    value: float  # kg or cm, as plotted
    z: float | None
    position: str | None = None

    @property
    def centile(self) -> float | None:
        return centile(self.z)


def make_point(
    measure: str,
    on: date,
    value: float,
    birth_date: date,
    gestational_age_weeks: int | None,
    sex: str | None,
    position: str | None = None,
) -> Point:
    age = corrected_age(birth_date, on, gestational_age_weeks)
    z = zscore(measure, value, sex, age.days, position) if sex else None
    return Point(on=on, age=age, value=value, z=z, position=position)


@dataclass(frozen=True)
class Flag:
    code: str  # below_minus_2 | falling | head_falling
    measure: str
    z: float
    lines: int = 0

    @property
    def message(self) -> str:
        return FLAG_MESSAGES[self.code]


FLAG_MESSAGES = {
    "below_minus_2": N_("%(measure)s under −2 SD (z = %(z)s)"),
    "falling": N_("%(measure)s er faldet over %(lines)s percentillinjer"),
    "head_falling": N_("Hovedomfanget falder: over %(lines)s percentillinjer"),
}


def _fall(points: list[Point], skip_before_days: int = 0) -> tuple[int, float] | None:
    """The largest number of major lines crossed downward from an earlier point to the latest."""
    scored = [p for p in points if p.z is not None]
    if len(scored) < 2:
        return None
    latest = scored[-1]
    earlier = [p for p in scored[:-1] if p.age.chronological_days >= skip_before_days]
    if not earlier:
        return None
    peak = max(earlier, key=lambda p: p.z)
    return lines_crossed_down(peak.z, latest.z), latest.z


def growth_flags(series: dict[str, list[Point]]) -> list[Flag]:
    """Flags from each measure's points (oldest first)."""
    flags: list[Flag] = []
    for measure in ("weight", "length"):
        points = [p for p in series.get(measure, []) if p.z is not None]
        if not points:
            continue
        latest = points[-1]
        if latest.z < LOW_Z:
            flags.append(Flag("below_minus_2", measure, latest.z))
        skip = EARLY_WEIGHT_LOSS_DAYS if measure == "weight" else 0
        fall = _fall(points, skip)
        if fall and fall[0] >= LINES_FOR_FALL:
            flags.append(Flag("falling", measure, fall[1], fall[0]))
    fall = _fall(series.get("head", []))
    if fall and fall[0] >= LINES_FOR_FALL:
        flags.append(Flag("head_falling", "head", fall[1], fall[0]))
    return flags


@dataclass(frozen=True)
class Plausibility:
    measure: str
    z: float | None  # None: no reference value could be computed


def plausibility(
    measure: str,
    value: float,
    birth_date: date,
    on: date,
    gestational_age_weeks: int | None,
    sex: str | None,
    position: str | None = None,
) -> Plausibility | None:
    """A warning (never a block) when a value is far from what is usual for the age.

    With the sex unknown, the value is checked against both sexes and the closer one is used.
    """
    age = corrected_age(birth_date, on, gestational_age_weeks)
    if age.days < 0 or age.days > MAX_AGE_DAYS:
        return None
    sexes = [sex] if sex in SEX_TO_RCPCH else list(SEX_TO_RCPCH)
    zs = [zscore(measure, value, s, age.days, position) for s in sexes]
    zs = [z for z in zs if z is not None]
    if not zs:
        return None
    closest = min(zs, key=abs)
    return Plausibility(measure, closest) if abs(closest) > IMPLAUSIBLE_Z else None


@lru_cache(maxsize=64)
def reference_curves(
    measure: str, sex: str, max_days: int, step_days: int = 14
) -> dict[str, list[list[tuple[int, float]]]]:
    """The major centile lines as polylines of (age in days, value); split at 2 years, where
    WHO changes from lying length to standing height (so the lines jump a little)."""
    max_days = min(max_days, MAX_AGE_DAYS)
    ages = list(range(0, max_days + 1, step_days))
    if ages[-1] != max_days:
        ages.append(max_days)
    segments = [[a for a in ages if a < TWO_YEARS_DAYS], [a for a in ages if a >= TWO_YEARS_DAYS]]
    if segments[1]:
        segments[0].append(TWO_YEARS_DAYS - 1)
        segments[1].insert(0, TWO_YEARS_DAYS)
    curves: dict[str, list[list[tuple[int, float]]]] = {}
    for label, z in CENTILE_LINES:
        polylines = []
        for segment in segments:
            line = []
            for days in sorted(set(segment)):
                value = measurement_from_sds(
                    reference=REFERENCE,
                    requested_sds=z,
                    measurement_method=MEASURES[measure],
                    sex=SEX_TO_RCPCH[sex],
                    age=days / 365.25,
                    default_youngest_reference=days < TWO_YEARS_DAYS,
                )
                if value is not None:
                    line.append((days, float(value)))
            if line:
                polylines.append(line)
        curves[label] = polylines
    return curves


@dataclass
class Series:
    """A child's points for one measure, with what the chart and table need."""

    measure: str
    points: list[Point] = field(default_factory=list)

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self.measure]

    @property
    def unit(self) -> str:
        return MEASURE_UNITS[self.measure]
