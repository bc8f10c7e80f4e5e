"""CPR numbers: validation with python-stdnum, masking. Plain functions, no Flask.

Modulus-11 is not a validity rule (numbers without it are issued since 2007): at most a soft
warning. A CPR must agree with the child's birth date (including the century rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError


def N_(message: str) -> str:  # noqa: N802
    """Marks a message for translation without translating it here (no Flask in this module)."""
    return message


@dataclass
class CprCheck:
    number: str | None = None  # normalised, 10 digits
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise(value: str) -> str:
    return stdnum_cpr.compact(value or "")


def check(value: str, birth_date: date | None = None, today: date | None = None) -> CprCheck:
    """Validate a CPR number. Error texts are Danish msgids (translated by the caller's gettext)."""
    result = CprCheck()
    number = normalise(value)
    if not number.isdigit() or len(number) != 10:
        result.errors.append(N_("CPR-nummeret skal have 10 cifre (DDMMÅÅ-XXXX)."))
        return result
    try:
        born = stdnum_cpr.get_birth_date(number)
    except ValidationError:
        result.errors.append(N_("CPR-nummeret indeholder ikke en gyldig dato."))
        return result
    if today and born > today:
        result.errors.append(N_("CPR-nummerets fødselsdato ligger i fremtiden."))
    if birth_date and born != birth_date:
        result.errors.append(N_("CPR-nummeret passer ikke med fødselsdatoen."))
    if stdnum_cpr.checksum(number) != 0:
        result.warnings.append(
            N_(
                "CPR-nummeret opfylder ikke modulus 11. Det kan godt være rigtigt (numre udstedt "
                "siden 2007 gør ikke altid): kontrollér det."
            )
        )
    result.number = number if not result.errors else None
    return result


def mask(number: str | None) -> str:
    """DDMMÅÅ-XXXX: the birth date part is shown, the serial never."""
    if not number:
        return ""
    return f"{number[:6]}-XXXX"


def format_full(number: str | None) -> str:
    return f"{number[:6]}-{number[6:]}" if number else ""


def sex(number: str) -> str:
    """'pige' for an even last digit, 'dreng' for odd."""
    return "pige" if int(number[-1]) % 2 == 0 else "dreng"
