"""Growth against WHO 2006: z-scores checked against the published WHO tables, corrected age,
flags, plausibility and the chart geometry."""

from datetime import date, timedelta

import pytest

from app.visits.charts import build_chart
from app.visits.growth import (
    adjusted_length,
    centile,
    corrected_age,
    growth_flags,
    lines_crossed_down,
    make_point,
    plausibility,
    zscore,
)

SIX_MONTHS = 183  # WHO's tables give month 6 at 182.6 days


# Values from the WHO Child Growth Standards 2006 tables (weight-, length- and head
# circumference-for-age, z-scores, by month).
@pytest.mark.parametrize(
    ("measure", "sex", "value", "expected_z"),
    [
        ("weight", "dreng", 7.9, 0.0),  # boys 6 mo: median 7.9 kg
        ("weight", "dreng", 6.4, -2.0),  # boys 6 mo: -2 SD 6.4 kg
        ("weight", "dreng", 9.8, 2.0),  # boys 6 mo: +2 SD 9.8 kg
        ("weight", "pige", 7.3, 0.0),  # girls 6 mo: median 7.3 kg
        ("weight", "pige", 5.7, -2.0),  # girls 6 mo: -2 SD 5.7 kg
        ("length", "dreng", 67.6, 0.0),  # boys 6 mo: median 67.6 cm
        ("length", "dreng", 63.3, -2.0),  # boys 6 mo: -2 SD 63.3 cm
        ("length", "pige", 65.7, 0.0),  # girls 6 mo: median 65.7 cm
        ("head", "dreng", 43.3, 0.0),  # boys 6 mo: median 43.3 cm
        ("head", "pige", 44.8, 2.0),  # girls 6 mo: +2 SD 44.8 cm
        ("head", "pige", 39.6, -2.0),  # girls 6 mo: -2 SD 39.6 cm
    ],
)
def test_zscores_match_the_published_who_2006_tables(measure, sex, value, expected_z):
    z = zscore(measure, value, sex, SIX_MONTHS, position="liggende")
    assert z == pytest.approx(expected_z, abs=0.1)


def test_birth_weight_median_boy():
    assert zscore("weight", 3.3, "dreng", 0) == pytest.approx(0.0, abs=0.1)


def test_median_is_the_50th_centile_and_minus_2_sd_the_2nd():
    assert centile(0.0) == pytest.approx(50.0)
    assert centile(-2.0) == pytest.approx(2.3, abs=0.1)
    assert centile(None) is None


def test_no_zscore_outside_who_2006_or_without_sex():
    assert zscore("weight", 20.0, "dreng", 6 * 365) is None
    assert zscore("weight", 3.0, "dreng", -10) is None
    assert zscore("weight", 3.0, "ukendt", 10) is None


def test_corrected_age_for_a_premature_child_until_two_years():
    born = date(2025, 1, 1)
    age = corrected_age(born, born + timedelta(days=100), 32)
    assert age.corrected and age.chronological_days == 100 and age.days == 100 - 8 * 7
    later = corrected_age(born, date(2027, 1, 1), 32)
    assert not later.corrected and later.days == later.chronological_days


def test_no_correction_at_37_weeks_or_unknown_gestation():
    born = date(2025, 1, 1)
    assert not corrected_age(born, born + timedelta(days=50), 37).corrected
    assert not corrected_age(born, born + timedelta(days=50), None).corrected
    assert corrected_age(born, born + timedelta(days=50), 36).days == 50 - 28


def test_correction_changes_the_zscore():
    """A baby born at 32 weeks, 4 months old, weighing 5.0 kg: normal for 2 months corrected."""
    born = date(2025, 1, 1)
    on = born + timedelta(days=122)
    premature = make_point("weight", on, 5.0, born, 32, "pige")
    term = make_point("weight", on, 5.0, born, 40, "pige")
    assert premature.age.days == 122 - 56
    assert premature.z > term.z + 1


