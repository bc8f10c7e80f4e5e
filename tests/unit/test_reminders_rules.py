"""The reminder rules as plain functions, on a frozen clock (app.clock.freeze).

Dates: Monday 2 March 2026 is the start of ISO week 10; Copenhagen is UTC+1 in March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import clock
from app.reminders import rules
from app.reminders.rules import (
    KINDS,
    Concern,
    DueAssessment,
    FollowUp,
    PendingTransition,
    QuietHours,
    RedNews,
    Settings,
    SettingsError,
    UnitStats,
    UrgentScreening,
)

LEADERS = {10: [100], 20: [200, 201]}
DEFAULTS = Settings()


@pytest.fixture
def at():
    """Freeze the clock at a local Copenhagen time; returns the local now the sweep would use."""

    def freeze(year, month, day, hour=9, minute=0):
        local = datetime(year, month, day, hour, minute, tzinfo=clock.LOCAL_TZ)
        clock.freeze(local.astimezone(UTC))
        return clock.local_now()

    yield freeze
    clock.freeze(None)


def concern(key="course:1", unit=10, level="roed", opened=date(2026, 3, 2), since=None, plan=False):
    return Concern(key, unit, "Solsikken", level, opened, since or opened, plan)


# ---- assessments due (weekly, staff) ------------------------------------------------------


def due(on: date, responsible=(1,), unit=10) -> DueAssessment:
    return DueAssessment(
        child_id=hash(on) % 1000,
        unit_id=unit,
        unit_name="Solsikken",
        due=on,
        responsible_ids=frozenset(responsible),
    )


def test_assessments_due_counts_overdue_and_soon_per_responsible_and_unit(at):
    now = at(2026, 3, 2, 8)
    facts = [
        due(date(2026, 2, 20), (1, 2)),  # overdue
        due(date(2026, 3, 10), (1,)),  # within 14 days
        due(date(2026, 3, 16), (1,)),  # exactly 14 days: still "soon"
        due(date(2026, 3, 17), (1,)),  # 15 days: not yet
    ]
    found = rules.assessments_due(facts, now, DEFAULTS, LEADERS)
    assert [(r.user_id, r.count, dict(r.details)) for r in found] == [
        (1, 3, {"overdue": 1, "soon": 2, "days": 14}),
        (2, 1, {"overdue": 1, "soon": 0, "days": 14}),
    ]
    assert {(r.rule, r.subjects, r.period, r.unit_name) for r in found} == {
        ("assessments_due", ("unit:10",), "2026-W10", "Solsikken")
    }


def test_assessments_due_waits_for_monday_seven(at):
    assert rules.assessments_due([due(date(2026, 3, 1))], at(2026, 3, 2, 6, 59), DEFAULTS, {}) == []
    assert rules.assessments_due([due(date(2026, 3, 1))], at(2026, 3, 2, 7, 0), DEFAULTS, {})
    # Later in the week it still fires (the ledger keeps it to once a week).
    assert rules.assessments_due([due(date(2026, 3, 1))], at(2026, 3, 5, 12), DEFAULTS, {})


def test_assessments_due_horizon_is_configurable(at):
    now = at(2026, 3, 2, 8)
    later = [due(date(2026, 3, 30))]
    assert rules.assessments_due(later, now, DEFAULTS, {}) == []
    assert rules.assessments_due(later, now, Settings(due_soon_days=30), {})


def test_nothing_due_nothing_sent(at):
    assert rules.assessments_due([], at(2026, 3, 2, 8), DEFAULTS, LEADERS) == []


# ---- red concern (at once, leader, once per red episode of a child) -----------------------


def red(child=1, unit=10, on=date(2026, 3, 2), told=None) -> RedNews:
    return RedNews(child, unit, "Solsikken", on, told)


def test_a_child_in_red_goes_to_the_units_leaders_at_once(at):
    now = at(2026, 3, 2, 21)  # evening: quiet hours do not matter for red
    found = rules.red_concern([red(unit=20)], now, DEFAULTS, LEADERS)
    assert [(r.user_id, r.subjects, r.period, r.count) for r in found] == [
        (200, ("red-child:1@2026-03-02",), "episode", None),
        (201, ("red-child:1@2026-03-02",), "episode", None),
    ]
    assert found[0].link == ("assessments.overview_list", (("which", "roed-nye"), ("unit_id", 20)))
    assert KINDS["red_concern"].urgent and KINDS["red_concern"].urgency == "high"


def test_individual_then_joint_then_course_is_one_piece_of_news(at):
    """A dagplejer's own red assessment on Monday is told at once. The joint assessment a week
    later and the course opened from it are the same episode: the same subject and period, so
    the ledger lets none of them through again."""
    monday = rules.red_concern([red(on=date(2026, 3, 2))], at(2026, 3, 2, 10), DEFAULTS, LEADERS)
    (first,) = monday
    week_later = [
        red(on=date(2026, 3, 2), told=date(2026, 3, 2)),  # the individual assessment
        red(on=date(2026, 3, 9), told=date(2026, 3, 2)),  # the joint assessment
        red(on=date(2026, 3, 9), told=date(2026, 3, 2)),  # the course of action
    ]
    (again,) = rules.red_concern(week_later, at(2026, 3, 9, 10), DEFAULTS, LEADERS)
    assert again.subjects == first.subjects == ("red-child:1@2026-03-02",)
    # Three weeks later the individual one has left the look-back: still the same subject.
    (later,) = rules.red_concern(week_later[1:], at(2026, 3, 22, 10), DEFAULTS, LEADERS)
    assert later.subjects == first.subjects


def test_a_new_red_episode_weeks_later_is_told_again(at):
    facts = [red(on=date(2026, 4, 20), told=date(2026, 3, 2))]  # 49 days after the first
    (found,) = rules.red_concern(facts, at(2026, 4, 20, 10), DEFAULTS, LEADERS)
    assert found.subjects == ("red-child:1@2026-04-20",)
    # Within red_again_days of the told episode it is the same news.
    facts = [red(on=date(2026, 3, 30), told=date(2026, 3, 2))]
    (found,) = rules.red_concern(facts, at(2026, 3, 30, 10), DEFAULTS, LEADERS)
    assert found.subjects == ("red-child:1@2026-03-02",)
    (found,) = rules.red_concern(facts, at(2026, 3, 30, 10), Settings(red_again_days=7), LEADERS)
    assert found.subjects == ("red-child:1@2026-03-30",)


@pytest.mark.parametrize(
    "fact, fires",
    [
        (red(), True),
        # Switching reminders on does not announce red news from weeks ago.
        (red(on=date(2026, 2, 1)), False),
        (red(on=date(2026, 2, 16)), True),  # 14 days: still news
        (red(on=date(2026, 2, 15)), False),
    ],
)
def test_which_red_news_is_recent(at, fact, fires):
    assert bool(rules.red_concern([fact], at(2026, 3, 2, 10), DEFAULTS, LEADERS)) is fires


def test_several_children_in_red_in_a_unit_make_one_reminder(at):
    facts = [red(1), red(2), red(2, on=date(2026, 3, 1))]
    (found,) = rules.red_concern(facts, at(2026, 3, 2, 10), DEFAULTS, LEADERS)
    assert found.subjects == ("red-child:1@2026-03-02", "red-child:2@2026-03-01")


def test_a_child_is_told_of_once_in_its_latest_unit(at):
    facts = [red(1, unit=10, on=date(2026, 3, 1)), red(1, unit=20, on=date(2026, 3, 2))]
    found = rules.red_concern(facts, at(2026, 3, 2, 10), DEFAULTS, LEADERS)
    assert [(r.user_id, r.unit_id) for r in found] == [(200, 20), (201, 20)]


def test_red_subjects_read_back():
    assert rules.parse_red_subject(rules.red_subject(12, date(2026, 3, 2))) == (
        12,
        date(2026, 3, 2),
    )
    for older in ("course:12", "assessment:5f3e", "red-child:x@2026-03-02", "red-child:1@soon"):
        assert rules.parse_red_subject(older) is None


def test_a_unit_without_a_leader_reminds_nobody(at):
    assert rules.red_concern([red(unit=99)], at(2026, 3, 2, 10), DEFAULTS, LEADERS) == []


# ---- yellow/red without an action plan after 7 days ---------------------------------------


@pytest.mark.parametrize(
    "opened, plan, fires",
    [
        (date(2026, 2, 23), False, True),  # 7 days ago
        (date(2026, 2, 24), False, False),  # 6 days ago
        (date(2026, 2, 1), True, False),  # has a plan
    ],
)
def test_no_action_plan_after_seven_days(at, opened, plan, fires):
    facts = [concern(level="gul", opened=opened, plan=plan)]
    found = rules.no_action_plan(facts, at(2026, 3, 2, 10), DEFAULTS, LEADERS)
    assert bool(found) is fires
    if fires:
        assert (found[0].user_id, found[0].period) == (100, "no-plan")


def test_no_action_plan_days_are_configurable(at):
    facts = [concern(level="gul", opened=date(2026, 2, 27))]
    assert rules.no_action_plan(facts, at(2026, 3, 2, 10), Settings(no_plan_days=3), LEADERS)


# ---- follow-ups ---------------------------------------------------------------------------


def test_an_overdue_follow_up_goes_to_the_responsible_and_the_leader(at):
    facts = [
        FollowUp("course:3", 10, "Solsikken", date(2026, 3, 1), frozenset({7})),
        FollowUp("plan:4", 10, "Solsikken", date(2026, 3, 2), frozenset({7})),  # due today
        FollowUp("plan:5", 10, "Solsikken", date(2026, 2, 1), frozenset({8}), done=True),
    ]
    found = rules.follow_up_overdue(facts, at(2026, 3, 2, 10), DEFAULTS, LEADERS)
    assert [(r.user_id, r.subjects) for r in found] == [
        (7, ("course:3@2026-03-01",)),
        (100, ("course:3@2026-03-01",)),
    ]


def test_a_moved_follow_up_is_a_new_subject(at):
    now = at(2026, 3, 20, 10)
    first = rules.follow_up_overdue(
        [FollowUp("course:3", 10, "S", date(2026, 3, 1), frozenset())], now, DEFAULTS, LEADERS
    )
    moved = rules.follow_up_overdue(
        [FollowUp("course:3", 10, "S", date(2026, 3, 15), frozenset())], now, DEFAULTS, LEADERS
    )
    assert first[0].subjects != moved[0].subjects


# ---- urgent screening (EPDS item 10) ------------------------------------------------------


def test_an_urgent_screening_reaches_the_nurses_leader(at):
    now = at(2026, 3, 7, 22)  # a Saturday night: urgent anyway
    facts = [UrgentScreening("visit:9", 20, "Sundhedsplejen Nord", date(2026, 3, 7), 55)]
    found = rules.urgent_screening(facts, now, DEFAULTS, LEADERS)
    assert {r.user_id for r in found} == {200, 201}
    assert KINDS["urgent_screening"].urgent
    assert (
        rules.urgent_screening(
            [UrgentScreening("visit:9", 20, "S", date(2026, 3, 1), 55)], now, DEFAULTS, LEADERS
        )
        == []
    )


def test_urgent_screenings_link_to_the_districts_list_with_numeric_subjects(at):
    """The link is the district's list (not the first visit), and "visit:87" sorts before
    "visit:100"."""
    facts = [
        UrgentScreening(key, 20, "S", date(2026, 3, 7), 55) for key in ("visit:100", "visit:87")
    ]
    found = rules.urgent_screening(facts, at(2026, 3, 7, 10), DEFAULTS, LEADERS)
    assert {r.link for r in found} == {("reminders.urgent_screenings", (("unit_id", 20),))}
    assert {r.subjects for r in found} == {("visit:87", "visit:100")}


# ---- transition awaiting acknowledgement --------------------------------------------------


def test_a_handed_over_schema_reaches_the_receiving_leader(at):
    facts = [PendingTransition("transition:5", 10, "Mælkebøtten", date(2026, 3, 1))]
    (found,) = rules.transition_ack(facts, at(2026, 3, 2, 10), DEFAULTS, LEADERS)
    assert (found.user_id, found.subjects, found.unit_name) == (
        100,
        ("transition:5",),
        "Mælkebøtten",
    )


# ---- Monday digest ------------------------------------------------------------------------


def test_the_monday_digest_has_counts_per_unit(at):
    stats = [
        UnitStats(10, "Solsikken", children=30, assessed=12, overdue=3, due_soon=2, without_plan=1),
        UnitStats(20, "Mælkebøtten", children=40, assessed=40),
    ]
    leaders = {10: [100], 20: [100, 200]}
    assert rules.leader_digest(stats, at(2026, 3, 2, 6), DEFAULTS, leaders) == []
    found = rules.leader_digest(stats, at(2026, 3, 2, 7), DEFAULTS, leaders)
    assert [(r.user_id, r.count, r.period, r.subjects) for r in found] == [
        (100, 2, "2026-W10", ("digest",)),
        (200, 1, "2026-W10", ("digest",)),
    ]
    assert [u["name"] for u in found[0].details["units"]] == ["Mælkebøtten", "Solsikken"]
    assert found[0].details["units"][1] == {
        "name": "Solsikken",
        "children": 30,
        "assessed": 12,
        "overdue": 3,
        "soon": 2,
        "without_plan": 1,
    }


def test_the_digest_day_and_hour_are_configurable(at):
    stats = [UnitStats(10, "Solsikken")]
    friday = Settings(weekly_weekday=4, weekly_hour=13)
    assert rules.leader_digest(stats, at(2026, 3, 2, 8), friday, LEADERS) == []
    assert rules.leader_digest(stats, at(2026, 3, 6, 13), friday, LEADERS)


# ---- quiet hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, hour, minute, quiet",
    [
        (2, 17, 59, False),
        (2, 18, 0, True),
        (3, 6, 59, True),
        (3, 7, 0, False),
        (7, 12, 0, True),  # Saturday
        (8, 12, 0, True),  # Sunday
    ],
)
def test_default_quiet_hours(at, day, hour, minute, quiet):
    assert rules.in_quiet_hours(at(2026, 3, day, hour, minute), QuietHours()) is quiet


def test_quiet_hours_per_user(at):
    own = QuietHours(start=22, end=6, weekends=False)
    assert not rules.in_quiet_hours(at(2026, 3, 2, 19), own)
    assert rules.in_quiet_hours(at(2026, 3, 2, 23), own)
    assert not rules.in_quiet_hours(at(2026, 3, 7, 12), own)  # Saturday allowed
    assert not rules.in_quiet_hours(at(2026, 3, 2, 3), QuietHours(5, 5, False))  # none at night
    assert rules.in_quiet_hours(at(2026, 3, 2, 10), QuietHours(9, 12, False))  # a daytime window


def test_red_and_urgent_break_through_quiet_hours(at):
    saturday_night = at(2026, 3, 7, 23)
    assert rules.may_push(KINDS["red_concern"], saturday_night, QuietHours())
    assert rules.may_push(KINDS["urgent_screening"], saturday_night, QuietHours())
    assert not rules.may_push(KINDS["assessments_due"], saturday_night, QuietHours())
    assert not rules.may_push(KINDS["leader_digest"], saturday_night, QuietHours())


@given(
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    start=st.integers(0, 23),
    end=st.integers(0, 23),
    weekends=st.booleans(),
)
def test_may_push_is_quiet_hours_for_everything_but_urgent(moment, start, end, weekends):
    local = moment.replace(tzinfo=clock.LOCAL_TZ)
    quiet = QuietHours(start, end, weekends)
    for kind in KINDS.values():
        expected = kind.urgent or not rules.in_quiet_hours(local, quiet)
        assert rules.may_push(kind, local, quiet) is expected
    if weekends and local.weekday() >= 5:
        assert rules.in_quiet_hours(local, quiet)


# ---- settings -----------------------------------------------------------------------------


def test_settings_from_the_municipality_with_defaults():
    s = Settings.from_municipality(
        {"reminders": {"due_soon_days": 21, "nope": 1, "disabled": ["leader_digest"]}}
    )
    assert s.due_soon_days == 21
    assert s.quiet_start == 18
    assert not s.enabled("leader_digest") and s.enabled("red_concern")
    assert Settings.from_municipality(None) == Settings()
    assert (
        Settings.from_municipality({"reminders": {"quiet_weekends": False}}).quiet_weekends is False
    )
    edges = {"quiet_start": 0, "quiet_end": 23, "weekly_weekday": 6, "red_again_days": 1}
    assert Settings.from_municipality({"reminders": edges}) == Settings(**edges)


@pytest.mark.parametrize(
    "key, value",
    [
        ("quiet_start", 24),
        ("quiet_end", -1),
        ("quiet_start", "late"),
        ("weekly_hour", 7.5),
        ("weekly_weekday", 7),
        ("due_soon_days", 0),
        ("no_plan_days", -3),
        ("recent_days", True),  # a bool is not a number of days
        ("red_again_days", None),
        ("quiet_weekends", 1),
        ("disabled", "leader_digest"),  # a string, not a list of rules
        ("disabled", ["no_such_rule"]),
    ],
)
def test_a_bad_setting_is_refused_by_name(key, value):
    with pytest.raises(SettingsError, match=f"reminders.{key}"):
        Settings.from_municipality({"reminders": {key: value}})


def test_the_concerns_plan_deadline_is_used_only_when_it_is_a_number():
    assert Settings.from_municipality({"concerns": {"plan_within_days": 5}}).no_plan_days == 5
    assert Settings.from_municipality({"concerns": {"plan_within_days": True}}).no_plan_days == 7


def test_iso_week_periods():
    assert rules.iso_week(date(2026, 3, 2)) == "2026-W10"
    assert rules.iso_week(date(2026, 3, 8)) == "2026-W10"
    assert rules.iso_week(date(2027, 1, 1)) == "2026-W53"
    assert rules.iso_week(date(2026, 3, 2) + timedelta(days=7)) == "2026-W11"
