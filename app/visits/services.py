"""Writes: the visit record (online and offline through one function), planning, corrections.

Services add and flush; the request boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app import clock
from app.audit.services import log_access
from app.auth.models import User
from app.auth.roles import Role
from app.children.models import Caseload, Child
from app.children.scoping import can_see_child
from app.database import upsert
from app.extensions import db
from app.i18n import gettext as _
from app.org.models import Municipality
from app.signals import urgent_screening
from app.sync.registry import SubmitResult
from app.sync.rules import normalise
from app.visits import growth
from app.visits.forms import FORM_VERSION, VisitForm
from app.visits.models import (
    ChildSex,
    ChildSexChange,
    PlannedVisit,
    PlannedVisitChange,
    Visit,
    VisitAction,
    VisitRevision,
)
from app.visits.programme import (
    followup_window,
    plan_slots,
    programme_from_settings,
    programme_horizon_days,
    visit_settings,
)
from app.visits.screening import (
    PARENTS,
    epds_cutoff,
    may_use_adbb,
    score_adbb,
    score_epds,
)
from app.visits.valuesets import INDICATORS, PRESENT

# --- settings and small lookups ----------------------------------------------------------


def municipality_settings(user: User | None = None) -> dict:
    """The settings of the user's municipality (through a health-visiting unit if any)."""
    if user is not None:
        for membership in user.memberships:
            if membership.role in (Role.SUNDHEDSPLEJERSKE, Role.LEDER):
                return membership.unit.area.municipality.settings or {}
    municipality = db.session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
    return (municipality.settings or {}) if municipality else {}


def settings_for(user: User | None) -> dict[str, Any]:
    return visit_settings(municipality_settings(user))


def child_sex(child: Child) -> str | None:
    """Recorded for growth, else from the CPR number's last digit; None when unknown."""
    return sex_of(child, db.session.get(ChildSex, child.id))


def sex_of(child: Child, recorded: ChildSex | None) -> str | None:
    if recorded is not None:
        return recorded.sex
    if child.cpr and child.cpr[-1:].isdigit():
        from app.children import cpr

        return cpr.sex(child.cpr)
    return None


def is_nurse(user: User) -> bool:
    return user.has_role(Role.SUNDHEDSPLEJERSKE)


# --- the visit record ----------------------------------------------------------------------


@dataclass
class Known:
    """What the visits of a sync batch read, read once for all of them (prefetch_visits).

    Kept current by the batch's own writes, except `visits`: a uuid is taken out when an item
    asks for it, so a later item with the same uuid asks the database (which then holds the
    earlier item's visit, flushed with its version).
    """

    children: dict[int, Child]
    sexes: dict[int, ChildSex | None]
    visits: dict[str, Visit | None]
    planned: dict[int, PlannedVisit | None]
    followed_up: set[str]  # visit uuids a follow-up visit was planned for
    # One form for the batch, filled again for each item: binding the form's 65 fields costs
    # about 20 times as much as processing an item's data with them.
    form: VisitForm | None = None

    def form_for(self, data: MultiDict) -> VisitForm:
        if self.form is None:
            self.form = VisitForm(formdata=data, meta={"csrf": False})
        else:
            self.form.process(formdata=data)
        return self.form


def prefetch_visits(user: User, payloads: list[dict]) -> Known:
    """The offline contract's prefetch for record kind "visit" (see app/sync/registry)."""
    child_ids = {i for p in payloads if (i := parse_id(p.get("child_id"))) is not None}
    child_ids = {i for i in child_ids if can_see_child(user, i)}
    uuids = {p["uuid"] for p in payloads if isinstance(p.get("uuid"), str)}
    planned_ids = {i for p in payloads if (i := parse_id(p.get("planned_visit_id"))) is not None}

    def rows(query, ids) -> list:
        return list(db.session.scalars(query)) if ids else []

    planned = select(PlannedVisit).where(PlannedVisit.id.in_(planned_ids))
    followed_up = select(PlannedVisit.source_visit_uuid).where(
        PlannedVisit.source_visit_uuid.in_(uuids)
    )
    return Known(
        children={c.id: c for c in rows(select(Child).where(Child.id.in_(child_ids)), child_ids)},
        sexes=dict.fromkeys(child_ids)
        | {
            s.child_id: s
            for s in rows(select(ChildSex).where(ChildSex.child_id.in_(child_ids)), child_ids)
        },
        visits=dict.fromkeys(uuids)
        | {
            v.uuid: v
            for v in rows(
                select(Visit).where(Visit.uuid.in_(uuids)).options(selectinload(Visit.actions)),
                uuids,
            )
        },
        planned=dict.fromkeys(planned_ids)
        | {p.id: p for p in rows(planned.options(selectinload(PlannedVisit.record)), planned_ids)},
        followed_up=set(rows(followed_up, uuids)),
    )


