"""CPR validation: format, real date, century rule, birth-date agreement; modulus-11 only warns."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.children import cpr


def _number(born: date, serial: int) -> str:
    return born.strftime("%d%m%y") + f"{serial:04d}"


def test_valid_number_agrees_with_birth_date():
    check = cpr.check("010120-4000", date(2020, 1, 1))
    assert check.ok and check.number == "0101204000"


def test_modulus_11_failure_is_only_a_warning():
    number = "0101204001"
    assert cpr.check(number).ok
    assert cpr.check(number).warnings


def test_impossible_date_is_rejected():
    assert cpr.check("310220-4000").errors == ["CPR-nummeret indeholder ikke en gyldig dato."]


def test_wrong_length_is_rejected():
    assert not cpr.check("12345").ok


def test_mismatch_with_birth_date_is_rejected():
    check = cpr.check("010120-4000", date(2020, 1, 2))
    assert "CPR-nummeret passer ikke med fødselsdatoen." in check.errors


def test_century_rule_1900s_for_digit_0_to_3():
    assert not cpr.check("010120-0000", date(2020, 1, 1)).ok  # digit 7 = 0 → 1920
    assert cpr.check("010120-0000", date(1920, 1, 1)).ok


def test_future_birth_date_is_rejected():
    assert (
        "CPR-nummerets fødselsdato ligger i fremtiden."
        in cpr.check("010135-4000", today=date(2026, 1, 1)).errors
    )


def test_mask_never_shows_the_serial():
    assert cpr.mask("0101204000") == "010120-XXXX"
    assert cpr.mask(None) == ""


@given(
    born=st.dates(min_value=date(2000, 1, 1), max_value=date(2036, 12, 31)),
    serial=st.integers(min_value=4000, max_value=4999)
    | st.integers(min_value=9000, max_value=9999),
)
def test_any_2000s_number_with_digit_4_or_9_agrees_with_its_date(born, serial):
    """Digit 7 = 4 or 9 with YY ≤ 36 is a 2000s birth; modulus-11 never rejects."""
    check = cpr.check(_number(born, serial), born, today=date(2037, 1, 1))
    assert check.ok, check.errors


@given(
    born=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)), days=st.integers(1, 400)
)
def test_any_other_birth_date_is_a_mismatch(born, days):
    number = _number(born, 4321)
    assert not cpr.check(number, born + timedelta(days=days), today=date(2037, 1, 1)).ok
