"""The scoping function: each role sees exactly the children it should, and no others."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.auth.roles import Role
from app.children import scoping
from app.children.models import Child
from app.children.queries import count_children, my_children, search_children
from app.children.scoping import (
    can_see_child,
    child_visible,
    scope_is_broad,
    visible_child_ids,
    visible_children,
)
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_child, make_unit, make_user


@contextmanager
def broad_from(size: int):
    """Scopes of more than `size` children count as broad (their queries take the other form)."""
    before = scoping.BROAD_SCOPE
    scoping.BROAD_SCOPE = size
    try:
        yield
    finally:
        scoping.BROAD_SCOPE = before


def ids(user):
    """The children the user sees, checked to be the same in every form the scope takes (a
    condition on Child, a select of ids, a correlated check on another table's child_id, and
    the browsing form for broad and for narrow scopes)."""
    found = set(db.session.scalars(visible_children(user).with_only_columns(Child.id)))
    assert set(db.session.scalars(visible_child_ids(user))) == found
    assert set(db.session.scalars(select(Child.id).where(child_visible(user, Child.id)))) == found
    for size in (-1, 10**9):
        with broad_from(size):
            browsed = visible_children(user, browse=True).with_only_columns(Child.id)
            assert set(db.session.scalars(browsed)) == found
    return found


def test_paedagog_sees_her_units_children_only(app):
    """A pædagog sees the children of her unit, not another unit's."""
    mine, other = make_unit(), make_unit()
    paedagog = make_user(Role.PAEDAGOG, mine)
    a, b = make_child(mine), make_child(other)
    assert ids(paedagog) == {a.id}
    assert not can_see_child(paedagog, b.id)


def test_dagplejer_sees_only_children_in_her_home(app):
    group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE)
    dorthe, lise = make_user(Role.DAGPLEJER, group), make_user(Role.DAGPLEJER, group)
    a = make_child(group, dagplejer=dorthe)
    make_child(group, dagplejer=lise)
    assert ids(dorthe) == {a.id}


def test_dagplejepaedagog_sees_children_of_supervised_dagplejere(app):
    group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE)
    dpp, other_dpp = (
        make_user(Role.DAGPLEJEPAEDAGOG, group),
        make_user(Role.DAGPLEJEPAEDAGOG, group),
    )
    supervised = make_user(Role.DAGPLEJER, group, supervisor=dpp)
    not_mine = make_user(Role.DAGPLEJER, group, supervisor=other_dpp)
    a = make_child(group, dagplejer=supervised)
    make_child(group, dagplejer=not_mine)
    assert ids(dpp) == {a.id}


def test_leader_sees_everything_below_the_units_he_leads(app):
    dagpleje = make_unit(kind=UnitKind.DAGPLEJE)
    group = make_unit(kind=UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    elsewhere = make_unit()
    leader = make_user(Role.LEDER, dagpleje)
    dagplejer = make_user(Role.DAGPLEJER, group)
    a = make_child(group, dagplejer=dagplejer)
    make_child(elsewhere)
    assert ids(leader) == {a.id}


def test_sundhedsplejerske_sees_caseload_and_district(app):
    district, other_district = (make_unit(kind=UnitKind.SUNDHEDSPLEJEDISTRIKT) for _ in range(2))
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    in_district = make_child(district)
    in_caseload = make_child(other_district, nurse=nurse)
    make_child(other_district)
    assert ids(nurse) == {in_district.id, in_caseload.id}


def test_administrator_sees_no_child_data(app):
    unit = make_unit()
    admin = make_user(admin=True)
    make_child(unit)
    assert ids(admin) == set()


def test_ended_and_future_enrolments_are_outside_scope(app):
    """A child who has left, or has not started yet, is not the unit's child today."""
    unit = make_unit()
    paedagog = make_user(Role.PAEDAGOG, unit)
    today = clock.today()
    left = make_child(
        unit, enrolled_from=today - timedelta(days=300), enrolled_to=today - timedelta(days=1)
    )
    coming = make_child(unit, enrolled_from=today + timedelta(days=10))
    assert ids(paedagog) == set()
    assert not can_see_child(paedagog, left.id) and not can_see_child(paedagog, coming.id)


def test_scope_is_one_query_whatever_the_role(app, count_queries):
    unit = make_unit()
    leader = make_user(Role.LEDER, unit)
    for _ in range(30):
        make_child(unit)
    db.session.commit()
    assert leader.roles == {Role.LEDER}  # load the user as a request would have
    with count_queries() as statements:
        children = db.session.scalars(visible_children(leader)).all()
    assert len(children) == 30
    assert len(statements) <= 2  # the unit tree, then the children


def test_broad_and_narrow_scopes_list_search_and_count_the_same_children(app):
    unit, other = make_unit(), make_unit()
    leader = make_user(Role.LEDER, unit)
    names = ["Asta Holm", "Alma Krogh", "Bo Alstrup", "Carl Asmussen", "Dina Berg"]
    mine = [make_child(unit, first_name=n.split()[0], last_name=n.split()[1]) for n in names]
    make_child(other, first_name="Alfred", last_name="Andersen")  # another unit's: never shown
    db.session.commit()
    seen = {}
    for size in (-1, 10**9):  # every scope broad, then none
        with broad_from(size):
            assert scope_is_broad(leader) is (size < 0)
            seen[size] = (
                [c.id for c in db.session.scalars(my_children(leader))],
                [c.id for c in db.session.scalars(search_children(leader, "al"))],
                [c.id for c in db.session.scalars(search_children(leader, "as h"))],
                count_children(leader),
            )
    assert seen[-1] == seen[10**9]
    listed, al, as_h, count = seen[-1]
    assert sorted(listed) == sorted(c.id for c in mine) and count == len(mine)
    assert set(al) == {mine[1].id, mine[2].id}  # Alma, Bo Alstrup; not Alfred of the other unit
    assert as_h == [mine[0].id]


def test_a_scope_is_broad_by_the_number_of_children_in_its_units(app):
    small, large = make_unit(), make_unit()
    paedagog_small = make_user(Role.PAEDAGOG, small)
    leader_large = make_user(Role.LEDER, large)
    make_child(small)
    for _ in range(3):
        make_child(large)
    db.session.commit()
    scoping._sizes.clear()
    with broad_from(2):
        assert not scope_is_broad(paedagog_small)
        assert scope_is_broad(leader_large)
    admin = make_user(None, None)
    assert not scope_is_broad(admin)
