"""Writes of the administration: units, staff, invitations, children, enrolments and caseloads.

Services add and flush, never commit (the request boundary commits once). A rule that needs the
database and fails raises `Problem(field, message)`; the view puts the message next to the field.
Every change to a child's data is written to the access log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, update

from app import clock
from app.admin import rules
from app.admin.labels import ADMINISTRATOR
from app.admin.scoping import manageable_unit_ids, may_manage_unit
from app.audit.services import log_access
from app.auth.models import Invitation, Membership, User
from app.auth.roles import Role
from app.children import cpr as cprlib
from app.children.models import Caseload, Child, Enrolment, Guardian
from app.extensions import db
from app.i18n import format_date
from app.i18n import gettext as _
from app.models import utcnow
from app.org.models import Area, Unit, UnitKind


class Problem(Exception):
    """A rule was broken; `field` is the form field's dotted name ('' for the whole form)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    """The record changed since the form was opened (optimistic locking)."""


def _check_version(record, version: str | None) -> None:
    if version and str(record.version) != str(version):
        raise Conflict


def _stamp(record, user: User) -> None:
    if record.created_by_id is None:
        record.created_by_id = user.id
    record.updated_by_id = user.id


def acting_role(user: User) -> str:
    """The role a change in the administration is logged under."""
    return ADMINISTRATOR if user.is_admin else Role.LEDER.value


def _log(user: User, child_id: int, action: str, what: str) -> None:
    log_access(child_id, action, what, user=user, role=acting_role(user))


# ---- units --------------------------------------------------------------------------------


def add_area(name: str) -> Area:
    from app.org.models import Municipality

    municipality = db.session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
    if municipality is None:
        raise Problem("area_name", _("Opret først kommunen (flask demo seed eller en migrering)."))
    area = Area(municipality=municipality, name=name.strip())
    db.session.add(area)
    db.session.flush()
    return area


def save_unit(unit: Unit | None, data: dict) -> Unit:
    """Create (unit None) or update a unit from the form's data."""
    kind = UnitKind(data["kind"])
    parent = db.session.get(Unit, data["parent_id"]) if data.get("parent_id") else None
    if parent is not None:
        parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
        if unit is not None and (
            parent.id == unit.id or rules.creates_cycle(unit.id, parent.id, parents)
        ):
            raise Problem("parent_id", _("En enhed kan ikke ligge under sig selv."))
        if not rules.parent_kind_ok(kind, parent.kind):
            raise Problem("parent_id", _("En dagplejegruppe skal høre under en dagpleje."))
    if db.session.get(Area, data["area_id"]) is None:
        raise Problem("area_id", _("Vælg et område."))
    if unit is None:
        unit = Unit()
        db.session.add(unit)
    unit.name = data["name"].strip()
    unit.kind = kind
    unit.area_id = data["area_id"]
    unit.parent = parent
    unit.address = (data.get("address") or "").strip() or None
    unit.phone = (data.get("phone") or "").strip() or None
    unit.active = bool(data.get("active"))
    db.session.flush()
    return unit


# ---- staff --------------------------------------------------------------------------------


def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def _qualifications(user: User, adbb: bool) -> dict:
    quals = dict(user.qualifications or {})
    quals["adbb"] = bool(adbb)
    return quals


def create_staff(data: dict, by: User) -> tuple[User, str]:
    """A new user without a password, with a first role, and an invitation token to hand over."""
    email = data["email"].strip().lower()
    if _email_taken(email):
        raise Problem("email", _("Der findes allerede en medarbejder med denne e-mail."))
    membership = data.get("membership") or {}
    if not data.get("is_admin") and not membership.get("unit_id"):
        raise Problem(
            "membership.unit_id",
            _("Giv medarbejderen en rolle i en enhed, eller gør vedkommende til administrator."),
        )
    user = User(email=email, name=data["name"].strip(), is_admin=bool(data.get("is_admin")))
    user.qualifications = _qualifications(user, data.get("adbb"))
    db.session.add(user)
    db.session.flush()
    if membership.get("unit_id"):
        add_membership(user, membership)
    token = issue_invitation(user, by)
    return user, token


