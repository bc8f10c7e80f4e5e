"""Administration forms. Danish messages stand next to the field; choices are set by the view.

WTForms has no Danish catalogue, so every built-in message is given here in Danish.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from app.admin.labels import RELATION_LABELS, ROLE_LABELS, UNIT_KIND_LABELS
from app.i18n import lazy_gettext as _l

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]
NONE = 0  # the "no choice" value of an integer select
PHONE = r"^\+?[0-9][0-9 ]{6,18}$"
RELATIONS = [SelectChoice(code, label) for code, label in RELATION_LABELS.items()]


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def date_field(label, required: bool = True, **kwargs) -> DateField:
    first = ([InputRequired(_l("Skriv en dato."))] if required else [Optional()]) + kwargs.pop(
        "validators", []
    )
    return DateField(
        label,
        first,
        format=DATE_FORMATS,
        invalid_value_message=_l("Skriv en gyldig dato (dd.mm.åååå)."),
        **kwargs,
    )


def id_select(label, required_message=None, **kwargs) -> SelectField:
    """A select of database ids; 0 is the empty choice."""
    validators = [NumberRange(min=1, message=required_message)] if required_message else []
    return SelectField(
        label,
        validators,
        coerce=int,
        default=NONE,  # a select left out of the post counts as "no choice"
        invalid_choice_message=_l("Vælg en af mulighederne."),
        invalid_value_message=_l("Vælg en af mulighederne."),
        **kwargs,
    )


class ActionForm(FlaskForm):
    """One-button actions: only the CSRF token (and the row version where it matters)."""

    version = HiddenField()


# ---- units --------------------------------------------------------------------------------


class AreaForm(FlaskForm):
    area_name = StringField(
        _l("Navn på området"),
        [DataRequired(_l("Skriv et navn.")), Length(max=120, message=_l("Højst 120 tegn."))],
    )


class UnitForm(FlaskForm):
    name = StringField(
        _l("Navn"),
        [DataRequired(_l("Skriv enhedens navn.")), Length(max=120, message=_l("Højst 120 tegn."))],
    )
    kind = SelectField(
        _l("Type"),
        choices=options(UNIT_KIND_LABELS.items()),
        invalid_choice_message=_l("Vælg en af mulighederne."),
    )
    area_id = id_select(_l("Område"), _l("Vælg et område."))
    parent_id = id_select(_l("Hører under"))
    address = StringField(_l("Adresse"), [Optional(), Length(max=200)])
    phone = StringField(
        _l("Telefon"),
        [
            Optional(),
            Regexp(PHONE, message=_l("Skriv et telefonnummer med cifre, fx 12 34 56 78.")),
        ],
    )
    active = BooleanField(_l("Aktiv (kan få børn indmeldt)"), default=True)


# ---- staff --------------------------------------------------------------------------------


class MembershipFields(Form):
    unit_id = id_select(_l("Enhed"))
    role = SelectField(
        _l("Rolle"),
        choices=options([("", _l("Vælg rolle")), *((r.value, t) for r, t in ROLE_LABELS.items())]),
        default="",
        invalid_choice_message=_l("Vælg en af mulighederne."),
    )
    supervisor_id = id_select(_l("Dagplejepædagog (kun for dagplejere)"))


class StaffForm(FlaskForm):
    name = StringField(
        _l("Navn"),
        [
            DataRequired(_l("Skriv medarbejderens navn.")),
            Length(max=120, message=_l("Højst 120 tegn.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        _l("E-mail"),
        [
            DataRequired(_l("Skriv medarbejderens e-mail.")),
            Email(_l("Skriv en gyldig e-mail.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    is_admin = BooleanField(_l("Administrator (enheder og medarbejdere)"))
    adbb = BooleanField(_l("Certificeret i ADBB"))


class NewStaffForm(StaffForm):
    membership = FormField(MembershipFields, label=_l("Første rolle"))


class MembershipForm(FlaskForm):
    membership = FormField(MembershipFields, label=_l("Ny rolle"))


# ---- children -----------------------------------------------------------------------------


class ChildForm(FlaskForm):
    first_name = StringField(
        _l("Fornavn(e)"),
        [DataRequired(_l("Skriv barnets fornavn.")), Length(max=80, message=_l("Højst 80 tegn."))],
        render_kw={"autocomplete": "off"},
    )
    last_name = StringField(
        _l("Efternavn"),
        [
            DataRequired(_l("Skriv barnets efternavn.")),
            Length(max=80, message=_l("Højst 80 tegn.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    birth_date = date_field(_l("Fødselsdato"))
    cpr = StringField(
        _l("CPR-nummer"),
        [Optional()],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )
    gestational_age_weeks = IntegerField(
        _l("Gestationsalder ved fødsel (uger)"),
        [Optional(), NumberRange(min=22, max=44, message=_l("Skriv et tal mellem 22 og 44."))],
        invalid_value_message=_l("Skriv et helt antal uger."),
        render_kw={"inputmode": "numeric"},
    )


class EditChildForm(ChildForm):
    remove_cpr = BooleanField(_l("Fjern det registrerede CPR-nummer"))
    version = HiddenField()


class GuardianFields(Form):
    name = StringField(_l("Navn"), [Optional(), Length(max=160, message=_l("Højst 160 tegn."))])
    relation = SelectField(
        _l("Relation til barnet"),
        choices=RELATIONS,
        invalid_choice_message=_l("Vælg en af mulighederne."),
    )
    phone = StringField(
        _l("Telefon"),
        [
            Optional(),
            Regexp(PHONE, message=_l("Skriv et telefonnummer med cifre, fx 12 34 56 78.")),
        ],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    email = EmailField(
        _l("E-mail"),
        [Optional(), Email(_l("Skriv en gyldig e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    address = StringField(_l("Adresse"), [Optional(), Length(max=200)])
    language = StringField(
        _l("Sprog"),
        [DataRequired(_l("Skriv hvilket sprog forælderen taler.")), Length(max=40)],
        default="dansk",
    )
    needs_interpreter = BooleanField(_l("Har brug for tolk"))
    has_custody = BooleanField(_l("Har forældremyndighed"), default=True)


class GuardianForm(FlaskForm):
    guardian = FormField(GuardianFields, label=_l("Forælder"))
    version = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.guardian.form.name.data or "").strip():
            self.guardian.form.name.errors.append(_l("Skriv forælderens navn."))
            ok = False
        return ok


class EnrolmentFields(Form):
    unit_id = id_select(_l("Enhed"), _l("Vælg en enhed."))
    dagplejer_id = id_select(_l("Dagplejer (kun i dagpleje)"))
    start_date = date_field(_l("Fra og med"))
    note = TextAreaField(_l("Note (valgfri)"), [Optional(), Length(max=500)])


class RegisterChildForm(ChildForm):
    enrolment = FormField(EnrolmentFields, label=_l("Indmeldelse"))
    guardian = FormField(GuardianFields, label=_l("Forælder (valgfri)"))


class EnrolmentForm(FlaskForm):
    enrolment = FormField(EnrolmentFields, label=_l("Indmeldelse"))


class EndEnrolmentForm(FlaskForm):
    end_date = date_field(_l("Sidste dag i enheden"))
    version = HiddenField()


class MoveForm(FlaskForm):
    unit_id = id_select(_l("Ny enhed"), _l("Vælg en enhed."))
    dagplejer_id = id_select(_l("Dagplejer (kun i dagpleje)"))
    move_date = date_field(_l("Første dag i den nye enhed"))
    note = TextAreaField(_l("Note (valgfri)"), [Optional(), Length(max=500)])
    version = HiddenField()


class CaseloadForm(FlaskForm):
    nurse_id = id_select(_l("Sundhedsplejerske"), _l("Vælg en sundhedsplejerske."))
    start_date = date_field(_l("Fra og med"))


class EndCaseloadForm(FlaskForm):
    end_date = date_field(_l("Sidste dag"))
