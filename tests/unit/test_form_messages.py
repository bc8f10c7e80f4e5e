"""WTForms' own messages (no Danish catalogue of its own) come out in the user's language."""

from __future__ import annotations

from flask import session
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])
    note = StringField(validators=[Length(max=5)])
    weeks = IntegerField(validators=[NumberRange(min=22, max=45)])
    contact = RadioField(choices=[SelectChoice("hjem", "Hjemme")])


def _errors(app, locale: str) -> dict:
    data = {"name": "", "note": "for lang tekst", "weeks": "50", "contact": "brev"}
    with app.test_request_context(method="POST", data=data):
        app.preprocess_request()
        session["locale"] = locale
        form = _Form()
        form.validate()
        return form.errors


def test_wtforms_messages_are_danish_for_a_danish_user(app):
    assert _errors(app, "da") == {
        "name": ["Feltet skal udfyldes."],
        "note": ["Højst 5 tegn."],
        "weeks": ["Tallet skal være mellem 22 og 45."],
        "contact": ["Vælg en af mulighederne."],
    }


def test_and_english_for_an_english_one(app):
    assert _errors(app, "en") == {
        "name": ["This field is required."],
        "note": ["No more than 5 characters."],
        "weeks": ["The number must be between 22 and 45."],
        "contact": ["Choose one of the options."],
    }
