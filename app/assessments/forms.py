"""The assessment form. The same form validates the HTML POST and an offline payload."""

from __future__ import annotations

import uuid as uuid_module
from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app import clock
from app.assessments.positions import Position
from app.assessments.rules import BAND_CODES, justification_required
from app.i18n import lazy_gettext as _l

AREA_CODES = ("psykisk", "kognitiv", "social", "fysisk")
NOTE_FIELDS = tuple(f"note_{code}" for code in AREA_CODES)
TEXT_MAX = 4000
POSITION_VALUES = frozenset(p.value for p in Position)
_TEXT = Length(max=TEXT_MAX, message=_l("Højst %(max)d tegn."))


class DanishDateField(StringField):
    """A native date input (yyyy-mm-dd); also accepts dd.mm.åååå. Errors in Danish."""

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            return
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
            try:
                self.data = datetime.strptime(self.raw, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError(_l("Skriv en gyldig dato (dd.mm.åååå)."))

    def _value(self):
        if self.data:
            return self.data.isoformat()
        return getattr(self, "raw", "") or ""


class AssessmentForm(FlaskForm):
    uuid = HiddenField()
    child_id = HiddenField()
    form_version = HiddenField()
    kind = HiddenField(default="individual")
    age_band = HiddenField()
    supersedes = HiddenField()  # uuid of the version a correction replaces
    base_version = HiddenField()

    assessed_on = DanishDateField(
        _l("Dato for vurderingen"),
        validators=[InputRequired(_l("Skriv datoen for vurderingen."))],
        render_kw={"type": "date"},
    )
    with_parents = BooleanField(_l("Vurderingen er lavet sammen med forældrene"))
    participants = StringField(
        _l("Deltagere i den fælles vurdering"),
        validators=[Optional(), Length(max=300, message=_l("Højst %(max)d tegn."))],
    )
    indicators = SelectMultipleField(
        _l("Tegn du ser hos barnet"), choices=[], validate_choice=False
    )
    note_psykisk = TextAreaField(_l("Note om psykisk og emotionel trivsel"), validators=[_TEXT])
    note_kognitiv = TextAreaField(_l("Note om kognitiv trivsel"), validators=[_TEXT])
    note_social = TextAreaField(_l("Note om social trivsel"), validators=[_TEXT])
    note_fysisk = TextAreaField(_l("Note om fysisk og sansemotorisk trivsel"), validators=[_TEXT])
    position = RadioField(
        _l("Barnets position"),
        choices=[SelectChoice(p.value, p.value) for p in Position],
        validators=[InputRequired(_l("Vælg barnets position."))],
        validate_choice=False,
    )
    justification = TextAreaField(
        _l("Kort begrundelse"),
        validators=[_TEXT],
    )
    parents_discussed_on = DanishDateField(
        _l("Drøftet med forældrene den"), validators=[Optional()], render_kw={"type": "date"}
    )
    parents_discussed_how = SelectField(_l("Hvordan"), choices=[], validate_choice=False)
    parents_view = TextAreaField(
        _l("Forældrenes egen vurdering og ord"),
        validators=[_TEXT],
    )
    correction_reason = TextAreaField(
        _l("Hvorfor rettes vurderingen?"),
        validators=[_TEXT],
    )

    def __init__(self, *args, birth_date: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date

    def configure(self, schema, band: str) -> None:
        """Indicator and 'how' choices from the form definition for the child's age band."""
        self.indicators.choices = [SelectChoice(i.code, i.text) for i in schema.indicators(band)]
        self.parents_discussed_how.choices = [SelectChoice("", _l("Vælg …"))] + [
            SelectChoice(h, h) for h in schema.parents_how
        ]

    def validate_uuid(self, field):
        try:
            uuid_module.UUID(field.data or "")
        except ValueError:
            raise ValidationError(_l("Formularen mangler sit id. Hent den igen.")) from None

    def validate_kind(self, field):
        if field.data not in ("individual", "joint"):
            raise ValidationError(_l("Ukendt type vurdering."))

    def validate_age_band(self, field):
        if field.data not in BAND_CODES:
            raise ValidationError(_l("Ukendt aldersgruppe."))

    def validate_assessed_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Datoen kan ikke ligge i fremtiden."))
        if field.data and self.birth_date and field.data < self.birth_date:
            raise ValidationError(_l("Datoen ligger før barnets fødsel."))

    def validate_parents_discussed_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Datoen kan ikke ligge i fremtiden."))

    def validate_position(self, field):
        if field.data and field.data not in POSITION_VALUES:
            raise ValidationError(_l("Vælg barnets position."))

    def validate_justification(self, field):
        position = self.position.data if self.position.data in POSITION_VALUES else None
        if justification_required(position) and not (field.data or "").strip():
            raise ValidationError(_l("Skriv en kort begrundelse for gul eller rød position."))

    def validate_indicators(self, field):
        allowed = {choice.value for choice in self.indicators.choices}
        if set(field.data or []) - allowed:
            raise ValidationError(_l("Et af tegnene findes ikke i skemaet. Hent formularen igen."))

    def validate_correction_reason(self, field):
        if self.supersedes.data and not (field.data or "").strip():
            raise ValidationError(_l("Skriv hvorfor vurderingen rettes."))

    def notes(self) -> dict[str, str]:
        return {
            code: (getattr(self, f"note_{code}").data or "").strip()
            for code in AREA_CODES
            if (getattr(self, f"note_{code}").data or "").strip()
        }
