"""Reads for transitions: the sending list, the receiving list and the two access gates.

Sending side: the child must be visible (get_child_or_404) *and* the user must work in the
unit the child is leaving, while the child is still there. Receiving side: its own gate
(received_schema_or_404): staff of the receiving enrolment, schema finished, consent complete,
and the child enrolled there today (rules.receiver_may_read). Outside either gate: 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask import abort
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import Membership, User
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.children.scoping import get_child_or_404, scoped_unit_ids, visible_children
from app.extensions import db
from app.org.models import Unit
from app.transitions import rules
from app.transitions.models import TransitionConsent, TransitionSchema


def transition_settings(unit: Unit | None) -> dict:
    """The municipality's transition settings (defaults overridden by settings["transitions"])."""
    overrides = (unit.municipality.settings or {}).get("transitions") if unit else None
    return rules.settings(overrides)


def schema_settings(sending_unit_id: int | None) -> dict:
    """The settings a schema is judged by (whose consent it needs, when it is due): always the
    municipality of the unit that sends it, as the schema belongs to the sender. The one source
    for the sending and receiving pages, the lists and the reminders."""
    unit = db.session.get(Unit, sending_unit_id) if sending_unit_id is not None else None
    return transition_settings(unit)


def user_settings(user: User) -> dict:
    """List settings of the user's own municipality (notice periods, how long lists look back);
    never a schema's consent rules (schema_settings)."""
    unit = user.memberships[0].unit if user.memberships else None
    return transition_settings(unit)


def fact(e: Enrolment) -> rules.EnrolmentFact:
    return rules.EnrolmentFact(
        id=e.id,
        unit_id=e.unit_id,
        unit_kind=e.unit.kind.value,
        start=e.start_date,
        end=e.end_date,
        dagplejer_id=e.dagplejer_id,
    )


@dataclass(frozen=True)
class Staff:
    """The enrolments a user works with: units (leader, pædagog, district) and dagplejer homes."""

    unit_ids: frozenset[int]
    dagplejer_ids: frozenset[int]
    caseload_child_ids: frozenset[int]

    def covers(self, e: rules.EnrolmentFact, child_id: int | None = None) -> bool:
        if e.unit_id in self.unit_ids or (e.dagplejer_id in self.dagplejer_ids):
            return True
        return e.unit_kind == rules.DISTRICT_KIND and child_id in self.caseload_child_ids


def _supervised_ids(user: User) -> set[int]:
    if Role.DAGPLEJEPAEDAGOG not in user.roles:
        return set()
    return set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.supervisor_id == user.id, Membership.role == Role.DAGPLEJER
            )
        )
    )


def staff_of(user: User, today: date) -> Staff:
    from app.children.models import Caseload

    dagplejere = _supervised_ids(user)
    if Role.DAGPLEJER in user.roles:
        dagplejere.add(user.id)
    caseload: set[int] = set()
    if Role.SUNDHEDSPLEJERSKE in user.roles:
        caseload = set(
            db.session.scalars(
                select(Caseload.child_id).where(
                    Caseload.nurse_id == user.id,
                    Caseload.start_date <= today,
                    or_(Caseload.end_date.is_(None), Caseload.end_date >= today),
                )
            )
        )
    return Staff(frozenset(scoped_unit_ids(user)), frozenset(dagplejere), frozenset(caseload))


def enrolment_staff(user: User) -> ColumnElement[bool]:
    """SQL condition on Enrolment: the user works in that unit or that dagplejer home."""
    if not getattr(user, "is_authenticated", False):
        return false()
    conditions: list[ColumnElement[bool]] = []
    units = scoped_unit_ids(user)
    if units:
        conditions.append(Enrolment.unit_id.in_(units))
    if Role.DAGPLEJER in user.roles:
        conditions.append(Enrolment.dagplejer_id == user.id)
    if Role.DAGPLEJEPAEDAGOG in user.roles:
        supervised = select(Membership.user_id).where(
            Membership.supervisor_id == user.id, Membership.role == Role.DAGPLEJER
        )
        conditions.append(Enrolment.dagplejer_id.in_(supervised))
    return or_(*conditions) if conditions else false()


# -- consent -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentSummary:
    state: rules.ConsentState
    shares_history: bool
    custodians: list  # Guardian objects whose consent is needed
    standing: dict  # guardian_id -> TransitionConsent (latest, not withdrawn)
    missing: list  # custodians without a standing consent
    all_custodians: bool


