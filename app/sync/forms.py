"""Choosing how a conflict ends."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.i18n import lazy_gettext as _l


class ResolveForm(FlaskForm):
    choice = RadioField(
        _l("Hvilken version skal gælde?"),
        choices=[
            SelectChoice("server", _l("Behold serverens version")),
            SelectChoice("offline", _l("Brug offline-versionen")),
            SelectChoice("merged", _l("Flet: serverens version med de felter, jeg har markeret")),
        ],
        validators=[InputRequired(_l("Vælg hvilken version der skal gælde."))],
    )
    reason = TextAreaField(
        _l("Begrundelse"),
        description=_l("Hvorfor registreringen rettes. Kræves, når offline-versionen bruges."),
        validators=[Optional(), Length(max=1000)],
    )
