# ruff: noqa: F811 (the tests take the fixtures imported from test_visits_record)
"""Odd input in the visit form and its sync payload: a Danish field error with the typed value
kept, never a server error (the offline layer would keep such a visit forever)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.visits.models import Visit
from tests.web.test_visits_record import (  # noqa: F401 (fixtures)
    child,
    district,
    nurse,
    payload,
)

ODD = ["abc", "6,5", "61500", "-1", "1e9", "1e400", "nan", "9" * 5000, "٦٫٥", "²", "6400 g", " "]
MEASURES = ["weight_g", "length_cm", "head_cm"]
# Fields whose odd values are ignored or refused, but must never crash the save.
OTHERS = [
    "planned_visit_id",
    "base_version",
    "form_version",
    "adbb_ansigtsudtryk",
    "epds_mor_1",
    "ind_social_kontakt",
    "visit_date",
    "visit_time",
    "sex",
]


def sync_visit(client, data: dict) -> dict:
    item = {"id": str(uuid.uuid4()), "kind": "visit", "created_at": "2026-03-02T08:15:00Z"}
    response = client.post("/api/sync", json={"items": [{**item, "payload": data}], "views": []})
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return response.json["results"][0]


def visits() -> int:
    return db.session.scalar(select(func.count(Visit.id)))


@pytest.mark.parametrize(
    ("field", "value"),
    [("length_cm", "6,5"), ("length_cm", "615"), ("head_cm", "6,5"), ("head_cm", "615")],
)
def test_a_measure_out_of_range_is_a_danish_field_error_with_the_value_kept(
    client, auth, nurse, child, field, value
):
    """Længde "6,5" or "615" used to crash the save with a 500."""
    auth.login(nurse)
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=payload(child, **{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    limits = "30 og 130" if field == "length_cm" else "20 og 60"
    assert f"Skriv et tal mellem {limits}." in html
    assert f'value="{value}"' in html
    result = sync_visit(client, payload(child, **{field: value}))
    assert result["status"] == "invalid"
    assert result["errors"][field] == [f"Skriv et tal mellem {limits}."]
    assert visits() == 0


@pytest.mark.parametrize("value", ["6,4 kg", "6,4", "6.4", "6400 g", "seks kilo"])
def test_weight_not_in_whole_grams_is_refused_and_kept_as_typed(client, auth, nurse, child, value):
    """A comma, "kg" or letters are refused in Danish, not read as 64 or dropped."""
    auth.login(nurse)
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=payload(child, weight_g=value))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv vægten i hele gram, f.eks. 6400." in html
    assert f'value="{value}"' in html
    assert visits() == 0


def test_the_weight_is_a_text_input_with_the_numeric_keypad(client, auth, nurse, child):
    auth.login(nurse)
    html = client.get(f"/boern/{child.id}/besoeg/ny").get_data(as_text=True)
    tag = html[html.index('id="weight_g"') - 200 : html.index('id="weight_g"') + 200]
    tag = tag[tag.rindex("<input") :]
    tag = tag[: tag.index(">")]
    assert 'type="text"' in tag and 'inputmode="numeric"' in tag


@pytest.mark.parametrize("value", ["5230", "5.230", "5 230"])
def test_whole_grams_with_thousands_separators_are_read(client, auth, nurse, child, value):
    auth.login(nurse)
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=payload(child, weight_g=value))
    assert response.status_code == 303
    assert db.session.scalar(select(Visit.weight_g)) == 5230


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("field", MEASURES)
def test_odd_measurements_are_field_errors_in_the_form_and_the_sync(
    client, auth, nurse, child, field, value
):
    auth.login(nurse)
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=payload(child, **{field: value}))
    assert response.status_code == 422
    result = sync_visit(client, payload(child, **{field: value}))
    assert result["status"] == "invalid" and field in result["errors"], result
    assert visits() == 0


@pytest.mark.parametrize("value", [*ODD, "99999999999999999999"])
@pytest.mark.parametrize("field", OTHERS)
def test_odd_values_in_other_fields_never_crash(client, auth, nurse, child, field, value):
    auth.login(nurse)
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=payload(child, **{field: value}))
    assert response.status_code in (303, 404, 422)
    result = sync_visit(client, payload(child, **{field: value}))
    assert result["status"] in ("accepted", "invalid"), result


@pytest.mark.parametrize("value", [6400, 58.4, -1, 10**30, True, None, ["1", "2"], {"a": 1}])
def test_json_values_that_are_not_strings_never_crash_the_sync(client, auth, nurse, child, value):
    auth.login(nurse)
    for field in [*MEASURES, "child_id", "planned_visit_id"]:
        result = sync_visit(client, payload(child, **{field: value}))
        assert result["status"] in ("accepted", "invalid", "forbidden"), (field, result)


@pytest.mark.parametrize("value", ["²", "٦", "99999999999999999999", "-1", "1e9", "abc"])
def test_an_odd_child_id_in_the_sync_is_refused_not_a_crash(client, auth, nurse, child, value):
    auth.login(nurse)
    result = sync_visit(client, payload(child, child_id=value))
    assert result["status"] in ("invalid", "forbidden"), result
