"""EPDS and ADBB scoring: reverse items, every answer of item 10, totals and cut-offs."""

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.visits.programme import DEFAULTS
from app.visits.screening import (
    ADBB_ITEMS,
    EPDS_ITEMS,
    adbb_age_ok,
    epds_cutoff,
    epds_item_score,
    epds_self_harm,
    may_use_adbb,
    score_adbb,
    score_epds,
)

REVERSE = {3, 5, 6, 7, 8, 9, 10}


def test_epds_has_ten_items_with_four_options_each():
    assert [item.number for item in EPDS_ITEMS] == list(range(1, 11))
    assert all(len(item.options) == 4 for item in EPDS_ITEMS)


@pytest.mark.parametrize("item", EPDS_ITEMS, ids=lambda i: f"item{i.number}")
def test_epds_items_3_and_5_to_10_are_printed_in_reverse(item):
    """Items 1, 2, 4 run 0→3 down the page; items 3 and 5–10 run 3→0."""
    scores = [score for _, score in item.options]
    expected = [3, 2, 1, 0] if item.number in REVERSE else [0, 1, 2, 3]
    assert scores == expected
    assert item.reverse == (item.number in REVERSE)


@pytest.mark.parametrize("number", range(1, 11))
@pytest.mark.parametrize("position", range(4))
def test_each_answer_maps_to_its_score_not_its_position(number, position):
    score = epds_item_score(number, position)
    assert score == (3 - position if number in REVERSE else position)


@pytest.mark.parametrize(
    ("position", "label", "urgent"),
    [
        (0, "Ja, ret tit", True),
        (1, "Nogle gange", True),
        (2, "Næsten aldrig", True),
        (3, "Aldrig", False),
    ],
)
def test_every_answer_of_item_10(position, label, urgent):
    """Any answer but "never" on item 10 needs action today, whatever the total."""
    assert EPDS_ITEMS[9].options[position][0] == label
    assert epds_self_harm(position) is urgent
    answers = [0, 0, 3, 0, 3, 3, 3, 3, 3, position]  # every other item at its lowest score
    result = score_epds("mor", answers, cutoff=11)
    assert result.total == EPDS_ITEMS[9].options[position][1]
    assert result.self_harm is urgent
    assert result.above_cutoff is False


def test_unanswered_item_10_is_not_urgent():
    assert epds_self_harm(None) is False


def test_item_10_urgency_is_independent_of_a_high_total():
    worst_but_never = [3, 3, 0, 3, 0, 0, 0, 0, 0, 3]
    result = score_epds("far", worst_but_never, cutoff=10)
    assert result.total == 27 and result.above_cutoff and not result.self_harm


def test_lowest_and_highest_totals():
    assert score_epds("mor", [0, 0, 3, 0, 3, 3, 3, 3, 3, 3], 11).total == 0
    assert score_epds("mor", [3, 3, 0, 3, 0, 0, 0, 0, 0, 0], 11).total == 30


@given(st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_total_is_the_sum_of_the_mapped_scores(positions):
    result = score_epds("mor", positions, cutoff=11)
    expected = sum((3 - p) if n in REVERSE else p for n, p in enumerate(positions, start=1))
    assert result.total == expected
    assert 0 <= result.total <= 30
    assert result.above_cutoff == (expected >= 11)


@pytest.mark.parametrize(
    ("parent", "total", "above"),
    [
        ("mor", 10, False),
        ("mor", 11, True),
        ("far", 9, False),
        ("far", 10, True),
    ],
)
def test_danish_cutoffs_mother_11_father_10(parent, total, above):
    cutoff = epds_cutoff(parent, DEFAULTS)
    assert (total >= cutoff) is above


def test_cutoffs_are_configurable():
    assert epds_cutoff("mor", {**DEFAULTS, "epds_cutoff_mother": 13}) == 13


def test_epds_rejects_incomplete_or_invalid_answers():
    with pytest.raises(ValueError):
        score_epds("mor", [0] * 9, 11)
    with pytest.raises(ValueError):
        epds_item_score(1, 4)
    with pytest.raises(ValueError):
        score_epds("bedstemor", [0] * 10, 11)


def test_adbb_has_eight_items():
    assert len(ADBB_ITEMS) == 8


@pytest.mark.parametrize(
    ("scores", "total", "above"),
    [
        ([0] * 8, 0, False),
        ([1, 1, 1, 1, 0, 0, 0, 0], 4, False),
        ([1, 1, 1, 1, 1, 0, 0, 0], 5, True),
        ([4] * 8, 32, True),
    ],
)
def test_adbb_total_and_default_cutoff_5(scores, total, above):
    result = score_adbb(scores)
    assert result.total == total
    assert result.above_cutoff is above


def test_adbb_cutoff_is_configurable():
    assert score_adbb([1] * 5 + [0] * 3, cutoff=6).above_cutoff is False


def test_adbb_rejects_out_of_range_items():
    with pytest.raises(ValueError):
        score_adbb([5] + [0] * 7)
    with pytest.raises(ValueError):
        score_adbb([0] * 7)


def test_adbb_ages_2_to_24_months_and_only_certified_users():
    assert [m for m in range(0, 30) if adbb_age_ok(m)] == list(range(2, 25))
    assert may_use_adbb({"adbb": True})
    assert not may_use_adbb({}) and not may_use_adbb(None) and not may_use_adbb({"adbb": False})


def test_every_pattern_of_item_10_across_both_parents():
    """Mother and father each answer item 10 in all four ways: urgent iff either is not never."""
    base = [0, 0, 3, 0, 3, 3, 3, 3, 3]
    for mother, father in product(range(4), repeat=2):
        m = score_epds("mor", base + [mother], 11)
        f = score_epds("far", base + [father], 10)
        assert (m.self_harm or f.self_harm) == (mother != 3 or father != 3)
