"""The receiving side: "Modtagne overgangsskemaer" behind the consent gate
(queries.received_schema_or_404): acknowledgement, handover meeting, a withdrawal told to the
new unit. Every read is in the access log; the schema is never cached on the device.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import clock
from app.audit.services import log_access
from app.i18n import gettext as _
from app.transitions import definitions, prefill, queries, services
from app.transitions.forms import CancelMeetingForm, EmptyForm, MeetingForm, WithdrawForm
from app.transitions.routes import (
    bp,
    consent_of,
    meeting_forms,
    meeting_of,
    staff_only,
    withdraw_forms,
)


@bp.get("/overgange/modtagne")
@staff_only
def received():
    today = clock.today()
    shared, coming, without = queries.received_lists(current_user, today)
    return render_template(
        "transitions/received.html", shared=shared, coming=coming, without=without, today=today
    )


def _received_page(schema, meeting_form=None, status=200, shown=None):
    """Every render shows the whole schema, so every render is in the access log."""
    log_access(schema.child_id, "view", f"transition:{schema.id}:received")
    summary = queries.consent_summary(schema)
    history = (
        prefill.wellbeing_history(schema.child_id, current_user) if summary.shares_history else []
    )
    response = render_template(
        "transitions/received_schema.html",
        child=schema.child,
        schema=schema,
        definition=definitions.load(schema.form_version),
        summary=summary,
        history=history,
        ack_form=EmptyForm(formdata=None),
        withdraw_forms=withdraw_forms(schema),
        meeting_form=meeting_form or MeetingForm(formdata=None),
        meeting_forms=meeting_forms(schema, "receiving", shown),
        today=clock.today(),
    )
    # Never kept in a cache: a withdrawal must stop access at once, also on a device that
    # was offline.
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/overgange/modtagne/<int:schema_id>")
@staff_only
def received_schema(schema_id: int):
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    return _received_page(schema)


@bp.post("/overgange/modtagne/<int:schema_id>/kvitter")
@staff_only
def acknowledge(schema_id: int):
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    if not EmptyForm().validate():
        abort(400)
    services.acknowledge(current_user, schema)
    flash(_("Tak. Det er registreret, at I har læst overgangsskemaet."), "success")
    return redirect(url_for(".received_schema", schema_id=schema.id), 303)


@bp.post("/overgange/modtagne/<int:schema_id>/moede")
@staff_only
def received_meeting(schema_id: int):
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    form = MeetingForm()
    if not form.validate():
        return _received_page(schema, meeting_form=form, status=422)
    services.book_meeting(current_user, schema, form, "receiving")
    flash(_("Overleveringsmødet er booket."), "success")
    return redirect(url_for(".received_schema", schema_id=schema.id), 303)


@bp.post("/overgange/modtagne/<int:schema_id>/moede/<int:handover_id>")
@staff_only
def received_change_meeting(schema_id: int, handover_id: int):
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    meeting = meeting_of(schema, handover_id, "receiving")
    form = MeetingForm(prefix=f"m{meeting.id}")
    if not form.validate():
        return _received_page(schema, status=422, shown={meeting.id: {"change": form}})
    services.change_meeting(current_user, meeting, form)
    flash(_("Overleveringsmødet er ændret."), "success")
    return redirect(url_for(".received_schema", schema_id=schema.id), 303)


@bp.post("/overgange/modtagne/<int:schema_id>/moede/<int:handover_id>/aflys")
@staff_only
def received_cancel_meeting(schema_id: int, handover_id: int):
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    meeting = meeting_of(schema, handover_id, "receiving")
    form = CancelMeetingForm(prefix=f"x{meeting.id}")
    if not form.validate():
        return _received_page(schema, status=422, shown={meeting.id: {"cancel": form}})
    services.cancel_meeting(current_user, meeting, form.cancel_reason.data)
    flash(_("Overleveringsmødet er aflyst."), "success")
    return redirect(url_for(".received_schema", schema_id=schema.id), 303)


@bp.post("/overgange/modtagne/<int:schema_id>/samtykke/<int:consent_id>/tilbagekald")
@staff_only
def received_withdraw(schema_id: int, consent_id: int):
    """Parents may tell the new unit that they withdraw: access ends with this request."""
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    consent = consent_of(schema, consent_id)
    form = WithdrawForm(prefix=f"c{consent.id}")
    if not form.validate():
        abort(400)
    services.withdraw_consent(current_user, consent, form.withdrawal_note.data)
    flash(_("Samtykket er trukket tilbage. Skemaet er ikke længere tilgængeligt."), "success")
    return redirect(url_for(".received"), 303)
