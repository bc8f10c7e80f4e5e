"""The one place that knows what day it is in the municipality, so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def local_now() -> datetime:
    return now().astimezone(LOCAL_TZ)


def today() -> date:
    return local_now().date()


def freeze(moment: datetime | None) -> None:
    """Tests: pin the clock (timezone-aware), or release it with None."""
    global _frozen
    _frozen = moment


def local_date(moment: datetime) -> date:
    """The municipality's calendar day of a stored moment (SQLite gives naive UTC back)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """The start of the municipality's `day`, in UTC: compare stored moments with it."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)
