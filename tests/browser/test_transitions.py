"""Transitions in real Chromium at tablet size: a dagplejer and a parent fill in the schema, the
parent consents on the device, the børnehave's leader sees it once the child has started and
acknowledges it; a child without consent shares nothing; the parents' copy prints on 1–2 A4."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.children.models import Child, Enrolment, Guardian
from app.extensions import db
from app.org.models import Unit, UnitKind
from app.transitions.models import TransitionSchema
from tests.browser.conftest import TABLET, assert_accessible, assert_no_horizontal_scroll, login

CHILD = ("Ingrid", "Overgaard")
MOTHER, FATHER = "Maja Overgaard", "Mikkel Overgaard"
# A realistic schema for the print check: most fields filled with a sentence or two.
FILLED = {
    "Telefon til kontaktpersonen": "+45 99 12 34 56",
    "Husstand": "Bor med mor, far og storebror på 5 år i hus med have i Egeskov.",
    "Betydningsfulde begivenheder": "Farmor døde i foråret; Ingrid taler stadig om hende.",
    "Sprog": "Taler i sætninger på 4–5 ord, forstår det meste og synger gerne med.",
    "Motorisk udvikling": "Løber, hopper og klatrer sikkert. Øver sig i at tage tøj på selv.",
    "Leg og relationer": "Leger helst rolleleg med to af de andre børn; kan dele legetøj.",
    "Hvordan reagerer barnet på forandringer?": "Har brug for tid og en fast voksen om "
    "morgenen; falder til ro med sin bamse.",
    "Søvn": "Sover 1½ time efter frokost med bamse og sut.",
    "Sut og nusseklud": "Sut kun til middagssøvn.",
    "Ble og toiletbesøg": "Ble; er begyndt at sidde på potte efter søvn.",
    "Mad og måltider": "Spiser alt og godt; ingen allergier. Kan selv spise med ske og gaffel.",
    "Hvad kan barnet lide?": "Dyr, sange, at hjælpe med at dække bord og at tegne.",
    "Hvem, og hvad handler det om?": "Sundhedsplejersken fulgte familien det første år.",
}


def _in_app(live_server, fn):
    with live_server.app.app_context():
        result = fn()
        db.session.commit()
        return result


def _make_child(live_server) -> int:
    """A child in dagplejer@opspor.demo's home with a børnehave place from in 30 days."""

    def make():
        today = clock.today()
        dorthe = db.session.scalar(select(User).where(User.email == "dagplejer@opspor.demo"))
        boernehave = db.session.scalar(select(Unit).where(Unit.kind == UnitKind.BOERNEHAVE))
        start = today + timedelta(days=30)
        child = Child(
            first_name=CHILD[0], last_name=CHILD[1], birth_date=today - timedelta(days=1010)
        )
        child.guardians += [
            Guardian(name=MOTHER, relation="mor"),
            Guardian(name=FATHER, relation="far"),
        ]
        child.enrolments += [
            Enrolment(
                unit=dorthe.memberships[0].unit,
                dagplejer_id=dorthe.id,
                start_date=today - timedelta(days=500),
                end_date=start - timedelta(days=1),
            ),
            Enrolment(unit=boernehave, start_date=start),
        ]
        db.session.add(child)
        db.session.flush()
        return child.id

    return _in_app(live_server, make)


def _start_today(live_server, child_id: int) -> None:
    """The move happens: the børnehave enrolment starts today (the dagpleje ended yesterday)."""

    def move():
        today = clock.today()
        for e in db.session.scalars(select(Enrolment).where(Enrolment.child_id == child_id)):
            if e.unit.kind == UnitKind.BOERNEHAVE:
                e.start_date = today
            else:
                e.end_date = today - timedelta(days=1)

    _in_app(live_server, move)


