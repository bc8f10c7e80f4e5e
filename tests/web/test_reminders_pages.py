"""The Påmindelser page (devices, quiet hours, test) and the Notifikationer list."""

from __future__ import annotations

import base64
import os
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.reminders import vapid
from app.reminders.models import Notification, PushSubscription, ReminderPreference
from tests.factories import make_user


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def subscription(endpoint: str | None = None) -> dict:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "endpoint": endpoint or f"https://push.example.net/send/{b64url(os.urandom(12))}",
        "keys": {"p256dh": b64url(point), "auth": b64url(os.urandom(16))},
    }


@pytest.fixture(autouse=True)
def no_shared_key(app, tmp_path):
    """Never the developer's instance/vapid_private.pem: each test decides about keys."""
    app.config.update(VAPID_PRIVATE_KEY="", VAPID_KEY_FILE=str(tmp_path / "no-key.pem"))
    app.extensions.pop("reminders.vapid", None)


@pytest.fixture
def leader(auth):
    return auth.login(make_user(Role.LEDER))


def add_notification(user, kind="red_concern", count=1, url="/overblik", read=False):
    n = Notification(user_id=user.id, kind=kind, count=count, unit_name="Solsikken", url=url)
    if read:
        from app import clock

        n.read_at = clock.now()
    db.session.add(n)
    db.session.commit()
    return n


# ---- the settings page ----------------------------------------------------------------------


def test_the_page_explains_and_asks_for_nothing_until_the_button(client, leader, app):
    keys = Vapid()
    keys.generate_keys()
    app.config["VAPID_PRIVATE_KEY"] = vapid.private_raw(keys)
    app.extensions.pop("reminders.vapid", None)

    page = client.get("/paamindelser").get_data(as_text=True)

    assert "aldrig et barns navn, CPR-nummer eller helbredsoplysninger" in page
    assert 'id="push-enable"' in page
    assert f'data-public-key="{vapid.public_key(keys)}"' in page
    assert "iOS 16.4" in page
    assert "/static/js/push.js" in page
    assert "<script>" not in page  # no inline script (CSP)
    # Quiet hours as they work: weekends wait until Monday, the same hour twice is none.
    assert "i weekenden til mandag morgen" in page
    assert "Samme klokkeslæt i begge felter (fx 07:00 til 07:00) betyder ingen stille timer" in page


def test_anonymous_users_are_sent_to_login(client):
    assert client.get("/paamindelser").status_code == 302
    assert client.get("/notifikationer").status_code == 302
    response = client.post("/paamindelser/enheder", json=subscription())
    assert response.status_code == 401


def test_subscribe_this_device_and_see_it_listed(client, leader):
    response = client.post(
        "/paamindelser/enheder",
        json=subscription(),
        headers={
            "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
            "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
        },
    )
    assert response.status_code == 201
    assert response.json["label"] == "Safari på iPhone"
    page = client.get("/paamindelser").get_data(as_text=True)
    assert "Safari på iPhone" in page
    assert "push.example.net" not in page  # the endpoint is a secret: only its hash is shown


def test_the_same_browser_subscribing_again_is_one_device(client, leader):
    data = subscription()
    client.post("/paamindelser/enheder", json=data)
    client.post("/paamindelser/enheder", json=data)
    assert len(db.session.scalars(select(PushSubscription)).all()) == 1


def test_a_shared_tablet_moves_to_the_user_who_subscribes_it(client, auth):
    data = subscription()
    first = auth.login(make_user(Role.DAGPLEJER))
    client.post("/paamindelser/enheder", json=data)
    second = auth.login(make_user(Role.DAGPLEJER))
    client.post("/paamindelser/enheder", json=data)
    db.session.expire_all()
    (sub,) = db.session.scalars(select(PushSubscription)).all()
    assert sub.user_id == second.id != first.id


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "http://push.example.net/x"},  # not HTTPS
        {"endpoint": "http://127.0.0.1:9/x"},  # loopback only when configured (tests)
        {"endpoint": "https://"},
        {"keys": {"p256dh": "AAAA", "auth": b64url(os.urandom(16))}},
        {"keys": {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": "short"}},
        {"keys": None},
    ],
)
def test_a_broken_subscription_is_refused(client, leader, change):
    data = {**subscription(), **change}
    response = client.post("/paamindelser/enheder", json=data)
    assert response.status_code == 400
    assert db.session.scalar(select(PushSubscription)) is None