def _record_sex(child_id: int, sex: str) -> ChildSex:
    """The child's first recorded sex, as an upsert: two visits recorded at once for a child
    (a form and a sync batch) both find none, and the second insert must not fail the form."""
    row = {"child_id": child_id, "sex": sex}
    table, dialect = ChildSex.__table__, db.session.get_bind().dialect.name
    db.session.execute(upsert(table, row, "child_id", ("sex",), dialect))
    return db.session.get(ChildSex, child_id, populate_existing=True)


def _known_or(found: dict | None, key, read, *, take: bool = False):
    """`found[key]` when the batch read it (taken out if `take`), else `read()`."""
    if found is None or key not in found:
        return read()
    return found.pop(key) if take else found[key]


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("\r\n", "\n").strip()
    return text or None


INT_MAX = 2**31 - 1  # an id or version beyond the database's integer is not one of ours


def parse_id(value) -> int | None:
    """A number from a form or payload, None when it is not a database integer."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -INT_MAX <= number <= INT_MAX else None


def form_content(form: VisitForm) -> dict[str, Any]:
    """The record's content from a (processed) form, in the shape `visit_content` returns."""

    def positions(fields):
        values = [f.data for f in fields]
        return [int(v) for v in values] if all(v not in (None, "") for v in values) else None

    def mm(value):
        return None if value is None else round(value * 10)

    return {
        "child_id": parse_id(form.child_id.data),
        "planned_visit_id": parse_id(form.planned_visit_id.data),
        "visit_type": form.visit_type.data,
        "contact_form": form.contact_form.data,
        "visit_date": form.visit_date.data.isoformat() if form.visit_date.data else None,
        "visit_time": form.visit_time.data.strftime("%H:%M") if form.visit_time.data else None,
        "present": [code for code in PRESENT if form[f"present_{code}"].data],
        "present_note": _clean(form.present_note.data),
        "weight_g": form.weight_g.data,
        "weight_reason": form.weight_reason.data or None,
        "length_mm": mm(form.length_cm.data),
        "length_position": (form.length_position.data or None)
        if form.length_cm.data is not None
        else None,
        "length_reason": form.length_reason.data or None,
        "head_mm": mm(form.head_cm.data),
        "head_reason": form.head_reason.data or None,
        "feeding": form.feeding.data or None,
        "indicators": {
            i.code: form[f"ind_{i.code}"].data
            for i in INDICATORS
            if form[f"ind_{i.code}"].data not in (None, "")
        },
        "observations": _clean(form.observations.data),
        "adbb_scores": positions(form.adbb_fields()),
        "epds_mor": positions(form.epds_fields("mor")),
        "epds_far": positions(form.epds_fields("far")),
    }


def visit_content(visit: Visit) -> dict[str, Any]:
    return {
        "child_id": visit.child_id,
        "planned_visit_id": visit.planned_visit_id,
        "visit_type": visit.visit_type,
        "contact_form": visit.contact_form,
        "visit_date": visit.visit_date.isoformat(),
        "visit_time": visit.visit_time.strftime("%H:%M") if visit.visit_time else None,
        "present": list(visit.present or []),
        "present_note": visit.present_note,
        "weight_g": visit.weight_g,
        "weight_reason": visit.weight_reason,
        "length_mm": visit.length_mm,
        "length_position": visit.length_position,
        "length_reason": visit.length_reason,
        "head_mm": visit.head_mm,
        "head_reason": visit.head_reason,
        "feeding": visit.feeding,
        "indicators": dict(visit.indicators or {}),
        "observations": visit.observations,
        "adbb_scores": visit.adbb_scores,
        "epds_mor": visit.epds_mor,
        "epds_far": visit.epds_far,
    }


def _apply(visit: Visit, content: dict[str, Any]) -> None:
    for key, value in content.items():
        if key == "visit_date":
            value = date.fromisoformat(value)
        elif key == "visit_time":
            value = time.fromisoformat(value) if value else None
        setattr(visit, key, value)


