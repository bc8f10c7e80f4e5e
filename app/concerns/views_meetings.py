"""Meetings with the dialogmodel: forberedelse → mødet → evaluering. Actions agreed at the
meeting become plan items (follow-ups) on the course."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import clock
from app.audit.services import log_access
from app.children.scoping import get_child_or_404
from app.concerns import services
from app.concerns.forms import EvaluationForm, HeldForm, PlanItemForm, PrepForm
from app.concerns.models import Meeting
from app.concerns.routes import bp, course_or_404
from app.concerns.sharing import scope_for, sees_meeting
from app.concerns.views_course import staff_choices
from app.extensions import db
from app.i18n import gettext as _
from app.security import login_required

PREP_FIELDS = (
    "planned_on",
    "purpose",
    "questions",
    "planned_participants",
    "roles",
    "agreed_with_parents",
    "interpreter_needed",
    "interpreter_language",
)
HELD_FIELDS = (
    "held_on",
    "participants",
    "observations",
    "strengths",
    "concerns",
    "next_meeting_on",
)
EVAL_FIELDS = ("evaluated_on", "actions_worked", "evaluation_note", "new_position", "decision")
PHASES = ("forberedelse", "moede", "evaluering", "afsluttet")


def meeting_or_404(child_id: int, meeting_id: int):
    child = get_child_or_404(current_user, child_id)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.child_id != child.id:
        abort(404)
    if not sees_meeting(scope_for(current_user, child.id), meeting):
        abort(404)
    return child, meeting


def _values(form, fields) -> dict:
    values = {}
    for name in fields:
        value = getattr(form, name).data
        values[name] = value.strip() or None if isinstance(value, str) else value
    return values


def meeting_context(child, meeting, **bound) -> dict:
    prep = bound.get("prep") or PrepForm(formdata=None, obj=meeting)
    held = bound.get("held") or HeldForm(formdata=None, obj=meeting)
    evaluation = bound.get("evaluation") or EvaluationForm(formdata=None, obj=meeting)
    action = bound.get("action") or PlanItemForm(formdata=None)
    action.responsible_id.choices = staff_choices(meeting.course, blank=True)
    for form in (prep, held, evaluation):
        form.version.data = meeting.version
    return {
        "child": child,
        "meeting": meeting,
        "course": meeting.course,
        "prep_form": prep,
        "held_form": held,
        "evaluation_form": evaluation,
        "action_form": action,
        "phase_index": PHASES.index(meeting.phase),
        "events": services.events_for("meeting", meeting.id),
        "today": clock.today(),
    }


def render_meeting(child, meeting, status=200, **bound):
    return render_template("concerns/meeting.html", **meeting_context(child, meeting, **bound)), (
        status
    )


def _to_meeting(meeting, anchor):
    return redirect(
        url_for(
            "concerns.meeting", child_id=meeting.child_id, meeting_id=meeting.id, _anchor=anchor
        ),
        303,
    )


@bp.route("/boern/<int:child_id>/handleveje/<int:course_id>/moeder/ny", methods=["GET", "POST"])
@login_required
def meeting_new(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    if not course.is_open:
        abort(409)
    interpreter = next((g for g in child.guardians if g.needs_interpreter), None)
    form = PrepForm(
        interpreter_needed=bool(interpreter),
        interpreter_language=interpreter.language if interpreter else None,
    )
    if form.validate_on_submit():
        meeting = Meeting(
            child_id=child.id,
            course_id=course.id,
            phase="moede",
            created_by_id=current_user.id,
            updated_by_id=current_user.id,
            **_values(form, PREP_FIELDS),
        )
        db.session.add(meeting)
        db.session.flush()
        services.record_event(
            "meeting", meeting.id, "forberedelse", current_user, child_id=child.id
        )
        log_access(child.id, "create", f"meeting:{meeting.id}")
        flash(_("Mødet er forberedt."), "success")
        return _to_meeting(meeting, "moedet")
    log_access(child.id, "view", "meeting:new")
    return render_template(
        "concerns/meeting_new.html", child=child, course=course, form=form
    ), 422 if form.is_submitted() else 200


@bp.get("/boern/<int:child_id>/moeder/<int:meeting_id>")
@login_required
def meeting(child_id: int, meeting_id: int):
    child, meeting = meeting_or_404(child_id, meeting_id)
    log_access(child.id, "view", f"meeting:{meeting.id}")
    return render_meeting(child, meeting)


def _save_phase(child_id, meeting_id, form_cls, fields, key, next_phase, min_phase, anchor):
    child, meeting = meeting_or_404(child_id, meeting_id)
    if PHASES.index(meeting.phase) < PHASES.index(min_phase):
        abort(409)
    form = form_cls()
    if form.version.data and str(form.version.data) != str(meeting.version):
        flash(_("Mødet er ændret af en anden imens. Se det nye, og prøv igen."), "error")
        return None, render_meeting(child, meeting, 409)
    if form.validate_on_submit():
        values = _values(form, fields)
        if services.needs_reason(meeting, values) and not (form.change_reason.data or "").strip():
            form.change_reason.errors.append(_("Skriv hvorfor du ændrer det, der er noteret."))
        else:
            services.advance_meeting(
                meeting,
                current_user,
                PHASES[PHASES.index(next_phase) - 1],
                values,
                next_phase,
                form.change_reason.data,
            )
            log_access(child.id, "update", f"meeting:{meeting.id}")
            return meeting, _to_meeting(meeting, anchor)
    log_access(child.id, "view", f"meeting:{meeting.id}")
    return None, render_meeting(child, meeting, 422, **{key: form})


@bp.post("/boern/<int:child_id>/moeder/<int:meeting_id>/forberedelse")
@login_required
def meeting_prep(child_id: int, meeting_id: int):
    saved, response = _save_phase(
        child_id, meeting_id, PrepForm, PREP_FIELDS, "prep", "moede", "forberedelse", "moedet"
    )
    if saved:
        flash(_("Forberedelsen er gemt."), "success")
    return response


@bp.post("/boern/<int:child_id>/moeder/<int:meeting_id>/moedet")
@login_required
def meeting_held(child_id: int, meeting_id: int):
    saved, response = _save_phase(
        child_id, meeting_id, HeldForm, HELD_FIELDS, "held", "evaluering", "moede", "handlinger"
    )
    if saved:
        flash(_("Mødet er noteret. Tilføj de aftalte handlinger."), "success")
    return response


@bp.post("/boern/<int:child_id>/moeder/<int:meeting_id>/handlinger")
@login_required
def meeting_action(child_id: int, meeting_id: int):
    """An action agreed at the meeting (what, who, when) becomes a plan item on the course."""
    child, meeting = meeting_or_404(child_id, meeting_id)
    if PHASES.index(meeting.phase) < PHASES.index("evaluering") or not meeting.course.is_open:
        abort(409)
    form = PlanItemForm()
    form.responsible_id.choices = staff_choices(meeting.course, blank=True)
    if form.validate_on_submit():
        services.add_plan_item(
            meeting.course,
            current_user,
            {
                k: getattr(form, k).data
                for k in ("action", "responsible_id", "responsible_text", "due_on")
            },
            meeting=meeting,
        )
        log_access(child.id, "update", f"meeting:{meeting.id}")
        flash(_("Handlingen er tilføjet og står nu på opfølgningslisten."), "success")
        return _to_meeting(meeting, "handlinger")
    log_access(child.id, "view", f"meeting:{meeting.id}")
    return render_meeting(child, meeting, 422, action=form)


@bp.post("/boern/<int:child_id>/moeder/<int:meeting_id>/evaluering")
@login_required
def meeting_evaluation(child_id: int, meeting_id: int):
    saved, response = _save_phase(
        child_id,
        meeting_id,
        EvaluationForm,
        EVAL_FIELDS,
        "evaluation",
        "afsluttet",
        "evaluering",
        "evaluering",
    )
    if saved:
        services.apply_decision(saved, current_user)
        flash(_("Evalueringen er gemt."), "success")
    return response
