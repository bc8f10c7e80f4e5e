"""A boosted form answered with its errors keeps the address bar where the user was: htmx
would push the POST-only address, and reloading there gives a 405."""

from __future__ import annotations

from app.auth.roles import Role
from tests.factories import make_user

HTMX = {"HX-Request": "true", "HX-Boosted": "true", "HX-Current-URL": "/paamindelser"}


def test_a_rejected_boosted_form_tells_htmx_not_to_push_its_address(client, auth):
    auth.login(make_user(Role.LEDER))
    response = client.post(
        "/paamindelser/stille-timer", data={"quiet_start": "25", "quiet_end": "6"}, headers=HTMX
    )
    assert response.status_code == 422
    assert response.headers["HX-Push-Url"] == "false"


def test_saved_forms_and_pages_keep_htmx_history_as_it_is(client, auth):
    auth.login(make_user(Role.LEDER))
    saved = client.post(
        "/paamindelser/stille-timer", data={"quiet_start": "21", "quiet_end": "6"}, headers=HTMX
    )
    assert saved.status_code == 303 and "HX-Push-Url" not in saved.headers
    page = client.get("/paamindelser", headers=HTMX)
    assert "HX-Push-Url" not in page.headers
    missing = client.get("/notifikationer/999999", headers=HTMX)
    assert missing.status_code == 404 and "HX-Push-Url" not in missing.headers
