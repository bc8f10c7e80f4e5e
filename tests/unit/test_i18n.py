"""Ages as health visitors say them, and Danish dates in the municipality's time zone."""

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import format_age, format_date, format_datetime

BIRTH = date(2024, 1, 31)

# Pure functions: no deadline, so a busy 2-core CI machine cannot make them flaky.
relaxed = settings(deadline=None)


def at(days: int) -> str:
    return format_age(BIRTH, BIRTH + timedelta(days=days))


def test_the_first_two_weeks_in_days():
    assert at(0) == "født i dag"
    assert at(1) == "1 dag"
    assert at(13) == "13 dage"


def test_weeks_until_three_months():
    assert at(14) == "2 uger"
    assert at(20) == "2 uger"
    assert at(21) == "3 uger"
    assert format_age(date(2024, 1, 15), date(2024, 4, 14)) == "12 uger"


def test_months_from_three_months_until_two_years():
    assert format_age(date(2024, 1, 15), date(2024, 4, 15)) == "3 måneder"
    assert format_age(date(2024, 1, 15), date(2026, 1, 14)) == "23 måneder"


def test_years_and_months_from_two_years():
    assert format_age(date(2024, 1, 15), date(2026, 1, 15)) == "2 år"
    assert format_age(date(2020, 5, 10), date(2026, 2, 9)) == "5 år og 8 mdr."


def test_a_month_is_complete_on_the_same_day_number():
    """Born 31 January: on 29 February the child is not yet a month older."""
    assert format_age(date(2022, 1, 31), date(2024, 2, 29)) == "2 år"
    assert format_age(date(2022, 1, 31), date(2024, 3, 1)) == "2 år og 1 mdr."
    assert format_age(date(2023, 2, 28), date(2025, 2, 27)) == "23 måneder"


def test_a_birth_date_in_the_future():
    assert format_age(date(2030, 1, 1), date(2029, 12, 31)) == "ikke født endnu"


def _months(text: str) -> float:
    """The age a text says, in months (for ordering)."""
    if text == "født i dag":
        return 0
    if m := re.fullmatch(r"(\d+) dage?", text):
        return int(m.group(1)) / 30.5
    if m := re.fullmatch(r"(\d+) uger?", text):
        return int(m.group(1)) * 7 / 30.5
    if m := re.fullmatch(r"(\d+) måneder", text):
        return int(m.group(1))
    if m := re.fullmatch(r"(\d+) år(?: og (\d+) mdr\.)?", text):
        return int(m.group(1)) * 12 + int(m.group(2) or 0)
    raise AssertionError(f"unexpected age text {text!r}")


@relaxed
@given(
    born=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=7 * 365),
)
def test_every_age_is_one_of_the_forms_and_fits_its_range(born, days):
    text = format_age(born, born + timedelta(days=days))
    months = _months(text)
    if days < 14:
        assert "dag" in text or text == "født i dag"
    elif months < 3:
        assert "uge" in text
        assert int(text.split()[0]) == days // 7
    elif "måneder" in text:
        assert 3 <= months < 24
    else:
        assert "år" in text and months >= 24 and days >= 365 * 2 - 1


@relaxed
@given(
    born=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=7 * 365),
)
def test_age_never_goes_backwards(born, days):
    today = born + timedelta(days=days)
    tomorrow = today + timedelta(days=1)
    assert _months(format_age(born, tomorrow)) >= _months(format_age(born, today)) - 1e-9


@relaxed
@given(
    born=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    years=st.integers(min_value=2, max_value=6),
)
def test_a_birthday_from_two_years_on_is_whole_years(born, years):
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return
    assert format_age(born, birthday) == f"{years} år"


def test_dates_are_danish():
    assert format_date(date(2026, 3, 2)) == "02.03.2026"
    assert format_date(None) == "" and format_datetime(None) == ""


def test_times_are_shown_in_the_municipalitys_time_zone():
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 March in Copenhagen (CET)
    assert format_date(late) == "02.03.2026"
    assert format_datetime(late) == "02.03.2026 kl. 00:30"
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # CEST, UTC+2
    assert format_datetime(summer) == "01.07.2026 kl. 14:00"


def test_naive_times_from_the_database_are_read_as_utc():
    """SQLite hands back stored UTC times without a time zone."""
    assert format_datetime(datetime(2026, 7, 1, 12, 0)) == "01.07.2026 kl. 14:00"
    assert format_date(datetime(2026, 12, 31, 23, 30)) == "01.01.2027"


@relaxed
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_any_time_formats_as_dd_mm_yyyy(value):
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", format_date(value.replace(tzinfo=UTC)))
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} kl\. \d\d:\d\d", format_datetime(value))


def test_the_per_request_translations_follow_force_locale(app):
    """Strings are looked up once per request, but a block under force_locale (a push message
    in the recipient's language) still gets its own locale, and the request's after it."""
    from flask import render_template_string
    from flask_babel import force_locale

    from app.i18n import gettext, lazy_gettext

    label = lazy_gettext("Mine børn")
    with app.test_request_context("/"):
        assert gettext("Mine børn") == "Mine børn"
        with force_locale("en"):
            assert gettext("Mine børn") == "My children"
            assert str(label) == "My children"
            assert render_template_string("{{ _('Mine børn') }}") == "My children"
        assert gettext("Mine børn") == "Mine børn" == str(label)
        assert render_template_string("{{ _('Mine børn') }}") == "Mine børn"