def _derive(visit: Visit, child: Child, settings: dict, sex: str | None) -> list[str]:
    """Totals, the item-10 flag and plausibility warnings. Returns follow-up reasons."""
    reasons: list[str] = []
    visit.adbb_total = None
    if visit.adbb_scores:
        adbb = score_adbb(visit.adbb_scores, int(settings["adbb_cutoff"]))
        visit.adbb_total = adbb.total
        if adbb.above_cutoff:
            reasons.append(
                f"ADBB {adbb.total} (grænse {adbb.cutoff}): gentag observationen inden for 1–2 uger"
            )
    urgent = []
    for parent in PARENTS:
        answers = getattr(visit, f"epds_{parent}")
        total = None
        if answers:
            result = score_epds(parent, answers, epds_cutoff(parent, settings))
            total = result.total
            if result.self_harm:
                urgent.append(parent)
            if result.above_cutoff:
                # Stored text (Danish data, like a note), so not translated per viewer.
                reasons.append(f"EPDS {parent} {result.total} (grænse {result.cutoff}): opfølgning")
        setattr(visit, f"epds_{parent}_total", total)
    visit.epds_self_harm = bool(urgent)
    visit.epds_self_harm_parents = ",".join(urgent) or None

    warnings = []
    for measure, value in (
        ("weight", visit.weight_kg),
        ("length", visit.length_cm),
        ("head", visit.head_cm),
    ):
        if value is None:
            continue
        found = growth.plausibility(
            measure,
            value,
            child.birth_date,
            visit.visit_date,
            child.gestational_age_weeks,
            sex,
            visit.length_position if measure == "length" else None,
        )
        if found is not None:
            warnings.append({"measure": measure, "z": round(found.z, 1)})
    visit.warnings = warnings
    return reasons


def _plan_followup(
    visit: Visit, reasons: list[str], settings: dict, nurse_id: int, known: Known | None = None
) -> None:
    if not reasons:
        return
    if known is not None:
        already = visit.uuid in known.followed_up
        known.followed_up.add(visit.uuid)
    else:
        already = db.session.scalar(
            select(exists().where(PlannedVisit.source_visit_uuid == visit.uuid))
        )
    if already:
        return
    slot = followup_window(visit.visit_date, settings["followup_days"])
    db.session.add(
        PlannedVisit(
            child_id=visit.child_id,
            nurse_id=nurse_id,
            source="opfoelgning",
            visit_type=slot.visit_type,
            planned_date=max(slot.target, clock.today()),
            window_start=slot.window_start,
            window_end=slot.window_end,
            reason="; ".join(reasons),
            source_visit_uuid=visit.uuid,
            created_by_id=nurse_id,
        )
    )


def _errors(form: VisitForm) -> dict[str, list[str]]:
    return {name: [str(e) for e in errs] for name, errs in form.errors.items() if errs}


