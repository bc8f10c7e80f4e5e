"""The sending side: the list of coming transitions, the schema (draft, finish), the parents'
consent and withdrawal, the handover meeting and the parents' printed copy.

Access: get_child_or_404, and the user must work in the unit the child is leaving, while the
child is still there (queries.sending_schema_or_404).
"""

from __future__ import annotations

import uuid as uuid_mod

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.audit.services import log_access
from app.children.scoping import get_child_or_404
from app.i18n import gettext as _
from app.transitions import definitions, prefill, queries, rules, services
from app.transitions.forms import (
    CancelMeetingForm,
    ConsentForm,
    MeetingForm,
    WithdrawForm,
    schema_form_class,
)
from app.transitions.routes import (
    STATUS_LABELS,
    bp,
    coming_of,
    consent_of,
    meeting_forms,
    meeting_of,
    receiving_name,
    staff_only,
    unit_name,
    withdraw_forms,
)


@bp.get("/overgange")
@staff_only
def index():
    today = clock.today()
    cfg = queries.user_settings(current_user)
    rows = queries.sending_list(current_user, today, cfg)
    sent = queries.sent_list(current_user, today, cfg)
    statuses = [r.status for r in rows] + [r.status for r in sent]
    counts = {key: statuses.count(key) for key in STATUS_LABELS}
    # A draft past its due date is late too, not only a schema never started.
    counts["overdue"] = sum(1 for r in rows if r.overdue)
    return render_template(
        "transitions/index.html",
        rows=rows,
        sent=sent,
        sent_days=cfg["sent_days"],
        counts=counts,
        today=today,
        labels=STATUS_LABELS,
        leader=current_user.has_role("leder"),
        weeks=cfg["due_weeks_before_start"],
    )


def _render_form(child, coming, form, schema=None, status: int = 200, message: str = ""):
    today = clock.today()
    return (
        render_template(
            "transitions/form.html",
            child=child,
            coming=coming,
            form=form,
            schema=schema,
            definition=form.definition,
            wellbeing=(schema.wellbeing if schema and schema.wellbeing else None)
            or prefill.latest_wellbeing(child.id, current_user),
            today=today,
            message=message,
            school=form.school,
            sending_name=unit_name(child, coming.sending.id),
            receiving_name=schema.receiving_name if schema else receiving_name(child, coming),
        ),
        status,
    )


def _coming_or_404(child, today):
    cfg = queries.child_settings(child, today)
    coming = queries.coming_for(child, today, cfg)
    if coming is None or not queries.staff_of(current_user, today).covers(coming.sending, child.id):
        abort(404)
    return coming


@bp.get("/boern/<int:child_id>/overgangsskema/ny")
@staff_only
def new(child_id: int):
    today = clock.today()
    child = get_child_or_404(current_user, child_id)
    coming = _coming_or_404(child, today)
    existing = queries.schema_for_target(child.id, coming.target)
    if existing is not None:
        return redirect(url_for(".schema", child_id=child.id, schema_id=existing.id), 303)
    if not rules.is_listed(coming, today, False, queries.child_settings(child, today)):
        abort(404)  # not a task yet: the same horizon as the list and the child's page
    definition = definitions.current()
    form = schema_form_class(definition.version)(
        formdata=None,
        meta={"csrf": False},
        data={
            "uuid": str(uuid_mod.uuid4()),
            "child_id": child.id,
            "form_version": definition.version,
            "target": coming.target,
            **services.new_schema_data(child, coming, current_user),
        },
    )
    form.school = coming.kind == "school"
    log_access(child.id, "view", "transition:new")
    return _render_form(child, coming, form)


@bp.get("/boern/<int:child_id>/overgangsskema/<int:schema_id>/rediger")
@staff_only
def edit(child_id: int, schema_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    if queries.is_locked(schema):
        flash(_("Forældrene har underskrevet skemaet, så det kan ikke ændres."), "error")
        return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)
    form = schema_form_class(schema.form_version)(
        formdata=None,
        meta={"csrf": False},
        data={
            "uuid": schema.uuid,
            "child_id": child.id,
            "form_version": schema.form_version,
            "base_version": schema.version,
            "target": schema.target,
            "include_wellbeing": schema.include_wellbeing,
            "receiving_name": schema.receiving_name,
            **schema.answers,
        },
    )
    form.school = schema.kind == "school"
    log_access(child.id, "view", f"transition:{schema.id}")
    return _render_form(child, coming_of(schema), form, schema)


