"""Where "screening kræver handling i dag" leads: the district's recent EPDS item 10
screenings for its leader, newest first, with whether an action is recorded."""

from __future__ import annotations

import uuid
from datetime import date

from app import signals
from app.auth.roles import Role
from app.extensions import db
from app.org.models import UnitKind
from app.reminders import sweep
from tests.factories import make_child, make_unit, make_user
from tests.web.test_reminders_sweep import areas, at, notifications, push_app  # noqa: F401


def item10_visit(visit_id, child, nurse, on, action=None):
    from app.visits.models import Visit, VisitAction

    visit = Visit(
        id=visit_id,
        uuid=str(uuid.uuid4()),
        child_id=child.id,
        nurse_id=nurse.id,
        visit_type="besoeg_2_mdr",
        contact_form="hjemme",
        visit_date=on,
        epds_self_harm=True,
    )
    db.session.add(visit)
    if action:
        db.session.add(VisitAction(visit=visit, text=action, by_id=nurse.id))
    db.session.flush()
    return visit


def test_the_notification_leads_to_the_districts_screenings_newest_first(
    areas,  # noqa: F811
    at,  # noqa: F811
    client,
    auth,
):
    """Two item 10 screenings: the leader's notification opens a list of both children, the
    newer visit (id 100, after id 87 as a number) first, the one without an action marked;
    another district's leader gets 404."""
    at(2026, 3, 7, 10)
    district = make_unit("Sundhedsplejen Nord", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    other = make_unit("Sundhedsplejen Syd", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district, name="Sundhedsplejerske Sara")
    head = make_user(Role.LEDER, district)
    other_head = make_user(Role.LEDER, other)
    older = make_child(district, nurse=nurse, first_name="Alma", birth_date=date(2026, 1, 5))
    newer = make_child(district, nurse=nurse, first_name="Bodil", birth_date=date(2026, 1, 9))
    db.session.commit()
    item10_visit(87, older, nurse, date(2026, 3, 6), action="Ringet til egen læge")
    visit = item10_visit(100, newer, nurse, date(2026, 3, 7))
    signals.urgent_screening.send(visit, user=nurse)
    db.session.commit()
    sweep.run()

    (n,) = notifications(head, "urgent_screening")
    assert n.count == 2
    assert n.url == f"/notifikationer/screeninger/{district.id}"

    auth.login(head)
    page = client.get(client.get(f"/notifikationer/{n.id}").headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Bodil") < html.index("Alma")
    assert html.count("/besoeg/100") == 1 and html.count("/besoeg/87") == 1
    bodil, alma = html.split("Bodil", 1)[1].split("Alma", 1)
    assert "Ingen handling registreret" in bodil and "Ingen handling registreret" not in alma
    assert "Handling registreret" in alma and "Sundhedsplejerske Sara" in alma

    auth.login(other_head)
    assert client.get(n.url).status_code == 404
