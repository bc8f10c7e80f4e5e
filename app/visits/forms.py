"""The visit record form (also validates sync payloads) and the small planning forms.

The field names are the sync payload's names: see README "Sundhedspleje" and services.py.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from functools import cached_property

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from app import clock
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.visits import rules
from app.visits.screening import ADBB_ITEMS, ADBB_LEVELS, EPDS_ITEMS, PARENTS, adbb_age_ok
from app.visits.valuesets import (
    CONTACT_FORMS,
    FEEDING,
    INDICATORS,
    LENGTH_POSITIONS,
    MISSING_REASONS,
    NOT_DONE_REASONS,
    PRESENT,
    SEXES,
    VISIT_TYPES,
)

FORM_VERSION = 1
MEASURE_FIELDS = {"weight": "weight_g", "length": "length_cm", "head": "head_cm"}
# Lazy, like the messages below that only an invalid form shows: validating a sync batch's
# forms should not translate what no one reads.
MEASURE_LABELS = {"weight": _l("Vægt"), "length": _l("Længde"), "head": _l("Hovedomfang")}
ADBB_INCOMPLETE = _l("Udfyld alle 8 punkter eller ingen.")
EPDS_INCOMPLETE = _l("Besvar alle 10 spørgsmål, eller lad skemaet stå tomt.")


def _choices(values: dict[str, str], blank=None) -> list[SelectChoice]:
    choices = [SelectChoice(code, _l(label)) for code, label in values.items()]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


class _FixedCodes:
    """The field's valid codes, found once per bound field rather than at every validation (a
    sync batch validates one bound form for each of its items)."""

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(c.value for c in self.choices)


class CodeSelectField(_FixedCodes, SelectField):
    """A select of fixed codes."""

    def pre_validate(self, form):
        if not self.process_errors and self.validate_choice and self.data not in self.codes:
            raise ValidationError(_("Vælg en af mulighederne."))


class OptionalRadioField(_FixedCodes, RadioField):
    """A radio group that may be left unanswered (stored as "")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data not in (None, "") and self.data not in self.codes:
            raise ValidationError(_("Vælg en af mulighederne."))


