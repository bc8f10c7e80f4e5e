"""A small world for the transition tests: a dagplejer's child moving to a børnehave."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from app import clock
from app.auth.roles import Role
from app.children.models import Enrolment, Guardian
from app.extensions import db
from app.org.models import UnitKind
from app.transitions import definitions
from tests.conftest import Auth
from tests.factories import make_child, make_unit, make_user


@dataclass
class World:
    dagpleje: object
    group: object
    boernehave: object
    elsewhere: object
    dagplejer: object
    other_dagplejer: object
    dpp: object
    dagpleje_leader: object
    bh_leader: object
    paedagog: object
    other_paedagog: object
    nurse: object
    child: object
    home: object  # the child's current enrolment (in the dagplejer's home)
    coming: object  # the future enrolment in the børnehave


def login(client, user):
    """Log in through the session, as the `auth` fixture does (these tests take `client`)."""
    return Auth(client).login(user)


def make_world(start_in_days: int = 30) -> World:
    today = clock.today()
    dagpleje = make_unit("Dagplejen", UnitKind.DAGPLEJE)
    group = make_unit("Gruppe Øst", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    boernehave = make_unit("Børnehaven Mælkebøtten", UnitKind.BOERNEHAVE)
    elsewhere = make_unit("Børnehaven Andetsteds", UnitKind.BOERNEHAVE)
    district = make_unit("Sundhedsplejen", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group, name="Susanne Dagplejepædagog")
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp, name="Dorthe Dagplejer")
    other_dagplejer = make_user(Role.DAGPLEJER, group, name="Lise Dagplejer")
    start = today + timedelta(days=start_in_days)
    child = make_child(
        group,
        dagplejer=dagplejer,
        birth_date=today - timedelta(days=1000),
        first_name="Alma",
        enrolled_from=today - timedelta(days=600),
        enrolled_to=start - timedelta(days=1),
    )
    child.enrolments.append(Enrolment(unit=district, start_date=child.birth_date))
    child.guardians[0].relation = "mor"
    child.guardians.append(Guardian(name="Far Testesen", relation="far"))
    coming = Enrolment(unit=boernehave, start_date=start)
    child.enrolments.append(coming)
    db.session.flush()
    return World(
        dagpleje=dagpleje,
        group=group,
        boernehave=boernehave,
        elsewhere=elsewhere,
        dagplejer=dagplejer,
        other_dagplejer=other_dagplejer,
        dpp=dpp,
        dagpleje_leader=make_user(Role.LEDER, dagpleje, name="Dagplejeleder"),
        bh_leader=make_user(Role.LEDER, boernehave, name="Børnehaveleder"),
        paedagog=make_user(Role.PAEDAGOG, boernehave, name="Pædagog i Mælkebøtten"),
        other_paedagog=make_user(Role.PAEDAGOG, elsewhere, name="Pædagog andetsteds"),
        nurse=make_user(Role.SUNDHEDSPLEJERSKE, district, name="Sundhedsplejerske"),
        child=child,
        home=child.enrolments[0],
        coming=coming,
    )


def answers(**extra) -> dict:
    """A complete set of answers (every field a finished schema needs)."""
    data = {
        "contact_person": "Dorthe Dagplejer",
        "social_wellbeing": "Glad og tryg.",
        "resources": "Nysgerrig og hjælpsom.",
        "next_steps": "To besøg i børnehaven før start.",
        "parents_words": "Hun glæder sig.",
    }
    data.update(extra)
    return data


def payload(world: World, action: str = "draft", **fields) -> dict:
    data = {
        "uuid": str(uuid.uuid4()),
        "child_id": str(world.child.id),
        "form_version": str(definitions.current().version),
        "target": f"enrolment:{world.coming.id}",
        "action": action,
        **answers(),
    }
    data.update(fields)
    return data


def start_today(world: World) -> None:
    """The child has moved: the børnehave enrolment starts today, the dagpleje ended."""
    today = clock.today()
    world.home.end_date = today - timedelta(days=1)
    world.coming.start_date = today
    db.session.commit()