def consent_summary(schema: TransitionSchema) -> ConsentSummary:
    cfg = schema_settings(schema.sending_unit_id)
    everyone = bool(cfg["consent_from_all_custodians"])
    custodians = [g for g in schema.child.guardians if g.has_custody]
    facts = [
        rules.ConsentFact(c.guardian_id, c.id, c.withdrawn, c.share_wellbeing_history)
        for c in schema.consents
    ]
    ids = {g.id for g in custodians}
    latest = rules.latest_consents(facts)
    by_id = {c.id: c for c in schema.consents}
    standing = {g: by_id[f.order] for g, f in latest.items() if not f.withdrawn}
    return ConsentSummary(
        state=rules.consent_state(ids, facts, everyone),
        shares_history=rules.shares_history(ids, facts, everyone),
        custodians=custodians,
        standing=standing,
        missing=[g for g in custodians if g.id not in standing],
        all_custodians=everyone,
    )


def is_locked(schema: TransitionSchema) -> bool:
    """Signed by a parent (a consent not withdrawn): the content can no longer change."""
    return any(not c.withdrawn for c in schema.consents)


# -- sending side ----------------------------------------------------------------------------


def coming_for(child: Child, today: date, cfg: dict) -> rules.Coming | None:
    return rules.coming_transition(
        child.birth_date, [fact(e) for e in child.enrolments], today, cfg
    )


def sender_may_access(user: User, schema: TransitionSchema, today: date) -> bool:
    """Only while the child is still in the sending unit, and only its staff."""
    sending = fact(schema.sending_enrolment)
    return sending.is_current(today) and staff_of(user, today).covers(sending, schema.child_id)


def sending_schema_or_404(user: User, child_id: int, schema_id: int, today: date):
    child = get_child_or_404(user, child_id)
    schema = db.session.scalar(
        select(TransitionSchema)
        .where(TransitionSchema.id == schema_id, TransitionSchema.child_id == child.id)
        .options(selectinload(TransitionSchema.consents), selectinload(TransitionSchema.meetings))
    )
    if schema is None or not sender_may_access(user, schema, today):
        abort(404)
    return child, schema


@dataclass
class ListRow:
    child: Child
    coming: rules.Coming
    sending_unit: Unit
    receiving_name: str  # "" for a school not named yet
    schema: TransitionSchema | None
    status: rules.ListStatus
    overdue: bool


def _school_birth_range(today: date, cfg: dict) -> tuple[date, date]:
    horizon = today + timedelta(
        weeks=int(cfg["due_weeks_before_start"]) + int(cfg["list_weeks_before_due"])
    )
    age = int(cfg["school_start_age_years"])
    return date(today.year - age, 1, 1), date(horizon.year - age, 12, 31)


def sending_list(user: User, today: date, cfg: dict | None = None) -> list[ListRow]:
    """Children whose schema the user (or, for a leader, the user's units) should make."""
    cfg = cfg or user_settings(user)
    born_from, born_to = _school_birth_range(today, cfg)
    candidates = db.session.scalars(
        visible_children(user, today)
        .where(
            or_(
                exists().where(Enrolment.child_id == Child.id, Enrolment.start_date > today),
                Child.birth_date.between(born_from, born_to),
                exists().where(
                    TransitionSchema.child_id == Child.id, TransitionSchema.start_date > today
                ),
            )
        )
        .options(
            selectinload(Child.enrolments).selectinload(Enrolment.unit),
            selectinload(Child.guardians),
        )
    ).all()
    staff = staff_of(user, today)
    comings = {}
    for child in candidates:
        coming = coming_for(child, today, cfg)
        if coming is not None and staff.covers(coming.sending, child.id):
            comings[child.id] = (child, coming)
    schemas = {
        (s.child_id, s.target): s
        for s in db.session.scalars(
            select(TransitionSchema)
            .where(TransitionSchema.child_id.in_(list(comings)))
            .options(selectinload(TransitionSchema.consents))
        )
    }
    units = {u.id: u for c, _ in comings.values() for u in (e.unit for e in c.enrolments)}
    rows = []
    for child, coming in comings.values():
        schema = schemas.get((child.id, coming.target))
        if not rules.is_listed(coming, today, schema is not None, cfg):
            continue
        consent = consent_summary(schema).state if schema and schema.finished else "none"
        status = rules.list_status(
            today,
            coming.due_date,
            schema.status if schema else None,
            consent,
            bool(schema and schema.acknowledged_at),
        )
        receiving = units[coming.receiving.unit_id].name if coming.receiving else ""
        rows.append(
            ListRow(
                child=child,
                coming=coming,
                sending_unit=units[coming.sending.unit_id],
                receiving_name=schema.receiving_name if schema else receiving,
                schema=schema,
                status=status,
                overdue=rules.is_overdue(today, coming.due_date, schema.status if schema else None),
            )
        )
    rows.sort(key=lambda r: (r.coming.due_date, r.child.first_name, r.child.last_name))
    return rows


