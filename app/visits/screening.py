"""EPDS and ADBB: items, answer options and scoring. Pure functions.

EPDS (Edinburgh Postnatal Depression Scale, Cox, Holden & Sagovsky 1987): 10 items about the
last 7 days, each with four options printed in a fixed order. Items 1, 2 and 4 are printed from
least to most severe; items 3 and 5–10 the other way round. An answer is stored as its printed
*position* (0–3) and scored through the option's own score, never the position itself.
The item texts below are short Danish paraphrases of the standard structure, not the
validated Danish translation: a municipality that licenses that text shows it on paper.

ADBB (Alarm Distress Baby Scale, Guedeney): 8 items, each 0–4, for children of 2–24 months.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.visits.valuesets import N_

PARENTS = ("mor", "far")
PARENT_LABELS = {"mor": N_("Mor"), "far": N_("Far")}


@dataclass(frozen=True)
class EpdsItem:
    number: int
    text: str
    options: tuple[tuple[str, int], ...]  # (label, score) in printed order

    @property
    def reverse(self) -> bool:
        return self.options[0][1] == 3


EPDS_INTRO = N_(
    "Vælg det svar, der bedst beskriver, hvordan du har haft det i de sidste 7 dage, "
    "ikke kun i dag."
)
EPDS_ITEMS: tuple[EpdsItem, ...] = (
    EpdsItem(
        1,
        N_("Jeg har kunnet grine og se det morsomme i tingene"),
        (
            (N_("Lige så meget som jeg altid har kunnet"), 0),
            (N_("Ikke helt så meget nu"), 1),
            (N_("Tydeligt mindre nu"), 2),
            (N_("Slet ikke"), 3),
        ),
    ),
    EpdsItem(
        2,
        N_("Jeg har set frem til ting med glæde"),
        (
            (N_("Lige så meget som før"), 0),
            (N_("Noget mindre end før"), 1),
            (N_("Tydeligt mindre end før"), 2),
            (N_("Næsten ikke"), 3),
        ),
    ),
    EpdsItem(
        3,
        N_("Jeg har unødigt bebrejdet mig selv, når noget gik galt"),
        (
            (N_("Ja, det meste af tiden"), 3),
            (N_("Ja, nogle gange"), 2),
            (N_("Ikke ret tit"), 1),
            (N_("Nej, aldrig"), 0),
        ),
    ),
    EpdsItem(
        4,
        N_("Jeg har været urolig eller bekymret uden egentlig grund"),
        (
            (N_("Nej, slet ikke"), 0),
            (N_("Næsten aldrig"), 1),
            (N_("Ja, nogle gange"), 2),
            (N_("Ja, meget tit"), 3),
        ),
    ),
    EpdsItem(
        5,
        N_("Jeg har følt mig bange eller panisk uden egentlig grund"),
        (
            (N_("Ja, ret meget"), 3),
            (N_("Ja, nogle gange"), 2),
            (N_("Nej, ikke meget"), 1),
            (N_("Nej, slet ikke"), 0),
        ),
    ),
    EpdsItem(
        6,
        N_("Tingene er vokset mig over hovedet"),
        (
            (N_("Ja, for det meste har jeg slet ikke kunnet klare det"), 3),
            (N_("Ja, nogle gange har jeg ikke klaret det så godt som ellers"), 2),
            (N_("Nej, for det meste har jeg klaret det ret godt"), 1),
            (N_("Nej, jeg har klaret det lige så godt som altid"), 0),
        ),
    ),
    EpdsItem(
        7,
        N_("Jeg har været så ulykkelig, at jeg har haft svært ved at sove"),
        (
            (N_("Ja, det meste af tiden"), 3),
            (N_("Ja, nogle gange"), 2),
            (N_("Ikke ret tit"), 1),
            (N_("Nej, slet ikke"), 0),
        ),
    ),
    EpdsItem(
        8,
        N_("Jeg har følt mig trist eller elendig"),
        (
            (N_("Ja, det meste af tiden"), 3),
            (N_("Ja, ret tit"), 2),
            (N_("Ikke ret tit"), 1),
            (N_("Nej, slet ikke"), 0),
        ),
    ),
    EpdsItem(
        9,
        N_("Jeg har været så ulykkelig, at jeg har grædt"),
        (
            (N_("Ja, det meste af tiden"), 3),
            (N_("Ja, ret tit"), 2),
            (N_("Kun en gang imellem"), 1),
            (N_("Nej, aldrig"), 0),
        ),
    ),
    EpdsItem(
        10,
        N_("Tanken om at gøre skade på mig selv har strejfet mig"),
        (
            (N_("Ja, ret tit"), 3),
            (N_("Nogle gange"), 2),
            (N_("Næsten aldrig"), 1),
            (N_("Aldrig"), 0),
        ),
    ),
)
SELF_HARM_ITEM = 10
# The printed position of "Aldrig" (never) on item 10: the one answer that needs no action today.
SELF_HARM_NEVER_POSITION = next(
    pos for pos, (_text, score) in enumerate(EPDS_ITEMS[SELF_HARM_ITEM - 1].options) if score == 0
)


# The act-today texts per answering parent ("mor", "far", "mor_far"): the pronoun follows the
# parent (hende, ham, dem), so each is a whole sentence to translate. ALERT is the form's live
# prompt, SAVED the saved visit's.
SELF_HARM_ALERT = {
    "mor": N_(
        "Handl i dag: Mor har svaret, at tanken om at gøre skade på sig selv har strejfet hende "
        "(EPDS spørgsmål 10). Tal med forælderen om tankerne nu, vurder risikoen, og sørg for "
        "kontakt til egen læge eller akutpsykiatrien i dag. Gælder uanset den samlede score."
    ),
    "far": N_(
        "Handl i dag: Far har svaret, at tanken om at gøre skade på sig selv har strejfet ham "
        "(EPDS spørgsmål 10). Tal med forælderen om tankerne nu, vurder risikoen, og sørg for "
        "kontakt til egen læge eller akutpsykiatrien i dag. Gælder uanset den samlede score."
    ),
    "mor_far": N_(
        "Handl i dag: Mor og far har svaret, at tanken om at gøre skade på sig selv har strejfet "
        "dem (EPDS spørgsmål 10). Tal med forældrene om tankerne nu, vurder risikoen, og sørg for "
        "kontakt til egen læge eller akutpsykiatrien i dag. Gælder uanset den samlede score."
    ),
}
SELF_HARM_SAVED = {
    "mor": N_(
        "EPDS spørgsmål 10: Mor har svaret, at tanken om at gøre skade på sig selv har strejfet "
        "hende. Tal med forælderen om tankerne, vurder risikoen, og sørg for kontakt til egen "
        "læge eller akutpsykiatrien i dag. Det gælder uanset den samlede score."
    ),
    "far": N_(
        "EPDS spørgsmål 10: Far har svaret, at tanken om at gøre skade på sig selv har strejfet "
        "ham. Tal med forælderen om tankerne, vurder risikoen, og sørg for kontakt til egen "
        "læge eller akutpsykiatrien i dag. Det gælder uanset den samlede score."
    ),
    "mor_far": N_(
        "EPDS spørgsmål 10: Mor og far har svaret, at tanken om at gøre skade på sig selv har "
        "strejfet dem. Tal med forældrene om tankerne, vurder risikoen, og sørg for kontakt til "
        "egen læge eller akutpsykiatrien i dag. Det gælder uanset den samlede score."
    ),
}


def self_harm_key(parents) -> str:
    """The key of SELF_HARM_ALERT/SAVED for the parents who answered (any order)."""
    return "_".join(p for p in PARENTS if p in parents)


@dataclass(frozen=True)
class EpdsResult:
    parent: str
    scores: tuple[int, ...]
    total: int
    cutoff: int
    self_harm: bool  # item 10 answered other than "never": act today, whatever the total

    @property
    def above_cutoff(self) -> bool:
        return self.total >= self.cutoff


def epds_item_score(item_number: int, position: int) -> int:
    """The score of the answer printed at `position` (0–3) of item `item_number` (1–10)."""
    item = EPDS_ITEMS[item_number - 1]
    if not 0 <= position < len(item.options):
        raise ValueError(f"EPDS item {item_number}: no option at position {position}")
    return item.options[position][1]


def epds_self_harm(position: int | None) -> bool:
    """Item 10: any answer but "Aldrig" (never) needs action the same day."""
    if position is None:
        return False
    return epds_item_score(SELF_HARM_ITEM, position) > 0


def score_epds(parent: str, positions: list[int] | tuple[int, ...], cutoff: int) -> EpdsResult:
    """Score a complete EPDS (10 printed positions) for `parent` ("mor" or "far")."""
    if parent not in PARENTS:
        raise ValueError(f"unknown parent {parent!r}")
    if len(positions) != len(EPDS_ITEMS):
        raise ValueError("EPDS needs all 10 answers")
    scores = tuple(epds_item_score(n, p) for n, p in enumerate(positions, start=1))
    return EpdsResult(
        parent=parent,
        scores=scores,
        total=sum(scores),
        cutoff=cutoff,
        self_harm=epds_self_harm(positions[SELF_HARM_ITEM - 1]),
    )


def epds_cutoff(parent: str, settings: dict) -> int:
    """Danish cut-offs: 11 or more for mothers, 10 or more for fathers (configurable)."""
    key = "epds_cutoff_mother" if parent == "mor" else "epds_cutoff_father"
    return int(settings[key])


# ADBB
ADBB_ITEMS: tuple[tuple[str, str], ...] = (
    ("ansigtsudtryk", N_("Ansigtsudtryk")),
    ("oejenkontakt", N_("Øjenkontakt")),
    ("aktivitetsniveau", N_("Generelt aktivitetsniveau")),
    ("selvstimulering", N_("Selvstimulerende adfærd")),
    ("vokalisering", N_("Vokalisering")),
    ("reaktion", N_("Reaktion på stimulation")),
    ("relation", N_("Relation")),
    ("opmaerksomhed", N_("Evne til at tiltrække og fastholde opmærksomhed")),
)
ADBB_LEVELS: tuple[str, ...] = (
    N_("0 – ingen usædvanlig adfærd"),
    N_("1 – lidt usædvanlig, usikker"),
    N_("2 – tydeligt usædvanlig"),
    N_("3 – markant usædvanlig"),
    N_("4 – massivt usædvanlig"),
)
ADBB_MIN_MONTHS, ADBB_MAX_MONTHS = 2, 24


@dataclass(frozen=True)
class AdbbResult:
    scores: tuple[int, ...]
    total: int
    cutoff: int

    @property
    def above_cutoff(self) -> bool:
        """At or above the cut-off: repeat the observation within 1–2 weeks."""
        return self.total >= self.cutoff


def score_adbb(scores: list[int] | tuple[int, ...], cutoff: int = 5) -> AdbbResult:
    if len(scores) != len(ADBB_ITEMS):
        raise ValueError("ADBB needs all 8 items")
    if any(not 0 <= s <= 4 for s in scores):
        raise ValueError("ADBB items are scored 0–4")
    return AdbbResult(scores=tuple(scores), total=sum(scores), cutoff=cutoff)


def adbb_age_ok(age_months: int) -> bool:
    return ADBB_MIN_MONTHS <= age_months <= ADBB_MAX_MONTHS


def may_use_adbb(qualifications: dict | None) -> bool:
    """Only staff certified in ADBB use it."""
    return bool((qualifications or {}).get("adbb"))
