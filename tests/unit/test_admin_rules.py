"""Administration rules: roles that fit units, the unit tree, enrolment dates."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.admin import rules
from app.auth.roles import Role
from app.org.models import UnitKind

dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2032, 12, 31))
maybe_dates = st.none() | dates

# Pure functions: no deadline, so a busy 2-core CI machine cannot make them flaky.
relaxed = settings(deadline=None)


def test_roles_fit_their_kinds_of_unit():
    assert rules.role_fits_unit(Role.DAGPLEJER, UnitKind.DAGPLEJEGRUPPE)
    assert not rules.role_fits_unit(Role.DAGPLEJER, UnitKind.BOERNEHAVE)
    assert rules.role_fits_unit(Role.SUNDHEDSPLEJERSKE, UnitKind.SUNDHEDSPLEJEDISTRIKT)
    assert not rules.role_fits_unit(Role.PAEDAGOG, UnitKind.SUNDHEDSPLEJEDISTRIKT)
    assert all(rules.role_fits_unit(Role.LEDER, kind) for kind in UnitKind)


def test_a_dagplejegruppe_nests_only_under_a_dagpleje():
    assert rules.parent_kind_ok(UnitKind.DAGPLEJEGRUPPE, UnitKind.DAGPLEJE)
    assert rules.parent_kind_ok(UnitKind.DAGPLEJEGRUPPE, None)
    assert not rules.parent_kind_ok(UnitKind.DAGPLEJEGRUPPE, UnitKind.BOERNEHAVE)
    assert rules.parent_kind_ok(UnitKind.VUGGESTUE, UnitKind.INTEGRERET)


def test_cycles_in_the_unit_tree_are_found():
    parents = {1: None, 2: 1, 3: 2, 4: None}
    assert rules.creates_cycle(1, 3, parents)  # 1 under its grandchild
    assert rules.creates_cycle(2, 2, parents)
    assert not rules.creates_cycle(3, 4, parents)
    assert not rules.creates_cycle(None, 1, parents)
    assert not rules.creates_cycle(1, None, parents)


@relaxed
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=30), st.integers(1, 30), st.integers(1, 30)
)
def test_cycle_check_agrees_with_walking_up_the_tree(raw, unit, new_parent):
    parents = {i + 1: (p if 0 < p <= len(raw) and p != i + 1 else None) for i, p in enumerate(raw)}
    ancestors, current, seen = set(), new_parent, set()
    while current is not None and current not in seen:
        seen.add(current)
        ancestors.add(current)
        current = parents.get(current)
    assert rules.creates_cycle(unit, new_parent, parents) == (unit in ancestors)


def test_tracks_keep_district_and_daycare_apart():
    assert rules.track(UnitKind.SUNDHEDSPLEJEDISTRIKT) == "district"
    assert {rules.track(k) for k in UnitKind if k is not UnitKind.SUNDHEDSPLEJEDISTRIKT} == {
        "daycare"
    }


def test_overlaps_with_open_ends():
    d = date(2026, 1, 1)
    assert rules.overlaps(d, None, d + timedelta(days=400), None)
    assert rules.overlaps(d, d, d, d)
    assert not rules.overlaps(d, d + timedelta(days=9), d + timedelta(days=10), None)


@relaxed
@given(dates, maybe_dates, dates, maybe_dates)
def test_overlap_is_symmetric_and_means_a_shared_day(a_start, a_end, b_start, b_end):
    if a_end is not None and a_end < a_start or b_end is not None and b_end < b_start:
        return
    result = rules.overlaps(a_start, a_end, b_start, b_end)
    assert result == rules.overlaps(b_start, b_end, a_start, a_end)
    far = date(2040, 1, 1)
    shared = max(a_start, b_start) <= min(a_end or far, b_end or far)
    assert result == shared


@relaxed
@given(dates, st.integers(min_value=-30, max_value=400))
def test_a_move_never_leaves_a_gap_or_an_overlap(start, offset):
    move = start + timedelta(days=offset)
    if not rules.can_move(start, move):
        assert move <= start
        return
    old_end = rules.end_before_move(move)
    assert old_end >= start  # the old enrolment keeps at least one day
    assert old_end + timedelta(days=1) == move
    assert not rules.overlaps(start, old_end, move, None)


def test_an_end_date_before_the_start_is_refused():
    assert rules.can_end(date(2026, 1, 1), date(2026, 1, 1))
    assert not rules.can_end(date(2026, 1, 2), date(2026, 1, 1))
