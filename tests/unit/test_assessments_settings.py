"""The trivselsskema as versioned data, and a municipality's own labels, help texts and rounds."""

from types import SimpleNamespace

import pytest

from app.assessments import rules, settings
from app.assessments.positions import Position
from app.org.models import UnitKind


def kommune(**assessments):
    return SimpleNamespace(settings={"assessments": assessments} if assessments else {})


def test_the_seed_file_has_three_age_bands_four_areas_and_signs_for_every_position():
    schema = settings.schema(kommune())
    assert schema.version == 1
    assert list(schema.bands) == ["0-1", "1-3", "3-6"]
    assert schema.area_codes == ["psykisk", "kognitiv", "social", "fysisk"]
    for band in schema.bands:
        for area in schema.area_codes:
            found = {i.position for i in schema.indicators(band, area)}
            assert found == set(Position), (band, area)
    assert schema.label("gul") == "Gul"
    assert "underretning" in schema.position_help(Position.ROED)


def test_indicator_codes_are_stable_and_name_area_and_position():
    schema = settings.schema(kommune())
    codes = [i.code for i in schema.indicators("3-6")]
    assert len(codes) == len(set(codes))
    assert "psykisk.groen.1" in codes
    assert schema.indicator_texts("3-6")["psykisk.groen.2"].text == "Er udhvilet ved aflevering"
    assert all(
        rules.indicator_position(c) is schema.indicator_texts("3-6")[c].position for c in codes
    )


def test_a_municipality_overrides_labels_and_help_texts():
    schema = settings.schema(
        kommune(
            labels={"gul": "Bekymring"},
            position_help={"gul": "Vores egen tekst."},
            area_help={"social": "Fællesskab."},
        )
    )
    assert schema.label("gul") == "Bekymring"
    assert schema.label("groen") == "Grøn"
    assert schema.position_help("gul") == "Vores egen tekst."
    assert next(a for a in schema.areas if a["code"] == "social")["help"] == "Fællesskab."


def test_a_municipality_can_bring_its_own_form_version():
    own = settings._file_schema(1) | {"version": 2, "name": "Egeskovs skema"}
    k = kommune(form_version=2, schemas={"2": own})
    assert settings.schema(k).version == 2
    assert settings.schema(k, 1).version == 1  # old assessments keep their version
    assert settings.known_versions(k) == {1, 2}


def test_unknown_form_version_is_an_error():
    with pytest.raises(LookupError):
        settings.schema(kommune(), 99)


def test_rounds_per_unit_kind_with_defaults():
    k = kommune(
        rounds={
            "default": [
                {"name": "Forår", "start": "04-01", "end": "06-30"},
                {"name": "Efterår", "start": "10-01", "end": "11-30"},
            ],
            "dagplejegruppe": [
                {"name": "Hele året", "start": "01-15", "end": "03-15", "deadline": "03-31"},
                {"name": "Efterår", "start": "08-15", "end": "10-15"},
            ],
        },
        first_assessment_months=2,
    )
    vuggestue = settings.schedule_for(k, UnitKind.VUGGESTUE)
    assert [r.start for r in vuggestue.rounds] == [(4, 1), (10, 1)]
    assert vuggestue.first_within_months == 2
    dagpleje = settings.schedule_for(k, UnitKind.DAGPLEJEGRUPPE)
    assert dagpleje.rounds[0].deadline == (3, 31)
    assert settings.schedule_for(kommune(), UnitKind.BOERNEHAVE).rounds == rules.DEFAULT_ROUNDS
    assert not settings.schedule_for(kommune(), UnitKind.SUNDHEDSPLEJEDISTRIKT).has_rounds


def test_a_broken_round_configuration_is_refused():
    k = kommune(rounds={"default": [{"name": "X", "start": "02-30", "end": "03-31"}]})
    with pytest.raises(ValueError, match="Ugyldig dato"):
        settings.schedule_for(k, UnitKind.BOERNEHAVE)


def test_minimum_individual_assessments_are_configurable():
    assert settings.minimum_config(kommune(min_individual={"institution": 3})) == {"institution": 3}
    assert rules.minimum_individual(False, settings.minimum_config(kommune())) == 2
