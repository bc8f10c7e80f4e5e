"""The rule for a child's wellbeing records after a change of unit (app/transitions/sharing.py):
another unit's records only with the parents' consent to share the wellbeing history."""

from __future__ import annotations

from datetime import date, timedelta

from app.transitions.rules import ConsentFact
from app.transitions.sharing import Handover, history_shared_before, sees_record

TODAY = date(2026, 11, 25)
START = date(2026, 11, 2)  # the child's first day in the børnehave
DAGPLEJE, BOERNEHAVE, DISTRICT = 1, 2, 3
MOR, FAR = 10, 11


def handover(*consents: ConsentFact, finished=True, start=START, end=None, everyone=True):
    return Handover(
        start=start,
        end=end,
        finished=finished,
        custodians=frozenset({MOR, FAR}),
        consents=consents,
        all_custodians=everyone,
    )


def both(history: bool) -> tuple[ConsentFact, ConsentFact]:
    return ConsentFact(MOR, 1, share_history=history), ConsentFact(FAR, 2, share_history=history)


def paedagog_sees(unit_id: int, on: date, shared_before: date | None) -> bool:
    return sees_record(unit_id, on, own_units={BOERNEHAVE}, shared_before=shared_before)


def test_no_consent_shares_nothing():
    """The børnehave's pædagog does not see the dagpleje's assessment."""
    shared = history_shared_before([handover()], TODAY)
    assert shared is None
    assert not paedagog_sees(DAGPLEJE, date(2026, 3, 12), shared)
    assert paedagog_sees(BOERNEHAVE, TODAY, shared)


def test_consent_to_the_schema_alone_shares_no_history():
    shared = history_shared_before([handover(*both(history=False))], TODAY)
    assert shared is None
    assert not paedagog_sees(DAGPLEJE, date(2026, 3, 12), shared)


def test_consent_with_the_history_shares_what_came_before_the_start():
    """From any earlier unit (the dagpleje, the health visitor's district)."""
    shared = history_shared_before([handover(*both(history=True))], TODAY)
    assert shared == START
    assert paedagog_sees(DAGPLEJE, date(2026, 3, 12), shared)
    assert paedagog_sees(DISTRICT, date(2024, 1, 5), shared)


def test_every_custodian_must_include_the_history():
    mor, far = both(history=True)
    one_says_no = ConsentFact(FAR, 2, share_history=False)
    assert history_shared_before([handover(mor, one_says_no)], TODAY) is None
    assert history_shared_before([handover(mor)], TODAY) is None  # the father has not consented
    assert history_shared_before([handover(mor, everyone=False)], TODAY) == START


def test_a_withdrawal_hides_the_history_again():
    mor, far = both(history=True)
    withdrawn = ConsentFact(FAR, 3, withdrawn=True, share_history=True)
    shared = history_shared_before([handover(mor, far, withdrawn)], TODAY)
    assert shared is None
    assert not paedagog_sees(DAGPLEJE, date(2026, 3, 12), shared)


def test_records_dated_on_or_after_the_start_are_not_shared():
    """Another unit's record made after the move (a health visit) is not part of the history."""
    shared = history_shared_before([handover(*both(history=True))], TODAY)
    assert not paedagog_sees(DISTRICT, START, shared)
    assert not paedagog_sees(DISTRICT, START + timedelta(days=3), shared)
    assert paedagog_sees(DISTRICT, START - timedelta(days=1), shared)


def test_nothing_is_shared_before_the_child_starts_or_from_an_unfinished_schema():
    consents = both(history=True)
    assert (
        history_shared_before([handover(*consents, start=TODAY + timedelta(days=5))], TODAY) is None
    )
    assert history_shared_before([handover(*consents, finished=False)], TODAY) is None
    left = handover(*consents, end=TODAY - timedelta(days=1))
    assert history_shared_before([left], TODAY) is None


def test_the_latest_sharing_handover_counts():
    earlier = handover(*both(history=True), start=date(2025, 8, 1))
    later = handover(*both(history=True))
    assert history_shared_before([earlier, later], TODAY) == START


def test_a_leader_over_both_units_sees_everything_without_consent():
    for unit_id in (DAGPLEJE, BOERNEHAVE):
        assert sees_record(
            unit_id, date(2026, 3, 12), own_units={DAGPLEJE, BOERNEHAVE}, shared_before=None
        )


def test_the_health_visitor_sees_her_districts_and_her_own_records_only():
    nurse_units = {DISTRICT}
    assert sees_record(DISTRICT, date(2025, 2, 1), own_units=nurse_units, shared_before=None)
    assert sees_record(
        DAGPLEJE, date(2025, 2, 1), own_units=nurse_units, shared_before=None, by_viewer=True
    )
    assert not sees_record(BOERNEHAVE, TODAY, own_units=nurse_units, shared_before=None)


def test_a_record_without_a_unit_is_seen_only_by_its_author_or_through_a_handover():
    assert not sees_record(None, TODAY, own_units={BOERNEHAVE}, shared_before=None)
    assert sees_record(None, TODAY, own_units=set(), shared_before=None, by_viewer=True)
    assert sees_record(None, date(2026, 1, 1), own_units=set(), shared_before=START)
