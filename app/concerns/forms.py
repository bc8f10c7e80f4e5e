"""Forms for courses of action, sparring, meetings and underretninger. Danish messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app import clock
from app.i18n import lazy_gettext as _l


class DanishDateField(DateField):
    """A date input whose parse error is Danish."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Skriv en gyldig dato.")) from error


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("Datoen kan ikke ligge efter i dag."))


def not_in_past(form, field):
    if field.data and field.data < clock.today():
        raise ValidationError(_l("Datoen kan ikke ligge før i dag."))


def required_text(message):
    return [DataRequired(message), Length(max=5000, message=_l("Højst 5000 tegn."))]


def optional_text():
    return [Optional(), Length(max=5000, message=_l("Højst 5000 tegn."))]


def options(pairs) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects, not tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def choice_values(field) -> set:
    return {c.value for c in field.choices}


def coerce_int_or_none(value):
    if value in (None, "", "0", 0):
        return None
    return int(value)


LEVEL_CHOICES = options(
    [
        ("gul", _l("Gul: bekymring – trivslen er ude af balance")),
        ("roed", _l("Rød: stærk bekymring – trivslen er alvorligt udfordret")),
        ("akut", _l("Akut: barnet kan være i fare nu")),
    ]
)
POSITION_CHOICES = options([("groen", _l("Grøn")), ("gul", _l("Gul")), ("roed", _l("Rød"))])


class Prefixed(FlaskForm):
    """Several forms share one page: a prefix keeps their field names and ids apart."""

    prefix_name = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class CorrectionMixin:
    """Changing something already recorded needs a reason; the view decides when."""

    change_reason = TextAreaField(
        _l("Hvorfor ændrer du det?"),
        validators=[Optional(), Length(max=1000, message=_l("Højst 1000 tegn."))],
    )
    version = HiddenField()


class OpenCourseForm(FlaskForm):
    level = RadioField(
        _l("Position"),
        choices=LEVEL_CHOICES,
        validators=[InputRequired(_l("Vælg en position."))],
    )
    reason = TextAreaField(_l("Hvad er du bekymret for?"), validators=optional_text())


