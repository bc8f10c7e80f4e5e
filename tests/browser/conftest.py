"""Real headless Chromium (Debian's package) against the real server on a free loopback port.

See ../shared/browser-testing.md: no browser download, background networking off.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from flask import Response
from werkzeug.serving import make_server

from app import clock, create_app
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 820, "height": 1180}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo municipality (a smaller one: 80 children), served for real."""
    from app.config import Config

    path = tmp_path_factory.mktemp("live") / "live.db"
    config = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        DEMO_MODE=True,
        SECRET_KEY="browser-tests",
        RATELIMIT_STORAGE_URI="memory://",
        TESTING=False,
    )
    app = create_app(config)
    # axe-core (from npm) served by the server itself: a service worker's fetches do not pass
    # through Playwright's routes, so a routed script would not load once a worker controls.
    app.add_url_rule(
        "/__axe.js", "test_axe", lambda: Response(AXE.read_bytes(), mimetype="text/javascript")
    )
    with app.app_context():
        from app.demo.seed import seed_demo

        db.create_all()
        seed_demo(clock.today(), n_children=80)
        db.session.commit()
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium not installed: run `make system-deps` (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[PHONE, TABLET], ids=["phone", "tablet"])
def viewport(request):
    return request.param


@pytest.fixture
def context(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(20_000)  # a loaded 2-core machine; waits end as soon as met
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security" in msg.text
            else None
        ),
    )
    yield page
    assert not errors, f"JavaScript or CSP errors in the page: {errors}"


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real form."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/login" not in url)


def axe_violations(page) -> list[dict]:
    """Run axe-core (from npm) for WCAG 2.1 A/AA; served same-origin so the CSP allows it."""
    page.add_script_tag(url="/__axe.js")
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"""
    )
    return result


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    summary = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    assert not violations, json.dumps(summary, indent=1, ensure_ascii=False)


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls horizontally by {overflow}px"
