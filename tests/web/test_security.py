"""Security headers on every response, cookies, CSRF failures and error pages in Danish (HTML,
HTMX and JSON), and nothing inline or from another origin in the pages."""

import re

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.org.models import Unit
from tests.factories import make_child, make_unit, make_user
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)
from tests.web.security_headers import header_problems

pytestmark = pytest.mark.usefixtures("fresh_g")

# A JSON data block (<script type="application/json">) is data, not a script: CSP allows it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
OTHER_ORIGIN = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//""", re.I)


def _boom_route(app, exc=RuntimeError("hemmelig-detalje")):
    """A route that raises after a half-made change, registered only in this test (before the
    first request)."""
    area_id = make_unit().area_id
    db.session.commit()

    def boom():
        db.session.add(Unit(name="Halvfærdig", kind="boernehave", area_id=area_id))
        db.session.flush()
        raise exc

    app.add_url_rule("/__boom", "boom", boom, methods=["GET", "POST"])


@pytest.fixture
def leader_with_child(auth):
    unit = make_unit()
    child = make_child(unit)
    leader = auth.login(make_user(Role.LEDER, unit))
    return leader, child


def test_every_kind_of_response_carries_the_security_headers(app, client, leader_with_child):
    _leader, child = leader_with_child
    _boom_route(app)
    responses = {
        "page": client.get("/"),
        "child": client.get(f"/boern/{child.id}"),
        "csv": client.get(f"/boern/{child.id}/adgangslog.csv"),
        "static": client.get("/static/css/app.css"),
        "404": client.get("/findes-ikke"),
        "403": client.get("/admin/enheder"),
        "405": client.get("/logout"),
        "500": client.get("/__boom"),
        "htmx": client.get("/boern/soeg?q=a", headers={"HX-Request": "true"}),
        "json-404": client.get("/findes-ikke", headers={"Accept": "application/json"}),
    }
    client.post("/logout")
    responses["redirect"] = client.get("/")
    responses["login"] = client.get("/login")
    responses["json-401"] = client.get("/", headers={"Accept": "application/json"})
    problems = {name: header_problems(r) for name, r in responses.items() if header_problems(r)}
    assert not problems
    csp = responses["page"].headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert responses["page"].headers["Referrer-Policy"] == "same-origin"


def test_personal_pages_are_not_stored_by_shared_caches(client, leader_with_child):
    _leader, child = leader_with_child
    assert client.get(f"/boern/{child.id}").headers["Cache-Control"] == "private, no-cache"
    assert client.get(f"/boern/{child.id}/adgangslog.csv").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.post("/sprog", data={"locale": "da"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the next test for production


def test_session_cookie_is_secure_when_configured(tmp_path):
    from app import create_app
    from app.config import TestConfig

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SESSION_COOKIE_SECURE=True, SQLALCHEMY_DATABASE_URI="sqlite://")
    app = create_app(config)
    response = app.test_client().post("/sprog", data={"locale": "da"})
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/", "/boern/soeg?q=a", "CHILD", "/login"])
def test_pages_have_nothing_inline_and_nothing_from_another_origin(client, auth, path):
    unit = make_unit()
    child = make_child(unit)
    if path != "/login":
        auth.login(make_user(Role.LEDER, unit))
    html = client.get(path.replace("CHILD", f"/boern/{child.id}")).text
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not OTHER_ORIGIN.search(html)


def test_admin_pages_have_nothing_inline(client, auth):
    child = make_child(make_unit())
    auth.login(make_user(admin=True))
    for path in ("/admin/", "/admin/enheder", "/admin/medarbejdere/ny", f"/admin/boern/{child.id}"):
        html = client.get(path).text
        assert not (INLINE_SCRIPT.search(html) or INLINE_STYLE.search(html)), path
        assert not (INLINE_HANDLER.search(html) or OTHER_ORIGIN.search(html)), path


# ---- CSRF -----------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True


def test_csrf_failure_is_a_danish_page_that_offers_a_reload(client, auth, csrf_on):
    auth.login(make_user(admin=True))
    response = client.post(
        "/admin/enheder/ny",
        data={"name": "X"},
        headers={"Referer": "http://localhost/admin/enheder/ny"},
    )
    assert response.status_code == 400
    assert "Siden er udløbet" in response.text
    assert "Din session er udløbet, eller siden er for gammel. Genindlæs siden" in response.text
    assert 'href="/admin/enheder/ny"' in response.text and "Genindlæs siden" in response.text


def test_csrf_failure_never_offers_a_link_to_another_site(client, auth, csrf_on):
    auth.login(make_user(admin=True))
    response = client.post("/admin/enheder/ny", headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 400 and "evil.example" not in response.text


def test_csrf_failure_for_htmx_goes_into_the_status_region(client, auth, csrf_on):
    auth.login(make_user(admin=True))
    response = client.post("/admin/enheder/ny", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in response.text and 'role="alert"' in response.text
    assert "Din session er udløbet" in response.text


def test_csrf_failure_for_json_names_the_cause(client, auth, csrf_on):
    auth.login(make_user(admin=True))
    response = client.post("/admin/enheder/ny", json={}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "csrf"
    assert "Genindlæs siden" in response.json["message"]


def test_a_valid_csrf_token_is_accepted_also_as_htmx_header(client, auth, csrf_on):
    make_unit()
    auth.login(make_user(admin=True))
    page = client.get("/admin/enheder").text
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(
        "/admin/omraader", data={"area_name": "Nyt område"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 303


# ---- error pages ----------------------------------------------------------------------------


def test_404_is_a_danish_page(client):
    response = client.get("/findes-ikke")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.text and '<html lang="da">' in response.text


def test_500_is_a_danish_page_and_nothing_is_saved(app, client, caplog):
    _boom_route(app)
    response = client.get("/__boom")
    assert response.status_code == 500
    assert "Der opstod en fejl" in response.text
    assert "Det du skrev er ikke gemt" in response.text
    assert "hemmelig-detalje" not in response.text and "Traceback" not in response.text
    assert db.session.scalar(select(Unit).where(Unit.name == "Halvfærdig")) is None
    assert "Unhandled error" in caplog.text


def test_500_answers_json_and_htmx_in_their_own_way(app, client):
    _boom_route(app)
    as_json = client.get("/__boom", headers={"Accept": "application/json"})
    assert as_json.status_code == 500 and as_json.json["error"] == 500
    assert "Der opstod en fejl hos os" in as_json.json["message"]
    htmx = client.post("/__boom", headers={"HX-Request": "true"})
    assert htmx.status_code == 500 and htmx.headers["HX-Retarget"] == "#messages"
    assert "<html" not in htmx.text and "Der opstod en fejl hos os" in htmx.text


def test_500_still_answers_when_the_error_page_itself_fails(app, client, monkeypatch):
    import app.errors as errors

    _boom_route(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the template is broken too")

    monkeypatch.setattr(errors, "render_template", broken)
    response = client.get("/__boom")
    assert response.status_code == 500
    assert "Der opstod en fejl" in response.text and '<html lang="da">' in response.text
    assert not header_problems(response)


def test_a_boosted_navigation_to_a_missing_page_gets_the_full_danish_page(client, auth):
    auth.login(make_user(admin=True))
    response = client.get("/findes-ikke", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 404 and "<html" in response.text
    assert "HX-Retarget" not in response.headers