def test_before_term_equivalent_age_there_is_no_reference():
    born = date(2025, 1, 1)
    point = make_point("weight", born + timedelta(days=14), 1.9, born, 30, "dreng")
    assert point.age.days < 0 and point.z is None


def test_length_position_adjustment():
    assert adjusted_length(80.0, 400, "staaende") == pytest.approx(80.7)
    assert adjusted_length(90.0, 800, "liggende") == pytest.approx(89.3)
    assert adjusted_length(90.0, 800, "staaende") == 90.0


def test_lines_crossed_down():
    assert lines_crossed_down(0.1, -0.1) == 1
    assert lines_crossed_down(0.1, -0.8) == 2
    assert lines_crossed_down(0.0, -0.8) == 1  # starting on a line does not cross it
    assert lines_crossed_down(-1.0, 0.5) == 0


def _series(measure, sex, born, values_by_day, ga=40):
    return [
        make_point(measure, born + timedelta(days=d), v, born, ga, sex) for d, v in values_by_day
    ]


BORN = date(2024, 5, 1)


def test_flags_weight_below_minus_2_sd():
    series = {"weight": _series("weight", "dreng", BORN, [(183, 6.0)])}
    assert [f.code for f in growth_flags(series)] == ["below_minus_2"]


def test_flags_a_weight_fall_across_two_lines():
    # 50th centile at 2 months, then around the 9th at 6 months
    series = {"weight": _series("weight", "pige", BORN, [(61, 5.1), (183, 6.0)])}
    flags = growth_flags(series)
    assert [f.code for f in flags] == ["falling"]
    assert flags[0].lines >= 2


def test_newborn_weight_loss_is_not_a_fall():
    series = {"weight": _series("weight", "dreng", BORN, [(2, 3.3), (9, 3.0)])}
    assert growth_flags(series) == []


def test_steady_growth_gives_no_flags():
    series = {
        "weight": _series("weight", "dreng", BORN, [(30, 4.5), (61, 5.6), (183, 7.9)]),
        "length": _series("length", "dreng", BORN, [(30, 54.7), (61, 58.4), (183, 67.6)]),
        "head": _series("head", "dreng", BORN, [(30, 37.3), (61, 39.1), (183, 43.3)]),
    }
    assert growth_flags(series) == []


def test_flags_falling_head_circumference():
    series = {"head": _series("head", "dreng", BORN, [(30, 38.5), (183, 42.0)])}
    assert [f.code for f in growth_flags(series)] == ["head_falling"]


def test_plausibility_warns_far_from_the_reference():
    assert plausibility("weight", 12.0, BORN, BORN + timedelta(days=61), 40, "dreng") is not None
    assert plausibility("weight", 5.6, BORN, BORN + timedelta(days=61), 40, "dreng") is None
    # unknown sex: checked against both
    assert plausibility("length", 58.0, BORN, BORN + timedelta(days=61), 40, None) is None
    assert plausibility("length", 85.0, BORN, BORN + timedelta(days=61), 40, None) is not None


def test_chart_has_nine_centile_lines_and_the_childs_points_inside_the_plot():
    points = _series("weight", "dreng", BORN, [(30, 4.5), (61, 5.6), (183, 7.9)])
    chart = build_chart("weight", "dreng", points)
    assert sorted({label for label, _, _ in chart.lines}) == sorted(
        ["0,4", "2", "9", "25", "50", "75", "91", "98", "99,6"]
    )
    assert len(chart.dots) == 3 and chart.path.startswith("M")
    x0, y0, x1, y1 = chart.plot
    assert all(x0 <= cx <= x1 and y0 <= cy <= y1 for cx, cy, _ in chart.dots)
    assert chart.x_ticks[0][1] == "0" and chart.x_label == "måneder"


def test_chart_over_two_years_splits_lines_at_the_length_to_height_change():
    points = _series("length", "pige", BORN, [(300, 70.0), (900, 88.0)])
    chart = build_chart("length", "pige", points)
    assert sum(1 for label, _, _ in chart.lines if label == "50") == 2
