"""Writes for transitions. Services add and flush; the request boundary commits.

submit_transition follows the offline contract (app/sync/registry.py): the same function
serves the HTML form and the sync endpoint, idempotent on the client's uuid.
"""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from app import clock
from app.audit.services import log_access
from app.children.models import Child
from app.children.scoping import can_see_child
from app.extensions import db
from app.i18n import gettext as _
from app.signals import transition_handed_over
from app.sync.registry import SubmitResult
from app.transitions import definitions, prefill
from app.transitions.forms import schema_form_class
from app.transitions.models import HandoverMeeting, TransitionConsent, TransitionSchema
from app.transitions.queries import (
    child_settings,
    coming_for,
    consent_summary,
    has_standing_consent,
    is_locked,
    sender_may_access,
    staff_of,
)


def _as_multidict(payload) -> MultiDict:
    if isinstance(payload, MultiDict):
        return payload
    items = []
    for key, value in (payload or {}).items():
        for v in value if isinstance(value, list | tuple) else [value]:
            items.append((key, "" if v is None else str(v)))
    return MultiDict(items)


def schema_form(payload) -> object:
    """The WTForms form for a payload, built for its form_version (None if unknown)."""
    data = _as_multidict(payload)
    try:
        version = int(data.get("form_version", ""))
        cls = schema_form_class(version)
    except (ValueError, KeyError):
        return None
    return cls(formdata=data, meta={"csrf": False})


def _same_content(schema: TransitionSchema, form) -> bool:
    status = "finished" if form.finishing else "draft"
    name = (form.receiving_name.data or "").strip()
    return (
        schema.answers == form.answers()
        and schema.include_wellbeing == bool(form.include_wellbeing.data)
        and schema.status == status
        and (schema.kind != "school" or schema.receiving_name == name)
    )


def submit_transition(user, payload, *, channel: str = "online") -> SubmitResult:
    """Create or edit an overgangsskema (draft or finished) from the flat form fields."""
    form = schema_form(payload)
    if form is None:
        return SubmitResult("invalid", errors={"form_version": [_("Ukendt skemaversion.")]})
    existing = db.session.scalar(
        select(TransitionSchema).where(TransitionSchema.uuid == (form.uuid.data or ""))
    )
    if existing is not None:
        form.school = existing.kind == "school"
    elif (form.target.data or "").startswith("school:"):
        form.school = True
    if not form.validate():
        return SubmitResult(
            "invalid", errors={k: [str(e) for e in v] for k, v in form.errors.items()}
        )
    child_id = int(form.child_id.data)
    if not can_see_child(user, child_id):
        return SubmitResult("forbidden")
    today = clock.today()
    if existing is not None:
        return _edit(user, existing, form, child_id, today, channel)
    return _create(user, form, child_id, today, channel)


def _unacknowledge(schema: TransitionSchema) -> None:
    """An acknowledgement is of what the receiver read: changed content, or a consent given
    anew, must be read and acknowledged again (the earlier one stays in the access log)."""
    schema.acknowledged_at = None
    schema.acknowledged_by_id = None


def _apply(user, schema: TransitionSchema, form) -> None:
    _unacknowledge(schema)
    schema.answers = form.answers()
    schema.include_wellbeing = bool(form.include_wellbeing.data)
    if schema.include_wellbeing:
        if schema.wellbeing is None:
            schema.wellbeing = prefill.latest_wellbeing(schema.child_id, user) or {}
    else:
        schema.wellbeing = None
    if schema.kind == "school":
        schema.receiving_name = (form.receiving_name.data or "").strip()
    if form.finishing:
        if schema.status != "finished":
            schema.status, schema.finished_at, schema.finished_by_id = (
                "finished",
                clock.now(),
                user.id,
            )
    else:
        schema.status, schema.finished_at, schema.finished_by_id = "draft", None, None
    schema.updated_by_id = user.id


