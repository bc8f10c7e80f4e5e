"""The underretning draft: what Opspor knows, gathered and worded neutrally for the professional
to complete; and recording that it was sent (the receipt due in N working days).

The texts are Danish content of the document itself, not interface text.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.auth.roles import Role
from app.children.models import Child
from app.children.records import record_scope
from app.concerns import observations, rules
from app.concerns.models import CourseOfAction, SparringRequest, Underretning
from app.concerns.rules import Level
from app.concerns.services import enrolment_in, record_event, unit_for
from app.concerns.sharing import course_condition
from app.extensions import db
from app.i18n import format_date

SOURCE_LABELS = {
    "assessment": "Trivselsvurdering",
    "visit": "Sundhedsplejebesøg",
    "manual": "Bekymring",
}
LEVEL_LABELS = {Level.GUL: "gul", Level.ROED: "rød", Level.AKUT: "akut"}


def dated_observations(child: Child, user: User) -> list[tuple[date, str]]:
    """What Opspor knows, dated and neutral, oldest first (the professional edits it): the
    assessments and visits (see observations.py), the courses, fokuspunkter and meetings the
    user sees (another unit's only with the parents' consent)."""
    found: list[tuple[date, str]] = list(observations.gather(child.id, user))
    courses = db.session.scalars(
        select(CourseOfAction)
        .where(
            CourseOfAction.child_id == child.id,
            course_condition(record_scope(user, child.id)),
        )
        .order_by(CourseOfAction.opened_on)
    ).all()
    for c in courses:
        found.append(
            (
                c.opened_on,
                f"{SOURCE_LABELS.get(c.source, c.source)}: handlevej åbnet "
                f"({LEVEL_LABELS[c.level]} position). {c.reason or ''}".strip(),
            )
        )
        for item in c.plan_items:
            if item.observation:
                found.append((item.created_at.date(), f"Fokuspunkt: {item.observation}"))
        for m in c.meetings:
            if m.held_on and (m.observations or m.concerns):
                text = " ".join(x for x in (m.observations, m.concerns) if x)
                found.append((m.held_on, f"Møde: {text}"))
    found.sort(key=lambda pair: pair[0])
    return found


def tried_so_far(course: CourseOfAction | None) -> list[str]:
    if course is None:
        return []
    lines = []
    for item in course.plan_items:
        status = f"udført {format_date(item.done_on)}" if item.done_on else "i gang"
        who = f" ({item.who})" if item.who else ""
        lines.append(f"{item.action}{who}, frist {format_date(item.due_on)}: {status}.")
    sparring = db.session.scalars(
        select(SparringRequest).where(SparringRequest.course_id == course.id)
    ).all()
    for s in sparring:
        lines.append(f"Sparring med {s.partner} {format_date(s.asked_on)}.")
    return lines


def parents_summary(course: CourseOfAction | None) -> str:
    if course is None:
        return ""
    if course.parents_exempt:
        return "Forældrene er ikke orienteret, fordi bekymringen angår overgreb fra forældrene."
    if course.parents_informed_on:
        text = f"Forældrene blev orienteret {format_date(course.parents_informed_on)}"
        text += f" ({course.parents_how})." if course.parents_how else "."
        if course.parents_reaction:
            text += f" Deres reaktion: {course.parents_reaction}"
        return text
    return ""


ROLE_LABELS = {
    Role.SUNDHEDSPLEJERSKE: "sundhedsplejerske",
    Role.DAGPLEJER: "dagplejer",
    Role.DAGPLEJEPAEDAGOG: "dagplejepædagog",
    Role.PAEDAGOG: "pædagog",
    Role.LEDER: "leder",
}


def start_underretning(user: User, child: Child, course: CourseOfAction | None) -> Underretning:
    """A draft prefilled with what Opspor knows; the professional completes it."""
    today = clock.today()
    unit = course.unit if course and course.unit else unit_for(user, child, today)
    enrolment = enrolment_in(child, unit.id if unit else None)
    role = ROLE_LABELS.get(user.primary_role, "")
    relation = f"Jeg er {role} for {child.first_name}" if role else ""
    if relation and unit:
        relation += f" i {unit.name}"
    if relation and enrolment:
        relation += f" og har kendt barnet siden {format_date(enrolment.start_date)}"
    draft = Underretning(
        child_id=child.id,
        course_id=course.id if course else None,
        unit_id=unit.id if unit else None,
        status="kladde",
        writer_relation=(relation + ".") if relation else None,
        concern=course.reason if course else None,
        observations="\n".join(
            f"{format_date(d)}: {text}" for d, text in dated_observations(child, user)
        )
        or None,
        tried="\n".join(tried_so_far(course)) or None,
        parents_text=parents_summary(course) or None,
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    db.session.add(draft)
    db.session.flush()
    record_event("underretning", draft.id, "draft-started", user, child_id=child.id)
    return draft


def record_sent(
    draft: Underretning, user: User, sent_on: date, channel: str, sent_to: str | None, days: int
) -> None:
    draft.status = "sendt"
    draft.sent_on = sent_on
    draft.channel = channel
    draft.sent_to = sent_to or None
    draft.receipt_due_on = rules.receipt_due(sent_on, days=days)
    draft.updated_by_id = user.id
    record_event("underretning", draft.id, "sent", user, child_id=draft.child_id, note=channel)
