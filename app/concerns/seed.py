"""Demo data for concerns: a few open courses so the lists and the leader's overview are alive.

- Børnehaven: a yellow course with parents involved, an action plan (one item overdue) and a
  follow-up date, plus an answered anonymous sparring request;
- Vuggestuen: a yellow course opened 10 days ago without an action plan;
- Dagplejen (Dorthe's home): a red course whose underretning was sent without a receipt yet;
- Regnbuen: a red course opened yesterday, the leader informed, nothing else done yet.
Invented and deterministic: the same children are chosen for the same demo.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.concerns import rules
from app.concerns.models import (
    ConcernEvent,
    CourseOfAction,
    CourseSource,
    PlanItem,
    SparringRequest,
    Underretning,
)
from app.concerns.rules import Answer, Level
from app.extensions import db


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _children_in(context, unit_name: str, dagplejer: User | None = None) -> list:
    today = context["today"]
    found = []
    for child in context["children"]:
        for e in child.enrolments:
            mine = dagplejer is None or e.dagplejer_id == dagplejer.id
            if e.is_current(today) and e.unit.name == unit_name and mine:
                found.append((child, e.unit))
    return sorted(found, key=lambda pair: (pair[0].first_name, pair[0].last_name, pair[0].id))


def _course(child, unit, user, level, days_ago, today, reason, **extra) -> CourseOfAction:
    opened = today - timedelta(days=days_ago)
    at = datetime.combine(opened, time(9, 30), tzinfo=UTC)
    course = CourseOfAction(
        child_id=child.id,
        unit_id=unit.id,
        level=level,
        source="manual",
        reason=reason,
        status="open",
        opened_on=opened,
        opened_at=at,
        opened_by_id=user.id,
        responsible_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        **extra,
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSource(course=course, source="manual", level=level, created_by_id=user.id))
    db.session.add(
        ConcernEvent(
            subject="course",
            subject_id=course.id,
            kind="opened",
            user_id=user.id,
            child_id=child.id,
            note=reason,
        )
    )
    return course


def _item(course, user, observation, action, due_on, done_on=None, who=None) -> PlanItem:
    item = PlanItem(
        course_id=course.id,
        observation=observation,
        action=action,
        responsible_id=user.id if who is None else None,
        responsible_text=who,
        due_on=due_on,
        done_on=done_on,
        done_by_id=user.id if done_on else None,
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    db.session.add(item)
    return item


def seed_concerns(context: dict) -> None:
    today = context["today"]
    paedagog = _user("paedagog@opspor.demo")
    vuggestue_paedagog = _user("paedagog3@opspor.demo")
    integreret_paedagog = _user("paedagog4@opspor.demo")
    dagplejer = _user("dagplejer@opspor.demo")
    informed = datetime.combine(today, time(8, 0), tzinfo=UTC)

    boernehave = _children_in(context, "Børnehaven Mælkebøtten")
    if paedagog and boernehave:
        child, unit = boernehave[len(boernehave) // 2]
        course = _course(
            child,
            unit,
            paedagog,
            Level.GUL,
            20,
            today,
            "Trækker sig fra legen og virker træt ved aflevering de sidste uger.",
            parents_informed_on=today - timedelta(days=18),
            parents_how="samtale",
            parents_reaction="Mor genkender det hjemmefra; hun er glad for, at vi tager det op.",
            follow_up_on=today + timedelta(days=5),
            leader_informed_at=informed - timedelta(days=20),
            leader_informed_how="besked",
        )
        _item(
            course,
            paedagog,
            "Leger mest alene i garderoben.",
            "En fast voksen tager imod om morgenen og hjælper ind i en leg.",
            today - timedelta(days=2),
        )
        _item(
            course,
            paedagog,
            "Spiser lidt til frokost.",
            "Forældrene fører kostdagbog i en uge.",
            today + timedelta(days=9),
            who="Forældrene",
        )
        db.session.add(
            SparringRequest(
                kind="anonym",
                unit_id=unit.id,
                partner="ppr",
                age_text="4 år",
                question="En pige på 4 år trækker sig fra fællesskabet og virker træt. "
                "Hvordan kan vi støtte hende i legen?",
                asked_on=today - timedelta(days=12),
                answer="Små, faste legegrupper med en voksen; observer over to uger og "
                "vend tilbage.",
                answered_on=today - timedelta(days=8),
                answered_by="PPR, psykolog",
                created_by_id=paedagog.id,
                updated_by_id=paedagog.id,
            )
        )

    vuggestue = _children_in(context, "Vuggestuen Solsikken")
    if vuggestue_paedagog and vuggestue:
        child, unit = vuggestue[0]
        _course(
            child,
            unit,
            vuggestue_paedagog,
            Level.GUL,
            10,
            today,
            "Græder meget ved aflevering og er svær at trøste.",
            leader_informed_at=informed - timedelta(days=10),
            leader_informed_how="besked",
        )

    home = _children_in(context, "Dagplejegruppe Øst", dagplejer) if dagplejer else []
    if dagplejer and home:
        child, unit = home[0]
        sent_on = today - timedelta(days=16)
        while not rules.is_working_day(sent_on, rules.holidays_around(sent_on)):
            sent_on -= timedelta(days=1)
        course = _course(
            child,
            unit,
            dagplejer,
            Level.ROED,
            25,
            today,
            "Blå mærker på overarmene to gange på en uge; barnet siger 'far slår'.",
            parents_exempt=True,
            parents_exempt_reason="Bekymringen angår overgreb fra en forælder.",
            follow_up_on=today - timedelta(days=1),
            leader_informed_at=informed - timedelta(days=25),
            leader_informed_how="besked",
            underretning_answer=Answer.YES,
            underretning_answered_at=informed - timedelta(days=24),
            underretning_answered_by_id=dagplejer.id,
        )
        _item(
            course,
            dagplejer,
            "Blå mærker på overarmene.",
            "Notér dagligt barnets humør og synlige mærker.",
            today + timedelta(days=3),
        )
        db.session.add(
            Underretning(
                child_id=child.id,
                course_id=course.id,
                unit_id=unit.id,
                status="sendt",
                writer_relation="Jeg er dagplejer for barnet og har passet det i et år.",
                concern=course.reason,
                observations=f"{(today - timedelta(days=25)).strftime('%d.%m.%Y')}: "
                "Blå mærker på begge overarme.",
                parents_text="Forældrene er ikke orienteret, fordi bekymringen angår "
                "overgreb fra en forælder.",
                sent_on=sent_on,
                channel=rules.DEFAULT_CHANNELS[0],
                sent_to="Børne- og Familieafdelingen",
                receipt_due_on=rules.receipt_due(sent_on),
                created_by_id=dagplejer.id,
                updated_by_id=dagplejer.id,
            )
        )

    integreret = _children_in(context, "Regnbuen (integreret)")
    if integreret_paedagog and integreret:
        child, unit = integreret[-1]
        _course(
            child,
            unit,
            integreret_paedagog,
            Level.ROED,
            1,
            today,
            "Kommer ofte sulten og i for tyndt tøj; virker bange ved afhentning.",
            leader_informed_at=informed - timedelta(days=1),
            leader_informed_how="besked",
        )
    db.session.flush()
