"""Rules of the visit record that are not about growth or screening. Pure functions."""

from __future__ import annotations

from datetime import date

from app.visits.valuesets import INDICATORS, MEASURING_CONTACT_FORMS, TWO_MONTH_VISIT

MEASURES = ("weight", "length", "head")
# Measures the ~2-month visit must have (national reporting: weight and length).
REQUIRED_AT_TWO_MONTHS = ("weight", "length")


def measurement_rule(measure: str, visit_type: str, contact_form: str) -> str:
    """What the record needs for `measure`:

    - "value": a measured value (the ~2-month visit's weight and length);
    - "value_or_reason": a value or why it was not measured (the child is present);
    - "optional": nothing (a phone or video contact).
    """
    if visit_type == TWO_MONTH_VISIT and measure in REQUIRED_AT_TWO_MONTHS:
        return "value"
    if contact_form in MEASURING_CONTACT_FORMS:
        return "value_or_reason"
    return "optional"


def age_in_months(birth_date: date, on: date) -> int:
    """Completed months of age."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return months


def indicator_concerns(indicators: dict[str, str]) -> list[str]:
    """Codes of indicators observed at their most serious level (for the child page)."""
    found = []
    for indicator in INDICATORS:
        level = indicators.get(indicator.code)
        if level not in (None, "") and int(level) == len(indicator.levels) - 1:
            found.append(indicator.code)
    return found
