"""Screen texts for the offline scripts, translated on the server and handed over as JSON.

The page scripts hold no Danish of their own: they read this (a JSON data block, which the
strict CSP allows) and fill in {placeholders}.
"""

from __future__ import annotations

from app.i18n import gettext as _


def texts() -> dict[str, str]:
    return {
        "saved": _("Gemt på enheden — sendes når der er forbindelse"),
        "savedHeading": _("Gemt på enheden"),
        "savedBody": _(
            "Det sendes automatisk, når der er forbindelse. Du kan se, rette eller kassere det "
            "i udbakken, til afsendelsen er begyndt."
        ),
        "openOutbox": _("Åbn udbakken"),
        "toChild": _("Til barnets side"),
        "pending": _("Afventer afsendelse"),
        "sending": _("Sendes …"),
        "action": _("Kræver handling"),
        "frozen": _("Afsendelsen er begyndt"),
        "offlineCopy": _("Du er offline. Siden er gemt på enheden {when} ({age})."),
        "offlineNow": _(
            "Du er offline. Det du gemmer, bliver på enheden, til der er forbindelse igen."
        ),
        "authNeeded": _("Du er blevet logget ud. Log ind igen for at sende {n} fra enheden."),
        "logIn": _("Log ind igen"),
        "ready": _("Klar til offline: {n} børn, opdateret {when}"),
        "readyOne": _("Klar til offline: 1 barn, opdateret {when}"),
        "readyNone": _("Klar til offline, opdateret {when}: ingen børn planlagt de næste dage"),
        "notReady": _("Ikke gjort klar til offline endnu."),
        "preparing": _("Gør klar til offline …"),
        "prepareFailed": _("Kunne ikke gøre klar til offline. Prøv igen, når der er forbindelse."),
        "prepareOffline": _("Du er offline: enheden kan gøres klar, når der er forbindelse."),
        "prepare": _("Gør klar til offline"),
        "badgePending": _("{n} ikke sendt"),
        "badgeAction": _("{n} kræver handling"),
        "persistRefused": _(
            "Browseren har ikke lovet at gemme dine data på enheden. Den kan slette dem, hvis "
            "der mangler plads, og på iPhone og iPad, hvis appen ikke har været brugt i 7 dage. "
            "Send derfor altid udbakken, før du lukker for dagen."
        ),
        "persistGranted": _("Browseren gemmer dine offline-data, til de er sendt."),
        "discardQuestion": _(
            "Vil du kassere „{title}“ fra {when}? Det du skrev, slettes fra enheden og kan ikke "
            "hentes igen."
        ),
        "discard": _("Kassér"),
        "discardNamed": _("Kassér „{title}“"),
        "keep": _("Behold"),
        "open": _("Vis indhold"),
        "edit": _("Ret"),
        "discarded": _("„{title}“ er kasseret."),
        "editing": _("Du retter en registrering fra udbakken. Den er ikke sendt endnu."),
        "editingFrozen": _(
            "Afsendelsen af denne registrering er begyndt. Din rettelse gemmes som en ny "
            "version, der afløser den første."
        ),
        "editSaved": _("Rettelsen er gemt på enheden og sendes, når der er forbindelse."),
        "draftRestored": _("Udkast gendannet fra {when}."),
        "discardDraft": _("Kassér udkastet"),
        "draftDiscarded": _("Udkastet er kasseret."),
        "logoutWarning": _(
            "Du har {n} på enheden, som ikke er sendt. De bliver gemt på enheden, til du logger "
            "ind igen, og sendes derefter. Andre, der logger ind på enheden, kan ikke se dem."
        ),
        "logoutAnyway": _("Log ud alligevel"),
        "stay": _("Bliv logget ind"),
        "items": _("{n} registreringer"),
        "item": _("1 registrering"),
        "createdAt": _("gemt {when}"),
        "receivedAt": _("modtaget af serveren {when}"),
        "attempts": _("{n} forsøg på at sende"),
        "nothingPending": _("Der er ikke noget, der venter på at blive sendt."),
        "nothingAction": _("Intet kræver handling."),
        "nothingSent": _("Intet sendt de seneste dage."),
        "sendNow": _("Send nu"),
        "sentResult": _("Sendt: {n}. Tilbage på enheden: {left}."),
        "cannotSend": _("Ingen forbindelse til serveren. Det sendes automatisk senere."),
        "reason_invalid": _("Serveren kunne ikke godkende registreringen."),
        "reason_forbidden": _("Du har ikke adgang til barnet."),
        "reason_error": _("Serveren kunne gentagne gange ikke gemme registreringen."),
        "status_accepted": _("Modtaget"),
        "status_duplicate": _("Modtaget (var allerede modtaget)"),
        "status_conflict": _("Konflikt: begge versioner er gemt på serveren"),
        "today": _("kl. {time}"),
        "yesterday": _("i går kl. {time}"),
        "onDate": _("{date} kl. {time}"),
        "justNow": _("for lidt siden"),
        "minutesAgo": _("for {n} min. siden"),
        "hoursAgo": _("for {n} timer siden"),
        "daysAgo": _("for {n} dage siden"),
        "childPage": _("barnets side"),
        "formPage": _("formular"),
        "unsent": _("ikke sendt"),
        "needsAction": _("kræver handling"),
        "reason_too_large": _("Registreringen er for stor til at blive sendt."),
    }


def kind_label(kind: str) -> str:
    labels = {
        "visit": _("Sundhedsplejebesøg"),
        "assessment": _("Trivselsvurdering"),
        "transition": _("Overgangsskema"),
    }
    return labels.get(kind, kind)


def resolution_label(resolution: str | None) -> str:
    labels = {
        "server": _("serverens version beholdt"),
        "offline": _("offline-versionen brugt"),
        "merged": _("versionerne flettet"),
    }
    return labels.get(resolution or "", resolution or "")
