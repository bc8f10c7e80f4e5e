"""What a device caches to work in the field ("Gør klar til offline").

A sundhedsplejerske gets the children she visits in the coming days (her caseload when the visit
plan has nothing to say) with their pages and visit forms; a dagplejer (and any other role) her
children and the assessment form. The worker fetches every URL of the plan into the user's own
page cache; the pages themselves decide what of the child's data the user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from app import clock
from app.auth.roles import Role
from app.children.models import Caseload, Child
from app.children.scoping import visible_children
from app.extensions import db

HORIZON_DAYS = 3
MAX_CHILDREN = 60
# A health visitor with nothing planned gets her youngest children (those most often visited);
# her whole caseload would be hundreds of pages.
MAX_CASELOAD_FALLBACK = 15


@dataclass(frozen=True)
class PlanPage:
    url: str
    child_id: int | None = None
    label: str = ""
    what: str = "page"  # page | child | form


# Children to prepare: fn(user, today, until) -> iterable of child ids in priority order, or
# None when the provider has nothing to say. Areas register one (e.g. planned visits).
ChildProvider = Callable[..., Iterable[int] | None]
_CHILD_PROVIDERS: list[ChildProvider] = []
# Extra pages per child: fn(user, child_id) -> iterable of URLs (e.g. the visit form).
PageProvider = Callable[..., Iterable[str]]
_PAGE_PROVIDERS: list[PageProvider] = []
# Form endpoints that take a child_id, tried in order; a missing endpoint is skipped.
FORM_ENDPOINTS = {
    Role.SUNDHEDSPLEJERSKE: ("visits.new", "visits.new_visit", "visits.create"),
    "any": ("assessments.new", "assessments.new_assessment", "assessments.create"),
}


def register_offline_children(fn: ChildProvider) -> None:
    if fn not in _CHILD_PROVIDERS:
        _CHILD_PROVIDERS.append(fn)


def register_offline_pages(fn: PageProvider) -> None:
    if fn not in _PAGE_PROVIDERS:
        _PAGE_PROVIDERS.append(fn)


def _url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _caseload_ids(user, today: date) -> list[int]:
    query = (
        select(Child.id)
        .join(Caseload, Caseload.child_id == Child.id)
        .where(
            Caseload.nurse_id == user.id,
            Caseload.start_date <= today,
            (Caseload.end_date.is_(None)) | (Caseload.end_date >= today),
        )
        .order_by(Child.birth_date.desc(), Child.id)
    )
    return list(db.session.scalars(query))


def child_ids(user, today: date) -> list[int]:
    until = today + timedelta(days=HORIZON_DAYS)
    for provider in _CHILD_PROVIDERS:
        found = provider(user, today, until)
        if found is not None:
            ids = list(dict.fromkeys(found))
            break
    else:
        is_nurse = Role.SUNDHEDSPLEJERSKE in user.roles
        ids = _caseload_ids(user, today)[:MAX_CASELOAD_FALLBACK] if is_nurse else []
        if not ids:
            query = visible_children(user, today).order_by(Child.first_name, Child.id)
            ids = [c.id for c in db.session.scalars(query.limit(MAX_CHILDREN))]
    return ids[:MAX_CHILDREN]


def _form_urls(user, child_id: int) -> list[str]:
    groups = [FORM_ENDPOINTS["any"]]
    if Role.SUNDHEDSPLEJERSKE in user.roles:
        groups.insert(0, FORM_ENDPOINTS[Role.SUNDHEDSPLEJERSKE])
    urls = []
    for endpoints in groups:
        url = next((u for e in endpoints if (u := _url(e, child_id=child_id))), None)
        if url:
            urls.append(url)
    return urls


# -- the health visitor's planned visits (app/visits), when that area is installed -------------


def _visits_queries():
    from app import AREAS

    if "visits" not in AREAS:
        return None
    from app.visits import queries

    return queries


def planned_visit_children(user, today: date, until: date) -> list[int] | None:
    """Children with a planned visit in the window, in visit order; None if there are none."""
    queries = _visits_queries()
    if queries is None or Role.SUNDHEDSPLEJERSKE not in user.roles:
        return None
    planned = db.session.scalars(queries.planned_between(user, today, until)).all()
    return [p.child_id for p in planned] or None


def planned_visit_pages(user, child_id: int) -> list[str]:
    """The child's visit list, growth chart and a visit form per planned visit in the window."""
    queries = _visits_queries()
    if queries is None or Role.SUNDHEDSPLEJERSKE not in user.roles:
        return []
    from app.visits.models import PlannedVisit

    today = clock.today()
    until = today + timedelta(days=HORIZON_DAYS)
    planned = db.session.scalars(
        queries.planned_between(user, today, until).where(PlannedVisit.child_id == child_id)
    ).all()
    urls = [_url("visits.new", child_id=child_id, planlagt=p.id) for p in planned]
    urls += [
        _url("visits.child_visits", child_id=child_id),
        _url("visits.growth", child_id=child_id),
    ]
    return [u for u in urls if u]


register_offline_children(planned_visit_children)
register_offline_pages(planned_visit_pages)


def build_plan(user, today: date | None = None) -> dict:
    today = today or clock.today()
    ids = child_ids(user, today)
    names = (
        dict(
            db.session.execute(
                select(Child.id, Child.first_name + " " + Child.last_name).where(Child.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    pages = [PlanPage(url_for("children.home")), PlanPage(url_for("sync.outbox"))]
    for child_id in ids:
        name = names.get(child_id, "")
        pages.append(
            PlanPage(url_for("children.child", child_id=child_id), child_id, name, "child")
        )
        extra = _form_urls(user, child_id)
        for provider in _PAGE_PROVIDERS:
            extra.extend(provider(user, child_id) or [])
        pages.extend(PlanPage(u, child_id, name, "form") for u in dict.fromkeys(extra))
    return {
        "user_id": user.id,
        "generated_at": clock.now().isoformat(),
        "children": len(ids),
        "horizon_days": HORIZON_DAYS,
        "pages": [
            {"url": p.url, "child_id": p.child_id, "label": p.label, "what": p.what} for p in pages
        ],
    }
