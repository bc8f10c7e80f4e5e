"""Demo data for transitions (registered with app.demo.seed.register_seeder).

- A child of dagplejer@opspor.demo moves to Børnehaven Mælkebøtten next month (the earliest
  working day far enough away that the schema is not due yet; the month after when next month
  is too close): it is on her "Overgangsskemaer" list, "Skal udfyldes" with the parents.
- A child who started in the børnehave a few days ago, with a finished schema that both
  parents consented to: waiting for leder@opspor.demo to acknowledge it.
- A child who started there too, whose schema the parents did not consent to: the børnehave
  sees only that the child came.

Deterministic: children are chosen by birth date and id, never by the shared random generator.
The schemas' uuids are random, as a device makes them: a uuid must not be guessable.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from app.children.models import Enrolment
from app.extensions import db
from app.org.models import UnitKind
from app.transitions import definitions, rules
from app.transitions.models import TransitionConsent, TransitionSchema

DAYCARE = (UnitKind.DAGPLEJE, UnitKind.DAGPLEJEGRUPPE, UnitKind.VUGGESTUE)
MARGIN_DAYS = 3  # the moving child's start: this many days beyond the due lead time

ANSWERS = {
    "household": "Bor med mor, far og storesøster (5 år) i hus med have.",
    "significant_events": "Familien flyttede til Egeskov for et år siden.",
    "social_wellbeing": "Glad og tryg i dagplejen. Søger de voksne, når noget er svært, og "
    "falder hurtigt til ro.",
    "language": "Taler i korte sætninger og forstår det meste. Synger gerne med.",
    "motor_development": "Løber, klatrer og cykler på løbecykel. Er ved at lære at klippe.",
    "play_relations": "Leger helst med to af de andre børn; holder af rolleleg med dukker.",
    "reactions_to_change": "Har brug for tid om morgenen og en fast voksen ved afleveringen.",
    "sleep": "Sover ca. 1½ time efter frokost, med sin bamse.",
    "dummy": "Sut kun til middagssøvn.",
    "toileting": "Er begyndt at bruge potte; ble til søvn.",
    "food": "Spiser alt; ingen allergier.",
    "resources": "Nysgerrig, hjælpsom og god til at vente på tur.",
    "interests": "Dyr, sange og at hjælpe med at dække bord.",
    "other_professionals": ["sundhedspleje"],
    "professionals_note": "Sundhedsplejersken har fulgt familien det første år; ingen nu.",
    "parents_words": "Hun glæder sig til at gå i børnehave som sin storesøster.",
    "next_steps": "To besøg i børnehaven sammen med dagplejeren før start.",
}


def _current_daycare(child, today):
    return next(
        (e for e in child.enrolments if e.is_current(today) and e.unit.kind in DAYCARE), None
    )


def _future_in(child, unit, today):
    return next(
        (e for e in child.enrolments if e.unit_id == unit.id and e.start_date > today), None
    )


def _move(child, unit, start, today) -> Enrolment:
    """End the child's daycare enrolment the day before `start` and enrol it in `unit`."""
    for e in list(child.enrolments):
        if e.unit.kind in DAYCARE and (e.end_date is None or e.end_date >= start):
            e.end_date = start - timedelta(days=1)
        if e.unit_id == unit.id and e.start_date > today:
            child.enrolments.remove(e)
    new = Enrolment(unit=unit, start_date=start)
    child.enrolments.append(new)
    db.session.flush()
    return new


def _schema(child, sending, receiving, author, finished_on) -> TransitionSchema:
    definition = definitions.current()
    answers = definitions.empty_answers(definition)
    answers.update({k: v for k, v in ANSWERS.items() if k in answers})
    answers["contact_person"] = author.name
    finished_at = datetime.combine(finished_on, time(10, 0), tzinfo=UTC)
    schema = TransitionSchema(
        uuid=str(uuid.uuid4()),
        form_version=definition.version,
        child=child,
        target=f"enrolment:{receiving.id}",
        kind="enrolment",
        start_date=receiving.start_date,
        sending_enrolment_id=sending.id,
        sending_unit_id=sending.unit_id,
        receiving_enrolment_id=receiving.id,
        receiving_unit_id=receiving.unit_id,
        receiving_name=receiving.unit.name,
        answers=answers,
        status="finished",
        finished_at=finished_at,
        finished_by_id=author.id,
        created_by_id=author.id,
        updated_by_id=author.id,
    )
    db.session.add(schema)
    return schema


def _first_of_next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def _earliest_start(today: date) -> date:
    """Far enough away that the schema is not yet due on the seeding day (due lead time plus
    a few days): the child shows as "Skal udfyldes", not "Forsinket"."""
    weeks = int(rules.DEFAULT_SETTINGS["due_weeks_before_start"])
    return today + timedelta(weeks=weeks, days=MARGIN_DAYS)


def next_month_start(today: date) -> date:
    """The earliest working day in the next calendar month that is not earlier than
    _earliest_start; if the month has none, the first working day after it (the month after)."""
    start = max(_first_of_next_month(today), _earliest_start(today))
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return start


def _fits(start: date, today: date) -> bool:
    """A start the demo can keep: a working day, not due yet, next month (or, when next month
    is too close, the start next_month_start picks)."""
    first = _first_of_next_month(today)
    next_month = (start.year, start.month) == (first.year, first.month)
    return (
        start.weekday() < 5
        and start >= _earliest_start(today)
        and (next_month or start == next_month_start(today))
    )


def seed_transitions(context: dict) -> None:
    today = context["today"]
    dorthe = context["dagplejere"][0]
    children = sorted(context["children"], key=lambda c: (c.birth_date, c.id))
    boernehave = next(
        (e.unit for c in children for e in c.enrolments if e.unit.kind == UnitKind.BOERNEHAVE),
        None,
    )
    if boernehave is None:
        return

    # 1. Dorthe's child moving to the børnehave next month.
    hers = [
        c for c in children if (e := _current_daycare(c, today)) and e.dagplejer_id == dorthe.id
    ]
    moving = [
        c for c in hers if (f := _future_in(c, boernehave, today)) and _fits(f.start_date, today)
    ]
    if not moving and hers:
        _move(hers[0], boernehave, next_month_start(today), today)

    # 2 and 3: two children who started in the børnehave five days ago, from other homes.
    others = [
        c
        for c in children
        if (e := _current_daycare(c, today)) and e.dagplejer_id != dorthe.id and c not in hers
    ]
    started = today - timedelta(days=5)
    for n, child in enumerate(others[:2]):
        sending = _current_daycare(child, today)
        author = sending.dagplejer or context["leader"]
        receiving = _move(child, boernehave, started, today)
        schema = _schema(child, sending, receiving, author, started - timedelta(days=21))
        if n == 0:  # consented by every custodian, on the device: waits for acknowledgement
            for guardian in child.guardians:
                if guardian.has_custody:
                    schema.consents.append(
                        TransitionConsent(
                            guardian_id=guardian.id,
                            guardian_name=guardian.name,
                            method="device",
                            signed_name=guardian.name,
                            signed_on=started - timedelta(days=21),
                            given_at=schema.finished_at,
                            share_wellbeing_history=False,
                            shared_with_unit_id=boernehave.id,
                            shared_with_name=boernehave.name,
                            created_by_id=author.id,
                        )
                    )
    db.session.flush()
