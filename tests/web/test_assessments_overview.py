"""The leader's overview: figures, the lists behind them, CSV, and a bounded number of queries."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from app import clock
from app.assessments import overview as ov
from app.assessments import rules, settings
from app.assessments.models import Assessment, AssessmentKind, StoredFigures
from app.assessments.positions import Position
from app.audit.models import AccessLog
from app.auth.roles import Role
from app.children.models import Child, Enrolment
from app.extensions import db
from app.org.models import UnitKind
from tests.factories import make_unit, make_user

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    yield
    clock.freeze(None)


def add_children(unit, n, rng, *, dagplejer=None, assessor=None, first="Barn"):
    """n children in `unit` (one flush), each with a few concluding assessments."""
    children = []
    for i in range(n):
        born = TODAY - timedelta(days=rng.randint(400, 6 * 365))
        start = born + timedelta(days=rng.randint(300, 900))
        if start > TODAY:
            start = TODAY - timedelta(days=rng.randint(0, 200))
        child = Child(first_name=f"{first}{i}", last_name="Testsen", birth_date=born)
        child.enrolments.append(
            Enrolment(unit=unit, start_date=start, dagplejer_id=dagplejer.id if dagplejer else None)
        )
        children.append(child)
    db.session.add_all(children)
    db.session.flush()
    rows = []
    for child in children:
        start = child.enrolments[0].start_date
        for _ in range(rng.randint(0, 3)):
            on = start + timedelta(days=rng.randint(0, max(0, (TODAY - start).days)))
            rows.append(assessment(child, unit, assessor, on, rng.choice(list(Position))))
    db.session.add_all(rows)
    db.session.flush()
    return children


def assessment(child, unit, assessor, on, position, kind=AssessmentKind.JOINT):
    code = str(uuid.uuid4())
    return Assessment(
        uuid=code,
        series_uuid=code,
        form_version=1,
        child_id=child.id,
        unit_id=unit.id,
        kind=kind,
        assessor_id=assessor.id,
        assessor_role="paedagog",
        concluding=kind is AssessmentKind.JOINT,
        assessed_on=on,
        age_band=rules.age_band(child.birth_date, on),
        indicators=[],
        notes={},
        position=position,
    )


@pytest.fixture
def setup(app):
    boernehave = make_unit("Børnehaven Test", UnitKind.BOERNEHAVE)
    dagpleje = make_unit("Dagplejen Test", UnitKind.DAGPLEJE)
    group = make_unit("Dagplejegruppe Test", UnitKind.DAGPLEJEGRUPPE, parent=dagpleje)
    elsewhere = make_unit("Andet sted", UnitKind.BOERNEHAVE)
    leader = make_user(Role.LEDER, boernehave, name="Leder Testsen")
    from app.auth.models import Membership

    leader.memberships.append(Membership(unit=dagpleje, role=Role.LEDER))
    paedagog = make_user(Role.PAEDAGOG, boernehave)
    dagplejer = make_user(Role.DAGPLEJER, group)
    db.session.flush()
    return {
        "boernehave": boernehave,
        "dagpleje": dagpleje,
        "group": group,
        "elsewhere": elsewhere,
        "leader": leader,
        "paedagog": paedagog,
        "dagplejer": dagplejer,
    }


def test_overdue_and_missing_in_sql_agree_with_the_due_date_rules(setup):
    """The overview's SQL conditions give exactly the children whose rules.next_due has passed."""
    rng = random.Random(7)
    kids = add_children(setup["boernehave"], 120, rng, assessor=setup["paedagog"])
    kids += add_children(
        setup["group"], 40, rng, dagplejer=setup["dagplejer"], assessor=setup["dagplejer"]
    )
    units = ov.leader_units(setup["leader"])
    expected_overdue, expected_missing = set(), set()
    for child in kids:
        e = child.enrolments[0]
        schedule = settings.schedule_for(e.unit.municipality, e.unit.kind)
        lasts = [
            a.assessed_on
            for a in db.session.query(Assessment).filter_by(child_id=child.id, unit_id=e.unit_id)
            if a.assessed_on >= e.start_date
        ]
        last = max(lasts) if lasts else None
        if rules.next_due(schedule, child.birth_date, e.start_date, last) < TODAY:
            expected_overdue.add(child.id)
        current = rules.current_round(schedule, TODAY)
        if current.covers_birth(child.birth_date) and not (last and last >= current.start):
            expected_missing.add(child.id)
    overdue = {r.child.id for r in ov.list_rows(units, "forsinkede", TODAY)[0]}
    missing = {r.child.id for r in ov.list_rows(units, "mangler", TODAY)[0]}
    assert overdue == expected_overdue and 10 < len(overdue) < 150
    assert missing == expected_missing
    figures = ov.unit_figures(units, TODAY)
    assert sum(f.overdue for f in figures) == len(expected_overdue)
    assert sum(f.covered - f.assessed for f in figures) == len(expected_missing)


