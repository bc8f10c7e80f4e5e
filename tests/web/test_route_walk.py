"""The route walk: every URL with an object id in it, requested by every role with the id of an
object in another unit, is refused (404, or 403 where the whole route is not for that role).
Anonymous requests to every non-public URL are sent to the login page (HTML) or get 401 (JSON).

The walk reads `app.url_map`, so routes other areas add later are walked automatically. How the
walk fills an id in a URL is a small registry in `tests/web/walk_ids/` (read its docstring): an
area whose URLs carry a new kind of id (`visit_id`, `assessment_id`, …) adds
`tests/web/walk_ids/<area>.py` with a `@foreign_id("visit_id")` factory that makes such an object
for `world.foreign_child` (or `world.foreign_user`), and `public(...)` for endpoints that need no
login. Nothing in this file needs editing for that.

GET and POST are both walked where the route accepts them; the POST carries no form data, which
is deliberate: a route must refuse an object outside the user's scope before it looks at input
(a 422 here means it validated first and so told the user the object exists).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.models import AccessLog
from app.auth.models import Membership
from app.auth.roles import Role
from app.children.models import Enrolment
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_child, make_unit, make_user
from tests.web.security_headers import header_problems
from tests.web.walk_ids import FACTORIES, PUBLIC_ENDPOINTS, World, load_all

load_all()

ROLES = [*(role.value for role in Role), "administrator"]
# An administrator is the municipality's pladsanvisning in the administration (see
# app/admin/scoping.py): there he reaches every child and unit by design. Everywhere else he is
# walked like everyone.
MUNICIPALITY_WIDE = {"administrator": "admin."}
MISSING_ID = 999_999  # for id kinds nobody registered yet
REFUSED = {403, 404}


def _id_args(rule) -> list[str]:
    return [a for a in rule.arguments if a in FACTORIES or a.endswith("_id")]


def walked_rules(app) -> list:
    """Every rule with an object id in its URL, in a stable order."""
    rules = [r for r in app.url_map.iter_rules() if _id_args(r)]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m in ("GET", "POST", "PUT", "PATCH", "DELETE"))


def _placeholder(rule, arg: str):
    converter = type(rule._converters[arg]).__name__
    if converter == "IntegerConverter":
        return MISSING_ID
    if converter == "UUIDConverter":
        return uuid.UUID(int=1)
    return "x"


def _url(rule, ids: dict[str, int | None]) -> str:
    values = {
        arg: ids.get(arg) if ids.get(arg) is not None else _placeholder(rule, arg)
        for arg in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]


def build_world() -> World:
    """Another municipality corner: units, staff and a child no walking user belongs to."""
    today = clock.today()
    district = make_unit("Fremmed distrikt", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    dagpleje = make_unit("Fremmed dagpleje", UnitKind.DAGPLEJE)
    group = make_unit("Fremmed gruppe", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    leader = make_user(Role.LEDER, dagpleje)
    leader.memberships.append(Membership(unit=district, role=Role.LEDER))
    child = make_child(
        group,
        dagplejer=dagplejer,
        nurse=nurse,
        birth_date=today - timedelta(days=500),
        enrolled_from=today - timedelta(days=150),
    )
    child.enrolments.append(Enrolment(unit=district, start_date=child.birth_date))
    db.session.flush()
    return World(
        today=today,
        foreign_unit=group,
        foreign_district=district,
        foreign_child=child,
        foreign_dagplejer=dagplejer,
        foreign_dagplejepaedagog=dpp,
        foreign_nurse=nurse,
        foreign_leader=leader,
        foreign_user=dagplejer,
    )


def walker(role: str):
    """A user of `role` in home units of their own, each with a child of their own."""
    district = make_unit("Eget distrikt", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    dagpleje = make_unit("Egen dagpleje", UnitKind.DAGPLEJE)
    group = make_unit("Egen gruppe", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    boernehave = make_unit("Egen børnehave", UnitKind.BOERNEHAVE)
    dpp = make_user(Role.DAGPLEJEPAEDAGOG, group)
    dagplejer = make_user(Role.DAGPLEJER, group, supervisor=dpp)
    users = {
        "sundhedsplejerske": make_user(Role.SUNDHEDSPLEJERSKE, district),
        "dagplejer": dagplejer,
        "dagplejepaedagog": dpp,
        "paedagog": make_user(Role.PAEDAGOG, boernehave),
        "leder": make_user(Role.LEDER, dagpleje),
        "administrator": make_user(admin=True),
    }
    users["leder"].memberships += [
        Membership(unit=boernehave, role=Role.LEDER),
        Membership(unit=district, role=Role.LEDER),
    ]
    make_child(district, nurse=users["sundhedsplejerske"])
    make_child(group, dagplejer=dagplejer)
    make_child(boernehave)
    db.session.flush()
    return users[role]


def _ids_for(app, world: World) -> dict[str, int | None]:
    """Make every registered object up front, then commit: a refused request rolls back."""
    args = {a for rule in walked_rules(app) for a in _id_args(rule)}
    ids = {arg: world.id_for(arg) for arg in sorted(args)}
    db.session.commit()
    return ids


def walk(app, client, ids: dict, role: str) -> tuple[list[str], list[str], int]:
    """Request every walked URL as the logged-in user: (refusal failures, header failures, n)."""
    skip_prefix = MUNICIPALITY_WIDE.get(role)
    failures, header_failures, walked = [], [], 0
    for rule in walked_rules(app):
        if skip_prefix and rule.endpoint.startswith(skip_prefix):
            continue
        url = _url(rule, ids)
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            walked += 1
            if response.status_code not in REFUSED:
                failures.append(f"{method} {url} ({rule.endpoint}) → {response.status_code}")
            if problems := header_problems(response):
                header_failures.append(f"{method} {url}: {problems}")
    return failures, header_failures, walked


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_objects_of_another_unit(app, client, auth, role):
    """Each role, for every URL with an id, gets 404/403 for another unit's object (GET and
    POST), and nothing about the foreign child is written to its access log."""
    world = build_world()
    user = walker(role)
    ids = _ids_for(app, world)
    auth.login(user)
    failures, header_failures, walked = walk(app, client, ids, role)
    assert walked, "nothing was walked"
    assert not failures, f"{role} reached another unit's objects:\n" + "\n".join(failures)
    assert not header_failures, "\n".join(header_failures)
    logged = db.session.scalar(
        select(func.count()).where(AccessLog.child_id == world.foreign_child.id)
    )
    assert logged == 0, f"{role}: refused requests still wrote {logged} access-log rows"


def test_the_walk_notices_a_route_that_leaks(app, client, auth):
    """A route added without scoping (here: one that answers any child id) fails the walk."""
    app.add_url_rule("/__leak/<int:child_id>", "leak", lambda child_id: "a child's data")
    ids = _ids_for(app, build_world())
    auth.login(walker("paedagog"))
    failures, _, _ = walk(app, client, ids, "paedagog")
    assert [f for f in failures if "(leak)" in f] == [f"GET /__leak/{ids['child_id']} (leak) → 200"]


def test_every_child_id_route_is_walked(app):
    """Every rule with `child_id` is in the walk, for every role (administrators skip only the
    administration's routes, by design)."""
    assert "child_id" in FACTORIES
    walked = {r.endpoint for r in walked_rules(app)}
    child_rules = [r for r in app.url_map.iter_rules() if "child_id" in r.arguments]
    assert child_rules, "no routes with child_id at all?"
    missing = [r.rule for r in child_rules if r.endpoint not in walked]
    assert not missing, f"not walked: {missing}"
    for role in ROLES:
        prefix = MUNICIPALITY_WIDE.get(role)
        skipped = [r.rule for r in child_rules if prefix and r.endpoint.startswith(prefix)]
        assert all(rule.startswith("/admin/") for rule in skipped), (role, skipped)


def test_every_id_kind_has_a_factory(app):
    """Ids without a factory are walked only with an id that does not exist: register one."""
    missing = sorted(
        {
            f"{a} ({r.endpoint})"
            for r in walked_rules(app)
            for a in _id_args(r)
            if a not in FACTORIES
        }
    )
    if missing:
        pytest.skip(
            "walked only with a non-existent id (add a factory in tests/web/walk_ids/<area>.py): "
            + ", ".join(missing)
        )


def _anonymous_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC_ENDPOINTS]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def test_anonymous_requests_go_to_login(app, client):
    """Every non-public URL sends a browser to the login page and answers JSON with 401 (a
    JSON-only API may answer 401 to a browser too)."""
    failures = []
    for rule in _anonymous_rules(app):
        url = _url(rule, {})
        for method in _methods(rule):
            html = client.open(url, method=method, data={})
            location = html.headers.get("Location", "")
            json_only = html.status_code == 401 and html.is_json  # an API answers 401 always
            to_login = html.status_code in (302, 303) and location.startswith("/login")
            if not (to_login or json_only):
                failures.append(f"{method} {url} (HTML) → {html.status_code} {location}")
            as_json = client.open(
                url, method=method, json={}, headers={"Accept": "application/json"}
            )
            if as_json.status_code != 401:
                failures.append(f"{method} {url} (JSON) → {as_json.status_code}")
            if problems := header_problems(html):
                failures.append(f"{method} {url}: {problems}")
    assert not failures, "\n".join(failures)


def test_anonymous_htmx_request_is_redirected_by_header(client):
    response = client.get("/boern/soeg?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_redirect_remembers_the_page(client):
    response = client.get("/boern/soeg?q=ab")
    assert response.headers["Location"] == "/login?next=/boern/soeg?q%3Dab"