def process_visit(
    user: User, payload, *, channel: str = "online", known: Known | None = None
) -> tuple[SubmitResult, VisitForm | None]:
    """`submit_visit` that also returns the form (the HTML view re-renders it when invalid).

    With `known` (a sync batch), reads come from it and the visit is left for the batch to
    flush; without, the visit is flushed at once.
    """
    # A sync payload is JSON: numbers and the like are read as the form's strings.
    data = (
        payload
        if isinstance(payload, MultiDict)
        else MultiDict({k: normalise(v) for k, v in payload.items()})
    )
    child_id = parse_id(data.get("child_id"))
    if child_id is None:
        return SubmitResult("invalid", errors={"child_id": [_("Barnet mangler.")]}), None
    if not is_nurse(user) or not can_see_child(user, child_id):
        return SubmitResult("forbidden", message=_("Du har ikke adgang til barnet.")), None
    child = _known_or(known and known.children, child_id, lambda: db.session.get(Child, child_id))
    form = VisitForm(formdata=data, meta={"csrf": False}) if known is None else known.form_for(data)
    form.child = child
    form.may_use_adbb = may_use_adbb(user.qualifications)
    uuid = data.get("uuid") or ""
    existing = _known_or(
        known and known.visits,
        uuid,
        lambda: db.session.scalar(select(Visit).where(Visit.uuid == uuid)),
        take=True,
    )
    form.recorded_adbb = existing.adbb_scores if existing is not None else None
    recorded = _known_or(
        known and known.sexes, child_id, lambda: db.session.get(ChildSex, child_id)
    )
    earlier_sex = sex_of(child, recorded)
    new_sex = form.sex.data if form.sex.data and form.sex.data != earlier_sex else None
    action = _clean(form.urgent_action.data)

    changed = True  # the record's own content (not its actions, not the child's sex)
    if existing is not None:
        if existing.child_id != child_id:
            return SubmitResult("conflict", record=existing, message=_("Id'et er i brug.")), form
        changed = form_content(form) != visit_content(existing)
        if action in {a.text for a in existing.actions}:
            action = None  # the same submission again (a replay): recorded already
        if not changed and action is None and new_sex is None:
            return SubmitResult("duplicate", record=existing), form
        base = parse_id(data.get("base_version"))
        if changed and (base is None or base != existing.version):
            return SubmitResult(
                "conflict",
                record=existing,
                message=_("Besøget er ændret et andet sted. Begge udgaver er gemt."),
            ), form

    if not form.validate():
        return SubmitResult("invalid", errors=_errors(form)), form
    content = form_content(form)
    if existing is not None and changed and not _clean(form.correction_reason.data):
        form.correction_reason.errors = [_("Skriv hvorfor registreringen rettes.")]
        return SubmitResult("invalid", errors=_errors(form)), form
    planned = None
    if content["planned_visit_id"] is not None:
        planned_id = content["planned_visit_id"]
        planned = _known_or(
            known and known.planned, planned_id, lambda: db.session.get(PlannedVisit, planned_id)
        )
        taken = (
            planned is not None and planned.record is not None and planned.record is not existing
        )
        if planned is None or planned.child_id != child_id or taken:
            form.planned_visit_id.errors = [_("Det planlagte besøg er allerede registreret.")]
            return SubmitResult("invalid", errors=_errors(form)), form

    settings = settings_for(user)
    if form.sex.data:
        if recorded is None and known is None:
            recorded = _record_sex(child_id, form.sex.data)
        elif recorded is None:
            # A batch adds it with its other rows; should another request have recorded the
            # sex meanwhile, the batch's flush fails, it is taken again item by item, and the
            # device sends that item again later (then as an update).
            recorded = ChildSex(child_id=child_id, sex=form.sex.data)
            db.session.add(recorded)
            known.sexes[child_id] = recorded
        else:
            recorded.sex = form.sex.data
    sex = sex_of(child, recorded)

    if existing is None:
        visit = Visit(
            uuid=data["uuid"],
            form_version=parse_id(data.get("form_version")) or FORM_VERSION,
            nurse_id=user.id,
            created_by_id=user.id,
            updated_by_id=user.id,
        )
        was_urgent = False
        _apply(visit, content)
        db.session.add(visit)
        access = "create"
    else:
        visit = existing
        was_urgent = visit.epds_self_harm
        if changed:
            db.session.add(
                VisitRevision(
                    visit=visit,
                    version=visit.version,
                    content=visit_content(visit),
                    corrected_by_id=user.id,
                    reason=_clean(form.correction_reason.data),
                )
            )
            _apply(visit, content)
            visit.updated_by_id = user.id
        access = "update"
    if action is not None:
        visit.actions.append(VisitAction(text=action, by_id=user.id))
    if earlier_sex is not None and new_sex is not None:
        # Every z-score of the child changes with it: keep what it was, who and where.
        db.session.add(
            ChildSexChange(
                child_id=child_id,
                visit=visit,
                old_sex=earlier_sex,
                new_sex=new_sex,
                changed_by_id=user.id,
            )
        )
    reasons = _derive(visit, child, settings, sex)
    if planned is not None:
        planned.status = "gennemfoert"
        visit.planned_visit = planned
    _plan_followup(visit, reasons, settings, user.id, known)
    log_access(child_id, access, lambda: f"visit:{visit.id}", user=user, channel=channel)
    if known is None:
        db.session.flush()
    if visit.epds_self_harm and not was_urgent:
        urgent_screening.send(visit, user=user)
    return SubmitResult("accepted", record=visit), form


def submit_visit(
    user: User, payload: dict, *, channel: str = "online", known: Known | None = None
) -> SubmitResult:
    """The offline contract's submit function for record kind "visit" (see app/sync/registry)."""
    result, _form = process_visit(user, payload, channel=channel, known=known)
    return result


def record_urgent_action(visit: Visit, user: User, text: str) -> None:
    """What was done today after EPDS item 10: one more action, after the earlier ones."""
    visit.actions.append(VisitAction(text=text, by_id=user.id))
    log_access(visit.child_id, "update", f"visit:{visit.id}", user=user)
    db.session.flush()


# --- planning ------------------------------------------------------------------------------


def ensure_programme(
    child: Child, nurse_id: int, from_date: date, municipality_settings: dict
) -> int:
    """Create the programme's planned visits for a child. Returns how many."""
    programme = programme_from_settings(municipality_settings)
    slots = plan_slots(child.birth_date, programme, from_date)
    for slot in slots:
        db.session.add(
            PlannedVisit(
                child_id=child.id,
                nurse_id=nurse_id,
                source="program",
                programme_code=slot.code,
                visit_type=slot.visit_type,
                planned_date=slot.target,
                window_start=slot.window_start,
                window_end=slot.window_end,
            )
        )
    db.session.flush()
    return len(slots)


