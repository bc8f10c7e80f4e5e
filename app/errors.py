"""Danish error pages that answer HTML, HTMX and JSON requests each in their own way."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.i18n import gettext as _
from app.security import wants_json

# When even the error page cannot be rendered (the database is gone, a template is broken).
FALLBACK_500 = (
    '<!doctype html><html lang="da"><meta charset="utf-8"><title>Der opstod en fejl</title>'
    "<h1>Der opstod en fejl</h1><p>Der opstod en fejl hos os. Det du skrev er ikke gemt: "
    "prøv igen om lidt.</p></html>"
)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Forkert forespørgsel"), _("Forespørgslen kunne ikke forstås. Prøv igen.")),
        403: (_("Ingen adgang"), _("Du har ikke adgang til denne side.")),
        404: (
            _("Siden findes ikke"),
            _("Siden findes ikke, eller du har ikke adgang til den."),
        ),
        405: (_("Ikke tilladt"), _("Handlingen er ikke tilladt her.")),
        413: (_("For stor"), _("Det sendte er for stort.")),
        429: (
            _("For mange forsøg"),
            _("Der har været for mange forsøg. Vent lidt, og prøv igen."),
        ),
        500: (
            _("Der opstod en fejl"),
            _("Der opstod en fejl hos os. Det du skrev er ikke gemt: prøv igen om lidt."),
        ),
    }


def _same_site_referrer() -> str | None:
    """The page the user came from, if it is on this site (to offer "reload the page")."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or "\\" in referrer:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def render_error(code: int, *, title=None, message=None, error: str | None = None, back=None):
    """HTML page, HTMX fragment (into #messages) or JSON, each in Danish."""
    default_title, default_message = _messages().get(code, (_("Fejl"), _("Der opstod en fejl.")))
    title, message = title or default_title, message or default_message
    if wants_json():
        return jsonify(error=error or code, message=message), code
    if request.htmx and not request.htmx.boosted:
        # A targeted HTMX request: the message goes into the page's status region.
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render_template("errors/_message.html", message=message), code, headers
    page = render_template("errors/error.html", code=code, title=title, message=message, back=back)
    return page, code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        # The token is tied to the session: most often the session ran out (idle timeout) or
        # the page was open in another tab when the user logged out.
        return render_error(
            400,
            title=_("Siden er udløbet"),
            message=_(
                "Din session er udløbet, eller siden er for gammel. Genindlæs siden, og prøv "
                "igen. Det du skrev, er ikke gemt."
            ),
            error="csrf",
            back=_same_site_referrer(),
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        app.logger.exception("Unhandled error")
        from app.extensions import db

        db.session.rollback()  # the page below may need the database (the user, the menu)
        try:
            return render_error(500)
        except Exception:  # noqa: BLE001 (the error page itself failed: answer plainly)
            app.logger.exception("Error page failed")
            if wants_json():
                return {"error": 500, "message": "Der opstod en fejl."}, 500
            return FALLBACK_500, 500, {"Content-Type": "text/html; charset=utf-8"}
