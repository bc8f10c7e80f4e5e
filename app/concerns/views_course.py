"""Opening a course of action and working through its steps on one page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.audit.services import log_access
from app.children.scoping import get_child_or_404
from app.concerns import drafting, rules, services
from app.concerns.forms import (
    CloseForm,
    ConfirmForm,
    DoneForm,
    FollowUpForm,
    OpenCourseForm,
    ParentsForm,
    PlanItemForm,
    QuestionForm,
    options,
)
from app.concerns.models import SOURCES, PlanItem, SparringRequest, Underretning
from app.concerns.routes import bp, course_or_404, is_partial
from app.concerns.rules import Answer, Level, Trigger
from app.extensions import db
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.security import login_required

TRIGGER_TEXT = {
    Trigger.ACUTE_CONTACT: _l("Kontakt kommunen straks – barnet kan være i fare"),
    Trigger.INVOLVE_PARENTS: _l("Forældrene orienteres og inddrages (hvornår og hvordan)"),
    Trigger.ACTION_PLAN: _l(
        "En handleplan med fokuspunkter: hvad ser vi, hvad gør vi, hvem, hvornår"
    ),
    Trigger.FOLLOW_UP_DATE: _l("En dato for næste opfølgning"),
    Trigger.CONSIDER_SPARRING: _l("Overvej sparring med fx PPR eller socialrådgiver"),
    Trigger.INFORM_LEADER_SAME_DAY: _l("Lederen får besked samme dag"),
    Trigger.UNDERRETNING_QUESTION: _l("Du tager stilling til, om du skal underrette kommunen"),
}
SOURCE_TEXT = {
    "assessment": _l("trivselsvurdering"),
    "visit": _l("sundhedsplejebesøg"),
    "manual": _l("bekymring rejst direkte"),
}
LEADER_HOW = {
    "besked": _l("besked fra Opspor"),
    "personligt": _l("fortalt personligt"),
    "selv": _l("du er selv leder"),
}
STEP_TEXT = {
    "leader": _l("Lederen informeret"),
    "parents": _l("Forældrene inddraget"),
    "plan": _l("Handleplan"),
    "follow_up": _l("Opfølgning"),
    "sparring": _l("Sparring (valgfrit)"),
    "underretning": _l("Underretning"),
}


def staff_choices(course, blank: bool):
    staff = services.staff_of(course.unit)
    if course.responsible and course.responsible not in staff:
        staff.append(course.responsible)
    choices = [(u.id, u.name) for u in staff]
    return options(([("", _("Ingen medarbejder valgt"))] if blank else []) + choices)


def plan_context(course, plan_form=None, message=None) -> dict:
    plan_form = plan_form or PlanItemForm(formdata=None)
    plan_form.responsible_id.choices = staff_choices(course, blank=True)
    return {
        "course": course,
        "plan_form": plan_form,
        "done_form": DoneForm(formdata=None),
        "today": clock.today(),
        "plan_message": message,
    }


def course_context(child, course, **bound) -> dict:
    today = clock.today()
    parents = bound.get("parents") or ParentsForm(formdata=None, obj=course)
    follow_up = bound.get("follow_up") or FollowUpForm(
        formdata=None, obj=course, responsible_id=course.responsible_id
    )
    follow_up.responsible_id.choices = staff_choices(course, blank=False)
    question = bound.get("question") or QuestionForm(
        formdata=None,
        answer=course.underretning_answer.value if course.underretning_answer else None,
        underretning_reason=course.underretning_reason,
    )
    for form in (parents, follow_up, question):
        form.version.data = course.version
    steps = rules.course_steps(
        course.level,
        parents_done=course.parents_done,
        has_plan=bool(course.plan_items),
        follow_up_on=course.follow_up_on,
        leader_informed=course.leader_informed_at is not None,
        underretning_answer=course.underretning_answer,
    )
    sparring = db.session.scalars(
        select(SparringRequest).where(SparringRequest.course_id == course.id)
    ).all()
    underretninger = db.session.scalars(
        select(Underretning).where(Underretning.course_id == course.id).order_by(Underretning.id)
    ).all()
    return {
        "child": child,
        "course": course,
        "today": today,
        "settings": services.settings_for_unit(course.unit),
        "steps": steps,
        "missing": rules.missing_steps(steps),
        "step_text": STEP_TEXT,
        "source_text": SOURCE_TEXT,
        "leader_how": LEADER_HOW,
        "leaders": services.leaders_of(course.unit),
        "parents_form": parents,
        "follow_up_form": follow_up,
        "question_form": question,
        "confirm_form": ConfirmForm(formdata=None),
        "close_form": bound.get("close") or CloseForm(formdata=None),
        "sparring": sparring,
        "underretninger": underretninger,
        "events": services.events_for("course", course.id),
        **plan_context(course, bound.get("plan")),
    }


def render_course(child, course, status: int = 200, **bound):
    return render_template("concerns/course.html", **course_context(child, course, **bound)), status


def stale(form, course) -> bool:
    """Optimistic locking: the form was made from an older version of the course."""
    return bool(form.version.data) and str(form.version.data) != str(course.version)


def stale_response(child, course):
    flash(_("Handlevejen er ændret af en anden imens. Se det nye, og prøv igen."), "error")
    return render_course(child, course, 409)


def back_to(course, anchor: str):
    return redirect(
        url_for("concerns.course", child_id=course.child_id, course_id=course.id, _anchor=anchor),
        303,
    )


# ---------------------------------------------------------------------------------------------


@bp.route("/boern/<int:child_id>/handleveje/ny", methods=["GET", "POST"])
@login_required
def open(child_id: int):  # noqa: A001 (the endpoint name other areas link to)
    """Open a course of action (GET confirms, POST opens). Idempotent per source."""
    child = get_child_or_404(current_user, child_id)
    source = request.args.get("source", "manual")
    source_id = request.args.get("source_id", type=int)
    position = request.args.get("position")
    preset = rules.level_from(position)
    if source not in SOURCES or (source != "manual" and source_id is None):
        abort(400)
    if position and preset is None:
        abort(400)
    linked = services.find_source(source, source_id)
    if linked is not None:
        if linked.course.child_id != child.id:
            abort(404)
        return back_to(linked.course, "trin")
    existing = services.open_course_for_child(child.id, current_user)
    form = OpenCourseForm(level=preset.value if preset else None)
    if preset:
        # Set by the assessment or visit, not chosen here.
        form.level.data, form.level.raw_data = preset.value, [preset.value]
    if form.validate_on_submit():
        if source == "manual" and not (form.reason.data or "").strip():
            form.reason.errors.append(_("Skriv kort, hvad du er bekymret for."))
        else:
            course, outcome = services.open_course(
                current_user, child, Level(form.level.data), source, source_id, form.reason.data
            )
            log_access(
                child.id, "create" if outcome == "opened" else "update", f"course:{course.id}"
            )
            flash(
                {
                    "opened": _("Handlevejen er åbnet."),
                    "escalated": _("Handlevejen er opgraderet."),
                }.get(outcome, _("Bekymringen er tilføjet den åbne handlevej.")),
                "success",
            )
            return back_to(course, "trin")
    status = 422 if form.is_submitted() else 200
    log_access(child.id, "view", "course:new")
    return render_template(
        "concerns/open.html",
        child=child,
        form=form,
        preset=preset,
        source=source,
        existing=existing,
        escalates=bool(existing and preset and rules.escalates(existing.level, preset)),
        triggers={level: rules.triggers(level) for level in Level},
        trigger_text=TRIGGER_TEXT,
        source_text=SOURCE_TEXT,
        settings=services.settings_for_unit(services.unit_for(current_user, child, clock.today())),
        today=clock.today(),
    ), status


@bp.get("/boern/<int:child_id>/handleveje/<int:course_id>")
@login_required
def course(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    log_access(child.id, "view", f"course:{course.id}")
    return render_course(child, course)


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/foraeldre")
@login_required
def save_parents(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    form = ParentsForm()
    if stale(form, course):
        return stale_response(child, course)
    if form.validate_on_submit():
        values = services.parents_values(form)
        if services.needs_reason(course, values) and not (form.change_reason.data or "").strip():
            form.change_reason.errors.append(_("Skriv hvorfor du ændrer det, der er noteret."))
        else:
            services.apply_changes(
                course,
                values,
                subject="course",
                kind="parents",
                user=current_user,
                child_id=child.id,
                reason=form.change_reason.data,
            )
            log_access(child.id, "update", f"course:{course.id}")
            flash(_("Forældresamarbejdet er gemt."), "success")
            return back_to(course, "foraeldre")
    log_access(child.id, "view", f"course:{course.id}")
    return render_course(child, course, 422, parents=form)


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/fokuspunkter")
@login_required
def add_plan_item(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    form = PlanItemForm()
    form.responsible_id.choices = staff_choices(course, blank=True)
    if course.is_open and form.validate_on_submit():
        services.add_plan_item(
            course,
            current_user,
            {
                k: getattr(form, k).data
                for k in ("observation", "action", "responsible_id", "responsible_text", "due_on")
            },
        )
        log_access(child.id, "update", f"course:{course.id}")
        if is_partial():
            db.session.refresh(course)
            return render_template(
                "concerns/_plan.html",
                **plan_context(course, message=_("Fokuspunktet er tilføjet.")),
            )
        flash(_("Fokuspunktet er tilføjet."), "success")
        return back_to(course, "plan")
    if not course.is_open:
        abort(409)
    log_access(child.id, "view", f"course:{course.id}")
    if is_partial():
        return render_template("concerns/_plan.html", **plan_context(course, form)), 422
    return render_course(child, course, 422, plan=form)


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/fokuspunkter/<int:item_id>/udfoert")
@login_required
def item_done(child_id: int, course_id: int, item_id: int):
    child, course = course_or_404(child_id, course_id)
    item = db.session.get(PlanItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    form = DoneForm()
    if not form.validate_on_submit():
        if is_partial():
            return render_template("concerns/_plan.html", **plan_context(course)), 422
        return render_course(child, course, 422)
    if item.done_on is None:
        services.mark_done(item, current_user, form.done_note.data)
        log_access(child.id, "update", f"course:{course.id}")
    if is_partial():
        db.session.refresh(course)
        return render_template(
            "concerns/_plan.html", **plan_context(course, message=_("Markeret som udført."))
        )
    flash(_("Markeret som udført."), "success")
    return back_to(course, "plan")


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/opfoelgning")
@login_required
def save_follow_up(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    form = FollowUpForm()
    form.responsible_id.choices = staff_choices(course, blank=False)
    if stale(form, course):
        return stale_response(child, course)
    if form.validate_on_submit():
        values = {
            "follow_up_on": form.follow_up_on.data,
            "responsible_id": form.responsible_id.data,
        }
        # Moving a follow-up date is ordinary planning, but it is kept in the history.
        services.apply_changes(
            course,
            values,
            subject="course",
            kind="follow-up",
            user=current_user,
            child_id=child.id,
            reason=form.change_reason.data,
        )
        log_access(child.id, "update", f"course:{course.id}")
        flash(_("Opfølgningen er gemt."), "success")
        return back_to(course, "opfoelgning")
    log_access(child.id, "view", f"course:{course.id}")
    return render_course(child, course, 422, follow_up=form)


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/underretning-spoergsmaal")
@login_required
def answer_question(child_id: int, course_id: int):
    """The personal underretning question (rød/akut). No leader approval: the answer is the
    professional's own, recorded with who and when."""
    child, course = course_or_404(child_id, course_id)
    if not course.level.is_serious:
        abort(404)
    form = QuestionForm()
    if stale(form, course):
        return stale_response(child, course)
    if form.validate_on_submit():
        answer = Answer(form.answer.data)
        services.answer_question(course, current_user, answer, form.underretning_reason.data)
        log_access(child.id, "update", f"course:{course.id}")
        if answer is Answer.YES:
            draft = db.session.scalar(
                select(Underretning)
                .where(Underretning.course_id == course.id)
                .order_by(Underretning.id.desc())
                .limit(1)
            ) or drafting.start_underretning(current_user, child, course)
            log_access(child.id, "create", f"underretning:{draft.id}")
            flash(_("Dit svar er gemt. Her er et udkast til underretningen."), "success")
            return redirect(
                url_for("concerns.underretning", child_id=child.id, underretning_id=draft.id),
                303,
            )
        flash(_("Dit svar er gemt."), "success")
        return back_to(course, "underretning")
    log_access(child.id, "view", f"course:{course.id}")
    return render_course(child, course, 422, question=form)


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/leder-informeret")
@login_required
def leader_told(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    if ConfirmForm().validate_on_submit() and course.leader_informed_at is None:
        services.confirm_leader_told(course, current_user)
        log_access(child.id, "update", f"course:{course.id}")
        flash(_("Det er noteret, at lederen er informeret."), "success")
    return back_to(course, "leder")


@bp.post("/boern/<int:child_id>/handleveje/<int:course_id>/luk")
@login_required
def close(child_id: int, course_id: int):
    child, course = course_or_404(child_id, course_id)
    form = CloseForm()
    if not course.is_open:
        return back_to(course, "trin")
    if form.validate_on_submit():
        services.close_course(
            course, current_user, form.closing_note.data, form.closing_position.data
        )
        log_access(child.id, "update", f"course:{course.id}")
        flash(_("Handlevejen er lukket."), "success")
        return back_to(course, "trin")
    log_access(child.id, "view", f"course:{course.id}")
    return render_course(child, course, 422, close=form)