def test_remove_one_device(client, leader):
    client.post("/paamindelser/enheder", json=subscription())
    sub = db.session.scalar(select(PushSubscription))
    response = client.post(f"/paamindelser/enheder/{sub.id}/fjern")
    assert response.status_code == 303
    assert db.session.scalar(select(PushSubscription)) is None


def test_another_users_device_cannot_be_removed(client, auth):
    owner = auth.login(make_user(Role.LEDER))
    client.post("/paamindelser/enheder", json=subscription())
    sub = db.session.scalar(select(PushSubscription))
    auth.login(make_user(Role.LEDER))
    assert client.post(f"/paamindelser/enheder/{sub.id}/fjern").status_code == 404
    assert db.session.get(PushSubscription, sub.id).user_id == owner.id


def test_unsubscribing_this_device_from_the_page_script(client, leader):
    data = subscription()
    client.post("/paamindelser/enheder", json=data)
    response = client.post("/paamindelser/enheder/fjern-denne", json={"endpoint": data["endpoint"]})
    assert response.status_code == 200
    assert db.session.scalar(select(PushSubscription)) is None


def test_logging_out_removes_this_devices_subscription_for_this_user(client, auth):
    """Log ud on a shared tablet: the page's script puts the device's endpoint in the logout
    form, and the next person's tablet no longer gets this user's reminders. Another device
    of the same user, and another user's device, are kept."""
    user = auth.login(make_user(Role.DAGPLEJER))
    tablet, phone = subscription(), subscription()
    client.post("/paamindelser/enheder", json=tablet)
    client.post("/paamindelser/enheder", json=phone)
    other = make_user(Role.DAGPLEJER)
    elsewhere = subscription()
    db.session.add(
        PushSubscription(
            user_id=other.id,
            endpoint=elsewhere["endpoint"],
            p256dh=elsewhere["keys"]["p256dh"],
            auth=elsewhere["keys"]["auth"],
        )
    )
    db.session.commit()
    page = client.get("/paamindelser").get_data(as_text=True)
    assert 'class="logout-form"' in page  # offline.js adds this device's endpoint to it

    response = client.post("/logout", data={"push_endpoint": tablet["endpoint"]})
    assert response.status_code == 303
    db.session.expire_all()
    left = {(s.endpoint, s.user_id) for s in db.session.scalars(select(PushSubscription))}
    assert left == {(phone["endpoint"], user.id), (elsewhere["endpoint"], other.id)}

    auth.login(user)  # another user's device cannot be removed by naming it at logout
    client.post("/logout", data={"push_endpoint": elsewhere["endpoint"]})
    assert db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == elsewhere["endpoint"])
    )


def test_a_logout_without_an_endpoint_keeps_the_devices(client, auth):
    auth.login(make_user(Role.DAGPLEJER))
    client.post("/paamindelser/enheder", json=subscription())
    assert client.post("/logout").status_code == 303
    assert db.session.scalar(select(PushSubscription)) is not None


def test_quiet_hours_are_saved(client, leader):
    response = client.post(
        "/paamindelser/stille-timer", data={"quiet_start": "21", "quiet_end": "6"}
    )
    assert response.status_code == 303
    pref = db.session.scalar(select(ReminderPreference))
    assert (pref.quiet_start, pref.quiet_end, pref.quiet_weekends) == (21, 6, False)
    page = client.get("/paamindelser").get_data(as_text=True)
    assert '<option selected value="21">21:00</option>' in page