@dataclass
class SentRow:
    """After the move: status only (no content) for the staff of the sending enrolment."""

    schema: TransitionSchema
    status: rules.ListStatus

    @property
    def consented(self) -> bool:
        return self.status in ("consented", "acknowledged")


def _sent_row(staff: Staff, schema: TransitionSchema, today: date, days: int) -> SentRow | None:
    sending = schema.sending_enrolment
    if not staff.covers(fact(sending), schema.child_id):
        return None
    if not rules.shows_as_sent(schema.starts_on, sending.end_date, today, days):
        return None
    consent = consent_summary(schema).state if schema.finished else "none"
    acknowledged = schema.acknowledged_at is not None
    return SentRow(schema, rules.list_status(today, today, schema.status, consent, acknowledged))


def sent_list(user: User, today: date, cfg: dict | None = None) -> list[SentRow]:
    """Schemas of children who have left one of the user's units or homes for the receiving
    one, for `sent_days` after the start: name, start, receiver, status and acknowledgement."""
    days = int((cfg or user_settings(user))["sent_days"])
    schemas = db.session.scalars(
        select(TransitionSchema)
        .join(Enrolment, TransitionSchema.sending_enrolment_id == Enrolment.id)
        .where(
            enrolment_staff(user),
            Enrolment.end_date < today,
            TransitionSchema.start_date >= today - timedelta(days=days),
        )
        .options(
            selectinload(TransitionSchema.consents),
            selectinload(TransitionSchema.child).selectinload(Child.guardians),
            selectinload(TransitionSchema.sending_enrolment).selectinload(Enrolment.unit),
            selectinload(TransitionSchema.receiving_enrolment),
            selectinload(TransitionSchema.acknowledged_by),
        )
    ).all()
    staff = staff_of(user, today)
    rows = [row for s in schemas if (row := _sent_row(staff, s, today, days))]
    rows.sort(key=lambda r: (r.schema.starts_on, r.schema.id), reverse=True)
    return rows


def printable_schema_or_404(user: User, child_id: int, schema_id: int, today: date):
    """The parents' copy. For the sending staff while the child is with them; after the move,
    for as long as the status row is kept, once the parents consented: the copy states what
    was shared with whom, and the content is with the receiving unit anyway. Without consent
    the content stays closed after the move, to the sender as to the receiver."""
    schema = db.session.scalar(
        select(TransitionSchema).where(
            TransitionSchema.id == schema_id, TransitionSchema.child_id == child_id
        )
    )
    if schema is None:
        abort(404)
    if sender_may_access(user, schema, today):
        return get_child_or_404(user, child_id), schema
    days = int(user_settings(user)["sent_days"])
    row = _sent_row(staff_of(user, today), schema, today, days)
    if row is None or not row.consented:
        abort(404)
    return schema.child, schema


def consent_schema_or_404(user: User, child_id: int, schema_id: int, today: date):
    """(child, schema, after_move) for recording or withdrawing the parents' consent: the
    sending staff while the child is with them, and after the move for as long as the status
    row is kept (sent_days), so a consent given late can still be recorded. Only the consent:
    the content is not opened again for editing or reading."""
    schema = db.session.scalar(
        select(TransitionSchema)
        .where(TransitionSchema.id == schema_id, TransitionSchema.child_id == child_id)
        .options(selectinload(TransitionSchema.consents))
    )
    if schema is None:
        abort(404)
    if sender_may_access(user, schema, today):
        return get_child_or_404(user, child_id), schema, False
    days = int(user_settings(user)["sent_days"])
    if not schema.finished or _sent_row(staff_of(user, today), schema, today, days) is None:
        abort(404)
    return schema.child, schema, True


# -- receiving side ---------------------------------------------------------------------------


def receiver_may_read(schema: TransitionSchema, today: date) -> bool:
    e = schema.receiving_enrolment
    if e is None:
        return False
    return rules.receiver_may_read(
        finished=schema.finished,
        consent=consent_summary(schema).state,
        enrolment_start=e.start_date,
        enrolment_end=e.end_date,
        today=today,
    )


def _received_query(user: User):
    return (
        select(TransitionSchema)
        .join(Enrolment, TransitionSchema.receiving_enrolment_id == Enrolment.id)
        .where(enrolment_staff(user))
        .options(
            selectinload(TransitionSchema.consents),
            selectinload(TransitionSchema.child).selectinload(Child.guardians),
            selectinload(TransitionSchema.receiving_enrolment),
            selectinload(TransitionSchema.meetings),
        )
    )


