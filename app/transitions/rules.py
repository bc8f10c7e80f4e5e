"""Domain rules for transitions (overgange). Plain functions: no Flask, no database.

- Which coming change of unit a child has (a future enrolment elsewhere, or the school start).
- When its overgangsskema is due (default 4 weeks before the start) and its status on the list.
- Whether the parents' consent is complete (each custodian, or one, as configured).
- The receiving unit's gate: consent complete, schema finished, and the child enrolled there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

DEFAULT_SETTINGS: dict = {
    # The schema is due this many weeks before the start in the new unit.
    "due_weeks_before_start": 4,
    # A coming transition appears on the sending list this many weeks before it is due.
    "list_weeks_before_due": 4,
    # Planned school start (SFO/børnehaveklasse): this date in the year the child turns N.
    "school_start_age_years": 6,
    "school_start_month": 8,
    "school_start_day": 1,
    # Both custodians must consent where custody is shared (False: one custodian is enough).
    "consent_from_all_custodians": True,
    # The receiving list shows children who started within this many days.
    "received_days": 90,
    # After the move the sending list keeps a status-only row (no content) this many days
    # after the start, so the sender sees the acknowledgement.
    "sent_days": 60,
}

# Unit kinds (app.org.models.UnitKind values) a child leaves for school from.
SCHOOL_FROM_KINDS = frozenset({"boernehave", "integreret"})
DISTRICT_KIND = "sundhedsplejedistrikt"

Kind = Literal["enrolment", "school"]
ConsentState = Literal["none", "partial", "complete", "withdrawn"]
ListStatus = Literal[
    "due", "overdue", "draft", "awaiting_consent", "consented", "withdrawn", "acknowledged"
]


def settings(overrides: dict | None) -> dict:
    """The defaults with a municipality's `settings["transitions"]` laid over them."""
    merged = dict(DEFAULT_SETTINGS)
    merged.update({k: v for k, v in (overrides or {}).items() if k in DEFAULT_SETTINGS})
    return merged


@dataclass(frozen=True)
class EnrolmentFact:
    """What the rules need to know about one enrolment."""

    id: int
    unit_id: int
    unit_kind: str
    start: date
    end: date | None = None
    dagplejer_id: int | None = None

    def is_current(self, today: date) -> bool:
        return self.start <= today and (self.end is None or self.end >= today)


@dataclass(frozen=True)
class Coming:
    """A coming change of unit for one child."""

    kind: Kind
    target: str  # "enrolment:<id>" or "school:<iso date>": one schema per child and target
    start_date: date
    due_date: date
    sending: EnrolmentFact
    receiving: EnrolmentFact | None = None


def due_date(start: date, weeks_before: int = 4) -> date:
    return start - timedelta(weeks=weeks_before)


def school_start(birth_date: date, cfg: dict | None = None) -> date:
    """The planned school start: a fixed date in the year the child turns the school age."""
    cfg = settings(cfg)
    return date(
        birth_date.year + int(cfg["school_start_age_years"]),
        int(cfg["school_start_month"]),
        int(cfg["school_start_day"]),
    )


def sending_enrolment(enrolments: Iterable[EnrolmentFact], today: date) -> EnrolmentFact | None:
    """The unit the child is in today; daycare before the health-visiting district."""
    current = [e for e in enrolments if e.is_current(today)]
    current.sort(key=lambda e: (e.unit_kind == DISTRICT_KIND, -e.start.toordinal()))
    return current[0] if current else None


def coming_transition(
    birth_date: date, enrolments: Iterable[EnrolmentFact], today: date, cfg: dict | None = None
) -> Coming | None:
    """The child's next change of unit, if one is known: the earliest future enrolment in
    another unit; otherwise, from a børnehave, the planned school start."""
    cfg = settings(cfg)
    enrolments = list(enrolments)
    sending = sending_enrolment(enrolments, today)
    if sending is None:
        return None
    weeks = int(cfg["due_weeks_before_start"])
    future = sorted(
        (
            e
            for e in enrolments
            if e.start > today and e.unit_id != sending.unit_id and e.unit_kind != DISTRICT_KIND
        ),
        key=lambda e: (e.start, e.id),
    )
    if future:
        nxt = future[0]
        return Coming(
            "enrolment", f"enrolment:{nxt.id}", nxt.start, due_date(nxt.start, weeks), sending, nxt
        )
    if sending.unit_kind in SCHOOL_FROM_KINDS:
        start = school_start(birth_date, cfg)
        if start > today:
            return Coming(
                "school", f"school:{start.isoformat()}", start, due_date(start, weeks), sending
            )
    return None