def ensure_programmes(nurse: User, today: date | None = None) -> int:
    """Plan the programme for every child in the nurse's caseload that has none yet."""
    today = today or clock.today()
    settings = municipality_settings(nurse)
    horizon = programme_horizon_days(programme_from_settings(settings))
    has_programme = exists().where(
        PlannedVisit.child_id == Caseload.child_id, PlannedVisit.source == "program"
    )
    rows = db.session.execute(
        select(Child, Caseload.start_date)
        .join(Caseload, Caseload.child_id == Child.id)
        .where(
            Caseload.nurse_id == nurse.id,
            Caseload.start_date <= today,
            or_(Caseload.end_date.is_(None), Caseload.end_date >= today),
            Child.birth_date >= today - timedelta(days=horizon),
            ~has_programme,
        )
    ).all()
    return sum(ensure_programme(child, nurse.id, start, settings) for child, start in rows)


def ensure_child_programme(child: Child, nurse: User, today: date) -> None:
    """When the nurse opens a child of her caseload that has no programme yet, plan it."""
    caseload = next(
        (
            c
            for c in child.caseloads
            if c.nurse_id == nurse.id
            and c.start_date <= today
            and (c.end_date is None or c.end_date >= today)
        ),
        None,
    )
    if caseload is None:
        return
    has_programme = db.session.scalar(
        select(exists().where(PlannedVisit.child_id == child.id, PlannedVisit.source == "program"))
    )
    if not has_programme:
        ensure_programme(child, nurse.id, caseload.start_date, municipality_settings(nurse))


def _replan(planned: PlannedVisit, user: User, kind: str, new_date: date, new_time, reason: str):
    """Give the visit a new date and time; the change keeps the old ones, who and why."""
    db.session.add(
        PlannedVisitChange(
            planned_visit=planned,
            by_id=user.id,
            kind=kind,
            from_date=planned.planned_date,
            from_time=planned.planned_time,
            to_date=new_date,
            to_time=new_time,
            reason=reason,
        )
    )
    planned.planned_date, planned.planned_time = new_date, new_time


def move_planned(planned: PlannedVisit, user: User, new_date: date, new_time, reason: str) -> None:
    _replan(planned, user, "flyttet", new_date, new_time, reason)
    planned.updated_by_id = user.id
    if planned.nurse_id is None:
        planned.nurse_id = user.id
    log_access(planned.child_id, "update", f"planned_visit:{planned.id}", user=user)
    db.session.flush()


def mark_not_done(planned: PlannedVisit, user: User, reason_code: str, note: str | None) -> None:
    db.session.add(
        PlannedVisitChange(
            planned_visit=planned,
            by_id=user.id,
            kind="ikke_gennemfoert",
            from_date=planned.planned_date,
            from_time=planned.planned_time,
            reason=note or reason_code,
        )
    )
    planned.status = "ikke_gennemfoert"
    planned.not_done_reason, planned.not_done_note = reason_code, note
    planned.updated_by_id = user.id
    log_access(planned.child_id, "update", f"planned_visit:{planned.id}", user=user)
    db.session.flush()


def may_plan_again(planned: PlannedVisit, today: date) -> bool:
    """A programme contact marked not carried out while its window is still open."""
    return (
        planned.source == "program"
        and planned.status == "ikke_gennemfoert"
        and planned.window_end is not None
        and planned.window_end >= today
    )


def plan_again(planned: PlannedVisit, user: User, new_date: date, new_time, reason: str) -> None:
    """Plan a contact marked not carried out again; the change keeps why it was not."""
    _replan(planned, user, "planlagt_igen", new_date, new_time, reason)
    planned.status = "planlagt"
    planned.not_done_reason = planned.not_done_note = None
    planned.nurse_id = planned.nurse_id or user.id
    planned.updated_by_id = user.id
    log_access(planned.child_id, "update", f"planned_visit:{planned.id}", user=user)
    db.session.flush()


def add_needs_visit(child: Child, user: User, on: date, at, reason: str) -> PlannedVisit:
    planned = PlannedVisit(
        child_id=child.id,
        nurse_id=user.id,
        source="behov",
        visit_type="behov",
        planned_date=on,
        planned_time=at,
        reason=reason,
        created_by_id=user.id,
    )
    db.session.add(planned)
    db.session.flush()
    log_access(child.id, "create", f"planned_visit:{planned.id}", user=user)
    return planned