def received_schema_or_404(user: User, schema_id: int, today: date) -> TransitionSchema:
    """The receiving unit's gate: 404 unless rules.receiver_may_read says yes for this user."""
    schema = db.session.scalar(_received_query(user).where(TransitionSchema.id == schema_id))
    if schema is None or not receiver_may_read(schema, today):
        abort(404)
    return schema


@dataclass
class Arrival:
    """A child starting (or who started) in one of the user's units."""

    child: Child
    enrolment: Enrolment
    schema: TransitionSchema | None  # only when the receiving unit may read it
    # Before the start: when a handover meeting is booked (date and time, nothing else).
    meetings: list[tuple[date, time | None]] = field(default_factory=list)


def _booked_meetings(user: User, enrolment_ids: list[int]) -> dict[int, list]:
    """Handover meetings of children not started yet, by receiving enrolment: only the date
    and time, and only while the parents' consent stands (a withdrawal stops everything)."""
    out: dict[int, list] = {}
    if not enrolment_ids:
        return out
    for schema in db.session.scalars(
        _received_query(user).where(TransitionSchema.receiving_enrolment_id.in_(enrolment_ids))
    ):
        booked = [m for m in schema.meetings if not m.cancelled]
        if booked and schema.finished and consent_summary(schema).state == "complete":
            out[schema.receiving_enrolment_id] = [(m.meeting_on, m.meeting_time) for m in booked]
    return out


def received_lists(user: User, today: date, cfg: dict | None = None):
    """(shared schemas, children on their way, recent starters without a shared schema).

    Children on their way show only that they are coming, and when a handover meeting is
    booked: nothing about any schema or consent.
    """
    cfg = cfg or user_settings(user)
    since = today - timedelta(days=int(cfg["received_days"]))
    enrolments = db.session.scalars(
        select(Enrolment)
        .join(Unit, Enrolment.unit_id == Unit.id)
        .where(
            enrolment_staff(user),
            Unit.kind != rules.DISTRICT_KIND,
            Enrolment.start_date > since,
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
        )
        .options(selectinload(Enrolment.child), selectinload(Enrolment.unit))
        .order_by(Enrolment.start_date, Enrolment.id)
    ).all()
    started_ids = [e.id for e in enrolments if e.start_date <= today]
    readable = {}
    if started_ids:
        for schema in db.session.scalars(
            _received_query(user).where(TransitionSchema.receiving_enrolment_id.in_(started_ids))
        ):
            if receiver_may_read(schema, today):
                readable[schema.receiving_enrolment_id] = schema
    booked = _booked_meetings(user, [e.id for e in enrolments if e.start_date > today])
    shared, coming, without = [], [], []
    for e in enrolments:
        if e.start_date > today:
            coming.append(Arrival(e.child, e, None, booked.get(e.id, [])))
        elif e.id in readable:
            shared.append(Arrival(e.child, e, readable[e.id]))
        else:
            without.append(Arrival(e.child, e, None))
    shared.sort(key=lambda a: (a.schema.acknowledged_at is not None, a.enrolment.start_date))
    return shared, coming, without


def has_standing_consent(schema: TransitionSchema, guardian_id: int) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                and_(
                    TransitionConsent.schema_id == schema.id,
                    TransitionConsent.guardian_id == guardian_id,
                    TransitionConsent.withdrawn_at.is_(None),
                )
            )
        )
    )


def child_settings(child: Child, today: date) -> dict:
    """Settings of the municipality of the unit the child is in today."""
    current = [e for e in child.enrolments if e.is_current(today)]
    return transition_settings(current[0].unit if current else None)


def schema_for_target(child_id: int, target: str) -> TransitionSchema | None:
    return db.session.scalar(
        select(TransitionSchema).where(
            TransitionSchema.child_id == child_id, TransitionSchema.target == target
        )
    )


def schema_by_uuid(value: str | None) -> TransitionSchema | None:
    if not value:
        return None
    return db.session.scalar(select(TransitionSchema).where(TransitionSchema.uuid == value.lower()))


def readable_received_for_child(user: User, child_id: int, today: date) -> TransitionSchema | None:
    """The schema the user's unit received for this child, if the gate lets them read it."""
    for schema in db.session.scalars(
        _received_query(user).where(TransitionSchema.child_id == child_id)
    ):
        if receiver_may_read(schema, today):
            return schema
    return None