def _create(user, form, child_id: int, today, channel: str) -> SubmitResult:
    child = db.session.get(Child, child_id)
    coming = coming_for(child, today, child_settings(child, today))
    if coming is None or coming.target != form.target.data:
        return SubmitResult(
            "invalid", errors={"target": [_("Barnet har ikke denne overgang foran sig.")]}
        )
    if not staff_of(user, today).covers(coming.sending, child.id):
        return SubmitResult("forbidden")
    other = db.session.scalar(
        select(TransitionSchema).where(
            TransitionSchema.child_id == child.id, TransitionSchema.target == coming.target
        )
    )
    if other is not None:
        return SubmitResult(
            "conflict",
            record=other,
            message=_("Der findes allerede et overgangsskema for denne overgang."),
        )
    by_id = {e.id: e for e in child.enrolments}
    receiving = by_id.get(coming.receiving.id) if coming.receiving else None
    schema = TransitionSchema(
        uuid=form.uuid.data.lower(),
        form_version=form.definition.version,
        child_id=child.id,
        target=coming.target,
        kind=coming.kind,
        start_date=coming.start_date,
        sending_enrolment_id=coming.sending.id,
        sending_unit_id=coming.sending.unit_id,
        receiving_enrolment_id=receiving.id if receiving else None,
        receiving_unit_id=receiving.unit_id if receiving else None,
        receiving_name=receiving.unit.name if receiving else "",
        created_by_id=user.id,
    )
    _apply(user, schema, form)
    db.session.add(schema)
    db.session.flush()
    log_access(child.id, "create", f"transition:{schema.id}", user=user, channel=channel)
    return SubmitResult("accepted", record=schema)


def _edit(user, schema: TransitionSchema, form, child_id: int, today, channel: str):
    # Access first: a conflict carries the stored record to the sync conflict view, so a uuid
    # of a schema the user may not open must answer "forbidden", never "conflict".
    if schema.child_id != child_id or not sender_may_access(user, schema, today):
        return SubmitResult("forbidden")
    if schema.form_version != int(form.form_version.data):
        return SubmitResult(
            "conflict",
            record=schema,
            message=_("Skemaet er gemt i en anden version af formularen. Åbn det igen."),
        )
    if _same_content(schema, form):
        return SubmitResult("duplicate", record=schema)
    base = form.base_version.data
    if not base or int(base) < schema.version:
        return SubmitResult(
            "conflict",
            record=schema,
            message=_("Skemaet er ændret et andet sted, siden du åbnede det. Åbn det igen."),
        )
    if is_locked(schema):
        return SubmitResult(
            "conflict",
            record=schema,
            message=_("Forældrene har underskrevet skemaet, så det kan ikke ændres."),
        )
    _apply(user, schema, form)
    db.session.flush()
    log_access(child_id, "update", f"transition:{schema.id}", user=user, channel=channel)
    return SubmitResult("accepted", record=schema)


def new_schema_data(child: Child, coming, user) -> dict:
    """Initial values of a new schema: the contact person is the user who opens it."""
    definition = definitions.current()
    answers = definitions.empty_answers(definition)
    sending = next(e for e in child.enrolments if e.id == coming.sending.id)
    if "contact_person" in answers:
        answers["contact_person"] = user.name
    if "contact_phone" in answers:
        answers["contact_phone"] = sending.unit.phone or ""
    return answers


# -- consent ------------------------------------------------------------------------------


def give_consent(user, schema: TransitionSchema, form) -> TransitionConsent:
    """Record one guardian's consent; hand over (signal) when the consent becomes complete."""
    before = consent_summary(schema).state
    guardian = next(g for g in schema.child.guardians if g.id == form.guardian_id.data)
    device = form.method.data == "device"
    consent = TransitionConsent(
        schema=schema,
        guardian_id=guardian.id,
        guardian_name=guardian.name,
        method=form.method.data,
        signed_name=form.signed_name.data.strip() if device else None,
        signed_on=clock.today() if device else form.paper_signed_on.data,
        given_at=clock.now(),
        share_schema=True,
        share_wellbeing_history=bool(form.share_wellbeing_history.data),
        shared_with_unit_id=schema.receiving_unit_id,
        shared_with_name=schema.receiving_name,
        note=(form.paper_note.data or "").strip() or None,
        created_by_id=user.id,
    )
    db.session.add(consent)
    db.session.flush()
    db.session.refresh(schema, ["consents"])
    log_access(schema.child_id, "update", f"transition-consent:{consent.id}", user=user)
    if before != "complete" and consent_summary(schema).state == "complete":
        _unacknowledge(schema)
        transition_handed_over.send(schema, schema=schema)
    return consent


