"""The quiet-hours form and the one-button forms (each POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.i18n import lazy_gettext as _l

HOURS = [SelectChoice(h, f"{h:02d}:00") for h in range(24)]


class QuietHoursForm(FlaskForm):
    quiet_start = SelectField(
        _l("Ingen påmindelser fra kl."),
        choices=HOURS,
        coerce=int,
        validators=[InputRequired(_l("Vælg et klokkeslæt."))],
    )
    quiet_end = SelectField(
        _l("til kl."),
        choices=HOURS,
        coerce=int,
        validators=[InputRequired(_l("Vælg et klokkeslæt."))],
    )
    quiet_weekends = BooleanField(_l("Ingen påmindelser i weekenden"))


class ButtonForm(FlaskForm):
    """A form with only the CSRF token: remove a device, send a test, mark all read."""
