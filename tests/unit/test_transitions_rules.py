"""Pure transition rules: due dates, the coming change of unit, list status, consent, gate."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.transitions import definitions, rules
from app.transitions.rules import ConsentFact, EnrolmentFact

TODAY = date(2026, 11, 25)


def enrolment(id, kind="dagplejegruppe", start=date(2025, 6, 1), end=None, unit=None):
    return EnrolmentFact(id=id, unit_id=unit or id, unit_kind=kind, start=start, end=end)


# -- due dates -----------------------------------------------------------------------------


def test_due_four_weeks_before_start_by_default():
    assert rules.due_date(date(2027, 1, 4)) == date(2026, 12, 7)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 26))
def test_due_date_is_exactly_the_configured_weeks_before(start, weeks):
    due = rules.due_date(start, weeks)
    assert (start - due).days == 7 * weeks


def test_school_start_is_august_first_in_the_year_the_child_turns_six():
    assert rules.school_start(date(2021, 3, 9)) == date(2027, 8, 1)
    assert rules.school_start(date(2021, 12, 31)) == date(2027, 8, 1)


def test_school_start_is_configurable():
    cfg = {"school_start_age_years": 5, "school_start_month": 4, "school_start_day": 1}
    assert rules.school_start(date(2021, 3, 9), cfg) == date(2026, 4, 1)


def test_settings_ignore_unknown_keys_and_keep_defaults():
    merged = rules.settings({"due_weeks_before_start": 6, "bogus": 1})
    assert merged["due_weeks_before_start"] == 6
    assert "bogus" not in merged
    assert merged["consent_from_all_custodians"] is True


# -- the coming transition ------------------------------------------------------------------


def test_future_enrolment_in_another_unit_is_a_coming_transition():
    """A dagpleje child with a børnehave place from January has a transition due in December."""
    home = enrolment(1, end=date(2027, 1, 3))
    bh = enrolment(2, "boernehave", start=date(2027, 1, 4))
    coming = rules.coming_transition(date(2024, 3, 1), [home, bh], TODAY)
    assert coming.kind == "enrolment"
    assert coming.target == "enrolment:2"
    assert coming.sending == home and coming.receiving == bh
    assert coming.start_date == date(2027, 1, 4)
    assert coming.due_date == date(2026, 12, 7)


def test_daycare_is_the_sending_unit_before_the_health_district():
    district = enrolment(1, "sundhedsplejedistrikt", start=date(2024, 3, 1))
    home = enrolment(2, start=date(2025, 2, 1))
    bh = enrolment(3, "boernehave", start=date(2027, 1, 4))
    assert rules.coming_transition(date(2024, 3, 1), [district, home, bh], TODAY).sending == home


def test_from_home_to_dagpleje_the_health_district_sends():
    district = enrolment(1, "sundhedsplejedistrikt", start=date(2026, 1, 1))
    home = enrolment(2, start=date(2027, 1, 4))
    coming = rules.coming_transition(date(2026, 1, 1), [district, home], TODAY)
    assert coming.sending == district and coming.receiving == home


def test_a_new_enrolment_in_the_same_unit_is_no_transition():
    now = enrolment(1, unit=7, end=date(2027, 1, 3))
    same = enrolment(2, unit=7, start=date(2027, 1, 4))
    assert rules.coming_transition(date(2024, 3, 1), [now, same], TODAY) is None


def test_the_earliest_future_enrolment_is_the_coming_one():
    now = enrolment(1)
    later = enrolment(2, "boernehave", start=date(2027, 6, 1))
    sooner = enrolment(3, "vuggestue", start=date(2027, 1, 4))
    assert (
        rules.coming_transition(date(2025, 3, 1), [now, later, sooner], TODAY).receiving == sooner
    )


def test_a_child_in_no_unit_today_has_no_transition():
    future = enrolment(1, "boernehave", start=date(2027, 1, 4))
    assert rules.coming_transition(date(2024, 3, 1), [future], TODAY) is None


def test_school_start_from_boernehave():
    bh = enrolment(1, "boernehave", start=date(2024, 1, 1))
    coming = rules.coming_transition(date(2021, 3, 9), [bh], TODAY)
    assert coming.kind == "school"
    assert coming.target == "school:2027-08-01"
    assert coming.receiving is None
    assert coming.due_date == date(2027, 7, 4)


def test_no_school_transition_from_dagpleje_or_once_it_has_passed():
    assert rules.coming_transition(date(2021, 3, 9), [enrolment(1)], TODAY) is None
    bh = enrolment(1, "boernehave", start=date(2023, 1, 1))
    assert rules.coming_transition(date(2020, 3, 9), [bh], TODAY) is None  # August 2026


def test_a_future_enrolment_wins_over_the_school_start():
    bh = enrolment(1, "boernehave", start=date(2024, 1, 1), end=date(2027, 1, 3))
    other = enrolment(2, "integreret", start=date(2027, 1, 4))
    assert rules.coming_transition(date(2021, 3, 9), [bh, other], TODAY).receiving == other


# -- the list ---------------------------------------------------------------------------


def coming_due(due):
    return rules.Coming("enrolment", "enrolment:2", due + timedelta(weeks=4), due, enrolment(1))


def test_listed_four_weeks_before_due_or_once_a_schema_exists():
    due = TODAY + timedelta(weeks=4)
    assert rules.is_listed(coming_due(due), TODAY, has_schema=False)
    assert not rules.is_listed(coming_due(due + timedelta(days=1)), TODAY, has_schema=False)
    assert rules.is_listed(coming_due(due + timedelta(days=60)), TODAY, has_schema=True)


@pytest.mark.parametrize(
    ("schema_status", "consent", "ack", "days_to_due", "expected"),
    [
        (None, "none", False, 3, "due"),
        (None, "none", False, 0, "due"),
        (None, "none", False, -1, "overdue"),
        ("draft", "none", False, -10, "draft"),
        ("finished", "none", False, 3, "awaiting_consent"),
        ("finished", "partial", False, 3, "awaiting_consent"),
        ("finished", "complete", False, 3, "consented"),
        ("finished", "complete", True, 3, "acknowledged"),
        ("finished", "withdrawn", False, 3, "withdrawn"),
    ],
)
def test_list_status(schema_status, consent, ack, days_to_due, expected):
    due = TODAY + timedelta(days=days_to_due)
    assert rules.list_status(TODAY, due, schema_status, consent, ack) == expected


def test_shown_as_sent_from_the_start_for_the_configured_days_after_the_move():
    start = date(2027, 3, 1)
    left = start - timedelta(days=1)
    assert rules.DEFAULT_SETTINGS["sent_days"] == 60
    assert rules.shows_as_sent(start, left, start, 60)
    assert rules.shows_as_sent(start, left, start + timedelta(days=60), 60)
    assert not rules.shows_as_sent(start, left, start + timedelta(days=61), 60)
    assert not rules.shows_as_sent(start, left, left, 60)  # not before the move
    assert not rules.shows_as_sent(start, None, start, 60)  # still in the sending unit
    assert not rules.shows_as_sent(start, start, start, 60)  # overlapping: the normal list


def test_overdue_only_while_not_finished():
    past = TODAY - timedelta(days=1)
    assert rules.is_overdue(TODAY, past, None)
    assert rules.is_overdue(TODAY, past, "draft")
    assert not rules.is_overdue(TODAY, past, "finished")
    assert not rules.is_overdue(TODAY, TODAY, None)


# -- consent ------------------------------------------------------------------------------


def test_both_custodians_must_consent_by_default():
    one = [ConsentFact(1, 1)]
    assert rules.consent_state({1, 2}, [], True) == "none"
    assert rules.consent_state({1, 2}, one, True) == "partial"
    assert rules.consent_state({1, 2}, [*one, ConsentFact(2, 2)], True) == "complete"


def test_one_custodian_is_enough_when_so_configured():
    assert rules.consent_state({1, 2}, [ConsentFact(1, 1)], all_custodians=False) == "complete"


def test_a_sole_custodian_consents_alone():
    assert rules.consent_state({1}, [ConsentFact(1, 1)]) == "complete"


def test_a_non_custodian_cannot_complete_the_consent():
    assert rules.consent_state({1}, [ConsentFact(9, 1)]) == "none"


def test_no_custodian_means_no_consent():
    assert rules.consent_state(set(), [ConsentFact(1, 1)]) == "none"


def test_a_withdrawal_stops_everything_even_with_one_custodian_enough():
    facts = [ConsentFact(1, 1), ConsentFact(2, 2, withdrawn=True)]
    assert rules.consent_state({1, 2}, facts, all_custodians=False) == "withdrawn"


def test_a_new_consent_after_a_withdrawal_counts():
    facts = [ConsentFact(1, 1, withdrawn=True), ConsentFact(2, 2), ConsentFact(1, 3)]
    assert rules.consent_state({1, 2}, facts) == "complete"


@given(st.lists(st.tuples(st.integers(1, 3), st.booleans()), max_size=8), st.booleans())
def test_consent_is_complete_only_if_no_standing_withdrawal(events, everyone):
    facts = [ConsentFact(g, i, withdrawn=w) for i, (g, w) in enumerate(events)]
    state = rules.consent_state({1, 2}, facts, everyone)
    latest = rules.latest_consents(facts)
    if state == "complete":
        assert not any(c.withdrawn for c in latest.values())
        assert {1, 2} & set(latest)


def test_history_is_shared_only_if_every_consent_says_so():
    both = [ConsentFact(1, 1, share_history=True), ConsentFact(2, 2, share_history=True)]
    assert rules.shares_history({1, 2}, both)
    mixed = [ConsentFact(1, 1, share_history=True), ConsentFact(2, 2)]
    assert not rules.shares_history({1, 2}, mixed)
    assert not rules.shares_history({1, 2}, both[:1])  # incomplete consent shares nothing


def test_required_custodians():
    assert rules.required_custodians([(1, True), (2, False), (3, True)]) == {1, 3}


# -- the receiving unit's gate -------------------------------------------------------------


def gate(**kw):
    args = {
        "finished": True,
        "consent": "complete",
        "enrolment_start": TODAY,
        "enrolment_end": None,
        "today": TODAY,
    }
    args.update(kw)
    return rules.receiver_may_read(**args)


def test_gate_opens_with_consent_on_the_first_day():
    assert gate()


def test_gate_closed_before_the_child_is_enrolled():
    assert not gate(enrolment_start=TODAY + timedelta(days=1))


@pytest.mark.parametrize("consent", ["none", "partial", "withdrawn"])
def test_gate_closed_without_complete_consent(consent):
    assert not gate(consent=consent)


def test_gate_closed_for_a_draft():
    assert not gate(finished=False)


def test_gate_closed_after_the_child_has_left_again():
    assert not gate(
        enrolment_start=TODAY - timedelta(days=90), enrolment_end=TODAY - timedelta(days=1)
    )


# -- the field list ------------------------------------------------------------------------


def test_definition_has_the_sections_of_the_overgangsskema():
    d = definitions.current()
    titles = [s.title for s in d.sections]
    assert titles == [
        "Barnet og den afgivende enhed",
        "Familien",
        "Barnet i den afgivende enhed",
        "Praktiske oplysninger",
        "Barnets ressourcer og interesser",
        "Andre fagpersoner",
        "Forældrenes egne ord",
        "Aftalte næste skridt",
    ]
    names = {f.name for f in d.fields}
    for name in (
        "household",
        "significant_events",
        "social_wellbeing",
        "language",
        "motor_development",
        "play_relations",
        "reactions_to_change",
        "sleep",
        "dummy",
        "toileting",
        "food",
        "resources",
        "interests",
        "other_professionals",
        "parents_words",
        "next_steps",
    ):
        assert name in names


def test_every_stored_version_loads_and_matches_its_file_name():
    for version in definitions.versions():
        assert definitions.load(version).version == version


def test_missing_to_finish():
    d = definitions.current()
    answers = definitions.empty_answers(d)
    required = {f.name for f in d.fields if f.required_to_finish}
    assert set(definitions.missing_to_finish(d, answers)) == required
    answers.update(dict.fromkeys(required, "x"))
    assert definitions.missing_to_finish(d, answers) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "uuid", "type": "text", "label": "x"},
        {"name": "ok", "type": "slider", "label": "x"},
        {"name": "not-an-identifier", "type": "text", "label": "x"},
        {"name": "ok", "type": "checkboxes", "label": "x"},
    ],
)
def test_a_broken_definition_is_rejected(bad):
    with pytest.raises(ValueError):
        definitions.parse({"version": 9, "sections": [{"key": "s", "title": "S", "fields": [bad]}]})


@pytest.mark.parametrize(
    ("guardian", "typed", "ok"),
    [
        ("Mikkel Stenholt", "Mikkel Stenholt", True),
        ("Mikkel Stenholt", "  mikkel   STENHOLT ", True),
        ("Mikkel Stenholt", "Mette Stenholt", False),
        ("Mikkel Stenholt", "Mikkel", False),
        ("Mikkel Stenholt", "", False),
        ("Mikkel Juul Stenholt", "Mikkel Stenholt", True),
        ("Mikkel Juul Stenholt", "mikkel juul stenholt", True),
        ("Mikkel Juul Stenholt", "Mikkel Juul", False),
        ("Mikkel Juul Stenholt", "Juul Stenholt", False),
    ],
)
def test_signature_matches_the_guardian(guardian, typed, ok):
    """Full name or first and last name, case and spacing aside; never another name."""
    assert rules.signature_matches(guardian, typed) is ok
