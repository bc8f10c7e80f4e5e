"""Login, lockout, logout, idle timeout, `next` redirects, invitation links, language."""

import re
import time
import types
from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner

from app.auth.models import Invitation, User
from app.auth.roles import Role
from app.extensions import db
from app.models import utcnow
from tests.factories import PASSWORD, make_child, make_unit, make_user
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fresh_g")
TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = TOKEN.search(html)
    return match.group(1) or match.group(2)


def login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def paedagog():
    user = make_user(Role.PAEDAGOG, make_unit(), email="paedagog@kommune.example")
    db.session.commit()  # a refused request rolls the session back
    return user


# ---- login ----------------------------------------------------------------------------------


def test_login_page_is_danish_and_has_no_demo_logins_outside_demo_mode(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="da">' in page.text and "Log ind" in page.text
    assert "Demo-logins" not in page.text


def test_demo_logins_are_shown_in_demo_mode_only(app, client):
    app.config["DEMO_MODE"] = True
    assert "Demo-logins" in client.get("/login").text


def test_login_succeeds_and_sets_a_safe_session_cookie(client, paedagog):
    response = login(client, "Paedagog@Kommune.example")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_a_hash_made_with_other_argon2_parameters_is_redone_at_login(client, paedagog):
    """Hashes from before the parameters changed (argon2-cffi's RFC 9106 defaults) still log in,
    and are replaced by one with the current parameters."""
    from argon2 import PasswordHasher

    from app.auth.passwords import needs_rehash, verify_password

    paedagog.password_hash = PasswordHasher().hash(PASSWORD)
    db.session.commit()
    assert needs_rehash(paedagog.password_hash)
    assert login(client, paedagog.email).status_code == 303
    db.session.refresh(paedagog)
    assert not needs_rehash(paedagog.password_hash)
    assert "m=19456,t=2,p=1" in paedagog.password_hash
    assert verify_password(paedagog.password_hash, PASSWORD)


def test_wrong_password_gives_one_danish_message_for_every_failure(client, paedagog):
    wrong = login(client, "paedagog@kommune.example", "forkert-kodeord")
    unknown = login(client, "ukendt@kommune.example", "forkert-kodeord")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Forkert e-mail eller adgangskode." in response.text
        assert 'value="forkert-kodeord"' not in response.text  # the password is not echoed
    assert 'value="paedagog@kommune.example"' in wrong.text  # the e-mail is kept


def test_empty_login_form_is_answered_422_with_errors_next_to_the_fields(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Skriv din e-mail." in response.text and "Skriv din adgangskode." in response.text


def test_five_failures_lock_the_account_but_not_another_one(client, paedagog):
    other = make_user(Role.PAEDAGOG, make_unit(), email="kollega@kommune.example")
    db.session.commit()
    for _ in range(5):
        assert login(client, "paedagog@kommune.example", "forkert-kodeord").status_code == 401
    locked = login(client, "PAEDAGOG@kommune.example")  # right password, any spelling
    assert locked.status_code == 429
    assert "For mange forkerte forsøg. Vent 10 minutter, og prøv igen." in locked.text
    assert login(client, other.email).status_code == 303


def test_the_lock_lifts_when_the_window_has_passed(client, paedagog, monkeypatch):
    import limits.storage.memory as memory

    for _ in range(5):
        login(client, "paedagog@kommune.example", "forkert-kodeord")
    assert login(client, "paedagog@kommune.example").status_code == 429
    later = time.time() + 601
    monkeypatch.setattr(memory, "time", types.SimpleNamespace(time=lambda: later))
    assert login(client, "paedagog@kommune.example").status_code == 303


def test_the_lockout_limit_is_configurable(app, client, paedagog):
    app.config["LOGIN_FAILURE_LIMIT"] = "2 per 30 minutes"
    for _ in range(2):
        login(client, "paedagog@kommune.example", "forkert-kodeord")
    locked = login(client, "paedagog@kommune.example")
    assert locked.status_code == 429 and "Vent 30 minutter" in locked.text


def test_many_login_posts_from_one_address_are_rate_limited(client):
    statuses = [client.post("/login", data={}).status_code for _ in range(31)]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429


def test_an_inactive_user_cannot_log_in(client, paedagog):
    paedagog.active = False
    db.session.commit()
    assert login(client, "paedagog@kommune.example").status_code == 401


# ---- next -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "http:/evil.example",
        "boern/soeg",
    ],
)
def test_next_never_leads_off_the_site(client, paedagog, target):
    response = login(client, "paedagog@kommune.example", next=target)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_next_returns_to_the_page_that_asked_for_login(client, paedagog):
    asked = client.get("/boern/soeg?q=an")
    assert asked.headers["Location"] == "/login?next=/boern/soeg?q%3Dan"
    form = client.get(asked.headers["Location"]).text
    assert 'value="/boern/soeg?q=an"' in form
    response = login(client, "paedagog@kommune.example", next="/boern/soeg?q=an")
    assert response.headers["Location"] == "/boern/soeg?q=an"


