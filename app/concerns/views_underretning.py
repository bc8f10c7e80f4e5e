"""Underretning support: a prefilled draft to complete, copy or print for the municipality's
own channel; then the sent date/channel, the receipt (due in 6 working days) and the feedback.

The full CPR number is shown only on the draft page, for this purpose: never in a URL, a log
line or a form field, and the page is not stored by any cache.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.audit.services import log_access
from app.children import cpr
from app.children.scoping import get_child_or_404
from app.concerns import drafting, services
from app.concerns.forms import DraftForm, ReceiptForm, SentForm, options
from app.concerns.models import CourseOfAction, Underretning
from app.concerns.routes import bp
from app.concerns.sharing import scope_for, sees_course, sees_underretning
from app.extensions import db
from app.i18n import gettext as _
from app.security import login_required

DRAFT_FIELDS = ("writer_relation", "concern", "observations", "tried", "parents_text", "other")


def underretning_or_404(child_id: int, underretning_id: int):
    child = get_child_or_404(current_user, child_id)
    found = db.session.get(Underretning, underretning_id)
    if found is None or found.child_id != child.id:
        abort(404)
    if not sees_underretning(scope_for(current_user, child.id), found):
        abort(404)
    return child, found


def _saved(child, draft: Underretning, anchor: str):
    """303 back to the underretning's page, at the section just saved."""
    return redirect(
        url_for(
            "concerns.underretning",
            child_id=child.id,
            underretning_id=draft.id,
            _anchor=anchor,
        ),
        303,
    )


def _page(child, draft, status=200, **bound):
    settings = services.settings_for_unit(draft.unit)
    draft_form = bound.get("draft") or DraftForm(formdata=None, obj=draft)
    draft_form.version.data = draft.version
    sent_form = bound.get("sent") or SentForm(formdata=None, sent_on=clock.today())
    sent_form.channel.choices = options([("", _("Vælg")), *((c, c) for c in settings.channels)])
    receipt_form = bound.get("receipt") or ReceiptForm(formdata=None)
    enrolment = services.enrolment_in(child, draft.unit_id)
    response = make_response(
        render_template(
            "concerns/underretning.html",
            child=child,
            draft=draft,
            cpr_full=cpr.format_full(child.cpr),
            unit=draft.unit,
            enrolment=enrolment,
            writer=draft.author or current_user,
            draft_form=draft_form,
            sent_form=sent_form,
            receipt_form=receipt_form,
            settings=settings,
            events=services.events_for("underretning", draft.id),
            today=clock.today(),
        ),
        status,
    )
    # The page holds a full CPR number: nothing may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/boern/<int:child_id>/underretninger/ny")
@login_required
def underretning_new(child_id: int):
    """Start a draft (any professional may: the duty is personal). With course_id: from it."""
    child = get_child_or_404(current_user, child_id)
    course_id = request.args.get("course_id", type=int)
    course = db.session.get(CourseOfAction, course_id) if course_id else None
    if course_id and (
        course is None
        or course.child_id != child.id
        or not sees_course(scope_for(current_user, child.id), course)
    ):
        abort(404)
    draft = drafting.start_underretning(current_user, child, course)
    log_access(child.id, "create", f"underretning:{draft.id}")
    return redirect(
        url_for("concerns.underretning", child_id=child.id, underretning_id=draft.id), 303
    )


@bp.route("/boern/<int:child_id>/underretninger/<int:underretning_id>", methods=["GET", "POST"])
@login_required
def underretning(child_id: int, underretning_id: int):
    child, draft = underretning_or_404(child_id, underretning_id)
    if request.method == "POST":
        if draft.is_sent:
            abort(409)  # what was sent is kept as it was sent
        form = DraftForm()
        if form.version.data and str(form.version.data) != str(draft.version):
            flash(_("Udkastet er ændret af en anden imens. Se det nye, og prøv igen."), "error")
            return _page(child, draft, 409)
        if form.validate_on_submit():
            for name in DRAFT_FIELDS:
                setattr(draft, name, (getattr(form, name).data or "").strip() or None)
            draft.updated_by_id = current_user.id
            log_access(child.id, "update", f"underretning:{draft.id}")
            flash(_("Udkastet er gemt."), "success")
            return _saved(child, draft, "udkast")
        log_access(child.id, "view", f"underretning:{draft.id}")
        return _page(child, draft, 422, draft=form)
    log_access(child.id, "view", f"underretning:{draft.id}")
    return _page(child, draft)


@bp.post("/boern/<int:child_id>/underretninger/<int:underretning_id>/sendt")
@login_required
def underretning_sent(child_id: int, underretning_id: int):
    child, draft = underretning_or_404(child_id, underretning_id)
    if draft.is_sent:
        abort(409)
    settings = services.settings_for_unit(draft.unit)
    form = SentForm()
    form.channel.choices = options([("", _("Vælg")), *((c, c) for c in settings.channels)])
    if form.validate_on_submit():
        drafting.record_sent(
            draft,
            current_user,
            form.sent_on.data,
            form.channel.data,
            form.sent_to.data,
            settings.receipt_working_days,
        )
        log_access(child.id, "update", f"underretning:{draft.id}")
        flash(_("Det er noteret, at underretningen er sendt."), "success")
        return _saved(child, draft, "kvittering")
    log_access(child.id, "view", f"underretning:{draft.id}")
    return _page(child, draft, 422, sent=form)


@bp.post("/boern/<int:child_id>/underretninger/<int:underretning_id>/kvittering")
@login_required
def underretning_receipt(child_id: int, underretning_id: int):
    child, draft = underretning_or_404(child_id, underretning_id)
    if not draft.is_sent:
        abort(409)
    form = ReceiptForm()
    ok = form.validate_on_submit()
    if ok and form.receipt_on.data < draft.sent_on:
        form.receipt_on.errors.append(_("Kvitteringen kan ikke være modtaget før afsendelsen."))
        ok = False
    if ok:
        values = {
            "receipt_on": form.receipt_on.data,
            "investigation_started": form.investigation_started.data or None,
            "feedback_note": (form.feedback_note.data or "").strip() or None,
        }
        values["feedback_on"] = (
            clock.today()
            if values["investigation_started"] or values["feedback_note"]
            else draft.feedback_on
        )
        services.apply_changes(
            draft,
            values,
            subject="underretning",
            kind="receipt",
            user=current_user,
            child_id=child.id,
            reason=None,
        )
        log_access(child.id, "update", f"underretning:{draft.id}")
        flash(_("Kvittering og tilbagemelding er gemt."), "success")
        return _saved(child, draft, "kvittering")
    log_access(child.id, "view", f"underretning:{draft.id}")
    return _page(child, draft, 422, receipt=form)
