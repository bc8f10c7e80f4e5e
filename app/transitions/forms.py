"""Forms: the overgangsskema (built from its versioned definition), consent, withdrawal,
handover meeting, acknowledgement. Danish messages, shown next to the field."""

from __future__ import annotations

from functools import cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app import clock
from app.concerns.forms import PrepForm
from app.i18n import lazy_gettext as _l
from app.transitions import definitions, rules

UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MUST_FINISH = _l("Skal udfyldes, før skemaet kan afsluttes.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SchemaFormBase(FlaskForm):
    """Hidden fields of the offline contract, then the answers (added per definition)."""

    uuid = HiddenField(validators=[DataRequired(), Regexp(UUID, message=_l("Ugyldigt id."))])
    child_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d+$")])
    form_version = HiddenField(validators=[DataRequired(), Regexp(r"^\d+$")])
    base_version = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    target = HiddenField(validators=[DataRequired(), Length(max=40)])
    action = HiddenField(default="draft", validators=[Optional(), AnyOf(["draft", "finish"])])
    receiving_name = StringField(
        _l("Hvilken skole eller SFO skal barnet begynde i?"),
        validators=[Optional(), Length(max=160)],
    )
    include_wellbeing = BooleanField(
        _l("Forældrene er enige i, at barnets seneste trivselsvurdering og handleplan kommer med")
    )

    definition: definitions.Definition
    school = False  # set per instance: the school is named by hand

    @property
    def finishing(self) -> bool:
        return (self.action.data or "draft") == "finish"

    def answers(self) -> dict:
        return {
            f.name: self[f.name].data or ([] if f.type == "checkboxes" else "")
            for f in self.definition.fields
        }

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.finishing:
            for name in definitions.missing_to_finish(self.definition, self.answers()):
                self[name].errors = [*self[name].errors, MUST_FINISH]
                ok = False
            if self.school and not (self.receiving_name.data or "").strip():
                self.receiving_name.errors = [*self.receiving_name.errors, MUST_FINISH]
                ok = False
        return ok


@cache
def schema_form_class(version: int) -> type[SchemaFormBase]:
    """A form class for one definition version (cached: classes are built once)."""
    definition = definitions.load(version)
    attrs: dict = {"definition": definition}
    for f in definition.fields:
        length = Length(max=f.max_length, message=_l("Højst %(max)d tegn."))
        if f.type == "checkboxes":
            attrs[f.name] = MultiCheckboxField(
                f.label,
                choices=[SelectChoice(o.value, o.label) for o in f.options],
                validators=[Optional()],
            )
        elif f.type == "text":
            attrs[f.name] = StringField(f.label, validators=[Optional(), length])
        else:
            attrs[f.name] = TextAreaField(f.label, validators=[Optional(), length])
    return type(f"SchemaFormV{version}", (SchemaFormBase,), attrs)


class ConsentForm(FlaskForm):
    """A guardian's consent: signed on the device (name typed and a tick) or on paper."""

    guardian_id = SelectField(_l("Forælder"), coerce=int, validators=[DataRequired()])
    method = RadioField(
        _l("Hvordan gives samtykket?"),
        choices=[
            SelectChoice("device", _l("Underskrevet her på enheden")),
            SelectChoice("paper", _l("Underskrevet på papir")),
        ],
        default="device",
        validators=[DataRequired(_l("Vælg hvordan samtykket gives."))],
    )
    signed_name = StringField(
        _l("Forælderens fulde navn (underskrift)"),
        validators=[Optional(), Length(max=160)],
        render_kw={"autocomplete": "off"},
    )
    confirm = BooleanField(_l("Jeg giver samtykke som beskrevet ovenfor"))
    paper_signed_on = DateField(_l("Dato på papirsamtykket"), validators=[Optional()])
    # Says all that the history consent hands over (app/transitions/sharing.py), not only
    # the assessments: parents must know what they agree to.
    share_wellbeing_history = BooleanField(
        _l(
            "Den modtagende enhed må også se barnets trivselsvurderinger og de bekymringer, "
            "handleplaner, møder, sparringer og underretninger, der er knyttet til dem, "
            "også fra tidligere enheder"
        )
    )
    paper_note = TextAreaField(
        _l("Note (fx hvor papirsamtykket opbevares)"), validators=[Optional(), Length(max=1000)]
    )

    def __init__(self, *args, guardian_names: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The guardians' names by id: the typed signature must be the chosen guardian's.
        self.guardian_names = guardian_names or {}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.method.data == "device":
            typed = (self.signed_name.data or "").strip()
            chosen = self.guardian_names.get(self.guardian_id.data)
            if not typed:
                self.signed_name.errors = [
                    *self.signed_name.errors,
                    _l("Forælderen skriver sit fulde navn."),
                ]
                ok = False
            elif chosen is not None and not rules.signature_matches(chosen, typed):
                self.signed_name.errors = [
                    *self.signed_name.errors,
                    _l("Navnet passer ikke med den valgte forælder. Skriv forælderens fulde navn."),
                ]
                ok = False
            if not self.confirm.data:
                self.confirm.errors = [
                    *self.confirm.errors,
                    _l("Forælderen skal sætte flueben for at give samtykke."),
                ]
                ok = False
        elif self.method.data == "paper":
            if self.paper_signed_on.data is None:
                self.paper_signed_on.errors = [
                    *self.paper_signed_on.errors,
                    _l("Skriv datoen på papirsamtykket."),
                ]
                ok = False
            elif self.paper_signed_on.data > clock.today():
                self.paper_signed_on.errors = [
                    *self.paper_signed_on.errors,
                    _l("Datoen kan ikke ligge i fremtiden."),
                ]
                ok = False
        return ok


class WithdrawForm(FlaskForm):
    withdrawal_note = TextAreaField(
        _l("Hvad sagde forælderen? (valgfrit)"), validators=[Optional(), Length(max=1000)]
    )


class MeetingForm(PrepForm):
    """An overleveringsmøde, prepared with the dialogmodel like every meeting about a child:
    the concerns area's preparation form (date, purpose, questions, participants and roles,
    what was agreed with the parents, interpreter), plus a time and a note."""

    prefix_name = "handover"

    planned_participants = TextAreaField(
        _l("Deltagere"),
        validators=[DataRequired(_l("Skriv hvem der deltager.")), Length(max=1000)],
    )
    meeting_time = TimeField(_l("Klokkeslæt (valgfrit)"), validators=[Optional()])
    place = StringField(
        _l("Sted (valgfrit)"),
        validators=[Optional(), Length(max=160, message=_l("Højst %(max)d tegn."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        day, at = self.planned_on.data, self.meeting_time.data
        if day is not None and rules.meeting_in_past(day, at, clock.local_now()):
            past = self.meeting_time if day == clock.today() else self.planned_on
            past.errors = [*past.errors, _l("Mødet kan ikke ligge i fortiden. Vælg en senere tid.")]
            ok = False
        return ok


class CancelMeetingForm(FlaskForm):
    """Cancelling a handover meeting: the reason is kept with who and when."""

    cancel_reason = TextAreaField(
        _l("Hvorfor aflyses mødet?"),
        validators=[DataRequired(_l("Skriv hvorfor mødet aflyses.")), Length(max=1000)],
    )


class EmptyForm(FlaskForm):
    """A CSRF token behind a one-button action (acknowledge)."""
