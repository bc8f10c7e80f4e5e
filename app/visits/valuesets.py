"""Value sets of the visit record, following KL's national standard for children's health.

Codes are what we store; labels are Danish msgids (marked with N_ for extraction, translated
where they are shown). Indicator levels are stored as "0", "1", "2" (normal first), which maps
one-to-one onto the KL codes listed in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:  # noqa: N802 (gettext marker: extracted, translated when shown)
    return text


# KL "SundhedsplejeKontaktTyper" (småbørn).
VISIT_TYPES: dict[str, str] = {
    "graviditet": N_("Graviditetsbesøg"),
    "barsel": N_("Barselsbesøg"),
    "etablering": N_("Etableringsbesøg"),
    "foerste_maaned": N_("Andet besøg i barnets første levemåned"),
    "maaned2": N_("Besøg ved det ca. 2 måneder gamle barn"),
    "maaned4_6": N_("Besøg ved det 4-6 måneder gamle barn"),
    "maaned8_11": N_("Besøg ved det 8-11 måneder gamle barn"),
    "smaaboern": N_("Almindelig forebyggende småbørnskontakt"),
    "behov": N_("Behovskontakt"),
}
# The visit at about 2 months must have weight and length (national reporting).
TWO_MONTH_VISIT = "maaned2"

CONTACT_FORMS: dict[str, str] = {
    "hjemmebesoeg": N_("Hjemmebesøg"),
    "klinik": N_("I klinik"),
    "video": N_("Video"),
    "telefon": N_("Telefon"),
}
# Where the child is physically present, so measurements are expected (value or reason).
MEASURING_CONTACT_FORMS = frozenset({"hjemmebesoeg", "klinik"})

PRESENT: dict[str, str] = {
    "mor": N_("Mor"),
    "far": N_("Far"),
    "medmor": N_("Medmor"),
    "soeskende": N_("Søskende"),
    "tolk": N_("Tolk"),
    "andre": N_("Andre"),
}

MISSING_REASONS: dict[str, str] = {
    "ikke_maalt": N_("Ikke målt"),
    "afvist": N_("Forældrene ønskede det ikke"),
    "ikke_muligt": N_("Ikke muligt (fx uro eller sygdom)"),
}

LENGTH_POSITIONS: dict[str, str] = {
    "liggende": N_("Liggende"),
    "staaende": N_("Stående"),
}

# KL feeding value set (ernæringsstatus).
FEEDING: dict[str, str] = {
    "fuldamning": N_("Fuldamning (inkl. modermælk på flaske)"),
    "ammes_primaert": N_("Ammes primært"),
    "ammes_supplement": N_("Ammes som supplement til anden kost"),
    "erstatning": N_("Modermælkserstatning og/eller overgangskost"),
    "familiens_mad": N_("Udelukkende familiens mad"),
}
FEEDING_HELP = N_("Fuldamning tillader højst ét måltid modermælkserstatning om ugen.")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    levels: tuple[str, ...]  # index = stored level; 0 is the expected state
    help: str = ""


# KL indicator observations for småbørn (FBOE), normal level first.
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "social_kontakt",
        N_("Social kontakt"),
        (
            N_("Alderssvarende social kontakt"),
            N_("Få tegn på udfordringer i social kontakt"),
            N_("Udfordringer i social kontakt"),
        ),
    ),
    Indicator(
        "foraelder_barn",
        N_("Forælder-barn-relation"),
        (
            N_("Velfungerende forældre-barn-relation"),
            N_("Let påvirket forældre-barn-relation"),
            N_("Udfordringer i forældre-barn-relation"),
        ),
    ),
    Indicator(
        "psykisk_tilstand",
        N_("Forælders psykiske tilstand"),
        (
            N_("Forventelig psykisk reaktion"),
            N_("Let psykisk reaktion"),
            N_("Psykisk reaktion"),
        ),
    ),
    Indicator(
        "saarbarhed",
        N_("Forælders sårbarhed"),
        (N_("Ingen sårbarhed"), N_("Potentiel sårbarhed"), N_("Sårbarhed")),
    ),
    Indicator("netvaerk", N_("Netværk"), (N_("Godt netværk"), N_("Sparsomt netværk"))),
    Indicator(
        "kommunikation",
        N_("Kommunikation"),
        (
            N_("Kommunikerer alderssvarende"),
            N_("Få tegn på udfordret kommunikation"),
            N_("Udfordring med kommunikation"),
        ),
    ),
    Indicator(
        "soevn",
        N_("Søvn"),
        (
            N_("Søvn med normale variationer"),
            N_("Let forstyrret søvn"),
            N_("Udfordring med søvn"),
        ),
    ),
    Indicator(
        "motorik",
        N_("Motorik"),
        (
            N_("Alderssvarende motorik"),
            N_("Få tegn på udfordret motorik"),
            N_("Udfordringer med motorik"),
        ),
    ),
    Indicator(
        "passiv_rygning",
        N_("Passiv rygning"),
        (N_("Ikke udsat for tobaksrøg"), N_("Udsat for tobaksrøg")),
        help=N_("Udsat: nogen i husstanden ryger indendørs mindst en gang om ugen."),
    ),
)
INDICATORS_BY_CODE = {i.code: i for i in INDICATORS}

PLANNED_SOURCES: dict[str, str] = {
    "program": N_("Programbesøg"),
    "behov": N_("Behovsbesøg"),
    "opfoelgning": N_("Opfølgning på screening"),
}
PLANNED_STATUSES: dict[str, str] = {
    "planlagt": N_("Planlagt"),
    "gennemfoert": N_("Gennemført"),
    "ikke_gennemfoert": N_("Ikke gennemført"),
}
NOT_DONE_REASONS: dict[str, str] = {
    "afbud": N_("Familien meldte afbud"),
    "ikke_hjemme": N_("Familien var ikke hjemme"),
    "fravalgt": N_("Familien har fravalgt besøget"),
    "flyttet": N_("Familien er flyttet"),
    "andet": N_("Andet"),
}

SEXES: dict[str, str] = {"pige": N_("Pige"), "dreng": N_("Dreng")}