def update_staff(user: User, data: dict, by: User) -> None:
    email = data["email"].strip().lower()
    if _email_taken(email, except_id=user.id):
        raise Problem("email", _("Der findes allerede en medarbejder med denne e-mail."))
    if user.id == by.id and user.is_admin and not data.get("is_admin"):
        raise Problem("is_admin", _("Du kan ikke fjerne din egen administratorrolle."))
    user.name = data["name"].strip()
    user.email = email
    user.is_admin = bool(data.get("is_admin"))
    user.qualifications = _qualifications(user, data.get("adbb"))
    db.session.flush()


def add_membership(user: User, data: dict) -> Membership:
    prefix = "membership."
    unit = db.session.get(Unit, data.get("unit_id") or 0)
    if unit is None:
        raise Problem(prefix + "unit_id", _("Vælg en enhed."))
    if not data.get("role"):
        raise Problem(prefix + "role", _("Vælg en rolle."))
    role = Role(data["role"])
    if not rules.role_fits_unit(role, unit.kind):
        raise Problem(prefix + "role", _("Rollen passer ikke til denne type enhed."))
    if any(m.unit_id == unit.id and m.role == role for m in user.memberships):
        raise Problem(prefix + "role", _("Medarbejderen har allerede denne rolle i enheden."))
    supervisor = None
    if data.get("supervisor_id"):
        if role is not Role.DAGPLEJER:
            raise Problem(
                prefix + "supervisor_id", _("Kun en dagplejer har en dagplejepædagog tilknyttet.")
            )
        supervisor = db.session.get(User, data["supervisor_id"])
        allowed_units = {unit.id, unit.parent_id}
        if supervisor is None or not any(
            m.role == Role.DAGPLEJEPAEDAGOG and m.unit_id in allowed_units
            for m in supervisor.memberships
        ):
            raise Problem(
                prefix + "supervisor_id",
                _("Vælg en dagplejepædagog fra samme dagplejegruppe eller dagpleje."),
            )
    membership = Membership(unit=unit, role=role, supervisor=supervisor)
    user.memberships.append(membership)
    db.session.flush()
    return membership


def remove_membership(user: User, membership: Membership) -> None:
    user.memberships.remove(membership)
    db.session.flush()


def _revoke_invitations(user: User) -> None:
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=utcnow())
    )


def issue_invitation(user: User, by: User) -> str:
    """A fresh one-time link (earlier unused links stop working). Returns the token once."""
    from flask import current_app

    if not user.active:
        raise Problem("", _("Medarbejderen er deaktiveret. Genaktivér først."))
    _revoke_invitations(user)
    _invitation, token = Invitation.issue(user, current_app.config["INVITATION_DAYS"], by=by)
    db.session.flush()
    return token


def set_active(user: User, active: bool, by: User) -> None:
    if user.id == by.id and not active:
        raise Problem("", _("Du kan ikke deaktivere dig selv."))
    user.active = active
    if not active:
        # End the user's sessions on every device and make open invitation links useless.
        user.session_token = secrets.token_hex(16)
        _revoke_invitations(user)
    db.session.flush()


# ---- children -----------------------------------------------------------------------------


@dataclass
class Saved:
    child: Child
    warnings: list[str] = field(default_factory=list)


def _check_cpr(value: str | None, birth_date: date, except_id: int | None = None) -> tuple:
    """(normalised number or None, warnings). Errors raise Problem on the cpr field."""
    if not (value or "").strip():
        return None, []
    result = cprlib.check(value, birth_date, today=clock.today())
    if result.errors:
        raise Problem("cpr", " ".join(_(message) for message in result.errors))
    query = select(Child.id).where(Child.cpr == result.number)
    if except_id is not None:
        query = query.where(Child.id != except_id)
    if db.session.scalar(query) is not None:
        raise Problem("cpr", _("Et andet barn er allerede registreret med dette CPR-nummer."))
    return result.number, [_(message) for message in result.warnings]