def consent_choices(schema: TransitionSchema) -> list[SelectChoice]:
    """Custodians who have not (or no longer) consented."""
    summary = consent_summary(schema)
    return [SelectChoice(str(g.id), f"{g.name} ({g.relation})") for g in summary.missing]


def guardian_may_consent(schema: TransitionSchema, guardian_id: int) -> bool:
    custodians = {g.id for g in schema.child.guardians if g.has_custody}
    return guardian_id in custodians and not has_standing_consent(schema, guardian_id)


def withdraw_consent(user, consent: TransitionConsent, note: str | None) -> None:
    """A withdrawal stops the handover at once; the consent itself is kept, with who and why."""
    if consent.withdrawn_at is not None:
        return
    consent.withdrawn_at = clock.now()
    consent.withdrawn_by_id = user.id
    consent.withdrawal_note = (note or "").strip() or None
    consent.updated_by_id = user.id
    db.session.flush()
    log_access(
        consent.schema.child_id, "update", f"transition-consent:{consent.id}:withdrawn", user=user
    )


# -- handover ------------------------------------------------------------------------------


def acknowledge(user, schema: TransitionSchema) -> None:
    """The receiving unit confirms it has read the schema (once; the first reader counts)."""
    if schema.acknowledged_at is None:
        schema.acknowledged_at = clock.now()
        schema.acknowledged_by_id = user.id
        db.session.flush()
    log_access(schema.child_id, "update", f"transition:{schema.id}:acknowledged", user=user)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _fill_meeting(meeting: HandoverMeeting, form) -> None:
    meeting.meeting_on = form.planned_on.data
    meeting.meeting_time = form.meeting_time.data
    meeting.place = _text(form.place.data)
    meeting.participants = form.planned_participants.data.strip()
    meeting.purpose = _text(form.purpose.data)
    meeting.questions = _text(form.questions.data)
    meeting.roles = _text(form.roles.data)
    meeting.agreed_with_parents = _text(form.agreed_with_parents.data)
    meeting.interpreter_needed = bool(form.interpreter_needed.data)
    meeting.interpreter_language = (
        _text(form.interpreter_language.data) if form.interpreter_needed.data else None
    )
    meeting.note = _text(form.note.data)


def book_meeting(user, schema: TransitionSchema, form, side: str) -> HandoverMeeting:
    """Book a handover meeting from the sending or the receiving side (that side may change
    or cancel it)."""
    meeting = HandoverMeeting(schema=schema, booked_from=side, created_by_id=user.id)
    _fill_meeting(meeting, form)
    db.session.add(meeting)
    db.session.flush()
    log_access(schema.child_id, "update", f"handover-meeting:{meeting.id}", user=user)
    return meeting


def change_meeting(user, meeting: HandoverMeeting, form) -> None:
    _fill_meeting(meeting, form)
    meeting.updated_by_id = user.id
    db.session.flush()
    log_access(meeting.schema.child_id, "update", f"handover-meeting:{meeting.id}", user=user)


def cancel_meeting(user, meeting: HandoverMeeting, reason: str) -> None:
    """A cancelled meeting is kept (who, when, why) and no longer shown as coming."""
    if meeting.cancelled:
        return
    meeting.cancelled_at = clock.now()
    meeting.cancelled_by_id = user.id
    meeting.cancel_reason = reason.strip()
    meeting.updated_by_id = user.id
    db.session.flush()
    log_access(
        meeting.schema.child_id, "update", f"handover-meeting:{meeting.id}:cancelled", user=user
    )