def test_invalid_quiet_hours_are_shown_next_to_the_field(client, leader):
    response = client.post(
        "/paamindelser/stille-timer", data={"quiet_start": "25", "quiet_end": "6"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Formularen er ikke gemt" in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(ReminderPreference)) is None


def test_the_test_button_puts_a_notification_in_the_list(client, leader):
    """Without a device nothing is sent: the page says so, and where the notification is."""
    response = client.post("/paamindelser/test", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Testnotifikationen er sendt" not in page
    assert (
        "Du har ingen enheder med påmindelser. Testnotifikationen står under Notifikationer."
        in page
    )
    (n,) = db.session.scalars(select(Notification)).all()
    assert (n.kind, n.user_id, n.push_state) == ("test", leader.id, "none")


def test_the_test_button_with_a_device_says_it_is_sent(client, leader):
    client.post("/paamindelser/enheder", json=subscription())
    response = client.post("/paamindelser/test", follow_redirects=True)
    assert "Testnotifikationen er sendt" in response.get_data(as_text=True)


# ---- pushsubscriptionchange from the worker ---------------------------------------------------


def test_the_worker_replaces_a_changed_subscription_without_a_session(client, auth):
    owner = auth.login(make_user(Role.LEDER))
    old = subscription()
    client.post("/paamindelser/enheder", json=old)
    auth.logout()
    new = subscription()

    response = client.post(
        "/paamindelser/skift", json={"oldEndpoint": old["endpoint"], "subscription": new}
    )

    assert response.status_code == 201
    db.session.expire_all()
    (sub,) = db.session.scalars(select(PushSubscription)).all()
    assert (sub.endpoint, sub.user_id) == (new["endpoint"], owner.id)


def test_an_unknown_old_endpoint_without_a_session_is_refused(client):
    response = client.post(
        "/paamindelser/skift",
        json={"oldEndpoint": "https://push.example.net/unknown", "subscription": subscription()},
    )
    assert response.status_code == 404
    assert db.session.scalar(select(PushSubscription)) is None


def test_with_a_session_and_no_old_endpoint_the_user_owns_it(client, leader):
    response = client.post("/paamindelser/skift", json={"subscription": subscription()})
    assert response.status_code == 201
    assert db.session.scalar(select(PushSubscription)).user_id == leader.id


def test_the_change_endpoint_takes_json_only(client, leader):
    """No CSRF token here, so a cross-site form post must not work: JSON needs a preflight."""
    response = client.post("/paamindelser/skift", data={"subscription": "x"})
    assert response.status_code == 415


def test_the_public_key_for_the_worker(client, app):
    assert client.get("/paamindelser/noegle").status_code == 404  # not configured in tests
    keys = Vapid()
    keys.generate_keys()
    app.config["VAPID_PRIVATE_KEY"] = vapid.private_raw(keys)
    app.extensions.pop("reminders.vapid", None)
    assert client.get("/paamindelser/noegle").json == {"publicKey": vapid.public_key(keys)}


# ---- notifications ----------------------------------------------------------------------------


def test_the_list_shows_unread_first_with_text_not_only_colour(client, leader):
    add_notification(leader, "follow_up_overdue", count=2, read=True)
    add_notification(leader, "red_concern", count=1)

    page = client.get("/notifikationer").get_data(as_text=True)

    assert "1 ulæst" in page
    assert page.index("1 barn er vurderet i rød position i Solsikken") < page.index(
        "2 opfølgninger er overskredet i Solsikken"
    )
    assert page.count(">Ulæst</span>") == 1


def test_the_digest_shows_one_row_per_unit_in_the_app(client, leader):
    """The leaders' digest is a list of units in the app (the push keeps its compact text)."""
    n = add_notification(leader, "leader_digest", count=2)
    n.details = {
        "days": 14,
        "units": [
            {"name": "Mælkebøtten", "children": 40, "assessed": 30, "overdue": 2},
            {"name": "Solsikken", "children": 12, "assessed": 12},
        ],
    }
    db.session.commit()
    page = client.get("/notifikationer").get_data(as_text=True)
    rows = re.findall(r"<li>([^<]*)</li>", page.split('class="notification-body', 1)[1])
    assert [row.split(":")[0] for row in rows] == ["Mælkebøtten", "Solsikken"]
    assert "; " not in rows[0]


def test_the_nav_badge_counts_unread(client, leader):
    add_notification(leader)
    add_notification(leader)
    page = client.get("/notifikationer").get_data(as_text=True)
    assert 'Notifikationer <span class="nav-badge">2<span class="visually-hidden"> ulæste' in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, leader):
    n = add_notification(leader, url="/overblik/liste/roed-nye?unit_id=3")
    response = client.get(f"/notifikationer/{n.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/overblik/liste/roed-nye?unit_id=3"
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is not None


def test_another_users_notification_is_not_found(client, auth):
    n = add_notification(make_user(Role.LEDER))
    auth.login(make_user(Role.LEDER))
    assert client.get(f"/notifikationer/{n.id}").status_code == 404


def test_mark_all_read(client, leader):
    other = make_user(Role.LEDER)
    add_notification(leader)
    add_notification(leader)
    theirs = add_notification(other)
    response = client.post("/notifikationer/laest", follow_redirects=True)
    assert "0 ulæste" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_list_uses_a_bounded_number_of_queries(client, leader, count_queries):
    for _ in range(5):
        add_notification(leader)
    with count_queries() as few:
        client.get("/notifikationer")
    for _ in range(40):
        add_notification(leader)
    with count_queries() as many:
        client.get("/notifikationer")
    assert len(many) == len(few)


# ---- CLI ------------------------------------------------------------------------------------


def test_the_vapid_command_writes_a_key_once(runner, app, tmp_path):
    app.config["VAPID_KEY_FILE"] = str(tmp_path / "vapid.pem")
    result = runner.invoke(args=["reminders", "vapid"])
    assert result.exit_code == 0, result.output
    assert "OPSPOR_VAPID_PRIVATE_KEY=" in result.output
    assert (tmp_path / "vapid.pem").stat().st_mode & 0o777 == 0o600
    app.extensions.pop("reminders.vapid", None)
    public = vapid.public_key_for_app(app)
    assert public in result.output  # for reference; the app serves it to browsers itself
    # Only variables the configuration reads (routes._configure): nothing to set for the
    # public key, and the private key printed is the one written to the file.
    assigned = dict(re.findall(r"^([A-Z][A-Z_]*)=(\S+)$", result.output, re.M))
    assert list(assigned) == ["OPSPOR_VAPID_PRIVATE_KEY"]
    assert vapid.public_key(vapid.from_text(assigned["OPSPOR_VAPID_PRIVATE_KEY"])) == public

    again = runner.invoke(args=["reminders", "vapid"])
    assert again.exit_code != 0 and "exists" in again.output


def test_the_demo_makes_its_key_on_first_use(app, tmp_path):
    app.config.update(DEMO_MODE=True, VAPID_KEY_FILE=str(tmp_path / "demo.pem"))
    app.extensions.pop("reminders.vapid", None)
    assert vapid.public_key_for_app(app)
    assert (tmp_path / "demo.pem").exists()


def test_without_demo_mode_no_key_is_made(app, tmp_path):
    app.config.update(DEMO_MODE=False, VAPID_KEY_FILE=str(tmp_path / "none.pem"))
    app.extensions.pop("reminders.vapid", None)
    assert vapid.public_key_for_app(app) is None
    assert not (tmp_path / "none.pem").exists()


def test_the_demo_timer_is_never_started_by_tests(app):
    from app.reminders import sweep

    app.config["DEMO_MODE"] = True
    assert sweep.timer_wanted(app) is False
