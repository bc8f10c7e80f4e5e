"""The visit programme: planned contacts from the birth date, configuration, and classification."""

from datetime import date, timedelta

import pytest

from app.visits.programme import (
    DEFAULT_PROGRAMME,
    classify,
    followup_window,
    plan_slots,
    programme_from_settings,
    visit_settings,
    working_day,
)
from app.visits.rules import age_in_months, indicator_concerns, measurement_rule

BORN = date(2025, 3, 1)


def test_default_is_sundhedsstyrelsens_five_contacts():
    slots = plan_slots(BORN, DEFAULT_PROGRAMME)
    assert [s.visit_type for s in slots] == [
        "etablering",
        "foerste_maaned",
        "maaned2",
        "maaned4_6",
        "maaned8_11",
    ]
    first, month, two, four_six, eight_ten = slots
    assert first.window_start == BORN and first.target <= BORN + timedelta(days=7)
    assert month.target < BORN + timedelta(days=31)
    assert 7 * 7 <= (two.target - BORN).days <= 10 * 7
    assert 120 <= (four_six.target - BORN).days <= 183
    assert 240 <= (eight_ten.target - BORN).days <= 305
    assert all(s.window_start <= s.target <= s.window_end for s in slots)


def test_planned_visits_fall_on_working_days():
    for offset in range(14):
        for slot in plan_slots(BORN + timedelta(days=offset), DEFAULT_PROGRAMME):
            assert slot.target.weekday() < 5
            assert slot.window_start <= slot.target <= slot.window_end


def test_working_day():
    saturday = date(2025, 3, 8)
    assert working_day(saturday) == date(2025, 3, 10)
    assert working_day(saturday, latest=date(2025, 3, 9)) == date(2025, 3, 7)
    assert working_day(saturday, earliest=saturday, latest=saturday) == saturday
    assert working_day(date(2025, 3, 5)) == date(2025, 3, 5)


def test_a_child_joining_the_caseload_late_is_not_offered_closed_contacts():
    joined = BORN + timedelta(days=100)
    slots = plan_slots(BORN, DEFAULT_PROGRAMME, from_date=joined)
    assert [s.code for s in slots] == ["maaned4_6", "maaned8_10"]
    assert all(s.target >= joined for s in slots)


def test_a_contact_whose_window_is_open_is_planned_no_earlier_than_joining():
    joined = BORN + timedelta(days=70)
    two = plan_slots(BORN, DEFAULT_PROGRAMME, from_date=joined)[0]
    assert two.code == "maaned2" and two.target == working_day(joined)


def test_municipality_programme_overrides_the_default():
    settings = {
        "visits": {
            "programme": [
                {
                    "code": "gravid",
                    "visit_type": "graviditet",
                    "target_day": -30,
                    "window_start_day": -60,
                    "window_end_day": -1,
                },
                {"code": "uge3", "visit_type": "foerste_maaned", "target_day": 21},
                {
                    "code": "aar3_5",
                    "visit_type": "smaaboern",
                    "target_day": 1278,
                    "window_start_day": 1250,
                    "window_end_day": 1320,
                },
            ]
        }
    }
    programme = programme_from_settings(settings)
    assert [c.code for c in programme] == ["gravid", "uge3", "aar3_5"]
    slots = plan_slots(BORN, programme)
    assert slots[1].target == slots[1].window_start == slots[1].window_end
    assert programme_from_settings({}) == DEFAULT_PROGRAMME


@pytest.mark.parametrize(
    "bad",
    [
        [{"code": "x", "visit_type": "ukendt", "target_day": 3}],
        [{"code": "x", "visit_type": "behov", "target_day": 30, "window_end_day": 10}],
        [
            {"code": "x", "visit_type": "behov", "target_day": 3},
            {"code": "x", "visit_type": "behov", "target_day": 5},
        ],
    ],
)
def test_invalid_programmes_are_rejected(bad):
    with pytest.raises(ValueError):
        programme_from_settings({"visits": {"programme": bad}})


def test_settings_fall_back_to_defaults():
    settings = visit_settings({"visits": {"adbb_cutoff": 6}})
    assert settings["adbb_cutoff"] == 6
    assert settings["epds_cutoff_mother"] == 11 and settings["epds_cutoff_father"] == 10


TODAY = date(2025, 6, 10)


@pytest.mark.parametrize(
    ("status", "planned", "window_end", "source", "expected"),
    [
        ("gennemfoert", TODAY - timedelta(days=30), TODAY - timedelta(days=5), "program", "done"),
        # Not carried out: a gap once the window closed, until then it may be planned again.
        ("ikke_gennemfoert", TODAY, TODAY + timedelta(days=5), "program", "not_done"),
        (
            "ikke_gennemfoert",
            TODAY - timedelta(days=9),
            TODAY - timedelta(days=1),
            "program",
            "gap",
        ),
        ("ikke_gennemfoert", TODAY, None, "behov", "not_done"),
        ("planlagt", TODAY - timedelta(days=20), TODAY - timedelta(days=1), "program", "gap"),
        ("planlagt", TODAY - timedelta(days=2), TODAY + timedelta(days=5), "program", "overdue"),
        (
            "planlagt",
            TODAY - timedelta(days=2),
            TODAY - timedelta(days=1),
            "opfoelgning",
            "overdue",
        ),
        ("planlagt", TODAY, TODAY + timedelta(days=5), "program", "today"),
        ("planlagt", TODAY + timedelta(days=3), TODAY + timedelta(days=9), "program", "upcoming"),
    ],
)
def test_classify(status, planned, window_end, source, expected):
    assert classify(status, planned, window_end, source, TODAY) == expected


def test_followup_within_one_to_two_weeks():
    slot = followup_window(TODAY, [7, 14])
    assert slot.target == TODAY + timedelta(days=7)
    assert slot.window_end == TODAY + timedelta(days=14)
    assert slot.visit_type == "behov"


@pytest.mark.parametrize(
    ("measure", "visit_type", "form", "rule"),
    [
        ("weight", "maaned2", "telefon", "value"),
        ("length", "maaned2", "hjemmebesoeg", "value"),
        ("head", "maaned2", "hjemmebesoeg", "value_or_reason"),
        ("weight", "maaned4_6", "klinik", "value_or_reason"),
        ("weight", "behov", "video", "optional"),
    ],
)
def test_measurement_rules(measure, visit_type, form, rule):
    assert measurement_rule(measure, visit_type, form) == rule


def test_age_in_completed_months():
    assert age_in_months(date(2025, 1, 31), date(2025, 3, 30)) == 1
    assert age_in_months(date(2025, 1, 15), date(2025, 3, 15)) == 2


def test_indicator_concerns_are_the_most_serious_levels():
    assert indicator_concerns(
        {"soevn": "2", "netvaerk": "1", "motorik": "1", "social_kontakt": ""}
    ) == [
        "netvaerk",
        "soevn",
    ]