@bp.post("/boern/<int:child_id>/overgangsskema")
@staff_only
def submit(child_id: int):
    today = clock.today()
    child = get_child_or_404(current_user, child_id)
    payload = request.form.copy()
    payload["child_id"] = str(child.id)
    result = services.submit_transition(current_user, payload)
    if result.ok:
        schema = result.record
        if schema.finished:
            flash(_("Skemaet er afsluttet. Nu kan forældrene give samtykke."), "success")
        else:
            flash(_("Kladden er gemt. Du kan gøre skemaet færdigt senere."), "success")
        return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)
    if result.status == "forbidden":
        abort(404)
    form = services.schema_form(payload)
    if form is None:
        abort(400)
    schema = queries.schema_by_uuid(form.uuid.data)
    if schema is not None and schema.child_id != child.id:
        abort(404)
    form.school = (schema.kind if schema else form.target.data or "").startswith("school")
    if result.status == "invalid":
        form.validate()
        for name, errors in result.errors.items():
            if name in form and not form[name].errors:
                form[name].errors = errors
        if "target" in result.errors:
            abort(404)
        coming = coming_of(schema) if schema else _coming_or_404(child, today)
        return _render_form(child, coming, form, schema, 422)
    # conflict: keep what the user wrote, say why, and link to the stored schema
    coming = coming_of(result.record) if result.record else _coming_or_404(child, today)
    return _render_form(child, coming, form, result.record, 409, result.message)


def _schema_page(child, schema, consent_form=None, meeting_form=None, status=200, shown=None):
    summary = queries.consent_summary(schema)
    if consent_form is None:
        consent_form = ConsentForm(formdata=None)
    consent_form.guardian_id.choices = services.consent_choices(schema)
    return (
        render_template(
            "transitions/schema.html",
            child=child,
            schema=schema,
            definition=definitions.load(schema.form_version),
            summary=summary,
            consent_form=consent_form,
            withdraw_forms=withdraw_forms(schema),
            meeting_form=meeting_form or MeetingForm(formdata=None),
            meeting_forms=meeting_forms(schema, "sending", shown),
            locked=queries.is_locked(schema),
            coming=coming_of(schema),
            today=clock.today(),
        ),
        status,
    )


@bp.get("/boern/<int:child_id>/overgangsskema/<int:schema_id>")
@staff_only
def schema(child_id: int, schema_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    log_access(child.id, "view", f"transition:{schema.id}")
    return _schema_page(child, schema)


def _consent_page(child, schema, consent_form=None, status=200):
    """After the move: the consent section alone (no content, no editing)."""
    if consent_form is None:
        consent_form = ConsentForm(formdata=None)
    consent_form.guardian_id.choices = services.consent_choices(schema)
    return (
        render_template(
            "transitions/consent.html",
            child=child,
            schema=schema,
            summary=queries.consent_summary(schema),
            consent_form=consent_form,
            withdraw_forms=withdraw_forms(schema),
            today=clock.today(),
        ),
        status,
    )


def _after_consent(child, schema, after_move: bool):
    if after_move:
        return redirect(url_for(".consent_page", child_id=child.id, schema_id=schema.id), 303)
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


@bp.get("/boern/<int:child_id>/overgangsskema/<int:schema_id>/samtykke")
@staff_only
def consent_page(child_id: int, schema_id: int):
    child, schema, after_move = queries.consent_schema_or_404(
        current_user, child_id, schema_id, clock.today()
    )
    if not after_move:
        return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id) + "#samtykke")
    log_access(child.id, "view", f"transition-consent:{schema.id}")
    return _consent_page(child, schema)


