"""Danish error pages that answer HTML, HTMX and JSON requests each in their own way."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.security import wants_json


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


def render_error(code: int):
    title, message = _messages().get(code, (_("Fejl"), _("Der opstod en fejl.")))
    if wants_json():
        return jsonify(error=code, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        app.logger.exception("Unhandled error")
        return render_error(500)
