"""Replay of a device outbox: 500 queued records sent to the sync endpoint, timed.

The outbox sends its items in creation order in batches, after fetching a fresh CSRF token; this
does the same over HTTP from a second process (no browser), and checks every item was taken.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime

import requests

from bench.formfill import csrf_token, fill, find_form


def template(session: requests.Session, base: str, form_url: str, overrides: dict) -> dict | None:
    """A filled-in offline form as a sync payload: {"kind", "payload"}."""
    page = session.get(base + form_url, timeout=30)
    form = find_form(page.text) if page.ok else None
    if form is None or "data-offline-kind" not in form["attrs"]:
        return None
    return {
        "kind": form["attrs"]["data-offline-kind"],
        "payload": dict(fill(form, date.today(), overrides)),
    }


def items(tpl: dict, child_ids: list[int], n: int) -> list[dict]:
    out = []
    for i in range(n):
        payload = {**tpl["payload"], "uuid": str(uuid.uuid4())}
        payload["child_id"] = str(child_ids[i % len(child_ids)])
        out.append(
            {
                "id": str(uuid.uuid4()),
                "kind": tpl["kind"],
                "payload": payload,
                "created_at": datetime.now(UTC).isoformat(),
            }
        )
    return out


def replay(
    session: requests.Session,
    base: str,
    sync_url: str,
    queued: list[dict],
    batch: int = 50,
) -> dict:
    """Send `queued` in batches; seconds from the token fetch to the last answer, statuses."""
    started = time.perf_counter()
    token = session.get(f"{base}/api/csrf", timeout=30)
    header = token.json().get("csrf_token") if token.ok else csrf_token(session.get(base).text)
    statuses: dict[str, int] = {}
    for start in range(0, len(queued), batch):
        response = session.post(
            base + sync_url,
            json={"items": queued[start : start + batch]},
            headers={"X-CSRFToken": header or ""},
            timeout=120,
        )
        if not response.ok:
            statuses[f"http {response.status_code}"] = statuses.get(
                f"http {response.status_code}", 0
            ) + len(queued[start : start + batch])
            continue
        for result in response.json().get("results", []):
            statuses[result.get("status")] = statuses.get(result.get("status"), 0) + 1
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "items": len(queued),
        "batch": batch,
        "statuses": statuses,
    }
