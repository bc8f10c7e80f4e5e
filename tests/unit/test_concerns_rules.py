"""Concerns rules as plain functions: what a position triggers, the steps of a course, Danish
holidays and working days, the underretning receipt deadline, the personal-data check and the
per-municipality settings."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.assessments.positions import Position
from app.concerns import rules
from app.concerns.rules import Answer, Level, Trigger

# -- What a position triggers -------------------------------------------------------------------


def test_green_or_nothing_triggers_nothing():
    assert rules.triggers("groen") == ()
    assert rules.triggers(None) == ()
    assert rules.triggers("lilla") == ()


def test_yellow_involves_parents_plan_follow_up_and_sparring_but_not_leader_or_underretning():
    found = rules.triggers(Level.GUL)
    assert found == (
        Trigger.INVOLVE_PARENTS,
        Trigger.ACTION_PLAN,
        Trigger.FOLLOW_UP_DATE,
        Trigger.CONSIDER_SPARRING,
    )


def test_red_adds_the_leader_the_same_day_and_the_underretning_question():
    found = rules.triggers(Level.ROED)
    assert set(rules.triggers(Level.GUL)) < set(found)
    assert Trigger.INFORM_LEADER_SAME_DAY in found
    assert Trigger.UNDERRETNING_QUESTION in found
    assert Trigger.ACUTE_CONTACT not in found


def test_acute_is_red_plus_contacting_the_municipality_first():
    found = rules.triggers(Level.AKUT)
    assert found[0] is Trigger.ACUTE_CONTACT
    assert set(rules.triggers(Level.ROED)) < set(found)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (Position.GUL.value, Level.GUL),
        (Position.ROED.value, Level.ROED),
        ("rød", Level.ROED),
        ("RØD", Level.ROED),
        (" akut ", Level.AKUT),
        (Position.GROEN.value, None),
        ("", None),
        (None, None),
    ],
)
def test_level_from_the_shared_position_codes(value, level):
    assert rules.level_from(value) is level


def test_every_position_that_needs_a_course_is_a_level():
    for position in Position:
        assert (rules.level_from(position.value) is not None) == position.needs_course_of_action


def test_escalation_only_upwards():
    assert rules.escalates(Level.GUL, Level.ROED)
    assert rules.escalates(Level.ROED, Level.AKUT)
    assert not rules.escalates(Level.ROED, Level.GUL)
    assert not rules.escalates(Level.GUL, Level.GUL)


# -- Steps of a course --------------------------------------------------------------------------


def _steps(level, **kw):
    values = {
        "parents_done": False,
        "has_plan": False,
        "follow_up_on": None,
        "leader_informed": False,
        "underretning_answer": None,
    }
    values.update(kw)
    return rules.course_steps(level, **values)


def test_yellow_course_steps_have_no_leader_or_underretning_step():
    codes = [s.code for s in _steps(Level.GUL)]
    assert codes == ["parents", "plan", "follow_up", "sparring"]
    assert rules.missing_steps(_steps(Level.GUL)) == ["parents", "plan", "follow_up"]


def test_red_course_asks_for_the_leader_and_the_underretning_answer():
    steps = _steps(Level.ROED, parents_done=True, has_plan=True, follow_up_on=date(2026, 5, 1))
    assert rules.missing_steps(steps) == ["leader", "underretning"]


def test_not_yet_is_recorded_but_the_question_is_not_done():
    steps = _steps(
        Level.ROED,
        parents_done=True,
        has_plan=True,
        follow_up_on=date(2026, 5, 1),
        leader_informed=True,
        underretning_answer=Answer.NOT_YET,
    )
    assert rules.missing_steps(steps) == ["underretning"]
    done = _steps(
        Level.AKUT,
        parents_done=True,
        has_plan=True,
        follow_up_on=date(2026, 5, 1),
        leader_informed=True,
        underretning_answer=Answer.NO,
    )
    assert rules.missing_steps(done) == []


def test_sparring_is_never_required():
    assert all(not s.required for s in _steps(Level.ROED) if s.code == "sparring")


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (None, None),
        (date(2026, 3, 9), "overdue"),
        (date(2026, 3, 10), "due"),
        (date(2026, 3, 24), "due"),
        (date(2026, 3, 25), "later"),
    ],
)
def test_follow_up_state(due, state):
    assert rules.follow_up_state(due, date(2026, 3, 10), 14) == state


# -- Easter, holidays, working days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # the latest possible
        (2285, date(2285, 3, 22)),  # the earliest possible
    ],
)
def test_easter_sunday(year, easter):
    assert rules.easter_sunday(year) == easter


@given(st.integers(min_value=1583, max_value=4099))
def test_easter_is_always_a_sunday_between_22_march_and_25_april(year):
    easter = rules.easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


def test_danish_holidays_2025():
    days = rules.danish_holidays(2025)
    assert days == {
        date(2025, 1, 1): "Nytårsdag",
        date(2025, 4, 17): "Skærtorsdag",
        date(2025, 4, 18): "Langfredag",
        date(2025, 4, 20): "Påskedag",
        date(2025, 4, 21): "2. påskedag",
        date(2025, 5, 29): "Kristi himmelfartsdag",
        date(2025, 6, 5): "Grundlovsdag",
        date(2025, 6, 8): "Pinsedag",
        date(2025, 6, 9): "2. pinsedag",
        date(2025, 12, 24): "Juleaftensdag",
        date(2025, 12, 25): "Juledag",
        date(2025, 12, 26): "2. juledag",
        date(2025, 12, 31): "Nytårsaftensdag",
    }


def test_store_bededag_until_2023_only():
    assert rules.danish_holidays(2023)[date(2023, 5, 5)] == "Store bededag"
    assert "Store bededag" not in rules.danish_holidays(2024).values()


def test_customary_days_can_be_left_out():
    days = rules.danish_holidays(2026, customary=False)
    assert date(2026, 6, 5) not in days
    assert date(2026, 12, 24) not in days
    assert len(days) == 10


def test_add_working_days_skips_weekends_and_holidays():
    holidays = rules.holidays_around(date(2026, 4, 1))
    assert rules.add_working_days(date(2026, 4, 1), 1, holidays) == date(2026, 4, 7)
    assert rules.add_working_days(date(2026, 4, 1), 0, holidays) == date(2026, 4, 1)
    with pytest.raises(ValueError):
        rules.add_working_days(date(2026, 4, 1), -1)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (date(2026, 3, 2), date(2026, 3, 10)),  # Monday: the Tuesday after next
        (date(2026, 3, 6), date(2026, 3, 16)),  # Friday
        (date(2026, 3, 7), date(2026, 3, 16)),  # Saturday: counting starts Monday
        (date(2026, 3, 8), date(2026, 3, 16)),  # Sunday
        (date(2026, 4, 1), date(2026, 4, 14)),  # across Easter (2., 3. and 6. April)
        (date(2025, 12, 22), date(2026, 1, 6)),  # across Christmas and New Year
        (date(2026, 5, 13), date(2026, 5, 22)),  # Kristi himmelfart 14 May
        (date(2023, 5, 1), date(2023, 5, 10)),  # store bededag 5 May 2023 still counted
        (date(2024, 4, 22), date(2024, 4, 30)),  # ... but not 26 April 2024
    ],
)
def test_receipt_due_in_six_working_days(sent, due):
    assert rules.receipt_due(sent) == due


def test_receipt_due_uses_the_given_holidays_and_days():
    assert rules.receipt_due(date(2026, 3, 2), holidays=set()) == date(2026, 3, 10)
    assert rules.receipt_due(date(2026, 3, 2), holidays={date(2026, 3, 3)}) == date(2026, 3, 11)
    assert rules.receipt_due(date(2026, 3, 2), holidays=set(), days=1) == date(2026, 3, 3)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1)))
def test_receipt_due_is_the_sixth_working_day_after_sending(sent):
    holidays = rules.holidays_around(sent)
    due = rules.receipt_due(sent, holidays)
    assert due > sent
    assert rules.is_working_day(due, holidays)
    between = [sent + timedelta(days=n) for n in range(1, (due - sent).days + 1)]
    assert sum(rules.is_working_day(d, holidays) for d in between) == 6


# -- Personal data in an anonymous sparring request ----------------------------------------------

KNOWN = ["Ida Bækgaard", "Mette Bækgaard", "Rasmus Al-Sayed"]


def kinds(text, known=()):
    return [(f.kind, f.text) for f in rules.find_personal_data(text, known)]


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("", (), []),
        ("Pigen på 4 år trækker sig fra legen.", (), []),
        ("Ida græder meget ved aflevering.", (), [("name", "Ida")]),
        ("Hun leger tit med Emma og Noah.", (), [("name", "Emma"), ("name", "Noah")]),
        ("ida græder meget", (), []),  # a common name, but not capitalised
        ("ida græder meget", KNOWN, [("name", "ida")]),  # the child's own name, any case
        ("Idas mor henter sent.", KNOWN, [("name", "Idas")]),  # genitive
        ("Familien bækgaard er flyttet.", KNOWN, [("name", "bækgaard")]),
        ("Bækgaard-familien er flyttet.", KNOWN, [("name", "Bækgaard-familien")]),
        ("Far hedder Al-Sayed til efternavn.", KNOWN, [("name", "Al-Sayed")]),
        ("Anne-Marie er pædagog.", (), [("name", "Anne-Marie")]),
        ("Mor og far er skilt.", KNOWN, []),  # relation words are never names
        ("Per dag sover hun kun en time.", (), []),  # Per: left out on purpose
        ("Hans mor kommer altid sent.", (), []),  # Hans = his
        ("Maj måned var svær.", (), []),
        ("Hun blev født 12.03.2022 og er 4 år.", (), []),  # a date is not a CPR number
        ("CPR 120520-4321 står i journalen.", (), [("cpr", "120520-4321")]),
        ("cpr 1205204321", (), [("cpr", "1205204321")]),
        ("cpr 120520 4321", (), [("cpr", "120520 4321")]),
        ("nr. 320520-4321", (), []),  # day 32
        ("nr. 310220-1234", (), []),  # 31 February
        ("nr. 290223-4321", (), []),  # 29 Feb 2023 (century digit 4: 2023)
        ("nr. 290220-4321", (), [("cpr", "290220-4321")]),  # 29 Feb 2020
        ("nr. 290200-1234", (), []),  # 29 Feb 1900 (century digit 1): not a leap year
        ("sagsnummer 12345678901", (), []),  # eleven digits
        ("Ring på +45 20 30 40 50", (), [("phone", "+45 20 30 40 50")]),
        ("tlf 20304050", (), [("phone", "20304050")]),
        ("skriv til mor@example.dk", (), [("email", "mor@example.dk")]),
    ],
)
def test_find_personal_data(text, known, expected):
    assert kinds(text, known) == expected


def test_findings_point_into_the_text_in_order():
    text = "Ida (120520-4321) bor hos Mette Bækgaard, tlf 20304050."
    findings = rules.find_personal_data(text, KNOWN)
    assert [f.kind for f in findings] == ["name", "cpr", "name", "name", "phone"]
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert [f.start for f in findings] == sorted(f.start for f in findings)


def test_a_custom_first_name_list_is_used():
    assert kinds("Zenobia hopper", ()) == []
    assert [f.kind for f in rules.find_personal_data("Zenobia hopper", (), ["Zenobia"])] == ["name"]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå .,", max_size=200))
def test_lowercase_text_without_digits_has_no_findings_without_known_names(text):
    assert rules.find_personal_data(text) == []


@pytest.mark.parametrize(
    ("digits", "born"),
    [
        ("0101001234", date(1900, 1, 1)),  # 7th digit 1 → 1900s
        ("0101404321", date(1940, 1, 1)),  # 4, YY > 36 → 1900s
        ("0101364321", date(2036, 1, 1)),  # 4, YY ≤ 36 → 2000s
        ("0101575321", date(2057, 1, 1)),  # 5, YY ≤ 57 → 2000s
        ("0101585321", date(1858, 1, 1)),  # 5, YY > 57 → 1800s
        ("0101999321", date(1999, 1, 1)),  # 9, YY > 36 → 1900s
        ("3102001234", None),
        ("12345", None),
    ],
)
def test_cpr_birth_date_century_rule(digits, born):
    assert rules.cpr_birth_date(digits) == born


# -- Settings -----------------------------------------------------------------------------------


def test_settings_default_when_missing_or_malformed():
    for raw in (None, {}, "nonsense", {"plan_within_days": "7", "sparring_partners": "ppr"}):
        settings = rules.concern_settings(raw)
        assert settings == rules.ConcernSettings()
    assert rules.ConcernSettings().plan_within_days == 7
    assert [code for code, _ in rules.ConcernSettings().partners] == [
        "forpost",
        "ppr",
        "sundhedsplejerske",
        "ressourceteam",
    ]


def test_settings_from_the_municipality():
    settings = rules.concern_settings(
        {
            "plan_within_days": 10,
            "follow_up_window_days": 21,
            "sparring_partners": [{"code": "ppr", "label": "PPR Egeskov"}, {"code": "x"}],
            "underretning_channels": ["Digital formular"],
            "acute_contact": "Ring 1234 5678",
            "receipt_working_days": True,  # a bool is not a number of days
        }
    )
    assert settings.plan_within_days == 10
    assert settings.follow_up_window_days == 21
    assert settings.partners == (("ppr", "PPR Egeskov"),)
    assert settings.partner_label("ppr") == "PPR Egeskov"
    assert settings.partner_label("ukendt") == "ukendt"
    assert settings.channels == ("Digital formular",)
    assert settings.acute_contact == "Ring 1234 5678"
    assert settings.receipt_working_days == 6