def _unconsented_schema_id(live_server) -> int:
    """The demo's child who started in the børnehave without the parents' consent."""

    def find():
        schemas = db.session.scalars(select(TransitionSchema)).all()
        return next(s.id for s in schemas if s.status == "finished" and not s.consents)

    return _in_app(live_server, find)


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize("viewport", [TABLET], ids=["tablet"])
def test_schema_consent_handover_and_acknowledgement(page, browser, live_server, viewport):
    child_id = _make_child(live_server)
    name = " ".join(CHILD)

    # The child's page tells the dagplejer that a schema is due.
    login(page, "dagplejer@opspor.demo")
    page.goto(f"/boern/{child_id}")
    section = page.locator("section", has=page.get_by_role("heading", name="Overgang", exact=True))
    assert "Skal begynde i Børnehaven Mælkebøtten" in section.inner_text()
    assert_accessible(page)

    # The dagplejer's list: the demo child moving next month, and Ingrid.
    page.get_by_role("link", name="Overgangsskemaer", exact=True).click()
    page.get_by_role("heading", name="Overgangsskemaer", level=1).wait_for()
    assert page.get_by_text("til Børnehaven Mælkebøtten").count() >= 2
    row = page.locator(".tr-row", has_text=name)
    assert "Skal udfyldes" in row.inner_text()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # Filled in together with the parents; saved as a draft first.
    row.get_by_role("link", name=re.compile("Udfyld skema")).click()
    page.get_by_role("heading", name=f"Overgangsskema for {name}").wait_for()
    assert page.locator('form[data-offline-kind="transition"]').count() == 1
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Social trivsel").fill("Glad og tryg; søger de voksne, når noget er svært.")
    page.get_by_label("Det vil vi gerne fortælle om vores barn").fill(
        "Ingrid glæder sig til at gå i børnehave som sin fætter."
    )
    page.get_by_role("button", name="Gem kladde").click()
    page.get_by_text("Kladden er gemt").wait_for()
    assert page.get_by_text("Kladde", exact=True).first.is_visible()

    page.get_by_role("link", name="Fortsæt udfyldningen").click()
    for label, text in FILLED.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("Hvad er barnet god til?").fill("Nysgerrig og hjælpsom.")
    page.get_by_label("Sundhedsplejerske").check()
    page.get_by_role("button", name="Afslut skemaet").click()
    # Invalid: the same form again, the error next to the field, what was written kept.
    page.get_by_text("Skal udfyldes, før skemaet kan afsluttes.").first.wait_for()
    assert page.get_by_label("Hvad er barnet god til?").input_value() == "Nysgerrig og hjælpsom."
    assert_accessible(page)
    page.get_by_label("Hvad har vi aftalt?").fill("To besøg i børnehaven før start.")
    page.get_by_role("button", name="Afslut skemaet").click()
    page.get_by_text("Skemaet er afsluttet. Nu kan").wait_for()

    # The parents consent on the device: each types the name and ticks the box.
    for parent, done in ((MOTHER, "mangler samtykke"), (FATHER, "Skemaet er overdraget")):
        page.get_by_label("Forælder", exact=True).select_option(
            label=f"{parent} ({'mor' if parent == MOTHER else 'far'})"
        )
        page.get_by_label("Underskrevet her på enheden").check()
        page.get_by_label("Forælderens fulde navn (underskrift)").fill(parent)
        page.get_by_label("Jeg giver samtykke som beskrevet ovenfor").check()
        if parent == MOTHER:
            assert_accessible(page)
        page.get_by_role("button", name="Registrér samtykket").click()
        page.get_by_text(done).first.wait_for()
    assert page.locator(".tr-consent-state").inner_text().strip() == "Samtykket er givet."
    assert_accessible(page)

    # A handover meeting, prepared with the dialogmodel.
    page.get_by_text("Book et overleveringsmøde").click()
    meeting_on = clock.today() + timedelta(days=3)
    page.get_by_label("Mødedato").fill(meeting_on.isoformat())
    page.get_by_label("Formål med mødet").fill("Ingrid skal godt i gang.")
    page.get_by_label("Deltagere", exact=True).fill("Forældrene, Dorthe og en pædagog")
    assert_accessible(page)
    page.get_by_role("button", name="Book mødet").click()
    page.get_by_text("Overleveringsmødet er booket.").wait_for()

    # The parents' copy: what was shared with whom, on one or two A4 pages.
    page.get_by_role("link", name="Forældrenes kopi (udskriv)").click()
    page.get_by_text("Forældrenes kopi").first.wait_for()
    assert page.get_by_text("Delt med:").is_visible()
    assert_accessible(page)
    pages = _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True, print_background=True))
    assert 1 <= pages <= 2, pages

    # The børnehave before the start: only that the child is coming.
    # No service worker here: its offline prefetch of every child page a leader sees writes
    # the access log in parallel, which SQLite serialises (this test is not about offline).
    leader = browser.new_context(
        viewport=viewport, locale="da-DK", base_url=live_server.url, service_workers="block"
    )
    leader_page = leader.new_page()
    try:
        login(leader_page, "leder@opspor.demo")
        leader_page.goto("/overgange/modtagne")
        coming = leader_page.locator(
            "section", has=leader_page.get_by_role("heading", name="Børn på vej")
        )
        assert name in coming.inner_text()
        assert f"Overleveringsmøde {meeting_on:%d.%m.%Y}" in coming.inner_text()
        assert "Ingrid skal godt i gang." not in coming.inner_text()
        assert leader_page.get_by_role("link", name=name).count() == 0

        # The child starts today: the schema is there to read and acknowledge.
        _start_today(live_server, child_id)
        leader_page.reload()
        shared = leader_page.locator(
            "section", has=leader_page.get_by_role("heading", name="Skemaer til jer")
        )
        assert "Ikke læst endnu" in shared.locator(".tr-row", has_text=name).inner_text()
        assert_accessible(leader_page)
        shared.get_by_role("link", name=name).click()
        leader_page.get_by_text("Ingrid glæder sig til at gå i børnehave").wait_for()
        assert_accessible(leader_page)
        assert_no_horizontal_scroll(leader_page)
        leader_page.get_by_role("button", name="Vi har læst skemaet").click()
        leader_page.get_by_text("Det er registreret, at I har læst overgangsskemaet").wait_for()
        assert leader_page.locator(".tr-ack .tr-status").inner_text() == "Kvitteret"
        leader_page.goto(f"/boern/{child_id}")
        assert leader_page.get_by_role("link", name="Læs det modtagne overgangsskema").count() == 1

        # The dagplejer no longer has Ingrid, but sees that the schema was acknowledged.
        page.goto("/overgange")
        sent = page.locator(
            "section", has=page.get_by_role("heading", name="Børn der er startet i en ny enhed")
        )
        assert "Kvitteret af modtager" in sent.locator(".tr-row", has_text=name).inner_text()
        assert "Glad og tryg" not in page.content()
        assert_accessible(page)

        # A child without consent shares nothing: listed as started, no schema, 404 by URL.
        leader_page.goto("/overgange/modtagne")
        without = leader_page.locator(
            "section",
            has=leader_page.get_by_role("heading", name="Startet uden delt overgangsskema"),
        )
        assert "Intet overgangsskema delt" in without.inner_text()
        assert without.get_by_role("link").count() == 0
        response = leader_page.goto(f"/overgange/modtagne/{_unconsented_schema_id(live_server)}")
        assert response.status == 404
        assert leader_page.get_by_role("heading", name="Siden findes ikke").is_visible()
    finally:
        leader.close()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["390"])
def test_checkbox_labels_keep_whole_words_on_a_phone(page, live_server, viewport):
    """ "Andre fagpersoner": each choice on one line at 390 px, not broken letter by letter."""
    login(page, "dagplejer@opspor.demo")
    page.goto("/overgange")
    page.get_by_role("link", name=re.compile("Udfyld skema")).first.click()
    labels = page.get_by_role("group", name=re.compile("^Andre fagpersoner")).locator("label")
    labels.first.wait_for()
    assert labels.count() >= 5
    for label in labels.all():
        box = label.bounding_box()
        assert box["height"] <= 48 and box["width"] >= 100, (label.inner_text(), box)
    assert_no_horizontal_scroll(page)