def test_figures_per_unit_count_positions_share_and_trend(setup):
    unit, paedagog = setup["boernehave"], setup["paedagog"]
    born = TODAY - timedelta(days=4 * 365)
    children = []
    for i in range(4):
        child = Child(first_name=f"Nr{i}", last_name="Testsen", birth_date=born)
        child.enrolments.append(Enrolment(unit=unit, start_date=date(2024, 1, 1)))
        children.append(child)
    db.session.add_all(children)
    db.session.flush()
    a, b, c, _d = children
    db.session.add_all(
        [
            assessment(a, unit, paedagog, date(2026, 3, 10), Position.GUL),
            assessment(a, unit, paedagog, date(2026, 9, 10), Position.GROEN),
            assessment(b, unit, paedagog, date(2026, 9, 12), Position.ROED),
            assessment(c, unit, paedagog, date(2026, 3, 12), Position.GROEN),
            # an individual one does not count as a position
            assessment(
                _d, unit, paedagog, date(2026, 9, 12), Position.ROED, AssessmentKind.INDIVIDUAL
            ),
        ]
    )
    db.session.flush()
    (f,) = [f for f in ov.unit_figures(ov.leader_units(setup["leader"]), TODAY) if f.children]
    assert f.unit.id == unit.id and f.children == 4
    assert f.positions == {"groen": 2, "gul": 0, "roed": 1} and f.not_assessed == 1
    assert f.round.label == "Efterår 2026"
    assert (f.covered, f.assessed, f.share) == (4, 2, 50)
    assert f.overdue == 2  # c (assessed in spring only) and d (never)
    trend = {r.label: counts for r, counts in f.trend}
    assert trend["Forår 2026"] == {"groen": 1, "gul": 1, "roed": 0}
    assert trend["Efterår 2026"] == {"groen": 1, "gul": 0, "roed": 1}


def test_the_overview_page_links_every_number_to_its_list(client, auth, setup):
    rng = random.Random(3)
    add_children(setup["boernehave"], 30, rng, assessor=setup["paedagog"])
    auth.login(setup["leader"])
    html = client.get("/overblik").get_data(as_text=True)
    assert "Overblik" in html and "Børnehaven Test" in html
    unit_id = setup["boernehave"].id
    for which in ("mangler", "forsinkede", "groen", "gul", "roed", "ikke-vurderet"):
        assert f"/overblik/liste/{which}?enhed={unit_id}" in html
    assert '<svg class="trend-chart"' in html and "<caption>Positioner i de seneste runder" in html
    assert "Andet sted" not in html
    red = client.get(f"/overblik/liste/roed?enhed={unit_id}")
    assert red.status_code == 200
    elsewhere = client.get(f"/overblik/liste/roed?enhed={setup['elsewhere'].id}")
    assert elsewhere.status_code == 404
    assert client.get("/overblik/liste/noget-andet").status_code == 404


