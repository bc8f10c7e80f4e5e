"""Helpers for the administration tests: synthetic CPR numbers and form data."""

from __future__ import annotations

from datetime import date

from stdnum.dk import cpr as stdnum_cpr

from app import clock


def synthetic_cpr(born: date, *, modulus_ok: bool = True) -> str:
    """A CPR-like number for `born` (2000–2036, century digit 4), with or without modulus 11."""
    for serial in range(4000, 5000):
        number = born.strftime("%d%m%y") + f"{serial:04d}"
        if (stdnum_cpr.checksum(number) == 0) == modulus_ok:
            return number
    raise AssertionError("no serial found")


def registration(unit_id: int, born: date, **overrides) -> dict:
    """The registration form as a browser posts it (ISO dates from <input type=date>)."""
    data = {
        "first_name": "Alma",
        "last_name": "Testesen",
        "birth_date": born.isoformat(),
        "cpr": "",
        "gestational_age_weeks": "",
        "enrolment-unit_id": str(unit_id),
        "enrolment-dagplejer_id": "0",
        "enrolment-start_date": clock.today().isoformat(),
        "enrolment-note": "",
        "guardian-name": "Bodil Testesen",
        "guardian-relation": "mor",
        "guardian-phone": "+45 20 30 40 50",
        "guardian-email": "bodil.testesen@example.com",
        "guardian-address": "Prøvevej 1, 9999 Egeskov",
        "guardian-language": "dansk",
        "guardian-has_custody": "y",
    }
    data.update(overrides)
    return data
