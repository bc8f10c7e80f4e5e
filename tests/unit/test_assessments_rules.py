"""Assessment rules as plain functions: age bands, rounds, due dates, suggestions, trend."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessments import rules
from app.assessments.positions import Position
from app.assessments.rules import RoundSpec, Schedule

DEFAULT = Schedule(rules.DEFAULT_ROUNDS)
# Viborg: three windows, one of them across the new year.
VIBORG = Schedule(
    (
        RoundSpec("Vinter", (12, 7), (1, 31)),
        RoundSpec("Forår", (3, 15), (5, 15)),
        RoundSpec("Sensommer", (8, 15), (10, 15)),
    )
)
# Aalborg: twice a year for 0–3, once for 3–6; a deadline after the window.
AALBORG = Schedule(
    (
        RoundSpec("Forår", (3, 1), (4, 30), (5, 15), frozenset({"0-1", "1-3"})),
        RoundSpec("Efterår", (9, 1), (10, 31), (11, 15)),
    ),
    first_within_months=2,
)
ONCE = Schedule((RoundSpec("Årlig", (10, 1), (11, 30)),), first_within_months=6)
SCHEDULES = [DEFAULT, VIBORG, AALBORG, ONCE]

days = st.dates(min_value=date(2018, 1, 1), max_value=date(2032, 12, 31))


@st.composite
def child_in_unit(draw):
    """A birth date, an enrolment on or after it, and maybe a concluding assessment since."""
    birth = draw(days)
    enrolled = birth + timedelta(days=draw(st.integers(0, 6 * 365)))
    last = None
    if draw(st.booleans()):
        last = enrolled + timedelta(days=draw(st.integers(0, 3 * 365)))
    return birth, enrolled, last


# --- Age ---------------------------------------------------------------------------------


def test_age_bands_at_their_edges():
    born = date(2024, 5, 31)
    assert rules.age_band(born, date(2025, 5, 30)) == "0-1"
    assert rules.age_band(born, date(2025, 5, 31)) == "1-3"
    assert rules.age_band(born, date(2027, 5, 31)) == "3-6"
    assert rules.age_band(born, date(2031, 1, 1)) == "3-6"  # older children stay in 3–6


def test_add_months_clamps_to_the_end_of_the_month():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


@given(on=days, birth=days, months=st.sampled_from([12, 36]))
def test_birth_date_cut_off_matches_age_in_months(on, birth, months):
    """The SQL form of the age band (compare birth dates) agrees with age_months."""
    cut = rules.born_on_or_before_for_age(on, months)
    assert (rules.age_months(birth, on) >= months) == (birth <= cut)


@given(today=days, enrolled=days, months=st.integers(0, 12))
def test_enrolment_cut_off_matches_the_first_period(today, enrolled, months):
    cut = rules.latest_start_due_before(today, months)
    assert (rules.add_months(enrolled, months) < today) == (enrolled <= cut)


# --- Rounds ------------------------------------------------------------------------------


def test_default_rounds_are_spring_and_autumn_with_the_window_end_as_deadline():
    spring, autumn = rules.rounds_between(DEFAULT, date(2026, 1, 1), date(2026, 12, 31))
    assert (spring.start, spring.end, spring.deadline) == (
        date(2026, 3, 1),
        date(2026, 4, 30),
        date(2026, 4, 30),
    )
    assert (autumn.start, autumn.deadline) == (date(2026, 9, 1), date(2026, 10, 31))
    assert spring.label == "Forår 2026"


def test_a_window_across_new_year_ends_in_the_next_year():
    winter = rules.instance(VIBORG.rounds[0], 2026)
    assert (winter.start, winter.end) == (date(2026, 12, 7), date(2027, 1, 31))


def test_current_round_is_the_open_one_else_the_last_started():
    assert rules.current_round(DEFAULT, date(2026, 3, 10)).label == "Forår 2026"
    assert rules.current_round(DEFAULT, date(2026, 11, 25)).label == "Efterår 2026"
    assert rules.current_round(DEFAULT, date(2027, 1, 5)).label == "Efterår 2026"


def test_recent_rounds_are_oldest_first():
    labels = [r.label for r in rules.recent_rounds(DEFAULT, date(2026, 11, 25), 4)]
    assert labels == ["Forår 2025", "Efterår 2025", "Forår 2026", "Efterår 2026"]


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        (Schedule((RoundSpec("X", (2, 29), (3, 31)),)), "Ugyldig dato"),
        (Schedule((RoundSpec("X", (3, 1), (4, 30), age_bands=frozenset({"3-6"})),)), "0-1"),
        (Schedule((RoundSpec("X", (3, 1), (4, 30), (4, 1)),)), "Fristen"),
        (Schedule((RoundSpec("X", (3, 1), (4, 30), age_bands=frozenset({"7-9"})),)), "Ukendt"),
    ],
)
def test_a_broken_schedule_is_reported_in_danish(schedule, problem):
    assert any(problem in p for p in rules.validate_schedule(schedule))


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_the_example_schedules_are_valid(schedule):
    assert rules.validate_schedule(schedule) == []


# --- Due dates ---------------------------------------------------------------------------


def test_a_new_child_is_due_within_three_months_or_by_the_coming_deadline():
    born = date(2024, 1, 10)
    # enrolled 1 Jan: 1 Apr comes before the spring deadline (30 Apr)
    assert rules.next_due(DEFAULT, born, date(2026, 1, 1), None) == date(2026, 4, 1)
    # enrolled 15 Feb: the spring deadline comes first (15 May would be later)
    assert rules.next_due(DEFAULT, born, date(2026, 2, 15), None) == date(2026, 4, 30)
    # enrolled during the spring window: three months
    assert rules.next_due(DEFAULT, born, date(2026, 3, 10), None) == date(2026, 6, 10)


def test_after_an_assessment_the_child_is_due_in_the_next_round():
    born = date(2024, 1, 10)
    enrolled = date(2025, 1, 1)
    assert rules.next_due(DEFAULT, born, enrolled, date(2026, 3, 15)) == date(2026, 10, 31)
    assert rules.next_due(DEFAULT, born, enrolled, date(2026, 9, 1)) == date(2027, 4, 30)
    assert rules.next_due(DEFAULT, born, enrolled, date(2026, 7, 1)) == date(2026, 10, 31)


def test_a_round_for_other_age_bands_is_skipped():
    """Aalborg: a 4-year-old is assessed in the autumn only."""
    born = date(2022, 1, 1)
    assert rules.next_due(AALBORG, born, date(2024, 1, 1), date(2026, 1, 10)) == date(2026, 11, 15)
    toddler = date(2025, 1, 1)
    assert rules.next_due(AALBORG, toddler, date(2025, 11, 1), date(2026, 1, 10)) == date(
        2026, 5, 15
    )


def test_a_unit_kind_without_rounds_has_no_due_date():
    assert rules.next_due(Schedule(()), date(2025, 1, 1), date(2025, 1, 1), None) is None


@settings(max_examples=300, deadline=None)
@given(schedule=st.sampled_from(SCHEDULES), child=child_in_unit())
def test_every_child_has_exactly_one_next_due_date(schedule, child):
    """One date, never before the enrolment, after the last assessment, and bounded."""
    birth, enrolled, last = child
    due = rules.next_due(schedule, birth, enrolled, last)
    assert isinstance(due, date)
    if last is None:
        assert enrolled <= due <= rules.add_months(enrolled, schedule.first_within_months)
    else:
        assert due > last
        assert due <= last + timedelta(days=3 * 366)
        deadlines = {r.deadline for r in rules.rounds_between(schedule, last, due)}
        assert due in deadlines  # it is a round's deadline


@settings(max_examples=200, deadline=None)
@given(
    schedule=st.sampled_from(SCHEDULES),
    child=child_in_unit(),
    later=st.integers(0, 400),
)
def test_a_later_assessment_never_brings_the_due_date_forward(schedule, child, later):
    birth, enrolled, last = child
    last = last or enrolled
    assert rules.next_due(schedule, birth, enrolled, last) <= rules.next_due(
        schedule, birth, enrolled, last + timedelta(days=later)
    )


@settings(max_examples=200, deadline=None)
@given(schedule=st.sampled_from(SCHEDULES), child=child_in_unit())
def test_assessing_on_the_due_date_moves_the_due_date_on(schedule, child):
    birth, enrolled, last = child
    due = rules.next_due(schedule, birth, enrolled, last)
    assert rules.next_due(schedule, birth, enrolled, due) > due


@settings(max_examples=200, deadline=None)
@given(
    old=st.sampled_from(SCHEDULES),
    new=st.sampled_from(SCHEDULES),
    child=child_in_unit(),
    moved_after=st.integers(1, 700),
)
def test_a_child_who_moves_gets_the_new_units_schedule(old, new, child, moved_after):
    """After a move only the new enrolment counts: the history elsewhere does not postpone
    the first assessment in the new unit."""
    birth, enrolled, last = child
    moved = (last or enrolled) + timedelta(days=moved_after)
    due = rules.next_due(new, birth, moved, None)
    assert moved <= due <= rules.add_months(moved, new.first_within_months)
    first = rules.first_round(new, birth, after=moved, inclusive=True)
    assert due in {rules.add_months(moved, new.first_within_months), first.deadline}


def test_overdue_and_due_soon():
    today = date(2026, 11, 25)
    assert rules.is_overdue(date(2026, 10, 31), today)
    assert not rules.is_overdue(today, today)
    assert not rules.is_overdue(None, today)
    spring = rules.current_round(DEFAULT, date(2027, 3, 5))
    assert rules.due_soon(date(2027, 4, 30), date(2027, 3, 5), spring)  # in the open round
    assert rules.due_soon(date(2026, 12, 20), today, None)  # within 30 days
    assert not rules.due_soon(date(2027, 4, 30), today, rules.current_round(DEFAULT, today))


# --- The assessment ----------------------------------------------------------------------


def test_indicators_suggest_the_most_serious_position_ticked():
    assert rules.suggest_position([]).position is None
    assert rules.suggest_position(["social.groen.1"]).position is Position.GROEN
    tick = ["social.groen.1", "fysisk.gul.2", "psykisk.groen.3"]
    assert rules.suggest_position(tick).position is Position.GUL
    suggestion = rules.suggest_position([*tick, "psykisk.roed.1"])
    assert suggestion.position is Position.ROED
    assert suggestion.counts == {Position.GROEN: 2, Position.GUL: 1, Position.ROED: 1}


@given(st.lists(st.sampled_from(["a.groen.1", "b.gul.2", "c.roed.3"]), max_size=8))
def test_a_suggestion_is_never_milder_than_a_ticked_sign(codes):
    suggestion = rules.suggest_position(codes)
    if codes:
        assert suggestion.position.rank == max(rules.indicator_position(c).rank for c in codes)


def test_trend_compares_with_the_previous_concluding_assessment():
    assert rules.trend("gul", "roed") == "better"
    assert rules.trend("roed", "groen") == "worse"
    assert rules.trend(Position.GROEN, Position.GROEN) == "same"
    assert rules.trend("groen", None) is None


def test_what_concludes_a_round_and_what_a_position_triggers():
    assert rules.is_concluding("joint", False, "paedagog")
    assert rules.is_concluding("individual", True, "sundhedsplejerske")
    assert not rules.is_concluding("individual", True, "paedagog")
    assert not rules.is_concluding("individual", False, "sundhedsplejerske")
    assert rules.opens_course_of_action(True, "roed")
    assert rules.opens_course_of_action(True, Position.GUL)
    assert not rules.opens_course_of_action(True, "groen")
    assert not rules.opens_course_of_action(False, "roed")  # an individual one: not yet
    assert rules.justification_required("gul") and rules.justification_required("roed")
    assert not rules.justification_required("groen")
    assert not rules.justification_required(None)


def test_minimum_individual_assessments_before_a_joint_one():
    assert rules.minimum_individual(is_dagpleje=False) == 2
    assert rules.minimum_individual(is_dagpleje=True) == 1
    assert rules.minimum_individual(False, {"institution": 3}) == 3
    assert rules.minimum_individual(True, {"dagpleje": 2}) == 2