def test_the_red_list_names_exactly_the_children_in_red(client, auth, setup):
    unit, paedagog = setup["boernehave"], setup["paedagog"]
    born = TODAY - timedelta(days=3 * 365)
    red = Child(first_name="Rødbarn", last_name="Testsen", birth_date=born)
    green = Child(first_name="Grønbarn", last_name="Testsen", birth_date=born)
    for child in (red, green):
        child.enrolments.append(Enrolment(unit=unit, start_date=date(2025, 1, 1)))
    db.session.add_all([red, green])
    db.session.flush()
    db.session.add_all(
        [
            assessment(red, unit, paedagog, date(2026, 3, 1), Position.GROEN),
            assessment(red, unit, paedagog, date(2026, 9, 20), Position.ROED),
            assessment(green, unit, paedagog, date(2026, 9, 20), Position.GROEN),
        ]
    )
    auth.login(setup["leader"])
    html = client.get("/overblik/liste/roed").get_data(as_text=True)
    assert "Rødbarn" in html and "Grønbarn" not in html


def test_csv_export_has_figures_and_no_names_or_cpr(client, auth, setup):
    unit = setup["boernehave"]
    child = Child(
        first_name="Hemmelig", last_name="Navnesen", birth_date=date(2022, 5, 5), cpr="0505229123"
    )
    child.enrolments.append(Enrolment(unit=unit, start_date=date(2024, 1, 1)))
    db.session.add(child)
    db.session.flush()
    db.session.add(assessment(child, unit, setup["paedagog"], date(2026, 9, 3), Position.GUL))
    auth.login(setup["leader"])
    response = client.get("/overblik.csv")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Enhed;Enhedstype;Runde;Børn nu")
    assert any(
        line.startswith("Børnehaven Test;boernehave;Efterår 2026;1;1;1;100;0;1;0") for line in lines
    )
    assert "Hemmelig" not in body and "Navnesen" not in body and "0505" not in body


def test_yellow_and_red_without_an_action_plan_come_from_the_concerns_area(client, auth, setup):
    """The concerns area's without_plan() feeds the number and the list."""
    pytest.importorskip("app.concerns.models")
    from app.concerns.models import CourseOfAction
    from app.concerns.rules import Level

    unit = setup["boernehave"]
    child = Child(first_name="Planløs", last_name="Testsen", birth_date=date(2022, 1, 1))
    child.enrolments.append(Enrolment(unit=unit, start_date=date(2024, 1, 1)))
    db.session.add(child)
    db.session.flush()
    db.session.add(
        CourseOfAction(
            child_id=child.id,
            unit_id=unit.id,
            level=Level.GUL,
            source="manual",
            status="open",
            opened_on=TODAY - timedelta(days=20),
            opened_at=datetime(2026, 11, 5, 9, tzinfo=UTC),
            opened_by_id=setup["paedagog"].id,
        )
    )
    db.session.flush()
    auth.login(setup["leader"])
    html = client.get("/overblik").get_data(as_text=True)
    assert f"/overblik/liste/uden-handleplan?enhed={unit.id}" in html
    listed = client.get(f"/overblik/liste/uden-handleplan?enhed={unit.id}").get_data(as_text=True)
    assert "Planløs" in listed


def _forget_figures(app) -> None:
    """Empty both levels of the figures cache: the next overview computes them."""
    app.extensions.pop("assessments.figures", None)
    db.session.execute(delete(StoredFigures))
    db.session.commit()


@pytest.mark.parametrize("path", ["/overblik", "/overblik.csv", "/overblik/liste/forsinkede"])
def test_the_overview_needs_the_same_number_of_queries_for_50_and_500_children(
    app, client, auth, setup, count_queries, path
):
    """Counted with the figures computed (the per-unit figures cache emptied first)."""
    rng = random.Random(11)
    add_children(setup["boernehave"], 50, rng, assessor=setup["paedagog"])
    auth.login(setup["leader"])
    client.get(path)  # warm caches (schedules, translations)
    _forget_figures(app)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    add_children(setup["boernehave"], 450, rng, assessor=setup["paedagog"], first="Mere")
    db.session.commit()
    _forget_figures(app)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), (len(small), len(large))
    assert len(small) < 25


