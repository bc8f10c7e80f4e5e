"""Shared setup for the concerns route tests: a børnehave with a leader, two pædagoger and a
child with guardians; another unit with its own pædagog and child. The clock is frozen on a
Tuesday in March 2026."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.audit.models import AccessLog
from app.auth.roles import Role
from app.children.models import Guardian
from app.concerns.models import CourseOfAction
from app.extensions import db
from app.signals import course_opened
from tests.factories import make_child, make_unit, make_user

TODAY = date(2026, 3, 10)


@dataclass
class Setup:
    unit: object
    leader: object
    paedagog: object
    colleague: object
    child: object
    other_unit: object
    stranger: object
    other_child: object


def freeze():
    clock.freeze(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


def make_setup() -> Setup:
    unit = make_unit("Børnehaven Kløveren")
    leader = make_user(Role.LEDER, unit, name="Lone Leder")
    paedagog = make_user(Role.PAEDAGOG, unit, name="Pia Pædagog")
    colleague = make_user(Role.PAEDAGOG, unit, name="Kim Kollega")
    born = TODAY - timedelta(days=4 * 365)
    child = make_child(
        unit,
        first_name="Ida",
        last_name="Bækgaard",
        birth_date=born,
        cpr=born.strftime("%d%m%y") + "9001",
        enrolled_from=TODAY - timedelta(days=400),
    )
    child.guardians[0].name = "Mette Bækgaard"
    child.guardians[0].address = "Egevej 3, 9999 Egeskov"
    child.guardians.append(
        Guardian(name="Omar Bækgaard", relation="far", language="arabisk", needs_interpreter=True)
    )
    other_unit = make_unit("Vuggestuen Andetsteds")
    stranger = make_user(Role.PAEDAGOG, other_unit, name="Fremmed Pædagog")
    other_child = make_child(other_unit, first_name="Noah")
    db.session.flush()
    return Setup(unit, leader, paedagog, colleague, child, other_unit, stranger, other_child)


def logged_in_setup(auth):
    """Body of each module's `s` fixture: the setup on the frozen Tuesday, logged in as the
    pædagog; the clock runs again afterwards."""
    freeze()
    setup = make_setup()
    auth.login(setup.paedagog)
    yield setup
    clock.freeze(None)


def open_url(child, position="roed", source="assessment", source_id=1, **extra) -> str:
    params = {"position": position, "source": source, "source_id": source_id, **extra}
    query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
    return f"/boern/{child.id}/handleveje/ny?{query}"


def open_course(client, child, **kw) -> CourseOfAction:
    response = client.post(open_url(child, **kw), data={"reason": kw.get("reason", "Bekymring")})
    assert response.status_code == 303, response.data
    return db.session.scalar(
        select(CourseOfAction)
        .where(CourseOfAction.child_id == child.id)
        .order_by(CourseOfAction.id.desc())
    )


def course_url(course, suffix: str = "") -> str:
    return f"/boern/{course.child_id}/handleveje/{course.id}{suffix}"


def logged(child_id: int) -> list[tuple[str, str]]:
    return [
        (e.action, e.what)
        for e in db.session.scalars(
            select(AccessLog).where(AccessLog.child_id == child_id).order_by(AccessLog.id)
        )
    ]


@contextmanager
def signals_caught():
    """Collect course_opened signals (sender, data)."""
    caught: list = []

    def receiver(sender, **data):
        caught.append((sender, data))

    with course_opened.connected_to(receiver):
        yield caught