def listed_from(coming: Coming, cfg: dict | None = None) -> date:
    """The day the notice period begins: the schema becomes a task from then."""
    return coming.due_date - timedelta(weeks=int(settings(cfg)["list_weeks_before_due"]))


def is_listed(coming: Coming, today: date, has_schema: bool, cfg: dict | None = None) -> bool:
    """On the sending list (and a task on the child's page, /ny open) once the notice period
    has begun, or as soon as a schema exists."""
    return has_schema or today >= listed_from(coming, cfg)


def list_status(
    today: date,
    due: date,
    schema_status: str | None,
    consent: ConsentState = "none",
    acknowledged: bool = False,
) -> ListStatus:
    """The status shown on the sending professional's list."""
    if schema_status is None:
        return "overdue" if today > due else "due"
    if schema_status == "draft":
        return "draft"
    if consent == "withdrawn":
        return "withdrawn"
    if consent != "complete":
        return "awaiting_consent"
    return "acknowledged" if acknowledged else "consented"


def shows_as_sent(start: date, sending_end: date | None, today: date, days: int) -> bool:
    """After the move (the child has left the sending unit): a status-only row on the sending
    list from the start until `days` after it."""
    left = sending_end is not None and sending_end < today
    return left and start <= today <= start + timedelta(days=days)


def is_overdue(today: date, due: date, schema_status: str | None) -> bool:
    """Past the due date and not yet finished."""
    return today > due and schema_status != "finished"


@dataclass(frozen=True)
class ConsentFact:
    guardian_id: int
    order: int  # later consents replace earlier ones for the same guardian
    withdrawn: bool = False
    share_history: bool = False


def latest_consents(consents: Iterable[ConsentFact]) -> dict[int, ConsentFact]:
    latest: dict[int, ConsentFact] = {}
    for c in sorted(consents, key=lambda c: c.order):
        latest[c.guardian_id] = c
    return latest


def consent_state(
    custodian_ids: Iterable[int], consents: Iterable[ConsentFact], all_custodians: bool = True
) -> ConsentState:
    """Complete when every custodian (or one, if so configured) has a standing consent.

    A standing withdrawal by any guardian stops the handover: nothing is shared.
    """
    required = set(custodian_ids)
    latest = latest_consents(consents)
    if any(c.withdrawn for c in latest.values()):
        return "withdrawn"
    given = {g for g, c in latest.items() if not c.withdrawn} & required
    if not required or not given:
        return "none"
    if given == required or not all_custodians:
        return "complete"
    return "partial"


def shares_history(
    custodian_ids: Iterable[int], consents: Iterable[ConsentFact], all_custodians: bool = True
) -> bool:
    """The wellbeing history goes with the schema only if every standing consent says so."""
    required = set(custodian_ids)
    if consent_state(required, consents, all_custodians) != "complete":
        return False
    standing = [c for g, c in latest_consents(consents).items() if g in required]
    return bool(standing) and all(c.share_history for c in standing)


def meeting_in_past(day: date, at: time | None, now_local: datetime) -> bool:
    """A meeting cannot be booked (or moved) to a day, or a time today, already gone."""
    today = now_local.date()
    return day < today or (day == today and at is not None and at < now_local.time())


def _name_words(name: str) -> list[str]:
    return name.casefold().split()


def signature_matches(guardian_name: str, typed: str) -> bool:
    """A name typed as signature belongs to the guardian: the full name, or the first and last
    name alone (middle names are often left out when signing), ignoring case and spacing."""
    full, words = _name_words(guardian_name), _name_words(typed)
    if not words:
        return False
    return words == full or (len(full) > 2 and words == [full[0], full[-1]])


def receiver_may_read(
    *,
    finished: bool,
    consent: ConsentState,
    enrolment_start: date,
    enrolment_end: date | None,
    today: date,
) -> bool:
    """The receiving unit reads the schema only with complete consent and once the child is
    enrolled there (not before, and not after the child has left again)."""
    enrolled = enrolment_start <= today and (enrolment_end is None or enrolment_end >= today)
    return finished and consent == "complete" and enrolled


def required_custodians(guardians: Iterable[tuple[int, bool]]) -> set[int]:
    """Guardian ids with custody (forældremyndighed), from (id, has_custody) pairs."""
    return {gid for gid, custody in guardians if custody}
