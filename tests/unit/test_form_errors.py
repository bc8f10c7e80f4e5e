"""error_items: the rows of a rejected form's error summary."""

from __future__ import annotations

from wtforms import FieldList, Form, HiddenField, StringField

from app.form_errors import ErrorItem, error_items


class _Form(Form):
    uuid = HiddenField()
    name = StringField("Navn")
    items = FieldList(StringField("Svar"), min_entries=3)


def test_each_field_once_hidden_fields_unlinked_and_repeats_merged():
    form = _Form()
    form.uuid.errors = ["Ugyldigt id."]
    form.name.errors = ["Skriv et navn."]
    for entry in form.items.entries:
        entry.errors = ["Besvar alle spørgsmål."]
    assert error_items(form) == [
        ErrorItem("Ugyldigt id."),
        ErrorItem("Skriv et navn.", "Navn", "#name"),
        ErrorItem("Besvar alle spørgsmål.", "", "#items-0", count=3),
    ]


def test_a_form_without_errors_has_no_rows():
    assert error_items(_Form()) == [] and error_items(None) == []