# ---- logout and idle timeout ----------------------------------------------------------------


def test_logout_is_a_post_with_csrf_and_ends_the_session_everywhere(app, client, paedagog):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login")
    login(client, "paedagog@kommune.example", csrf_token=csrf_from(page.text))
    home = client.get("/")
    assert home.status_code == 200
    stolen_cookie = client.get_cookie("session").value
    assert client.get("/logout").status_code == 405
    no_token = client.post("/logout")
    assert no_token.status_code == 400 and "Din session er udløbet" in no_token.text
    assert client.get("/").status_code == 200  # still logged in
    out = client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert out.status_code == 303 and out.headers["Location"] == "/login"
    assert "Du er logget ud." in client.get("/login").text
    assert client.get("/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen_cookie)
    assert replay.get("/").status_code == 302, "a copied cookie must not outlive the logout"


def test_idle_session_expires_after_the_configured_lifetime(app, client, paedagog, monkeypatch):
    """Sessions are refreshed by every page or form of the user's own and end after
    PERMANENT_SESSION_LIFETIME without one; the server checks the signed timestamp, not only the
    browser's cookie expiry."""
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=10)
    start = time.time()

    def at(minutes):
        monkeypatch.setattr(
            TimestampSigner, "get_timestamp", lambda self: int(start + minutes * 60)
        )

    at(0)
    response = login(client, "paedagog@kommune.example")
    assert (
        "Max-Age=600" in response.headers["Set-Cookie"]
        or "Expires=" in response.headers["Set-Cookie"]
    )
    at(9)
    assert client.get("/").status_code == 200  # active: refreshed
    at(18)
    assert client.get("/").status_code == 200  # 9 minutes idle: still in
    at(29)
    expired = client.get("/boern/soeg")
    assert expired.status_code == 302  # 11 minutes idle: logged out
    assert expired.headers["Location"].startswith("/login")


def session_cookie_sent(response) -> bool:
    return any(v.startswith("session=") for v in response.headers.getlist("Set-Cookie"))


BACKGROUND = {
    "static file": ("/static/js/app.js", {}),
    "worker script": ("/sw.js", {}),
    "worker module": ("/sw/push.js", {}),
    "worker's plan": ("/api/offline/plan", {}),
    "csrf token for the outbox": ("/api/csrf", {}),
    "page fetched to prepare the device": ("/", {"X-Opspor-Prepare": "1"}),
    "HTMX fragment": ("/boern/soeg?q=a", {"HX-Request": "true"}),
}


@pytest.mark.parametrize("path, headers", BACKGROUND.values(), ids=BACKGROUND.keys())
def test_a_background_request_does_not_send_the_session_back(app, client, paedagog, path, headers):
    """The session is a signed cookie: a response that re-sends the one its request started with
    would undo a login or a flash message that another response set meanwhile (the worker
    prepares the device while the user works). Only a request that changed the session sends
    it."""
    login(client, "paedagog@kommune.example")
    assert client.get("/").status_code == 200  # the first page adds the CSRF token
    started_with = client.get_cookie("session").value

    response = client.get(path, headers=headers)

    assert response.status_code == 200
    assert not session_cookie_sent(response)
    assert client.get_cookie("session").value == started_with


