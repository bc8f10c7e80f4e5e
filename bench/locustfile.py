"""Locust users for `make bench`: staff who log in and do their role's round of pages.

Reads the context JSON written by bench/run.py (BENCH_CONTEXT): users, URL templates, child ids.
Each locust user takes the roles in turn (logging in anew as the next role every
BENCH_ROUNDS_PER_LOGIN rounds of the role's pages), waits BENCH_THINK seconds on
average between requests (0 = back to back) and stops after BENCH_CYCLES cycles; --run-time
bounds the run as well. Requests are named by page key, so the stats are per page.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import gevent
from locust import HttpUser, constant, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from formfill import csrf_token, fill, find_form  # noqa: E402

CONTEXT = json.loads(Path(os.environ["BENCH_CONTEXT"]).read_text())
THINK = float(os.environ.get("BENCH_THINK", "0"))
MAX_CYCLES = int(os.environ.get("BENCH_CYCLES", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS_PER_LOGIN", "5"))
URLS: dict[str, str | None] = CONTEXT["urls"]
ROLE_ORDER = [r for r in CONTEXT["cycles"] if r in CONTEXT["users"]]
_numbers = itertools.count()
_running = {"users": 0}


class Staff(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.number = next(_numbers)
        self.rng = random.Random(self.number)
        self.cycles = 0
        self.token = None
        _running["users"] += 1

    def think(self):
        if THINK:
            gevent.sleep(self.rng.uniform(0.5 * THINK, 1.5 * THINK))

    @task
    def cycle(self):
        """One round of the current role's pages; a new login (and role) every ROUNDS rounds."""
        role = ROLE_ORDER[(self.number + self.cycles // ROUNDS) % len(ROLE_ORDER)]
        steps = CONTEXT["cycles"][role]
        if self.cycles % ROUNDS:
            steps = [s for s in steps if s != "login"]
        for step in steps:
            key = f"home:{role}" if step == "home" else step
            if URLS.get(key) is None and step != "login":
                continue
            getattr(self, f"do_{CONTEXT['kinds'][key]}")(key, role)
            self.think()
        self.cycles += 1
        if self.cycles >= MAX_CYCLES:
            _running["users"] -= 1
            if _running["users"] <= 0:
                gevent.spawn_later(0.5, self.environment.runner.quit)
            raise StopUser()

    # -- steps ---------------------------------------------------------------------------------

    def _url(self, key: str, role: str) -> str:
        ids = CONTEXT["ids"][role]
        return URLS[key].format(
            child_id=self.rng.choice(ids["child_ids"]) if ids["child_ids"] else 0,
            unit_id=CONTEXT["unit_id"],
        )

    def do_login(self, key: str, role: str):
        self.client.cookies.clear()
        page = self.client.get(URLS["login_page"], name="login_page")
        token = csrf_token(page.text)
        data = {
            "csrf_token": token or "",
            "email": CONTEXT["users"][role],
            "password": CONTEXT["password"],
            "next": "",
        }
        with self.client.post(
            URLS["login_page"], data=data, name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 303:
                response.failure(f"login answered {response.status_code}")

    def do_page(self, key: str, role: str):
        page = CONTEXT["pages"][key]
        search = CONTEXT["ids"][role]["search"]
        params = {k: v.format(search=search) for k, v in page["query"].items()}
        headers = {"HX-Request": "true"} if page["htmx"] else {}
        with self.client.get(
            self._url(key, role), params=params, headers=headers, name=key, catch_response=True
        ) as response:
            if "/login" in response.url and key != "login_page":
                response.failure("not logged in (redirected to the login page)")
            self.token = csrf_token(response.text) or self.token

    def do_form(self, key: str, role: str):
        url = self._url(key, role)
        page = self.client.get(url, name=f"{key} (form)")
        form = find_form(page.text) if page.ok else None
        if form is None:
            return
        data = fill(form, date.today(), CONTEXT["pages"][key]["overrides"])
        action = form["attrs"].get("action") or url
        headers = {"X-CSRFToken": csrf_token(page.text) or ""}
        with self.client.post(
            action,
            data=data,
            headers=headers,
            name=key,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code >= 400:
                response.failure(f"{key} answered {response.status_code}")

    def _sync_template(self, role: str) -> dict | None:
        """A filled-in offline form (visit, else assessment) as a sync payload."""
        for key in ("visit_submit", "assessment_submit"):
            if URLS.get(key) is None:
                continue
            page = self.client.get(self._url(key, role), name=f"{key} (form)")
            form = find_form(page.text) if page.ok else None
            if form is None or "data-offline-kind" not in form["attrs"]:
                continue
            self.token = csrf_token(page.text) or self.token
            payload = dict(fill(form, date.today(), CONTEXT["pages"][key]["overrides"]))
            return {"kind": form["attrs"]["data-offline-kind"], "payload": payload}
        return None

    def do_sync(self, key: str, role: str):
        """A batch of 50 offline records (the role's form, each with new uuids), as the outbox
        sends them to the sync endpoint."""
        if not hasattr(self, "template"):
            self.template = self._sync_template(role)
        if self.template is None:
            return
        if not self.token:
            self.token = csrf_token(self.client.get("/", name=f"home:{role}").text)
        ids = CONTEXT["ids"][role]["child_ids"]
        items = [self.item(self.template, self.rng.choice(ids)) for _ in range(50)]
        with self.client.post(
            URLS[key],
            json={"items": items},
            headers={"X-CSRFToken": self.token or ""},
            name=key,
            catch_response=True,
        ) as response:
            if response.status_code >= 400:
                response.failure(f"sync answered {response.status_code}")
                return
            statuses = {r.get("status") for r in response.json().get("results", [])}
            if statuses - {"accepted", "duplicate"}:
                response.failure(f"sync item statuses: {sorted(statuses)}")

    def item(self, template: dict, child_id: int) -> dict:
        payload = dict(template["payload"])
        payload["uuid"] = str(uuid.uuid4())
        payload["child_id"] = str(child_id)
        return {
            "id": str(uuid.uuid4()),
            "kind": template["kind"],
            "payload": payload,
            "created_at": datetime.now(UTC).isoformat(),
        }
