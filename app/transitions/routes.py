"""Overgangsskemaer: the sending list and schema, consent, handover, and the receiving side."""

from __future__ import annotations

import uuid as uuid_mod

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import clock
from app.audit.services import log_access
from app.auth.roles import ASSESSING_ROLES
from app.children.scoping import get_child_or_404
from app.extensions import db
from app.security import roles_required
from app.sync.registry import register_record_kind
from app.transitions import definitions, prefill, queries, rules, services
from app.transitions.forms import (
    ConsentForm,
    EmptyForm,
    MeetingForm,
    WithdrawForm,
    schema_form_class,
)
from app.transitions.models import TransitionConsent
from app.web import register_child_section, register_nav

bp = Blueprint("transitions", __name__)
staff_only = roles_required(*ASSESSING_ROLES)

STATUS_LABELS = {
    "due": _l("Skal udfyldes"),
    "overdue": _l("Forsinket"),
    "draft": _l("Kladde"),
    "awaiting_consent": _l("Afventer samtykke"),
    "consented": _l("Overdraget"),
    "withdrawn": _l("Samtykke trukket tilbage"),
    "acknowledged": _l("Kvitteret af modtager"),
}


# -- sending side ----------------------------------------------------------------------------


@bp.get("/overgange")
@staff_only
def index():
    today = clock.today()
    rows = queries.sending_list(current_user, today)
    counts = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    return render_template(
        "transitions/index.html",
        rows=rows,
        counts=counts,
        today=today,
        labels=STATUS_LABELS,
        leader=current_user.has_role("leder"),
        weeks=queries.user_settings(current_user)["due_weeks_before_start"],
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
            or prefill.latest_wellbeing(child.id),
            today=today,
            message=message,
            school=form.school,
            sending_name=_unit_name(child, coming.sending.id),
            receiving_name=schema.receiving_name if schema else _receiving_name(child, coming),
        ),
        status,
    )


def _unit_name(child, enrolment_id: int) -> str:
    return next((e.unit.name for e in child.enrolments if e.id == enrolment_id), "")


def _receiving_name(child, coming) -> str:
    return _unit_name(child, coming.receiving.id) if coming.receiving else ""


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
    return _render_form(child, _coming_of(schema), form, schema)


def _coming_of(schema):
    """The transition as the form header shows it, from the stored schema."""
    cfg = queries.transition_settings(schema.sending_unit)
    return rules.Coming(
        schema.kind,
        schema.target,
        schema.starts_on,
        rules.due_date(schema.starts_on, int(cfg["due_weeks_before_start"])),
        queries.fact(schema.sending_enrolment),
        queries.fact(schema.receiving_enrolment) if schema.receiving_enrolment else None,
    )


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
        coming = _coming_of(schema) if schema else _coming_or_404(child, today)
        return _render_form(child, coming, form, schema, 422)
    # conflict: keep what the user wrote, say why, and link to the stored schema
    coming = _coming_of(result.record) if result.record else _coming_or_404(child, today)
    return _render_form(child, coming, form, result.record, 409, result.message)


def _schema_page(child, schema, consent_form=None, meeting_form=None, status=200):
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
            withdraw_forms=_withdraw_forms(schema),
            meeting_form=meeting_form or MeetingForm(formdata=None),
            locked=queries.is_locked(schema),
            coming=_coming_of(schema),
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


@bp.post("/boern/<int:child_id>/overgangsskema/<int:schema_id>/samtykke")
@staff_only
def consent(child_id: int, schema_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    form = ConsentForm()
    form.guardian_id.choices = services.consent_choices(schema)
    if not schema.finished:
        flash(_("Afslut skemaet, før forældrene giver samtykke."), "error")
        return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)
    if not form.validate():
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
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


def _withdraw_forms(schema) -> dict:
    """One form per consent, prefixed so that their fields have unique ids."""
    return {c.id: WithdrawForm(formdata=None, prefix=f"c{c.id}") for c in schema.consents}


def _consent_of(schema, consent_id: int) -> TransitionConsent:
    consent = db.session.get(TransitionConsent, consent_id)
    if consent is None or consent.schema_id != schema.id:
        abort(404)
    return consent


