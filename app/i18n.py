"""Danish first, English selectable; Danish date formats everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, g, has_app_context, request, session
from flask_babel import get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

from app.clock import LOCAL_TZ
from app.extensions import babel


def _translations():
    """This request's translations, looked up once. Flask-Babel looks them up through several
    context proxies on every string (~40 µs), and a page renders a few hundred strings.

    Kept on Flask-Babel's own request state beside the locale they are for, so a block under
    force_locale (a push message in the user's language) gets that locale's, and the request's
    own again after it."""
    if not has_app_context():
        return get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        kept = getattr(state, "opspor_translations", None)
        locale = getattr(state, "babel_locale", None)
        if kept is not None and locale is not None and kept[0] is locale:
            return kept[1]
    translations = get_translations()  # sets the request's Flask-Babel state and locale
    state = g.get("_flask_babel")
    if state is not None and getattr(state, "babel_locale", None) is not None:
        state.opspor_translations = (state.babel_locale, translations)
    return translations


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext through the per-request lookup, for strings made per row."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when it is used (form labels, choices made at import)."""
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


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


# WTForms' own messages (a value that is not among the choices, a required field left empty, a
# number out of range) in the app's language: WTForms has no Danish catalogue, so a Danish user
# saw English. The Danish texts are the app's own strings; English gets them back from the app's
# catalogue. Keys: WTForms' messages (for plurals, the singular).
_WTFORMS = {
    "This field is required.": _l("Feltet skal udfyldes."),
    "Invalid input.": _l("Ugyldig værdi."),
    "Not a valid choice.": _l("Vælg en af mulighederne."),
    "Invalid Choice: could not coerce.": _l("Vælg en af mulighederne."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Vælg en af mulighederne."
    ),
    "'%(value)s' is not a valid choice for this field.": _l("Vælg en af mulighederne."),
    "Not a valid date value.": _l("Angiv en gyldig dato."),
    "Not a valid time value.": _l("Angiv et gyldigt klokkeslæt."),
    "Not a valid datetime value.": _l("Angiv en gyldig dato og et gyldigt klokkeslæt."),
    "Not a valid integer value.": _l("Angiv et helt tal."),
    "Not a valid decimal value.": _l("Angiv et tal."),
    "Not a valid float value.": _l("Angiv et tal."),
    "Number must be at least %(min)s.": _l("Tallet skal være mindst %(min)s."),
    "Number must be at most %(max)s.": _l("Tallet må højst være %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l(
        "Tallet skal være mellem %(min)s og %(max)s."
    ),
    "Field must be at least %(min)d character long.": _l("Skriv mindst %(min)d tegn."),
    "Field cannot be longer than %(max)d character.": _l("Højst %(max)d tegn."),
    "Field must be exactly %(max)d character long.": _l("Skriv præcis %(max)d tegn."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Skriv mellem %(min)d og %(max)d tegn."
    ),
    "Invalid email address.": _l("Angiv en gyldig e-mailadresse."),
    "Invalid UUID.": _l("Ugyldigt id."),
}


class _WTFormsMessages:
    """The translations object Flask-WTF asks for WTForms' messages (see init_app)."""

    def ugettext(self, string: str) -> str:
        found = _WTFORMS.get(string)
        return str(found) if found is not None else string

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        if singular in _WTFORMS:
            return self.ugettext(singular)
        return singular if n == 1 else plural


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Templates' _() and ngettext() through the per-request lookup (replacing Flask-Babel's).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.before_request
    def _wtforms_messages() -> None:
        # Flask-WTF takes the request's `wtforms_translations` before loading WTForms' own.
        request.wtforms_translations = _WTFormsMessages()

    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["format_age"] = format_age

    @app.context_processor
    def _locale():
        return {"current_locale": select_locale(), "request_path": request.path}
