"""Login and password forms. Messages are Danish and stand next to the field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.auth.passwords import MIN_LENGTH
from app.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Skriv din e-mail.")), Email(_l("Skriv en gyldig e-mail."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Adgangskode"),
        validators=[DataRequired(_l("Skriv din adgangskode."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Ny adgangskode"),
        validators=[
            DataRequired(_l("Vælg en adgangskode.")),
            Length(min=MIN_LENGTH, message=_l("Mindst %(min)d tegn.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Gentag adgangskoden"),
        validators=[EqualTo("password", _l("De to adgangskoder er ikke ens."))],
        render_kw={"autocomplete": "new-password"},
    )