class DecimalCommaField(Field):
    """A number with at most one decimal, written the Danish way (61,5) or with a point."""

    widget = TextInput()

    def __init__(self, *args, minimum: float, maximum: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        # The correction form passes "" for a measurement not taken (a reason instead).
        if self.data is None or self.data == "":
            return ""
        return f"{self.data:.1f}".replace(".", ",")

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if not text:
            return
        try:
            value = float(text)
        except ValueError as exc:
            raise ValueError(_("Skriv et tal med højst én decimal, fx 61,5.")) from exc
        if round(value, 1) != value:
            raise ValueError(_("Skriv et tal med højst én decimal, fx 61,5."))
        self.data = value

    def pre_validate(self, form):
        # ValidationError, not ValueError: WTForms turns only that into a field error here.
        if self.data is not None and not self.minimum <= self.data <= self.maximum:
            raise ValidationError(
                _(
                    "Skriv et tal mellem %(a)s og %(b)s.",
                    a=f"{self.minimum:g}".replace(".", ","),
                    b=f"{self.maximum:g}".replace(".", ","),
                )
            )


WEIGHT_RANGE = _l("Skriv vægten i gram, fx 5230.")
WHOLE_GRAMS = re.compile(r"\d+|\d{1,3}(?:[. ]\d{3})+", re.ASCII)


class GramsField(IntegerField):
    """Whole grams; accepts "5230", "5.230" and "5 230". A text input (inputmode numeric in the
    template): a number input silently drops "kg" and reads "6,4" as 64."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not WHOLE_GRAMS.fullmatch(text):
            raise ValueError(_("Skriv vægten i hele gram, f.eks. 6400."))
        digits = text.replace(".", "").replace(" ", "")
        if len(digits) > 9:  # far out of range (and int() refuses thousands of digits)
            raise ValueError(WEIGHT_RANGE)
        self.data = int(digits)


class VisitForm(FlaskForm):
    """Set `form.child`, `form.may_use_adbb` and, when correcting, `form.recorded_adbb` (the
    record's ADBB scores) before validating."""

    class Meta:
        csrf = False  # the HTML POST is protected by CSRFProtect; sync has its own token check

    uuid = HiddenField(validators=[DataRequired(), Length(max=36)])
    child_id = HiddenField(validators=[DataRequired()])
    form_version = HiddenField(default=str(FORM_VERSION))
    base_version = HiddenField()
    planned_visit_id = HiddenField()
    correction_reason = TextAreaField(_l("Hvorfor rettes registreringen?"), [Optional()])

    visit_type = CodeSelectField(_l("Besøgstype"), choices=_choices(VISIT_TYPES))
    contact_form = RadioField(
        _l("Kontaktform"), choices=_choices(CONTACT_FORMS), default="hjemmebesoeg"
    )
    visit_date = DateField(_l("Dato"), [InputRequired(_l("Angiv datoen."))])
    visit_time = TimeField(_l("Klokkeslæt"), [Optional()])
    present_note = StringField(_l("Andre til stede (hvem)"), [Optional(), Length(max=200)])
    sex = CodeSelectField(
        _l("Barnets køn (til vækstkurverne)"), choices=_choices(SEXES, _l("Ukendt")), default=""
    )

    weight_g = GramsField(
        _l("Vægt (gram)"),
        [Optional(), NumberRange(300, 40000, WEIGHT_RANGE)],
    )
    weight_reason = CodeSelectField(
        _l("Hvis vægten ikke er målt: hvorfor"),
        choices=_choices(MISSING_REASONS, _l("Vægten er målt")),
        default="",
    )
    length_cm = DecimalCommaField(_l("Længde (cm, én decimal)"), minimum=30, maximum=130)
    length_position = OptionalRadioField(_l("Målt"), choices=_choices(LENGTH_POSITIONS))
    length_reason = CodeSelectField(
        _l("Hvis længden ikke er målt: hvorfor"),
        choices=_choices(MISSING_REASONS, _l("Længden er målt")),
        default="",
    )
    head_cm = DecimalCommaField(_l("Hovedomfang (cm, én decimal)"), minimum=20, maximum=60)
    head_reason = CodeSelectField(
        _l("Hvis hovedomfanget ikke er målt: hvorfor"),
        choices=_choices(MISSING_REASONS, _l("Hovedomfanget er målt")),
        default="",
    )

    feeding = CodeSelectField(
        _l("Ernæring"), choices=_choices(FEEDING, _l("Ikke vurderet")), default=""
    )
    observations = TextAreaField(_l("Observationer og notat"), [Optional(), Length(max=10000)])
    urgent_action = TextAreaField(_l("Hvad har du gjort i dag?"), [Optional(), Length(max=4000)])

    # Filled in below: present_<code>, ind_<code>, adbb_<code>, epds_<parent>_<n>.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = None
        self.may_use_adbb = False
        self.recorded_adbb: list[int] | None = None

    # Groups of dynamic fields, for templates and services.
    def present_fields(self):
        return [self[f"present_{code}"] for code in PRESENT]

    def indicator_fields(self):
        return [(i, self[f"ind_{i.code}"]) for i in INDICATORS]

    def adbb_fields(self):
        return [self[f"adbb_{code}"] for code, _label in ADBB_ITEMS]

    def epds_fields(self, parent: str):
        return [self[f"epds_{parent}_{item.number}"] for item in EPDS_ITEMS]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        try:
            uuidlib.UUID(self.uuid.data or "")
        except ValueError:
            self.uuid.errors = [*self.uuid.errors, _("Ugyldigt id.")]
            ok = False
        ok = self._check_date() and ok
        ok = self._check_measurements() and ok
        ok = self._check_complete(self.adbb_fields(), ADBB_INCOMPLETE) and ok
        for parent in PARENTS:
            ok = self._check_complete(self.epds_fields(parent), EPDS_INCOMPLETE) and ok
        ok = self._check_adbb() and ok
        return ok

    def _error(self, field, message) -> bool:
        field.errors = [*field.errors, message]
        return False

    def _check_date(self) -> bool:
        day = self.visit_date.data
        if day is None:
            return True
        if day > clock.today():
            return self._error(self.visit_date, _("Datoen ligger i fremtiden."))
        if (
            self.child is not None
            and day < self.child.birth_date
            and self.visit_type.data != ("graviditet")
        ):
            return self._error(self.visit_date, _("Datoen ligger før barnets fødsel."))
        return True

    def _check_measurements(self) -> bool:
        ok = True
        for measure, name in MEASURE_FIELDS.items():
            value, reason = self[name], self[f"{measure}_reason"]
            rule = rules.measurement_rule(measure, self.visit_type.data, self.contact_form.data)
            label = MEASURE_LABELS[measure]
            if value.data is not None and reason.data:
                ok = self._error(reason, _("Angiv enten en måling eller hvorfor den mangler."))
            elif rule == "value" and value.data is None:
                ok = self._error(
                    value, _("%(what)s skal måles ved besøget ved ca. 2 måneder.", what=label)
                )
            elif rule == "value_or_reason" and value.data is None and not reason.data:
                ok = self._error(
                    value,
                    _("Skriv %(what)s, eller vælg hvorfor det ikke er målt.", what=label.lower()),
                )
        if self.length_cm.data is not None and not self.length_position.data:
            ok = self._error(
                self.length_position, _("Angiv om barnet er målt liggende eller stående.")
            )
        return ok

    def _check_complete(self, fields, message) -> bool:
        answered = [f for f in fields if f.data not in (None, "")]
        if answered and len(answered) != len(fields):
            for f in fields:
                if f.data in (None, ""):
                    self._error(f, message)
            return False
        return True

    def _check_adbb(self) -> bool:
        fields = self.adbb_fields()
        if not self.may_use_adbb and self.recorded_adbb:
            # A correction by someone not certified: the recorded scores stay as they are.
            if [f.data for f in fields] == [str(score) for score in self.recorded_adbb]:
                return True
            return self._error(
                fields[0],
                _(
                    "ADBB-scorerne kan kun ændres af en medarbejder, der er certificeret i ADBB. "
                    "De registrerede scorer er bevaret."
                ),
            )
        if not any(f.data not in (None, "") for f in fields):
            return True
        if not self.may_use_adbb:
            return self._error(
                fields[0], _("Kun medarbejdere certificeret i ADBB kan registrere ADBB.")
            )
        if self.child is not None and self.visit_date.data is not None:
            months = rules.age_in_months(self.child.birth_date, self.visit_date.data)
            if not adbb_age_ok(months):
                return self._error(fields[0], _("ADBB bruges til børn på 2–24 måneder."))
        return True


for _code, _label in PRESENT.items():
    setattr(VisitForm, f"present_{_code}", BooleanField(_l(_label)))
for _indicator in INDICATORS:
    setattr(
        VisitForm,
        f"ind_{_indicator.code}",
        OptionalRadioField(
            _l(_indicator.label),
            choices=[SelectChoice(str(i), _l(level)) for i, level in enumerate(_indicator.levels)]
            + [SelectChoice("", _l("Ikke vurderet"))],
        ),
    )
for _code, _label in ADBB_ITEMS:
    setattr(
        VisitForm,
        f"adbb_{_code}",
        CodeSelectField(
            _l(_label),
            choices=[SelectChoice("", _l("—"))]
            + [SelectChoice(str(i), _l(level)) for i, level in enumerate(ADBB_LEVELS)],
            default="",
        ),
    )
for _parent in PARENTS:
    for _item in EPDS_ITEMS:
        setattr(
            VisitForm,
            f"epds_{_parent}_{_item.number}",
            OptionalRadioField(
                _l(_item.text),
                choices=[
                    SelectChoice(str(pos), _l(text))
                    for pos, (text, _score) in enumerate(_item.options)
                ],
            ),
        )


def not_in_the_past(form, field) -> None:
    """A visit is planned for today or later."""
    if field.data and field.data < clock.today():
        raise ValidationError(_("Datoen ligger i fortiden. Vælg i dag eller en senere dato."))


class MoveForm(FlaskForm):
    planned_date = DateField(_l("Ny dato"), [InputRequired(_l("Angiv datoen.")), not_in_the_past])
    planned_time = TimeField(_l("Klokkeslæt"), [Optional()])
    reason = TextAreaField(
        _l("Hvorfor flyttes besøget?"), [DataRequired(_l("Skriv hvorfor.")), Length(max=2000)]
    )


class NotDoneForm(FlaskForm):
    not_done_reason = SelectField(
        _l("Årsag"), choices=_choices(NOT_DONE_REASONS, _l("Vælg årsag")), default=""
    )
    note = TextAreaField(_l("Uddybning"), [Optional(), Length(max=2000)])

    def validate_not_done_reason(self, field):
        if not field.data:
            raise ValidationError(_("Vælg hvorfor besøget ikke blev gennemført."))


class NeedsVisitForm(FlaskForm):
    planned_date = DateField(_l("Dato"), [InputRequired(_l("Angiv datoen.")), not_in_the_past])
    planned_time = TimeField(_l("Klokkeslæt"), [Optional()])
    reason = TextAreaField(
        _l("Hvorfor er der behov for besøget?"),
        [DataRequired(_l("Skriv hvorfor.")), Length(max=2000)],
    )


class UrgentActionForm(FlaskForm):
    urgent_action = TextAreaField(
        _l("Hvad har du gjort i dag?"),
        [DataRequired(_l("Skriv hvad du har gjort.")), Length(max=4000)],
    )