def test_mine_boern_needs_the_same_number_of_queries_for_50_and_500_children(
    client, auth, setup, count_queries
):
    rng = random.Random(5)
    add_children(setup["boernehave"], 50, rng, assessor=setup["paedagog"])
    auth.login(setup["paedagog"])
    client.get("/")
    with count_queries() as small:
        assert client.get("/").status_code == 200
    add_children(setup["boernehave"], 450, rng, assessor=setup["paedagog"], first="Mere")
    db.session.commit()
    with count_queries() as large:
        assert client.get("/").status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_a_leader_of_many_units_gets_one_table_row_per_unit(client, auth, setup):
    """Above COMPACT_ABOVE units: a row per unit with its numbers linked to their lists and its
    name to the unit's own page, which has the trend chart; no chart on the overview itself."""
    rng = random.Random(9)
    leader = make_user(Role.LEDER, setup["boernehave"], name="Leder Mange")
    from app.auth.models import Membership

    units = [setup["boernehave"]]
    for i in range(ov.COMPACT_ABOVE):
        unit = make_unit(f"Børnehave {i:02d}", UnitKind.BOERNEHAVE)
        leader.memberships.append(Membership(unit=unit, role=Role.LEDER))
        units.append(unit)
    for unit in units:
        add_children(unit, 6, rng, assessor=setup["paedagog"], first=f"B{unit.id}x")
    db.session.flush()
    figures = {f.unit.id: f for f in ov.unit_figures(ov.leader_units(leader), TODAY)}
    auth.login(leader)
    html = client.get("/overblik").get_data(as_text=True)
    assert '<table class="table unit-table">' in html and "trend-chart" not in html
    assert html.count('<th scope="row">') == len(units)
    for unit in units:
        f = figures[unit.id]
        assert f'href="/overblik/enhed/{unit.id}">{unit.name}</a>' in html
        for which, n in (("groen", f.positions["groen"]), ("forsinkede", f.overdue)):
            link = f'href="/overblik/liste/{which}?enhed={unit.id}">{n}</a>'
            assert (link in html) == (n > 0)
    page = client.get(f"/overblik/enhed/{units[1].id}").get_data(as_text=True)
    assert '<svg class="trend-chart"' in page and "<h1>Børnehave 00</h1>" in page
    assert f"/overblik/liste/roed?enhed={units[1].id}" in page
    assert client.get(f"/overblik/enhed/{setup['elsewhere'].id}").status_code == 404


def _position_count(html: str, unit_id: int, position: str) -> int:
    found = re.search(
        rf'liste/{position}\?enhed={unit_id}"><span class="position position-{position}">'
        r"[^<]*</span> <strong>(\d+)</strong>",
        html,
    )
    assert found, f"no {position} count for the unit"
    return int(found.group(1))


def _red_count(html: str, unit_id: int) -> int:
    return _position_count(html, unit_id, "roed")