def _fill_guardian(guardian: Guardian, data: dict) -> None:
    guardian.name = data["name"].strip()
    guardian.relation = data.get("relation") or "forælder"
    guardian.phone = (data.get("phone") or "").strip() or None
    guardian.email = (data.get("email") or "").strip().lower() or None
    guardian.address = (data.get("address") or "").strip() or None
    guardian.language = (data.get("language") or "dansk").strip()
    guardian.needs_interpreter = bool(data.get("needs_interpreter"))
    guardian.has_custody = bool(data.get("has_custody"))


def register_child(user: User, data: dict) -> Saved:
    """A new child with its first enrolment (and optionally a first guardian)."""
    number, warnings = _check_cpr(data.get("cpr"), data["birth_date"])
    guardian_data = data.get("guardian") or {}
    if not (guardian_data.get("name") or "").strip() and any(
        (guardian_data.get(k) or "").strip() for k in ("phone", "email", "address")
    ):
        raise Problem("guardian.name", _("Skriv forælderens navn, eller lad feltet stå tomt."))
    child = Child(
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        birth_date=data["birth_date"],
        cpr=number,
        gestational_age_weeks=data.get("gestational_age_weeks"),
    )
    _stamp(child, user)
    enrolment_data = data["enrolment"]
    unit = _enrolment_unit(user, enrolment_data, "enrolment.")
    _check_new_enrolment(
        child,
        unit,
        enrolment_data.get("dagplejer_id"),
        enrolment_data["start_date"],
        None,
        prefix="enrolment.",
    )
    db.session.add(child)
    enrolment = Enrolment(
        unit=unit,
        dagplejer_id=enrolment_data.get("dagplejer_id") or None,
        start_date=enrolment_data["start_date"],
        note=(enrolment_data.get("note") or "").strip() or None,
    )
    _stamp(enrolment, user)
    child.enrolments.append(enrolment)
    if (guardian_data.get("name") or "").strip():
        guardian = Guardian()
        _fill_guardian(guardian, guardian_data)
        _stamp(guardian, user)
        child.guardians.append(guardian)
    db.session.flush()
    _log(user, child.id, "create", "child")
    _log(user, child.id, "create", f"enrolment:{enrolment.id}")
    if child.guardians:
        _log(user, child.id, "create", f"guardian:{child.guardians[0].id}")
    return Saved(child, warnings)


def update_child(user: User, child: Child, data: dict) -> Saved:
    _check_version(child, data.get("version"))
    warnings: list[str] = []
    if (data.get("cpr") or "").strip():
        number, warnings = _check_cpr(data["cpr"], data["birth_date"], except_id=child.id)
        child.cpr = number
    elif data.get("remove_cpr"):
        child.cpr = None
    elif child.cpr and cprlib.check(child.cpr, data["birth_date"]).errors:
        raise Problem(
            "birth_date",
            _(
                "Fødselsdatoen passer ikke med det registrerede CPR-nummer. Ret begge, eller fjern "
                "CPR-nummeret."
            ),
        )
    child.first_name = data["first_name"].strip()
    child.last_name = data["last_name"].strip()
    child.birth_date = data["birth_date"]
    child.gestational_age_weeks = data.get("gestational_age_weeks")
    _stamp(child, user)
    db.session.flush()
    _log(user, child.id, "update", "child")
    return Saved(child, warnings)


def add_guardian(user: User, child: Child, data: dict) -> Guardian:
    guardian = Guardian()
    _fill_guardian(guardian, data)
    _stamp(guardian, user)
    child.guardians.append(guardian)
    db.session.flush()
    _log(user, child.id, "create", f"guardian:{guardian.id}")
    return guardian


def update_guardian(user: User, guardian: Guardian, data: dict, version: str | None) -> None:
    _check_version(guardian, version)
    _fill_guardian(guardian, data)
    _stamp(guardian, user)
    db.session.flush()
    _log(user, guardian.child_id, "update", f"guardian:{guardian.id}")