@bp.post(
    "/boern/<int:child_id>/overgangsskema/<int:schema_id>/samtykke/<int:consent_id>/tilbagekald"
)
@staff_only
def withdraw(child_id: int, schema_id: int, consent_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    consent = _consent_of(schema, consent_id)
    form = WithdrawForm(prefix=f"c{consent.id}")
    if not form.validate():
        abort(400)
    services.withdraw_consent(current_user, consent, form.withdrawal_note.data)
    flash(_("Samtykket er trukket tilbage. Skemaet deles ikke længere."), "success")
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


@bp.post("/boern/<int:child_id>/overgangsskema/<int:schema_id>/moede")
@staff_only
def meeting(child_id: int, schema_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    form = MeetingForm()
    if not form.validate():
        return _schema_page(child, schema, meeting_form=form, status=422)
    services.book_meeting(current_user, schema, form)
    flash(_("Overleveringsmødet er booket."), "success")
    return redirect(url_for(".schema", child_id=child.id, schema_id=schema.id), 303)


@bp.get("/boern/<int:child_id>/overgangsskema/<int:schema_id>/print")
@staff_only
def print_view(child_id: int, schema_id: int):
    child, schema = queries.sending_schema_or_404(current_user, child_id, schema_id, clock.today())
    log_access(child.id, "print", f"transition:{schema.id}")
    return render_template(
        "transitions/print.html",
        child=child,
        schema=schema,
        definition=definitions.load(schema.form_version),
        summary=queries.consent_summary(schema),
        today=clock.today(),
    )


# -- receiving side --------------------------------------------------------------------------


@bp.get("/overgange/modtagne")
@staff_only
def received():
    today = clock.today()
    shared, coming, without = queries.received_lists(current_user, today)
    return render_template(
        "transitions/received.html", shared=shared, coming=coming, without=without, today=today
    )


def _received_page(schema, meeting_form=None, status=200):
    summary = queries.consent_summary(schema)
    history = prefill.wellbeing_history(schema.child_id) if summary.shares_history else []
    response = render_template(
        "transitions/received_schema.html",
        child=schema.child,
        schema=schema,
        definition=definitions.load(schema.form_version),
        summary=summary,
        history=history,
        ack_form=EmptyForm(formdata=None),
        withdraw_forms=_withdraw_forms(schema),
        meeting_form=meeting_form or MeetingForm(formdata=None),
        today=clock.today(),
    )
    # Never kept in a cache: a withdrawal must stop access at once, also on a device that
    # was offline.
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/overgange/modtagne/<int:schema_id>")
@staff_only
def received_schema(schema_id: int):
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    log_access(schema.child_id, "view", f"transition:{schema.id}:received")
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
    services.book_meeting(current_user, schema, form)
    flash(_("Overleveringsmødet er booket."), "success")
    return redirect(url_for(".received_schema", schema_id=schema.id), 303)


@bp.post("/overgange/modtagne/<int:schema_id>/samtykke/<int:consent_id>/tilbagekald")
@staff_only
def received_withdraw(schema_id: int, consent_id: int):
    """Parents may tell the new unit that they withdraw: access ends with this request."""
    schema = queries.received_schema_or_404(current_user, schema_id, clock.today())
    consent = _consent_of(schema, consent_id)
    form = WithdrawForm(prefix=f"c{consent.id}")
    if not form.validate():
        abort(400)
    services.withdraw_consent(current_user, consent, form.withdrawal_note.data)
    flash(_("Samtykket er trukket tilbage. Skemaet er ikke længere tilgængeligt."), "success")
    return redirect(url_for(".received"), 303)


# -- child page ------------------------------------------------------------------------------


def transition_panel(child) -> dict | None:
    """What the child's page shows about transitions to the current user."""
    today = clock.today()
    cfg = queries.child_settings(child, today)
    coming = queries.coming_for(child, today, cfg)
    panel: dict = {"labels": STATUS_LABELS}
    if coming and queries.staff_of(current_user, today).covers(coming.sending, child.id):
        schema = queries.schema_for_target(child.id, coming.target)
        consent = (
            queries.consent_summary(schema, cfg).state if schema and schema.finished else "none"
        )
        panel["sending"] = {
            "coming": coming,
            "schema": schema,
            "receiving_name": schema.receiving_name if schema else _receiving_name(child, coming),
            "status": rules.list_status(
                today,
                coming.due_date,
                schema.status if schema else None,
                consent,
                bool(schema and schema.acknowledged_at),
            ),
        }
    received = queries.readable_received_for_child(current_user, child.id, today)
    if received:
        panel["received"] = received
    return panel if len(panel) > 1 else None


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav("transitions.index", _l("Overgangsskemaer"), lambda u: bool(u.roles), order=60)
    register_child_section("transitions/_child_section.html", order=60)
    register_record_kind("transition", services.submit_transition)
    app.jinja_env.globals["transition_panel"] = transition_panel

    from app.demo.seed import register_seeder
    from app.transitions.seed import seed_transitions

    register_seeder(seed_transitions)
