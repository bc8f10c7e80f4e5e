"""Offline open after a cold browser start: the app shell and a prepared visit page.

A health visitor's phone prepares itself for the field, the browser is closed, and it is opened
again in flight mode. Measured in Chromium as the navigation's loadEventEnd (navigation start to
load), each page after its own cold start of the browser, over a persistent profile so the
service worker and its caches survive the restart as they do on a phone.
"""

from __future__ import annotations

import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
GOAL_MS = 300
VISIT_FORM = re.compile(r"/boern/\d+/besoeg/ny")

_KEPT_PAGES = """async () => {
    const out = [];
    for (const name of await caches.keys()) {
        if (!name.startsWith('opspor-pages-')) continue;
        for (const request of await (await caches.open(name)).keys()) out.push(request.url);
    }
    return out;
}"""
_LOAD_MS = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return nav && nav.loadEventEnd > 0 ? nav.loadEventEnd - nav.startTime : null;
}"""


def _poll(page, script: str, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(200)


def _launch(playwright, profile: Path, base: str):
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        base_url=base,
        viewport=PHONE,
        locale="da-DK",
    )


def _prepare(playwright, profile: Path, base: str, email: str, password: str) -> str:
    """Log in, let the worker take over, press "Gør klar til offline"; a kept visit form URL."""
    context = _launch(playwright, profile, base)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Adgangskode").fill(password)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url(lambda url: "/login" not in url)
        if not _poll(page, "navigator.serviceWorker.controller !== null", 90):
            raise RuntimeError("no service worker took control of the page")
        page.goto("/udbakke")
        page.get_by_role("button", name="Gør klar til offline").click()
        if not _poll(
            page,
            "(document.querySelector('[data-readiness-text]')||{}).textContent"
            "?.startsWith('Klar til')",
            240,
        ):
            raise RuntimeError("the device did not report 'Klar til offline'")
        forms = [u for u in page.evaluate(_KEPT_PAGES) if VISIT_FORM.search(u)]
        if not forms:
            raise RuntimeError("preparation kept no visit form (no planned visits?)")
        return forms[0].removeprefix(base)
    finally:
        context.close()


def _cold_open(playwright, profile: Path, base: str, path: str) -> float | None:
    """Start the browser, cut the network, open `path`: milliseconds to load."""
    context = _launch(playwright, profile, base)
    try:
        context.set_offline(True)
        page = context.pages[0] if context.pages else context.new_page()
        response = page.goto(path, wait_until="load")
        if response is None or not response.ok or not response.from_service_worker:
            raise RuntimeError(f"{path} did not open from the device's offline copy")
        return page.evaluate(_LOAD_MS)
    finally:
        context.close()


def measure(base: str, email: str, password: str, repeats: int = 5) -> dict:
    """Median and worst load time of the app shell ("/") and a prepared visit form, offline."""
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="opspor-bench-profile-"))
    try:
        with sync_playwright() as playwright:
            visit = _prepare(playwright, profile, base, email, password)
            pages = {"app shell (/)": "/", f"visit form ({visit})": visit}
            out = {}
            for label, path in pages.items():
                times = [_cold_open(playwright, profile, base, path) for _ in range(repeats)]
                times = [t for t in times if t is not None]
                out[label] = {
                    "median_ms": round(statistics.median(times)) if times else None,
                    "max_ms": round(max(times)) if times else None,
                    "runs": len(times),
                }
            return {"pages": out, "goal_ms": GOAL_MS}
    finally:
        shutil.rmtree(profile, ignore_errors=True)
