"""The access log (adgangslog): every view is recorded, the log is append-only, a leader sees
who has looked at a child and can export it as CSV for a citizen's request."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from app.audit.models import AccessLog
from app.audit.services import log_access
from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_child, make_unit, make_user
from tests.web.isolation import fresh_g  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fresh_g")


@pytest.fixture
def setting():
    unit = make_unit()
    child = make_child(unit, first_name="Loggebarn")
    paedagog = make_user(Role.PAEDAGOG, unit, name="Pia Pædagog")
    leader = make_user(Role.LEDER, unit, name="Lars Leder")
    return unit, child, paedagog, leader


def test_the_leader_sees_who_looked_at_the_child(client, auth, setting):
    _unit, child, paedagog, leader = setting
    auth.login(paedagog)
    client.get(f"/boern/{child.id}")
    auth.login(leader)
    page = client.get(f"/boern/{child.id}/adgangslog")
    assert page.status_code == 200
    assert "Adgangslog for Loggebarn" in page.text
    assert "Pia Pædagog" in page.text and "Pædagog" in page.text and "Set" in page.text
    rows = db.session.scalars(select(AccessLog).where(AccessLog.child_id == child.id)).all()
    assert [(r.user_id, r.what) for r in rows] == [
        (paedagog.id, "child"),
        (leader.id, "access-log"),
    ]


def test_offline_reads_show_when_they_happened(client, auth, setting):
    _unit, child, paedagog, leader = setting
    at = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    log_access(child.id, "view", "visit:1", user=paedagog, channel="offline", occurred_at=at)
    auth.login(leader)
    page = client.get(f"/boern/{child.id}/adgangslog").text
    assert "offline" in page and "02.03.2026 kl. 10:15" in page


def test_the_log_exports_as_csv_with_danish_labels(client, auth, setting):
    _unit, child, paedagog, leader = setting
    log_access(child.id, "update", "assessment:7", user=paedagog)
    auth.login(leader)
    response = client.get(f"/boern/{child.id}/adgangslog.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"adgangslog-barn-{child.id}.csv" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["tidspunkt", "sket_på_enheden", "medarbejder"]
    assert rows[-1][2:] == ["Pia Pædagog", "Pædagog", "Ændret", "assessment:7", "online"]
    exported = db.session.scalar(
        select(AccessLog.action).where(AccessLog.child_id == child.id).order_by(AccessLog.id.desc())
    )
    assert exported == "export"


def test_only_leaders_of_the_child_see_the_log(client, auth, setting):
    _unit, child, paedagog, _leader = setting
    auth.login(paedagog)
    assert client.get(f"/boern/{child.id}/adgangslog").status_code == 403
    assert client.get(f"/boern/{child.id}/adgangslog.csv").status_code == 403
    auth.login(make_user(Role.LEDER, make_unit()))
    assert client.get(f"/boern/{child.id}/adgangslog").status_code == 404


def test_the_log_is_append_only(setting):
    _unit, child, paedagog, _leader = setting
    log_access(child.id, "view", "child", user=paedagog)
    db.session.commit()
    entry = db.session.scalar(select(AccessLog))
    entry.what = "noget andet"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AccessLog)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(update(AccessLog).values(what="x"))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(delete(AccessLog))
    db.session.rollback()
    assert db.session.scalar(select(AccessLog.what)) == "child"


def test_a_long_log_is_paginated(client, auth, setting):
    _unit, child, paedagog, leader = setting
    for _ in range(120):
        log_access(child.id, "view", "child", user=paedagog)
    auth.login(leader)
    page = client.get(f"/boern/{child.id}/adgangslog").text
    assert "Side 1 af 2" in page and "120 registreringer" in page


def test_an_administrator_is_logged_as_administrator(setting):
    _unit, child, _paedagog, _leader = setting
    admin = make_user(admin=True)
    log_access(child.id, "view", "admin:child", user=admin)
    assert db.session.scalar(select(AccessLog.role)) == "administrator"


def test_a_page_writes_its_log_row_only_when_the_request_commits(app, client, auth, setting):
    """A page that logs its read must not take SQLite's single write lock for its whole
    rendering (every save on the server would wait for it): the row is written at the commit."""
    _unit, child, _paedagog, leader = setting
    with app.test_request_context():
        log_access(child.id, "view", user=leader)
        assert not [row for row in db.session.new if isinstance(row, AccessLog)]
    pending = [row for row in db.session.new if isinstance(row, AccessLog)]
    assert [row.child_id for row in pending] == [child.id]
    for row in pending:
        db.session.expunge(row)

    auth.login(leader)
    before = db.session.scalar(select(db.func.count(AccessLog.id)))
    assert client.get(f"/boern/{child.id}").status_code == 200
    assert db.session.scalar(select(db.func.count(AccessLog.id))) == before + 1
