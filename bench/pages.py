"""What the benchmark measures: the pages, who opens them, and how their URLs are found.

A page names candidate endpoints (the first that exists wins), so the harness follows the areas as
they land; a page whose endpoint does not exist yet is reported as "not available", never guessed.
URLs are built with url_for inside the app, from a context of ids picked from the synthetic data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, url_for

# Bench users (keys of the context's "users"): one login per role, the leader of the ~60-child
# unit, and the leader over all units.
ROLES = (
    "sundhedsplejerske",
    "dagplejer",
    "dagplejepaedagog",
    "paedagog",
    "leder",
    "leder_alle",
    "admin",
)


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    role: str  # the bench user who opens it
    endpoints: tuple[str, ...]
    params: tuple[str, ...] = ()  # context keys passed to url_for (child_id, unit_id)
    method: str = "GET"
    # "form": GET the form at the URL, then POST it filled in; "sync": POST a JSON batch.
    kind: str = "page"
    query: dict = field(default_factory=dict)
    htmx: bool = False
    main: bool = False  # bytes over the wire and Lighthouse are measured on main pages
    lighthouse: bool = False
    overrides: dict = field(default_factory=dict)  # form fields the generic filler cannot guess


def _home(role: str, main: bool = False) -> Page:
    return Page(
        f"home:{role}",
        f"home screen ({role.replace('_', ' ')})",
        role,
        ("children.home",),
        main=main,
        lighthouse=role == "sundhedsplejerske",
    )


PAGES: tuple[Page, ...] = (
    Page("login_page", "login page", "anonymous", ("auth.login",), main=True, lighthouse=True),
    Page("login", "login (POST)", "*", ("auth.login",), method="POST", kind="login"),
    *(_home(role, main=role in ("sundhedsplejerske", "paedagog")) for role in ROLES),
    Page(
        "search",
        "child search",
        "*",
        ("children.search",),
        query={"q": "{search}"},
        htmx=True,
    ),
    Page(
        "child",
        "child page",
        "*",
        ("children.child",),
        params=("child_id",),
        main=True,
        lighthouse=True,
    ),
    # The leader's overview shows the units he leads: the leader of the ~60-child unit sees that
    # unit; the leader over all units sees every unit.
    Page(
        "unit_overview",
        "unit overview (~60 children)",
        "leder",
        ("assessments.overview", "assessments.unit_overview", "overview.unit"),
        main=True,
    ),
    Page(
        "leader_overview",
        "leader's overview, all units",
        "leder_alle",
        ("assessments.overview", "assessments.leader_overview", "overview.index"),
        main=True,
    ),
    Page(
        "assessment_submit",
        "assessment submit",
        "paedagog",
        ("assessments.new", "assessments.new_assessment", "assessments.create"),
        params=("child_id",),
        method="POST",
        kind="form",
        overrides={"position": "groen", "justification": "Trives i hverdagen."},
    ),
    Page(
        "visit_submit",
        "visit submit",
        "sundhedsplejerske",
        ("visits.new", "visits.new_visit", "visits.record", "visits.create"),
        params=("child_id",),
        method="POST",
        kind="form",
        lighthouse=True,
        overrides={
            "weight_g": "7200",
            "length_cm": "68.5",
            "length_position": "liggende",
            "head_cm": "43.5",
            "feeding": "ammes_supplement",
        },
    ),
    Page(
        "sync_50",
        "sync batch of 50 items",
        "sundhedsplejerske",
        ("sync.sync", "sync.api_sync", "sync.batch", "sync.index"),
        method="POST",
        kind="sync",
    ),
)


# What each bench user does in one cycle ("home" is that role's home screen). A locust user
# takes the roles in turn, so every page is measured at 1 and at 20 users.
CYCLES: dict[str, tuple[str, ...]] = {
    "sundhedsplejerske": ("login", "home", "search", "child", "visit_submit", "sync_50"),
    "dagplejer": ("login", "home", "child", "assessment_submit"),
    "dagplejepaedagog": ("login", "home", "search", "child"),
    "paedagog": ("login", "home", "search", "child", "assessment_submit"),
    "leder": ("login", "home", "unit_overview", "child"),
    "leder_alle": ("login", "home", "leader_overview", "search"),
    "admin": ("login", "home"),
}
# Sentinels turned into placeholders, so one url_for call gives a URL template.
_SENTINELS = {"child_id": 987_654_321, "unit_id": 987_654_322}


def by_key(key: str) -> Page:
    return next(p for p in PAGES if p.key == key)


def page_for(role: str, step: str) -> Page:
    return by_key(f"home:{role}" if step == "home" else step)


def endpoint_of(app: Flask, page: Page) -> str | None:
    return next((e for e in page.endpoints if e in app.view_functions), None)


def url_template(app: Flask, page: Page) -> str | None:
    """The page's URL with {child_id}/{unit_id} placeholders, or None if the app lacks it."""
    endpoint = endpoint_of(app, page)
    if endpoint is None:
        return None
    with app.test_request_context():
        url = url_for(endpoint, **{name: _SENTINELS[name] for name in page.params})
    for name, sentinel in _SENTINELS.items():
        url = url.replace(str(sentinel), "{" + name + "}")
    return url


def url_templates(app: Flask) -> dict[str, str | None]:
    """{page key: URL template, or None when the page does not exist yet}."""
    return {page.key: url_template(app, page) for page in PAGES}
