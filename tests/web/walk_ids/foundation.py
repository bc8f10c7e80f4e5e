"""Walk registrations for the foundation: children, their guardians, enrolments and caseloads,
and the administration's units, staff and memberships."""

from __future__ import annotations

from tests.web.walk_ids import foreign_id, public

# Login, setting a password with an invitation link, and the language choice need no login.
public("auth.login", "auth.accept_invitation", "auth.set_language")


@foreign_id("child_id")
def foreign_child(world) -> int:
    return world.foreign_child.id


@foreign_id("guardian_id")
def guardian_of_foreign_child(world) -> int:
    return world.foreign_child.guardians[0].id


@foreign_id("enrolment_id")
def enrolment_of_foreign_child(world) -> int:
    return world.foreign_child.enrolments[-1].id


@foreign_id("caseload_id")
def caseload_of_foreign_child(world) -> int:
    return world.foreign_child.caseloads[0].id


@foreign_id("unit_id")
def foreign_unit(world) -> int:
    return world.foreign_unit.id


@foreign_id("user_id")
def foreign_user(world) -> int:
    return world.foreign_user.id


@foreign_id("membership_id")
def membership_of_foreign_user(world) -> int:
    return world.foreign_user.memberships[0].id
