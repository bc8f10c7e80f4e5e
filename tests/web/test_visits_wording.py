# ruff: noqa: F811 (the tests take the fixtures imported from test_visits_record)
"""The visit screens' texts and the EPDS item-10 alert as the server renders them."""

from __future__ import annotations

import re

import pytest

from tests.web.test_visits_record import (  # noqa: F401 (fixtures)
    EPDS_LOW,
    child,
    district,
    epds,
    nurse,
    payload,
    submit,
)

ANSWERED = [*EPDS_LOW[:9], 1]  # item 10 "Næsten aldrig"


def urgent_box(html: str) -> str:
    return re.search(r'<div class="urgent-box[^"]*"', html).group(0)


def test_a_rejected_submit_keeps_the_item_10_alert_box_shown(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child, weight_g="", **epds("mor", ANSWERED))
    html = client.post(f"/boern/{child.id}/besoeg/ny", data=data).get_data(as_text=True)
    assert "shown" in urgent_box(html)


def test_the_correction_form_shows_the_item_10_alert_box(client, auth, nurse, child):
    auth.login(nurse)
    visit = submit(nurse, payload(child, **epds("far", ANSWERED))).record
    html = client.get(f"/besoeg/{visit.id}/ret").get_data(as_text=True)
    assert "shown" in urgent_box(html)
    assert "Far har svaret, at tanken om at gøre skade på sig selv har strejfet ham" in html


def test_no_alert_box_when_item_10_is_never(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child, weight_g="", **epds("mor", EPDS_LOW))
    html = client.post(f"/boern/{child.id}/besoeg/ny", data=data).get_data(as_text=True)
    assert "shown" not in urgent_box(html)


@pytest.mark.parametrize(
    ("parents", "text"),
    [
        (["mor"], "Mor har svaret, at tanken om at gøre skade på sig selv har strejfet hende"),
        (["far"], "Far har svaret, at tanken om at gøre skade på sig selv har strejfet ham"),
        (["mor", "far"], "Mor og far har svaret, at tanken om at gøre skade på sig selv har "),
    ],
)
def test_the_alert_names_the_parent_with_the_right_pronoun(
    client, auth, nurse, child, parents, text
):
    auth.login(nurse)
    answers = {k: v for p in parents for k, v in epds(p, ANSWERED).items()}
    rejected = client.post(
        f"/boern/{child.id}/besoeg/ny", data=payload(child, weight_g="", **answers)
    ).get_data(as_text=True)
    assert f"Handl i dag: {text}" in rejected
    visit = submit(nurse, payload(child, **answers)).record
    saved = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert f"EPDS spørgsmål 10: {text}" in saved
    if len(parents) == 2:
        assert "strejfet dem" in saved
    assert "strejfet dem" not in saved or len(parents) == 2


def test_the_form_carries_the_live_alert_for_each_case(client, auth, nurse, child):
    """visits.js picks the sentence for the parents who answered (mor, far, mor_far)."""
    auth.login(nurse)
    html = client.get(f"/boern/{child.id}/besoeg/ny").get_data(as_text=True)
    assert 'data-message-mor="Handl i dag: Mor har svaret' in html
    assert 'data-message-far="Handl i dag: Far har svaret' in html
    assert 'data-message-mor_far="Handl i dag: Mor og far har svaret' in html
    assert 'data-parent="mor"' in html and 'data-parent="far"' in html


def test_corrections_are_counted_in_danish_singular_and_plural(client, auth, nurse, child):
    auth.login(nurse)
    data = payload(child)
    visit = submit(nurse, data).record
    fix = {"base_version": "1", "correction_reason": "Tastefejl"}
    submit(nurse, {**data, **fix, "weight_g": "5650"})
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert "rettet 1 gang<" in html and "gang(e)" not in html
    submit(nurse, {**data, **fix, "base_version": "2", "weight_g": "5660"})
    assert "rettet 2 gange" in client.get(f"/besoeg/{visit.id}").get_data(as_text=True)


def test_an_unusual_measurement_is_worded_in_correct_danish(client, auth, nurse, child):
    auth.login(nurse)
    visit = submit(nurse, payload(child, head_cm="50,5")).record
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert "Hovedomfang: usædvanligt for alderen" in html
    assert "Er det målt og skrevet rigtigt?" in html


def test_a_missing_head_circumference_asks_why_it_was_not_measured(app, nurse, child):
    result = submit(nurse, payload(child, visit_type="maaned1", head_cm=""))
    assert result.errors["head_cm"] == ["Skriv hovedomfang, eller vælg hvorfor det ikke er målt."]