def test_a_request_from_before_the_login_cannot_log_the_user_out(app, client, paedagog):
    """A static file or the worker's script asked for on the login page and answered after the
    login leaves the new session alone."""
    client.get("/login")  # an anonymous session: the login form's CSRF token
    anonymous = client.get_cookie("session").value
    login(client, "paedagog@kommune.example")
    late = app.test_client()
    late.set_cookie("session", anonymous)
    for path in ("/static/css/app.css", "/sw.js", "/sw/push.js"):
        assert not session_cookie_sent(late.get(path)), path
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true", "HX-Boosted": "true"}])
def test_the_users_own_pages_slide_the_idle_timeout(app, client, paedagog, headers):
    login(client, "paedagog@kommune.example")
    client.get("/")
    assert session_cookie_sent(client.get("/boern/soeg?q=a", headers=headers))


def test_the_default_idle_timeout_is_eight_hours(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)


# ---- invitations ----------------------------------------------------------------------------


def invited(days=7, **user):
    member = User(email="ny@kommune.example", name="Ny Medarbejder", **user)
    db.session.add(member)
    db.session.flush()
    _invitation, token = Invitation.issue(member, days)
    db.session.commit()
    return member, f"/invitation/{token}"


def test_invitation_sets_the_password_once(client):
    member, url = invited()
    page = client.get(url)
    assert page.status_code == 200 and "Velkommen, Ny Medarbejder" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert '<meta name="referrer" content="no-referrer">' in page.text  # the token stays here
    password = "mindst-ti-tegn"
    response = client.post(url, data={"password": password, "confirm": password})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert login(client, "ny@kommune.example", password).status_code == 303
    again = client.get(url)
    assert again.status_code == 404 and "Linket virker ikke" in again.text


def test_invitation_password_rules_are_checked_in_danish(client):
    _member, url = invited()
    short = client.post(url, data={"password": "kort", "confirm": "kort"})
    assert short.status_code == 422 and "Mindst 10 tegn." in short.text
    different = client.post(url, data={"password": "mindst-ti-tegn", "confirm": "noget-andet"})
    assert different.status_code == 422 and "De to adgangskoder er ikke ens." in different.text


def test_an_expired_invitation_does_not_work(client):
    member, url = invited()
    invitation = db.session.query(Invitation).filter_by(user_id=member.id).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(url).status_code == 404
    response = client.post(url, data={"password": "mindst-ti-tegn", "confirm": "mindst-ti-tegn"})
    assert response.status_code == 404
    db.session.refresh(member)
    assert member.password_hash is None


def test_an_invitation_for_a_deactivated_user_does_not_work(client):
    _member, url = invited(active=False)
    assert client.get(url).status_code == 404


def test_an_unknown_token_does_not_work(client):
    assert client.get("/invitation/not-a-token").status_code == 404


# ---- language -------------------------------------------------------------------------------


def test_switching_to_english_and_back(client, paedagog):
    response = client.post("/sprog", data={"locale": "en", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").text
    client.post("/sprog", data={"locale": "da", "next": "/login"})
    assert '<html lang="da">' in client.get("/login").text


def test_a_logged_in_users_language_is_remembered_on_the_user(client, auth, paedagog):
    make_child(paedagog.memberships[0].unit)
    auth.login(paedagog)
    client.post("/sprog", data={"locale": "en", "next": "/"})
    db.session.refresh(paedagog)
    assert paedagog.locale == "en"
    assert '<html lang="en">' in client.get("/").text


def test_the_language_switch_refuses_unknown_languages_and_foreign_next(client):
    assert client.post("/sprog", data={"locale": "xx"}).status_code == 400
    response = client.post("/sprog", data={"locale": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