class ParentsForm(CorrectionMixin, Prefixed):
    prefix_name = "parents"

    parents_informed_on = DanishDateField(
        _l("Hvornår blev forældrene orienteret?"), validators=[Optional(), not_in_future]
    )
    parents_how = SelectField(
        _l("Hvordan?"),
        choices=options(
            [
                ("", _l("Vælg")),
                ("samtale", _l("Samtale ved aflevering eller afhentning")),
                ("møde", _l("Planlagt møde")),
                ("telefon", _l("Telefon")),
                ("skriftligt", _l("Skriftligt")),
                ("med tolk", _l("Samtale med tolk")),
            ]
        ),
        validators=[Optional()],
    )
    parents_reaction = TextAreaField(
        _l("Forældrenes reaktion og egne ord"), validators=optional_text()
    )
    parents_exempt = BooleanField(_l("Forældrene skal ikke orienteres"))
    parents_exempt_reason = TextAreaField(
        _l("Begrundelse for ikke at orientere forældrene"), validators=optional_text()
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.parents_exempt.data:
            if not (self.parents_exempt_reason.data or "").strip():
                self.parents_exempt_reason.errors.append(
                    _l("Skriv kort, hvorfor forældrene ikke skal orienteres.")
                )
                ok = False
        else:
            if not self.parents_informed_on.data and not self.parents_informed_on.errors:
                self.parents_informed_on.errors.append(
                    _l("Skriv datoen, eller sæt flueben ved at forældrene ikke skal orienteres.")
                )
                ok = False
            if not self.parents_how.data:
                self.parents_how.errors.append(_l("Vælg hvordan forældrene blev orienteret."))
                ok = False
        return ok


class PlanItemForm(Prefixed):
    prefix_name = "plan"

    observation = TextAreaField(_l("Hvad ser vi?"), validators=optional_text())
    action = TextAreaField(
        _l("Hvad gør vi?"), validators=required_text(_l("Skriv, hvad I vil gøre."))
    )
    responsible_id = SelectField(
        _l("Hvem (medarbejder)"), coerce=coerce_int_or_none, validate_choice=False
    )
    responsible_text = StringField(
        _l("Hvem ellers (fx forældrene, PPR)"),
        validators=[Optional(), Length(max=120, message=_l("Højst 120 tegn."))],
    )
    due_on = DanishDateField(
        _l("Hvornår (senest)"),
        validators=[InputRequired(_l("Skriv en dato.")), not_in_past],
    )

    def validate_responsible_id(self, field):
        allowed = {coerce_int_or_none(c.value) for c in field.choices}
        if field.data not in allowed:
            raise ValidationError(_l("Vælg en medarbejder fra listen."))
        if field.data is None and not (self.responsible_text.data or "").strip():
            raise ValidationError(_l("Vælg en medarbejder, eller skriv hvem der gør det."))


class DoneForm(FlaskForm):
    """Repeated once per plan item: no prefix, the CSRF input is rendered without an id."""

    done_note = StringField(
        _l("Hvordan gik det? (valgfrit)"),
        validators=[Optional(), Length(max=1000, message=_l("Højst 1000 tegn."))],
    )


class FollowUpForm(CorrectionMixin, Prefixed):
    prefix_name = "follow"

    follow_up_on = DanishDateField(
        _l("Næste opfølgning"),
        validators=[InputRequired(_l("Skriv en dato for opfølgningen.")), not_in_past],
    )
    responsible_id = SelectField(_l("Tovholder"), coerce=coerce_int_or_none, validate_choice=False)

    def validate_responsible_id(self, field):
        allowed = {coerce_int_or_none(c.value) for c in field.choices} - {None}
        if field.data not in allowed:
            raise ValidationError(_l("Vælg en tovholder fra listen."))


class QuestionForm(CorrectionMixin, Prefixed):
    prefix_name = "question"

    answer = RadioField(
        _l(
            "Har du grund til at antage, at barnet kan have behov for særlig støtte eller har "
            "været udsat for overgreb?"
        ),
        choices=options(
            [
                ("ja", _l("Ja – jeg skal underrette")),
                ("nej", _l("Nej – ikke nu")),
                ("endnu_ikke", _l("Jeg ved det ikke endnu – jeg vender tilbage")),
            ]
        ),
        validators=[InputRequired(_l("Vælg et svar."))],
    )
    underretning_reason = TextAreaField(_l("Begrundelse"), validators=optional_text())

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() would stop the chain before it runs.
        ok = super().validate(extra_validators)
        if self.answer.data == "nej" and not (self.underretning_reason.data or "").strip():
            self.underretning_reason.errors.append(_l("Skriv kort, hvorfor du ikke underretter."))
            ok = False
        return ok


class ConfirmForm(FlaskForm):
    """A CSRF-protected one-button action."""


class CloseForm(Prefixed):
    prefix_name = "close"

    closing_position = RadioField(
        _l("Barnets position nu"),
        choices=POSITION_CHOICES,
        validators=[InputRequired(_l("Vælg barnets position nu."))],
    )
    closing_note = TextAreaField(
        _l("Hvorfor lukkes handlevejen?"),
        validators=required_text(_l("Skriv kort, hvorfor handlevejen lukkes.")),
    )

    def validate_closing_position(self, field):
        if field.data == "roed":
            raise ValidationError(
                _l("En handlevej kan ikke lukkes, mens barnet er i rød position.")
            )


# -- Sparring ----------------------------------------------------------------------------------


class AnonymousSparringForm(FlaskForm):
    unit_id = SelectField(_l("Enhed"), coerce=coerce_int_or_none, validate_choice=False)
    partner = SelectField(_l("Hvem vil du have sparring med?"), validate_choice=False)
    age_text = StringField(
        _l("Barnets alder"),
        validators=[
            DataRequired(_l("Skriv barnets alder, fx 3 år.")),
            Length(max=40, message=_l("Højst 40 tegn.")),
        ],
    )
    question = TextAreaField(
        _l("Beskriv det, du gerne vil have sparring om"),
        validators=required_text(_l("Beskriv det, du vil have sparring om.")),
    )
    confirm_no_pii = BooleanField(
        _l(
            "Jeg har læst teksten igennem: den indeholder ikke navne, CPR-numre eller andet, "
            "der kan identificere barnet eller familien"
        )
    )

    def validate_unit_id(self, field):
        if field.data is None or field.data not in choice_values(field):
            raise ValidationError(_l("Vælg en enhed fra listen."))

    def validate_partner(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Vælg en sparringspartner fra listen."))


class NamedSparringForm(FlaskForm):
    partner = SelectField(_l("Hvem vil du have sparring med?"), validate_choice=False)
    question = TextAreaField(
        _l("Beskriv det, du gerne vil have sparring om"),
        validators=required_text(_l("Beskriv det, du vil have sparring om.")),
    )
    legal_basis = RadioField(
        _l("Grundlag for at dele barnets navn"),
        choices=options(
            [
                ("samtykke", _l("Forældrene har givet samtykke")),
                ("andet", _l("Andet lovligt grundlag")),
            ]
        ),
        validators=[InputRequired(_l("Vælg grundlaget for at dele barnets navn."))],
    )
    legal_basis_note = TextAreaField(
        _l("Hvem gav samtykke og hvordan – eller hvilket grundlag"),
        validators=required_text(_l("Skriv hvem der gav samtykke og hvordan, eller grundlaget.")),
    )

    def validate_partner(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Vælg en sparringspartner fra listen."))


class SparringAnswerForm(FlaskForm):
    answered_on = DanishDateField(
        _l("Dato for svaret"),
        validators=[InputRequired(_l("Skriv datoen for svaret.")), not_in_future],
    )
    answered_by = StringField(
        _l("Hvem svarede (valgfrit)"),
        validators=[Optional(), Length(max=120, message=_l("Højst 120 tegn."))],
    )
    answer = TextAreaField(
        _l("Svaret og de gode råd"), validators=required_text(_l("Skriv svaret."))
    )


# -- Meetings (dialogmodel) --------------------------------------------------------------------


class PrepForm(CorrectionMixin, Prefixed):
    prefix_name = "prep"

    planned_on = DanishDateField(
        _l("Mødedato"), validators=[InputRequired(_l("Skriv mødedatoen."))]
    )
    purpose = TextAreaField(
        _l("Formål med mødet"), validators=required_text(_l("Skriv formålet med mødet."))
    )
    questions = TextAreaField(_l("Spørgsmål vi vil have svar på"), validators=optional_text())
    planned_participants = TextAreaField(_l("Deltagere"), validators=optional_text())
    roles = TextAreaField(_l("Roller (mødeleder, referent, ...)"), validators=optional_text())
    agreed_with_parents = TextAreaField(
        _l("Hvad er aftalt med forældrene på forhånd?"), validators=optional_text()
    )
    interpreter_needed = BooleanField(_l("Der skal være tolk"))
    interpreter_language = StringField(
        _l("Tolkesprog"), validators=[Optional(), Length(max=40, message=_l("Højst 40 tegn."))]
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.interpreter_needed.data and not (self.interpreter_language.data or "").strip():
            self.interpreter_language.errors.append(_l("Skriv hvilket sprog tolken skal tale."))
            ok = False
        return ok


class HeldForm(CorrectionMixin, Prefixed):
    prefix_name = "held"

    held_on = DanishDateField(
        _l("Mødet blev holdt"),
        validators=[InputRequired(_l("Skriv datoen for mødet.")), not_in_future],
    )
    participants = TextAreaField(
        _l("Deltagere"), validators=required_text(_l("Skriv hvem der deltog."))
    )
    observations = TextAreaField(_l("Iagttagelser"), validators=optional_text())
    strengths = TextAreaField(_l("Barnets og familiens styrker"), validators=optional_text())
    concerns = TextAreaField(_l("Bekymringer"), validators=optional_text())
    next_meeting_on = DanishDateField(_l("Næste møde"), validators=[Optional(), not_in_past])


class EvaluationForm(CorrectionMixin, Prefixed):
    prefix_name = "evaluation"

    evaluated_on = DanishDateField(
        _l("Evalueret den"),
        validators=[InputRequired(_l("Skriv datoen for evalueringen.")), not_in_future],
    )
    actions_worked = RadioField(
        _l("Virkede de aftalte handlinger?"),
        choices=options([("ja", _l("Ja")), ("delvist", _l("Delvist")), ("nej", _l("Nej"))]),
        validators=[InputRequired(_l("Vælg om handlingerne virkede."))],
    )
    evaluation_note = TextAreaField(_l("Hvad ser I nu?"), validators=optional_text())
    new_position = RadioField(
        _l("Barnets position nu"),
        choices=POSITION_CHOICES,
        validators=[InputRequired(_l("Vælg barnets position nu."))],
    )
    decision = RadioField(
        _l("Hvad nu?"),
        choices=options(
            [
                ("fortsaet", _l("Fortsæt handlevejen")),
                ("luk", _l("Luk handlevejen")),
                ("eskaler", _l("Eskalér til rød")),
            ]
        ),
        validators=[InputRequired(_l("Vælg hvad der skal ske nu."))],
    )

    def validate_decision(self, field):
        if field.data == "luk" and self.new_position.data == "roed":
            raise ValidationError(
                _l("En handlevej kan ikke lukkes, mens barnet er i rød position.")
            )


# -- Underretning ------------------------------------------------------------------------------


class DraftForm(Prefixed):
    prefix_name = "draft"

    writer_relation = TextAreaField(_l("Din relation til barnet"), validators=optional_text())
    concern = TextAreaField(_l("Hvad er du bekymret for?"), validators=optional_text())
    observations = TextAreaField(_l("Konkrete, daterede iagttagelser"), validators=optional_text())
    tried = TextAreaField(_l("Hvad er der gjort indtil nu?"), validators=optional_text())
    parents_text = TextAreaField(
        _l("Er forældrene orienteret, og hvordan reagerede de?"), validators=optional_text()
    )
    other = TextAreaField(_l("Andet"), validators=optional_text())
    version = HiddenField()


class SentForm(Prefixed):
    prefix_name = "sent"

    sent_on = DanishDateField(
        _l("Sendt den"),
        validators=[
            InputRequired(_l("Skriv datoen, hvor underretningen blev sendt.")),
            not_in_future,
        ],
    )
    channel = SelectField(_l("Hvordan blev den sendt?"), validate_choice=False)
    sent_to = StringField(
        _l("Til hvem (fx Børne- og Familieafdelingen)"),
        validators=[Optional(), Length(max=160, message=_l("Højst 160 tegn."))],
    )

    def validate_channel(self, field):
        if field.data not in choice_values(field) - {""}:
            raise ValidationError(_l("Vælg hvordan underretningen blev sendt."))


class ReceiptForm(Prefixed):
    prefix_name = "receipt"

    receipt_on = DanishDateField(
        _l("Kvittering modtaget den"),
        validators=[InputRequired(_l("Skriv datoen for kvitteringen.")), not_in_future],
    )
    investigation_started = RadioField(
        _l("Er der startet en børnefaglig undersøgelse?"),
        choices=options([("ja", _l("Ja")), ("nej", _l("Nej")), ("", _l("Ikke oplyst endnu"))]),
        validators=[Optional()],
    )
    feedback_note = TextAreaField(_l("Tilbagemelding fra kommunen"), validators=optional_text())
