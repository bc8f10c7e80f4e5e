"""`fresh_g`: each test request starts with an empty `flask.g`, as in production.

The `app` fixture keeps one app context open for the whole test, and a test request reuses it,
so `g` (where Flask-Login caches the current user and Flask-Babel the locale) would otherwise
survive from one request to the next: a test that logs out, switches user or switches language
would see the previous request's user or language. Use it in a module with

    from tests.web.isolation import fresh_g  # noqa: F401 (fixture)
    pytestmark = pytest.mark.usefixtures("fresh_g")
"""

from __future__ import annotations

import pytest
from flask import g


@pytest.fixture
def fresh_g(app):
    @app.teardown_request
    def _clear_g(exc):
        for name in list(vars(g)):
            delattr(g, name)

    yield