@bp.post("/boern/<int:child_id>/overgangsskema/<int:schema_id>/samtykke")
@staff_only
def consent(child_id: int, schema_id: int):
    child, schema, after_move = queries.consent_schema_or_404(
        current_user, child_id, schema_id, clock.today()
    )
    form = ConsentForm(guardian_names={g.id: g.name for g in schema.child.guardians})
    form.guardian_id.choices = services.consent_choices(schema)
    if not schema.finished:
        flash(_("Afslut skemaet, før forældrene giver samtykke."), "error")
        return _after_consent(child, schema, after_move)
    if not form.validate():
        if after_move:
            return _consent_page(child, schema, consent_form=form, status=422)
        return _schema_page(child, schema, consent_form=form, status=422)
    if not services.guardian_may_consent(schema, form.guardian_id.data):
        abort(404)
    services.give_consent(current_user, schema, form)
    state = queries.consent_summary(schema).state
    if state == "complete":
        flash(
            _(
                "Samtykket er givet. Skemaet er overdraget til %(unit)s.",
                unit=schema.receiving_name or _("den nye enhed"),
            ),
            "success",
        )
    else:
        flash(
            _("Samtykket er registreret. Der mangler samtykke fra den anden forælder."), "success"
        )
    return _after_consent(child, schema, after_move)


@bp.post(
    "/boern/<int:child_id>/overgangsskema/<int:schema_id>/samtykke/<int:consent_id>/tilbagekald"
)
@staff_only
def withdraw(child_id: int, schema_id: int, consent_id: int):
    child, schema, after_move = queries.consent_schema_or_404(
        current_user, child_id, schema_id, clock.today()
    )
    consent = consent_of(schema, consent_id)
    form = WithdrawForm(prefix=f"c{consent.id}")
    if not form.validate():
        abort(400)
    services.withdraw_consent(current_user, consent, form.withdrawal_note.data)
    flash(_("Samtykket er trukket tilbage. Skemaet deles ikke længere."), "success")
    return _after_consent(child, schema, after_move)


@bp.post("/boern/<int:child_id>/overgangsskema/<int:schema_id>/moede")
@staff_only
def meeting(child_id: int, schema_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    form = MeetingForm()
    if not form.validate():
        return _schema_page(child, schema, meeting_form=form, status=422)
    services.book_meeting(current_user, schema, form, "sending")
    flash(_("Overleveringsmødet er booket."), "success")
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


@bp.post("/boern/<int:child_id>/overgangsskema/<int:schema_id>/moede/<int:handover_id>")
@staff_only
def change_meeting(child_id: int, schema_id: int, handover_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    meeting = meeting_of(schema, handover_id, "sending")
    form = MeetingForm(prefix=f"m{meeting.id}")
    if not form.validate():
        return _schema_page(child, schema, status=422, shown={meeting.id: {"change": form}})
    services.change_meeting(current_user, meeting, form)
    flash(_("Overleveringsmødet er ændret."), "success")
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


@bp.post("/boern/<int:child_id>/overgangsskema/<int:schema_id>/moede/<int:handover_id>/aflys")
@staff_only
def cancel_meeting(child_id: int, schema_id: int, handover_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    meeting = meeting_of(schema, handover_id, "sending")
    form = CancelMeetingForm(prefix=f"x{meeting.id}")
    if not form.validate():
        return _schema_page(child, schema, status=422, shown={meeting.id: {"cancel": form}})
    services.cancel_meeting(current_user, meeting, form.cancel_reason.data)
    flash(_("Overleveringsmødet er aflyst."), "success")
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


@bp.get("/boern/<int:child_id>/overgangsskema/<int:schema_id>/print")
@staff_only
def print_view(child_id: int, schema_id: int):
    today = clock.today()
    child, schema = queries.printable_schema_or_404(current_user, child_id, schema_id, today)
    log_access(child.id, "print", f"transition:{schema.id}")
    if queries.sender_may_access(current_user, schema, today):
        back = url_for(".schema", child_id=child.id, schema_id=schema.id)
    else:  # after the move only the status row is left
        back = url_for(".index")
    return render_template(
        "transitions/print.html",
        child=child,
        schema=schema,
        back_url=back,
        definition=definitions.load(schema.form_version),
        summary=queries.consent_summary(schema),
        today=clock.today(),
    )
