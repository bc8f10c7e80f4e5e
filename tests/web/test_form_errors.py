"""The error summary of a rejected form says what is wrong: each field's label and message as
a link to the field, and a message repeated on many fields once."""

from __future__ import annotations

import re

from tests.web.test_visits_record import child, district, epds, nurse, payload  # noqa: F401


def test_the_summary_links_each_failing_field_and_says_a_repeated_message_once(
    client,
    auth,
    nurse,  # noqa: F811
    child,  # noqa: F811
):
    """The visit record without its weight and with an EPDS of 2 answers out of 10."""
    auth.login(nurse)
    data = payload(child, weight_g="", **epds("mor", [0, 1]))
    response = client.post(f"/boern/{child.id}/besoeg/ny", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    links = dict(re.findall(r'<li><a href="#([\w-]+)">([^<]*)</a></li>', summary))
    assert links["weight_g"].startswith("Vægt")
    assert "skal måles ved besøget ved ca. 2 måneder." in links["weight_g"]
    assert f'id="{"weight_g"}"' in html
    epds_links = [k for k, text in links.items() if "Besvar alle 10 spørgsmål" in text]
    assert epds_links == ["epds_mor_3"]  # once, to the first unanswered item
    assert "(8 felter)" in links["epds_mor_3"]
    assert 'id="epds_mor_3"' in html
    assert summary.count("Besvar alle 10 spørgsmål") == 1
