"""Blueprint `transitions`: overgangsskemaer, consent and handover.

The views live in views_sending.py (the sending professional: list, schema, consent, print) and
views_received.py (the receiving unit behind its consent gate); this module holds what both
use and wires the area into the app.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, url_for
from flask_login import current_user

from app import clock
from app.auth.roles import ASSESSING_ROLES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.security import roles_required
from app.sync.plan import register_offline_pages
from app.sync.registry import register_record_kind
from app.transitions import queries, rules, services
from app.transitions.forms import CancelMeetingForm, MeetingForm, WithdrawForm
from app.transitions.models import HandoverMeeting, TransitionConsent
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


def unit_name(child, enrolment_id: int) -> str:
    return next((e.unit.name for e in child.enrolments if e.id == enrolment_id), "")


def receiving_name(child, coming) -> str:
    return unit_name(child, coming.receiving.id) if coming.receiving else ""


def coming_of(schema):
    """The transition as the form header shows it, from the stored schema."""
    cfg = queries.schema_settings(schema.sending_unit_id)
    return rules.Coming(
        schema.kind,
        schema.target,
        schema.starts_on,
        rules.due_date(schema.starts_on, int(cfg["due_weeks_before_start"])),
        queries.fact(schema.sending_enrolment),
        queries.fact(schema.receiving_enrolment) if schema.receiving_enrolment else None,
    )


def withdraw_forms(schema) -> dict:
    """One form per consent, prefixed so that their fields have unique ids."""
    return {c.id: WithdrawForm(formdata=None, prefix=f"c{c.id}") for c in schema.consents}


def consent_of(schema, consent_id: int) -> TransitionConsent:
    consent = db.session.get(TransitionConsent, consent_id)
    if consent is None or consent.schema_id != schema.id:
        abort(404)
    return consent


def meeting_of(schema, handover_id: int, side: str) -> HandoverMeeting:
    """A meeting of this schema that this side booked and may still change or cancel."""
    meeting = db.session.get(HandoverMeeting, handover_id)
    if meeting is None or meeting.schema_id != schema.id or not meeting.may_change_from(side):
        abort(404)
    return meeting


def meeting_forms(schema, side: str, shown: dict | None = None) -> dict:
    """Change and cancel forms per meeting this side may change, prefixed per meeting;
    `shown` holds a form re-shown with its errors and the user's values."""
    forms = {}
    for m in schema.meetings:
        if not m.may_change_from(side):
            continue
        data = {
            "planned_on": m.meeting_on,
            "meeting_time": m.meeting_time,
            "place": m.place,
            "planned_participants": m.participants,
            "purpose": m.purpose,
            "questions": m.questions,
            "roles": m.roles,
            "agreed_with_parents": m.agreed_with_parents,
            "interpreter_needed": m.interpreter_needed,
            "interpreter_language": m.interpreter_language,
            "note": m.note,
        }
        forms[m.id] = {
            "change": MeetingForm(formdata=None, prefix=f"m{m.id}", data=data),
            "cancel": CancelMeetingForm(formdata=None, prefix=f"x{m.id}"),
            **(shown or {}).get(m.id, {}),
        }
    return forms


# -- child page ------------------------------------------------------------------------------


def transition_panel(child) -> dict | None:
    """What the child's page shows about transitions to the current user."""
    today = clock.today()
    cfg = queries.child_settings(child, today)
    coming = queries.coming_for(child, today, cfg)
    panel: dict = {"labels": STATUS_LABELS}
    if coming and queries.staff_of(current_user, today).covers(coming.sending, child.id):
        schema = queries.schema_for_target(child.id, coming.target)
        consent = queries.consent_summary(schema).state if schema and schema.finished else "none"
        panel["sending"] = {
            "coming": coming,
            "schema": schema,
            # Before the notice period only when the schema will be due: no task yet.
            "task": rules.is_listed(coming, today, schema is not None, cfg),
            "task_from": rules.listed_from(coming, cfg),
            "receiving_name": schema.receiving_name if schema else receiving_name(child, coming),
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


def offline_pages(user, child_id: int) -> list[str]:
    """The schema form of a child whose transition the user sends, for "Gør klar til offline"."""
    from app.children.models import Child

    today = clock.today()
    child = db.session.get(Child, child_id)
    if child is None:
        return []
    cfg = queries.child_settings(child, today)
    coming = queries.coming_for(child, today, cfg)
    if coming is None or not queries.staff_of(user, today).covers(coming.sending, child.id):
        return []
    schema = queries.schema_for_target(child.id, coming.target)
    if not rules.is_listed(coming, today, schema is not None, cfg):
        return []
    if schema is None:
        return [url_for("transitions.new", child_id=child.id)]
    if queries.is_locked(schema):
        return []
    return [url_for("transitions.edit", child_id=child.id, schema_id=schema.id)]


def may_see_schema(user, schema) -> bool:
    """For the sync conflict view: only those who may open the schema on the sending side."""
    return queries.sender_may_access(user, schema, clock.today())


def init_app(app: Flask) -> None:
    from app.transitions import views_received, views_sending  # noqa: F401 (register on bp)

    app.register_blueprint(bp)
    register_nav("transitions.index", _l("Overgangsskemaer"), lambda u: bool(u.roles), order=60)
    register_child_section("transitions/_child_section.html", order=60)
    register_record_kind("transition", services.submit_transition, may_see=may_see_schema)
    register_offline_pages(offline_pages)
    app.jinja_env.globals["transition_panel"] = transition_panel

    from app.demo.seed import register_seeder
    from app.transitions.seed import seed_transitions

    register_seeder(seed_transitions)
