# ruff: noqa: F811 (the tests take the fixtures imported from test_visits_record)
"""The visit and growth pages: corrections show earlier measurements, centiles at the extremes,
one unit convention for weight, a table header that fits a phone."""

from __future__ import annotations

import pytest

from app.visits.routes import format_centile
from tests.web.test_visits_record import (  # noqa: F401 (fixtures)
    child,
    district,
    nurse,
    payload,
    submit,
)


def test_a_correction_shows_the_earlier_and_new_measurements(client, auth, nurse, child):
    """ "Ændret: hovedomfang" alone did not say what it was before."""
    auth.login(nurse)
    data = payload(child, head_cm="50,5")
    visit = submit(nurse, data).record
    fix = {"base_version": "1", "correction_reason": "Målt forkert", "head_cm": "39,5"}
    submit(nurse, {**data, **fix, "weight_g": "", "weight_reason": "afvist", "visit_type": "behov"})
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    revisions = html[html.index('id="revisions-heading"') :]
    assert "Hovedomfang: 50,5 cm" in revisions and "39,5 cm</li>" in revisions
    assert "Vægt: 5600 g" in revisions
    assert "Ikke målt: forældrene ønskede det ikke</li>" in revisions
    assert "Længde:" not in revisions  # unchanged


@pytest.mark.parametrize(
    ("centile", "text"),
    [(99.99999, "> 99,9"), (100.0, "> 99,9"), (0.00001, "< 0,1"), (0.0, "< 0,1"), (99.6, "99,6")],
)
def test_centiles_at_the_extremes_are_not_rounded_to_100_or_0(centile, text):
    assert format_centile(centile) == text


def test_an_extreme_z_score_shows_a_centile_beyond_99_9(client, auth, nurse, child):
    auth.login(nurse)
    visit = submit(nurse, payload(child, head_cm="55,0")).record
    html = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    assert "(&gt; 99,9)" in html and "(100,0)" not in html


def test_weight_is_in_grams_on_the_visit_and_the_growth_table(client, auth, nurse, child):
    auth.login(nurse)
    visit = submit(nurse, payload(child, weight_g="5200")).record
    shown = client.get(f"/besoeg/{visit.id}").get_data(as_text=True)
    growth = client.get(f"/boern/{child.id}/vaekst").get_data(as_text=True)
    table = growth[growth.index('<table class="table vtable growth-table">') :]
    assert "5200 g" in shown and "5200 g</td>" in table and "5,20 kg" not in table
    page = client.get(f"/boern/{child.id}").get_data(as_text=True)
    assert "5200 g" in page and "5,20 kg" not in page


def test_the_z_column_has_a_short_header_with_its_full_name(client, auth, nurse, child):
    auth.login(nurse)
    visit = submit(nurse, payload(child)).record
    for url in (f"/besoeg/{visit.id}", f"/boern/{child.id}/vaekst"):
        html = client.get(url).get_data(as_text=True)
        assert '<abbr title="z-score (percentil)">z (pct.)</abbr>' in html
