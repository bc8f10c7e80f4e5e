"""Writing assessments. `submit_assessment` serves the HTML form and the offline sync alike.

Services add and flush; the request boundary commits (app/database.py).
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app import clock, signals
from app.assessments import rules, settings
from app.assessments.forms import AssessmentForm
from app.assessments.models import Assessment, AssessmentKind
from app.assessments.positions import Position
from app.assessments.queries import last_concluded_on, pending_individuals
from app.assessments.status import UserUnits
from app.audit.services import log_access
from app.auth.models import User
from app.auth.roles import ASSESSING_ROLES, Role
from app.children.models import Child, Enrolment
from app.children.records import own_scope
from app.children.scoping import can_see_child
from app.extensions import db
from app.i18n import gettext as _
from app.org.models import Area, Unit
from app.sync.registry import SubmitResult


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def assessing_role(user: User) -> Role | None:
    """The role the user assesses in (a sundhedsplejerske's assessment is made with parents)."""
    for role in (Role.SUNDHEDSPLEJERSKE, Role.DAGPLEJER, Role.DAGPLEJEPAEDAGOG, Role.PAEDAGOG):
        if role in user.roles:
            return role
    return Role.LEDER if Role.LEDER in user.roles else None


def assessment_enrolment(user: User, child: Child, today: date | None = None) -> Enrolment | None:
    """The child's current enrolment the user assesses in: the user's own unit or home first."""
    return UserUnits.of(user).pick(child, today or clock.today())


@dataclass
class Known:
    """What the assessments of a sync batch read, read once for all of them
    (prefetch_assessments). An assessment looked up by uuid is taken out when an item asks for
    it, so a later item asking again reads the database (which then holds this batch's writes).
    """

    children: dict[int, Child]  # with their enrolments, units, areas and municipalities
    by_uuid: dict[str, Assessment | None]  # the items' uuids and the uuids they supersede
    user_units: UserUnits


def prefetch_assessments(user: User, payloads: list[dict]) -> Known:
    """The offline contract's prefetch for record kind "assessment" (see app/sync/registry)."""
    child_ids = {i for p in payloads if (i := _int(p.get("child_id"))) is not None}
    child_ids = {i for i in child_ids if can_see_child(user, i)}
    uuids = {
        value
        for p in payloads
        for key in ("uuid", "supersedes")
        if isinstance(value := p.get(key), str) and value
    }
    children = (
        select(Child)
        .where(Child.id.in_(child_ids))
        .options(
            selectinload(Child.enrolments)
            .selectinload(Enrolment.unit)
            .selectinload(Unit.area)
            .selectinload(Area.municipality)
        )
    )
    found = select(Assessment).where(Assessment.uuid.in_(uuids))
    return Known(
        children={c.id: c for c in db.session.scalars(children)} if child_ids else {},
        by_uuid=dict.fromkeys(uuids)
        | ({a.uuid: a for a in db.session.scalars(found)} if uuids else {}),
        user_units=UserUnits.of(user),
    )


def _by_uuid(uuid: str, known: Known | None) -> Assessment | None:
    if known is not None and uuid in known.by_uuid:
        return known.by_uuid.pop(uuid)
    return db.session.scalar(select(Assessment).where(Assessment.uuid == uuid))


def minimum_for(unit: Unit) -> int:
    return rules.minimum_individual(
        unit.kind.is_dagpleje, settings.minimum_config(unit.municipality)
    )


def build_form(
    child: Child,
    schema: settings.FormSchema,
    *,
    formdata=None,
    data: dict | None = None,
    csrf: bool = True,
) -> AssessmentForm:
    """The form configured for the child's age band (from the posted age_band if valid)."""
    meta = {} if csrf else {"csrf": False}
    form = AssessmentForm(formdata=formdata, data=data, meta=meta, birth_date=child.birth_date)
    band = form.age_band.data
    if band not in schema.bands:
        band = rules.age_band(child.birth_date, clock.today())
        form.age_band.data = band
    form.configure(schema, band)
    return form


def _content(
    *,
    child_id,
    kind,
    form_version,
    assessed_on,
    age_band,
    indicators,
    notes,
    position,
    justification,
    with_parents,
    participants,
    parents_discussed_on,
    parents_discussed_how,
    parents_view,
) -> dict:
    """What makes two submissions "the same" for idempotency on uuid."""
    return {
        "child_id": int(child_id),
        "kind": str(kind),
        "form_version": int(form_version),
        "assessed_on": assessed_on,
        "age_band": age_band,
        "indicators": sorted(indicators or []),
        "notes": {k: v for k, v in (notes or {}).items() if v},
        "position": str(Position(position).value),
        "justification": (justification or "").strip() or None,
        "with_parents": bool(with_parents),
        "participants": (participants or "").strip() or None,
        "parents_discussed_on": parents_discussed_on,
        "parents_discussed_how": parents_discussed_how or None,
        "parents_view": (parents_view or "").strip() or None,
    }


def _record_content(a: Assessment) -> dict:
    return _content(
        child_id=a.child_id,
        kind=a.kind.value,
        form_version=a.form_version,
        assessed_on=a.assessed_on,
        age_band=a.age_band,
        indicators=a.indicators,
        notes=a.notes,
        position=a.position,
        justification=a.justification,
        with_parents=a.with_parents,
        participants=a.participants,
        parents_discussed_on=a.parents_discussed_on,
        parents_discussed_how=a.parents_discussed_how,
        parents_view=a.parents_view,
    )


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _invalid(field: str, message: str) -> SubmitResult:
    return SubmitResult("invalid", errors={field: [message]}, message=message)


def submit_assessment(
    user: User, payload, *, channel: str = "online", known: Known | None = None
) -> SubmitResult:
    """Validate and store one assessment (new, or a correction when `supersedes` is given).

    Idempotent on `uuid` as app/sync/registry.py describes. A concluding gul/rød assessment
    sends `signals.assessment_recorded` (the course of action starts from it). With `known` (a
    sync batch), reads come from it and the assessment is left for the batch to flush.
    """
    user = getattr(user, "_get_current_object", lambda: user)()  # the user, not the proxy
    formdata = payload if isinstance(payload, MultiDict) else MultiDict(payload)
    child_id = _int(formdata.get("child_id"))
    if child_id is None:
        return _invalid("child_id", _("Formularen mangler barnet. Hent den igen."))
    if not user.has_role(*ASSESSING_ROLES) or not can_see_child(user, child_id):
        return SubmitResult("forbidden", message=_("Du har ikke adgang til barnet."))
    if known is not None and child_id in known.children:
        child = known.children[child_id]
    else:
        child = db.session.get(Child, child_id)
    old = None
    if formdata.get("supersedes"):
        old = _by_uuid(str(formdata.get("supersedes")), known)
        # Only a record of the user's own units is hers to correct (not one handed over).
        if (
            old is None
            or old.child_id != child.id
            or not own_scope(user).sees(old.unit_id, old.assessed_on, old.assessor_id)
        ):
            return _invalid("supersedes", _("Den vurdering, der skal rettes, findes ikke."))
    if old is not None:
        enrolment = None
    elif known is not None:
        enrolment = known.user_units.pick(child, clock.today())
    else:
        enrolment = assessment_enrolment(user, child)
    unit = old.unit if old else (enrolment.unit if enrolment else None)
    if unit is None:
        return _invalid("child_id", _("Barnet er ikke indmeldt i en enhed lige nu."))
    municipality = unit.municipality
    version = _int(formdata.get("form_version"))
    if version not in settings.known_versions(municipality):
        return _invalid("form_version", _("Skemaets version er ukendt. Hent formularen igen."))
    schema = settings.schema(municipality, version)
    form = build_form(child, schema, formdata=formdata, csrf=False)
    if not form.validate():
        return SubmitResult(
            "invalid", errors=form.errors, message=_("Vurderingen er ikke gemt. Ret det markerede.")
        )
    kind = old.kind.value if old else form.kind.data
    content = _content(
        child_id=child.id,
        kind=kind,
        form_version=version,
        assessed_on=form.assessed_on.data,
        age_band=form.age_band.data,
        indicators=form.indicators.data,
        notes=form.notes(),
        position=form.position.data,
        justification=form.justification.data,
        with_parents=form.with_parents.data,
        participants=form.participants.data if kind == "joint" else None,
        parents_discussed_on=form.parents_discussed_on.data
        or (form.assessed_on.data if form.with_parents.data else None),
        parents_discussed_how=form.parents_discussed_how.data,
        parents_view=form.parents_view.data,
    )
    existing = _by_uuid(form.uuid.data or "", known)
    if existing is not None:
        same = (
            existing.supersedes_id == (old.id if old else None)
            and _record_content(existing) == content
        )
        if same:
            return SubmitResult("duplicate", record=existing)
        return SubmitResult(
            "conflict", record=existing, message=_("En anden vurdering har samme id.")
        )
    if old is not None:
        base = _int(form.base_version.data)
        if not old.current or (base is not None and base != old.version):
            return SubmitResult(
                "conflict",
                record=old,
                message=_("Vurderingen er rettet af en anden i mellemtiden. Se historikken."),
            )

    basis: list[Assessment] = []
    if old is not None:
        basis = list(old.basis)
    elif kind == AssessmentKind.JOINT.value:
        since = last_concluded_on(child.id, unit.id, enrolment.start_date)
        basis = list(db.session.scalars(pending_individuals(child.id, unit.id, since)))
        minimum = minimum_for(unit)
        if len(basis) < minimum:
            message = _(
                "Der skal være mindst %(n)s egne vurderinger, før I laver den fælles vurdering. "
                "Der er %(have)s.",
                n=minimum,
                have=len(basis),
            )
            return _invalid("kind", message)

    role = old.assessor_role if old else (r.value if (r := assessing_role(user)) else None)
    assessment = Assessment(
        uuid=form.uuid.data,
        form_version=version,
        child_id=child.id,
        unit_id=unit.id,
        kind=AssessmentKind(kind),
        assessor_id=old.assessor_id if old else user.id,
        assessor_role=role,
        with_parents=content["with_parents"],
        concluding=rules.is_concluding(kind, content["with_parents"], role),
        participants=content["participants"],
        assessed_on=content["assessed_on"],
        age_band=content["age_band"],
        indicators=content["indicators"],
        notes=content["notes"],
        position=Position(content["position"]),
        justification=content["justification"],
        parents_discussed_on=content["parents_discussed_on"],
        parents_discussed_how=content["parents_discussed_how"],
        parents_view=content["parents_view"],
        series_uuid=old.series_uuid if old else form.uuid.data,
        revision=old.revision + 1 if old else 1,
        supersedes_id=old.id if old else None,
        correction_reason=(form.correction_reason.data or "").strip() or None if old else None,
        current=True,
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    assessment.basis = basis
    if old is not None:
        old.current = False
        old.updated_by_id = user.id
    db.session.add(assessment)
    if known is None:
        db.session.flush()  # a single record: the caller has its id at once
    log_access(
        child.id,
        "correct" if old else "create",
        lambda: f"assessment:{assessment.id}",
        user=user,
        channel=channel,
    )
    if rules.opens_course_of_action(assessment.concluding, assessment.position):
        signals.assessment_recorded.send(assessment, assessment=assessment, user=user)
    return SubmitResult("accepted", record=assessment)
