"""Danish first, English selectable; Danish date formats everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, request, session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.clock import LOCAL_TZ
from app.extensions import babel


def select_locale() -> str:
    languages = ("da", "en")
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return "da"


def _local(value: datetime) -> datetime:
    """In the municipality's time zone. Stored times are UTC; SQLite hands them back naive."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def format_date(value: date | datetime | None) -> str:
    """dd.mm.åååå, the Danish way."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return _local(value).strftime("%d.%m.%Y kl. %H:%M")


def format_age(birth_date: date, on: date) -> str:
    """Age as a health visitor says it: days for the first two weeks, weeks under 3 months,
    months under 2 years, then years (and months)."""
    days = (on - birth_date).days
    if days < 0:
        return _("ikke født endnu")
    if days == 0:
        return _("født i dag")
    if days < 14:
        return ngettext("%(num)d dag", "%(num)d dage", days)
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    if months < 3:
        return ngettext("%(num)d uge", "%(num)d uger", days // 7)
    if months < 24:
        return _("%(n)s måneder", n=months)
    years, rest = divmod(months, 12)
    if rest == 0:
        return _("%(n)s år", n=years)
    return _("%(y)s år og %(m)s mdr.", y=years, m=rest)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["format_age"] = format_age

    @app.context_processor
    def _locale():
        return {"current_locale": select_locale(), "request_path": request.path}