def _as(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def test_a_new_assessment_shows_at_once_on_another_workers_cached_overview(
    app, client, auth, setup, count_queries
):
    """Two app instances on one database stand for two gunicorn workers: worker A keeps the
    overview's figures; a joint red assessment made through worker B's routes moves the unit's
    stamp in its transaction, so worker A's next overview counts it, and so does an enrolment
    that ends."""
    from app import create_app

    unit = setup["boernehave"]
    second = make_user(Role.PAEDAGOG, unit)
    rng = random.Random(4)
    add_children(unit, 10, rng, assessor=setup["paedagog"])
    born = TODAY - timedelta(days=4 * 365)
    child = Child(first_name="Ny", last_name="Vurdering", birth_date=born)
    child.enrolments.append(Enrolment(unit=unit, start_date=date(2024, 1, 1)))
    db.session.add(child)
    auth.login(setup["leader"])  # commits
    first = client.get("/overblik").get_data(as_text=True)
    before = _red_count(first, unit.id)
    with count_queries() as cached:
        assert _red_count(client.get("/overblik").get_data(as_text=True), unit.id) == before
    with count_queries() as computed:
        _forget_figures(app)
        client.get("/overblik")
    assert len(cached) < len(computed) - 3  # the figures really came from the cache

    worker_b = create_app(dict(app.config))
    other = worker_b.test_client()
    form = {
        "child_id": str(child.id),
        "form_version": "1",
        "age_band": rules.age_band(born, TODAY),
        "assessed_on": TODAY.isoformat(),
        "indicators": ["psykisk.roed.1"],
        "position": "roed",
        "justification": "Virker bange.",
    }
    try:
        for user, kind in ((setup["paedagog"], "individual"), (second, "individual")):
            _as(other, user)
            sent = other.post(
                "/vurderinger/ny", data={**form, "uuid": str(uuid.uuid4()), "kind": kind}
            )
            assert sent.status_code == 303
        sent = other.post(
            "/vurderinger/ny",
            data={**form, "uuid": str(uuid.uuid4()), "kind": "joint", "participants": "To"},
        )
        assert sent.status_code == 303
        assert _red_count(client.get("/overblik").get_data(as_text=True), unit.id) == before + 1

        with worker_b.app_context():
            enrolment = db.session.scalar(select(Enrolment).where(Enrolment.child_id == child.id))
            enrolment.end_date = TODAY - timedelta(days=1)
            db.session.commit()
        assert _red_count(client.get("/overblik").get_data(as_text=True), unit.id) == before
    finally:
        with worker_b.app_context():
            db.engine.dispose()


def test_a_worker_that_never_computed_the_figures_reads_what_another_stored(
    app, client, auth, setup, monkeypatch
):
    """Two app instances stand for two gunicorn workers (or a restart): worker A computes the
    figures and stores them; worker B, with an empty process cache, serves the same overview
    without computing, until a write moves the unit's stamp."""
    from app import create_app
    from app.assessments import figures_cache

    add_children(setup["boernehave"], 12, random.Random(8), assessor=setup["paedagog"])
    auth.login(setup["leader"])
    _forget_figures(app)
    expected = client.get("/overblik.csv").get_data(as_text=True)
    stored = db.session.scalar(select(func.count()).select_from(StoredFigures))
    assert stored == len(ov.leader_units(setup["leader"])) == 3

    worker_b = create_app(dict(app.config))
    other = worker_b.test_client()
    _as(other, setup["leader"])

    def computed_again(units, today):
        raise AssertionError(f"computed again: {[u.name for u in units]}")

    try:
        with monkeypatch.context() as patched:
            patched.setattr(figures_cache, "compute", computed_again)
            assert other.get("/overblik.csv").get_data(as_text=True) == expected
        # A write through A moves the stamp: B computes the unit afresh, and A's stored row
        # for the day's old token is not used.
        enrolment = db.session.scalar(
            select(Enrolment).where(Enrolment.unit_id == setup["boernehave"].id).limit(1)
        )
        enrolment.end_date = TODAY - timedelta(days=1)
        db.session.commit()
        changed = other.get("/overblik.csv").get_data(as_text=True)
        assert changed != expected
        assert client.get("/overblik.csv").get_data(as_text=True) == changed
    finally:
        with worker_b.app_context():
            db.engine.dispose()


def test_stored_figures_of_another_day_token_or_format_are_not_used(app, setup):
    from app.assessments import figures_cache

    unit = setup["boernehave"]
    units = [unit]
    (figures,) = figures_cache.compute(units, TODAY)
    db.session.commit()  # the rows are stored in a transaction of their own
    keys = {unit.id: (unit.id, TODAY, "old")}
    figures_cache._store([figures], keys, TODAY)
    assert figures_cache._load(units, keys, TODAY)[unit.id].children == figures.children
    assert figures_cache._load(units, {unit.id: (unit.id, TODAY, "new")}, TODAY) == {}
    later = TODAY + timedelta(days=1)
    assert figures_cache._load(units, {unit.id: (unit.id, later, "old")}, later) == {}
    row = db.session.get(StoredFigures, unit.id)
    row.figures = {**row.figures, "v": figures_cache.FORMAT + 1}
    db.session.commit()
    assert figures_cache._load(units, keys, TODAY) == {}


def test_bulk_changes_to_the_figures_rows_are_refused(setup):
    """update()/delete() statements would bypass the change stamps."""
    with pytest.raises(RuntimeError, match="change stamps"):
        db.session.execute(update(Enrolment).values(end_date=TODAY))


def test_a_unit_counts_its_own_position_of_a_child_a_later_visit_assessed_otherwise(
    app, client, auth
):
    """The vuggestue's joint assessment (grøn) stays the child's position in the vuggestue's
    figures, lists and trend when the sundhedsplejerske later assesses it red with the parents;
    the district counts her red one. Her later assessments leave the vuggestue's stamp, and so
    its cached figures, as they were: they are what a fresh count gives."""
    from app.assessments import figures_cache, stamps

    vuggestue = make_unit("Vuggestuen Mariehønen", UnitKind.VUGGESTUE)
    district = make_unit("Sundhedsplejen Nord", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    paedagog = make_user(Role.PAEDAGOG, vuggestue)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district)
    vuggestue_leader = make_user(Role.LEDER, vuggestue, name="Leder Vuggestue")
    district_leader = make_user(Role.LEDER, district, name="Leder Sundhedspleje")
    child = Child(first_name="Vera", last_name="Testsen", birth_date=date(2025, 2, 1))
    child.enrolments.append(Enrolment(unit=district, start_date=child.birth_date))
    child.enrolments.append(Enrolment(unit=vuggestue, start_date=date(2026, 1, 5)))
    db.session.add(child)
    db.session.flush()

    def with_parents(on, position):
        visit = assessment(child, district, nurse, on, position, AssessmentKind.INDIVIDUAL)
        visit.concluding, visit.with_parents = True, True
        visit.assessor_role = "sundhedsplejerske"
        return visit

    db.session.add(assessment(child, vuggestue, paedagog, date(2026, 9, 20), Position.GROEN))
    db.session.add(with_parents(date(2026, 10, 15), Position.ROED))
    db.session.commit()

    auth.login(vuggestue_leader)
    page = client.get(f"/overblik/enhed/{vuggestue.id}").get_data(as_text=True)
    assert _position_count(page, vuggestue.id, "groen") == 1
    assert _position_count(page, vuggestue.id, "roed") == 0
    assert "Ikke vurderet <strong>0</strong>" in page
    assert "Vera" in client.get("/overblik/liste/groen").get_data(as_text=True)
    for which in ("roed", "ikke-vurderet"):
        assert "Vera" not in client.get(f"/overblik/liste/{which}").get_data(as_text=True)
    (kept,) = figures_cache.unit_figures([vuggestue], TODAY)
    trend = {r.label: counts for r, counts in kept.trend}
    assert trend["Efterår 2026"] == {"groen": 1, "gul": 0, "roed": 0}

    auth.login(district_leader)
    page = client.get(f"/overblik/enhed/{district.id}").get_data(as_text=True)
    assert _position_count(page, district.id, "roed") == 1
    assert _position_count(page, district.id, "groen") == 0
    assert "Vera" in client.get("/overblik/liste/roed").get_data(as_text=True)

    # A newer visit assessment: the district's stamp moves, the vuggestue's does not, and the
    # vuggestue's kept figures are still the true ones.
    before = stamps.tokens({vuggestue.id, district.id}, db.session)
    db.session.add(with_parents(TODAY, Position.GUL))
    db.session.commit()
    after = stamps.tokens({vuggestue.id, district.id}, db.session)
    assert after.get(vuggestue.id) == before.get(vuggestue.id)
    assert after[district.id] != before.get(district.id)
    (cached,) = figures_cache.unit_figures([vuggestue], TODAY)
    (fresh,) = figures_cache.compute([vuggestue], TODAY)
    assert cached.positions == fresh.positions == {"groen": 1, "gul": 0, "roed": 0}
    assert cached.trend == fresh.trend
    (nurses,) = figures_cache.unit_figures([district], TODAY)
    assert nurses.positions == {"groen": 0, "gul": 1, "roed": 0}


# --- Nye røde vurderinger: where a red reminder leads -----------------------------------------


def red(child, unit, assessor, on, kind=AssessmentKind.INDIVIDUAL, recorded=None):
    """A red assessment recorded on `recorded` (default: the day it is dated)."""
    row = assessment(child, unit, assessor, on, Position.ROED, kind)
    day = recorded or on
    row.created_at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return row


def enrolled(unit, first, start=date(2024, 1, 1)):
    child = Child(first_name=first, last_name="Testsen", birth_date=date(2022, 6, 1))
    child.enrolments.append(Enrolment(unit=unit, start_date=start))
    db.session.add(child)
    db.session.flush()
    return child


def test_new_red_lists_individual_and_joint_red_news_of_the_leaders_units(client, auth, setup):
    """Any current red assessment made in the unit within the reminders' look-back (14 days),
    an individual one too, and one dated earlier but recorded within it; not an older one, a
    corrected one, another colour, or another unit's. The newest news first."""
    unit, paedagog = setup["boernehave"], setup["paedagog"]
    egen = enrolled(unit, "Egenrød")
    faelles = enrolled(unit, "Fællesrød")
    sent = enrolled(unit, "Sentrød")
    old = enrolled(unit, "Gammelrød")
    corrected = enrolled(unit, "Rettetrød")
    yellow = enrolled(unit, "Gulbarn")
    other = enrolled(setup["elsewhere"], "Andenrød")
    replaced = red(corrected, unit, paedagog, TODAY - timedelta(days=2))
    replaced.current = False
    db.session.add_all(
        [
            red(egen, unit, paedagog, TODAY - timedelta(days=1)),
            red(faelles, unit, paedagog, TODAY - timedelta(days=5), AssessmentKind.JOINT),
            red(sent, unit, paedagog, TODAY - timedelta(days=40), recorded=TODAY),
            red(old, unit, paedagog, TODAY - timedelta(days=15)),
            replaced,
            assessment(yellow, unit, paedagog, TODAY, Position.GUL),
            red(other, setup["elsewhere"], paedagog, TODAY),
        ]
    )
    db.session.commit()
    auth.login(setup["leader"])
    response = client.get(f"/overblik/liste/roed-nye?enhed={unit.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Nye røde vurderinger</h1>" in page and "de seneste 14 dage" in page
    names = re.findall(r'<span class="child-name">(\w+) Testsen</span>', page)
    assert names == ["Sentrød", "Egenrød", "Fællesrød"]
    assert f"Egen vurdering ({paedagog.name})" in page and "Fælles vurdering" in page
    assert page.count("Ingen åben handlevej") == 3
    for absent in ("Gammelrød", "Rettetrød", "Gulbarn", "Andenrød"):
        assert absent not in page
    logged = db.session.scalars(
        select(AccessLog.child_id).where(AccessLog.what == "red-news")
    ).all()
    assert sorted(logged) == sorted([egen.id, faelles.id, sent.id])
    # All the leader's units, and a look-back the municipality set longer.
    unit.area.municipality.settings = {"reminders": {"recent_days": 20}}
    db.session.commit()
    assert "Gammelrød" in client.get("/overblik/liste/roed-nye").get_data(as_text=True)


def test_new_red_orders_news_of_one_day_by_when_it_was_recorded(client, auth, setup):
    """Two children with red news the same day: the one recorded later comes first, not the
    one whose first name sorts first."""
    unit, paedagog = setup["boernehave"], setup["paedagog"]
    first = red(enrolled(unit, "Anna"), unit, paedagog, TODAY)
    later = red(enrolled(unit, "Zenia"), unit, paedagog, TODAY)
    later.created_at = first.created_at + timedelta(hours=2)
    db.session.add_all([first, later])
    db.session.commit()
    auth.login(setup["leader"])
    page = client.get(f"/overblik/liste/roed-nye?enhed={unit.id}").get_data(as_text=True)
    names = re.findall(r'<span class="child-name">(\w+) Testsen</span>', page)
    assert names == ["Zenia", "Anna"]


def test_new_red_is_for_leaders_of_the_unit_only(client, auth, setup):
    unit = setup["boernehave"]
    db.session.add(red(enrolled(unit, "Rødbarn"), unit, setup["paedagog"], TODAY))
    other_leader = make_user(Role.LEDER, setup["elsewhere"], name="Leder Andetsted")
    db.session.commit()
    auth.login(other_leader)
    assert client.get(f"/overblik/liste/roed-nye?unit_id={unit.id}").status_code == 404
    assert "Rødbarn" not in client.get("/overblik/liste/roed-nye").get_data(as_text=True)
    auth.login(setup["paedagog"])
    assert client.get(f"/overblik/liste/roed-nye?unit_id={unit.id}").status_code == 403


def test_new_red_shows_a_unit_only_its_own_assessments_of_a_shared_child(client, auth):
    """The sundhedsplejerske's red assessment with the parents is the district's news: its
    leader sees it; the vuggestue's leader, without the parents' consent, does not."""
    vuggestue = make_unit("Vuggestuen Mariehønen", UnitKind.VUGGESTUE)
    district = make_unit("Sundhedsplejen Nord", UnitKind.SUNDHEDSPLEJEDISTRIKT)
    nurse = make_user(Role.SUNDHEDSPLEJERSKE, district, name="Sundhedsplejerske Sofie")
    vuggestue_leader = make_user(Role.LEDER, vuggestue)
    district_leader = make_user(Role.LEDER, district)
    child = enrolled(district, "Vera", start=date(2025, 2, 1))
    child.enrolments.append(Enrolment(unit=vuggestue, start_date=date(2026, 1, 5)))
    visit = red(child, district, nurse, TODAY - timedelta(days=3))
    visit.concluding, visit.with_parents = True, True
    db.session.add(visit)
    db.session.commit()

    auth.login(vuggestue_leader)
    assert "Vera" not in client.get("/overblik/liste/roed-nye").get_data(as_text=True)
    auth.login(district_leader)
    page = client.get("/overblik/liste/roed-nye").get_data(as_text=True)
    assert "Vera Testsen" in page
    assert "Vurdering sammen med forældrene (Sundhedsplejerske Sofie)" in page


def test_new_red_needs_the_same_number_of_queries_for_few_and_many_children(
    client, auth, setup, count_queries
):
    unit, paedagog = setup["boernehave"], setup["paedagog"]

    def add_red(n, first):
        for i in range(n):
            child = enrolled(unit, f"{first}{i}")
            db.session.add(red(child, unit, paedagog, TODAY - timedelta(days=i % 10)))
            db.session.add(red(child, unit, paedagog, TODAY, AssessmentKind.JOINT))
        db.session.commit()

    add_red(3, "Få")
    auth.login(setup["leader"])
    path = f"/overblik/liste/roed-nye?enhed={unit.id}"
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    add_red(60, "Mange")
    with count_queries() as many:
        page = client.get(path).get_data(as_text=True)
    assert page.count('class="child-name"') == 63
    assert len(many) == len(few), (len(few), len(many))