# ---- enrolments ---------------------------------------------------------------------------


def _enrolment_unit(user: User, data: dict, prefix: str) -> Unit:
    unit = db.session.get(Unit, data.get("unit_id") or 0)
    if unit is None or not unit.active or not may_manage_unit(user, unit.id):
        raise Problem(prefix + "unit_id", _("Vælg en af de enheder, du kan indmelde børn i."))
    return unit


def _check_new_enrolment(
    child: Child,
    unit: Unit,
    dagplejer_id: int | None,
    start: date,
    end: date | None,
    *,
    prefix: str = "",
    ignore: Enrolment | None = None,
    start_field: str = "start_date",
) -> None:
    if unit.kind is UnitKind.DAGPLEJE:
        raise Problem(prefix + "unit_id", _("Vælg en dagplejegruppe under dagplejen."))
    if unit.kind is UnitKind.DAGPLEJEGRUPPE:
        if not dagplejer_id:
            raise Problem(prefix + "dagplejer_id", _("Vælg den dagplejer, barnet skal være hos."))
        is_member = db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == dagplejer_id,
                Membership.unit_id == unit.id,
                Membership.role == Role.DAGPLEJER,
            )
        )
        if is_member is None:
            raise Problem(
                prefix + "dagplejer_id", _("Dagplejeren hører ikke til den valgte dagplejegruppe.")
            )
    elif dagplejer_id:
        raise Problem(
            prefix + "dagplejer_id", _("Vælg kun en dagplejer ved indmeldelse i en dagplejegruppe.")
        )
    if start < child.birth_date:
        raise Problem(prefix + start_field, _("Datoen ligger før barnets fødselsdato."))
    for other in child.enrolments:
        if other is ignore or rules.track(other.unit.kind) != rules.track(unit.kind):
            continue
        if rules.overlaps(start, end, other.start_date, other.end_date):
            raise Problem(
                prefix + start_field,
                _(
                    "Barnet er allerede indmeldt i %(unit)s fra %(start)s. Brug “Flyt” for at "
                    "skifte enhed.",
                    unit=other.unit.name,
                    start=format_date(other.start_date),
                ),
            )


def enrol(user: User, child: Child, data: dict) -> Enrolment:
    prefix = "enrolment."
    unit = _enrolment_unit(user, data, prefix)
    _check_new_enrolment(
        child, unit, data.get("dagplejer_id"), data["start_date"], None, prefix=prefix
    )
    enrolment = Enrolment(
        unit=unit,
        dagplejer_id=data.get("dagplejer_id") or None,
        start_date=data["start_date"],
        note=(data.get("note") or "").strip() or None,
    )
    _stamp(enrolment, user)
    child.enrolments.append(enrolment)
    db.session.flush()
    _log(user, child.id, "create", f"enrolment:{enrolment.id}")
    return enrolment


def _check_may_change(user: User, enrolment: Enrolment) -> None:
    if not may_manage_unit(user, enrolment.unit_id):
        raise Problem("", _("Indmeldelsen hører til en enhed, du ikke er leder af."))
    if enrolment.end_date is not None and enrolment.end_date < clock.today():
        raise Problem("", _("Indmeldelsen er allerede afsluttet."))


def end_enrolment(user: User, enrolment: Enrolment, end: date, version: str | None) -> None:
    _check_version(enrolment, version)
    _check_may_change(user, enrolment)
    if not rules.can_end(enrolment.start_date, end):
        raise Problem("end_date", _("Den sidste dag kan ikke ligge før indmeldelsen startede."))
    enrolment.end_date = end
    _stamp(enrolment, user)
    db.session.flush()
    _log(user, enrolment.child_id, "update", f"enrolment:{enrolment.id}")


def move_child(user: User, enrolment: Enrolment, data: dict) -> Enrolment:
    """End `enrolment` the day before `move_date` and start the new one that day: one action."""
    _check_version(enrolment, data.get("version"))
    _check_may_change(user, enrolment)
    move_date = data["move_date"]
    unit = _enrolment_unit(user, data, "")
    if rules.track(unit.kind) != rules.track(enrolment.unit.kind):
        raise Problem(
            "unit_id",
            _(
                "Et barn flyttes mellem enheder af samme slags: dagtilbud til dagtilbud, "
                "distrikt til distrikt."
            ),
        )
    dagplejer_id = data.get("dagplejer_id") or None
    if unit.id == enrolment.unit_id and dagplejer_id == enrolment.dagplejer_id:
        raise Problem("unit_id", _("Barnet er allerede i denne enhed."))
    if not rules.can_move(enrolment.start_date, move_date):
        raise Problem(
            "move_date", _("Flyttedatoen skal ligge efter den nuværende indmeldelse startede.")
        )
    if enrolment.end_date is not None and rules.end_before_move(move_date) > enrolment.end_date:
        raise Problem(
            "move_date",
            _("Den nuværende indmeldelse slutter før flyttedatoen. Brug “Indmeld” i stedet."),
        )
    child = enrolment.child
    _check_new_enrolment(
        child, unit, dagplejer_id, move_date, None, ignore=enrolment, start_field="move_date"
    )
    enrolment.end_date = rules.end_before_move(move_date)
    _stamp(enrolment, user)
    new = Enrolment(
        unit=unit,
        dagplejer_id=dagplejer_id,
        start_date=move_date,
        note=(data.get("note") or "").strip() or None,
    )
    _stamp(new, user)
    child.enrolments.append(new)
    db.session.flush()
    _log(user, child.id, "update", f"enrolment:{enrolment.id}")
    _log(user, child.id, "create", f"enrolment:{new.id}")
    return new


# ---- caseload -----------------------------------------------------------------------------


def assign_nurse(user: User, child: Child, nurse_id: int, start: date) -> Caseload:
    """The nurse follows the child from `start`; a current caseload ends the day before."""
    allowed = manageable_unit_ids(user)
    nurse = db.session.get(User, nurse_id)
    if (
        nurse is None
        or not nurse.active
        or not any(
            m.role == Role.SUNDHEDSPLEJERSKE and (allowed is None or m.unit_id in allowed)
            for m in nurse.memberships
        )
    ):
        raise Problem("nurse_id", _("Vælg en af sundhedsplejerskerne på listen."))
    if start < child.birth_date:
        raise Problem("start_date", _("Datoen ligger før barnets fødselsdato."))
    for current in child.caseloads:
        if not rules.overlaps(start, None, current.start_date, current.end_date):
            continue
        if current.nurse_id == nurse.id:
            raise Problem("nurse_id", _("Sundhedsplejersken følger allerede barnet."))
        if not rules.can_move(current.start_date, start):
            raise Problem(
                "start_date",
                _("Datoen skal ligge efter, at den nuværende sundhedsplejerske begyndte."),
            )
        current.end_date = rules.end_before_move(start)
        _stamp(current, user)
        db.session.flush()
        _log(user, child.id, "update", f"caseload:{current.id}")
    caseload = Caseload(nurse_id=nurse.id, start_date=start)
    _stamp(caseload, user)
    child.caseloads.append(caseload)
    db.session.flush()
    _log(user, child.id, "create", f"caseload:{caseload.id}")
    return caseload


def end_caseload(user: User, caseload: Caseload, end: date) -> None:
    allowed = manageable_unit_ids(user)
    if allowed is not None and not any(
        m.role == Role.SUNDHEDSPLEJERSKE and m.unit_id in allowed
        for m in caseload.nurse.memberships
    ):
        raise Problem("", _("Sundhedsplejersken hører ikke til en enhed, du er leder af."))
    if not rules.can_end(caseload.start_date, end):
        raise Problem("end_date", _("Den sidste dag kan ikke ligge før forløbet startede."))
    caseload.end_date = end
    _stamp(caseload, user)
    db.session.flush()
    _log(user, caseload.child_id, "update", f"caseload:{caseload.id}")
