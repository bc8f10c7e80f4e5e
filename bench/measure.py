"""Measurements that are not latency: SQL queries per page (in-process, an SQLAlchemy event
counter) and bytes over the wire for a first and a repeat load (real HTTP against gunicorn)."""

from __future__ import annotations

import gzip
import re
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlencode

import requests
from flask import Flask
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from app.auth.models import User
from app.extensions import db
from bench.formfill import csrf_token, fill, find_form
from bench.pages import PAGES, by_key

ASSET = re.compile(r"<(?:link[^>]+href|script[^>]+src|img[^>]+src)=\"(/[^\"]+)\"", re.IGNORECASE)
ENCODING = {"Accept-Encoding": "br, gzip"}


@contextmanager
def counting(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _role(page) -> str:
    return "paedagog" if page.role in ("*", "anonymous") else page.role


def query_counts(app: Flask, context: dict) -> dict[str, dict]:
    """{page key: {"queries": n, "status": code}} for one request per page, as its role.

    Requests run outside any app context of ours: Flask-Login caches the user in `g`, which a
    shared app context would carry from one request to the next.
    """
    out: dict[str, dict] = {}
    with app.app_context():
        engine = db.engine
        get_ids = {
            role: db.session.get(User, uid).get_id() for role, uid in context["user_ids"].items()
        }
    for page in PAGES:
        template = context["urls"].get(page.key)
        if template is None or page.key == "login":
            continue
        role = _role(page)
        ids = context["ids"][role]
        url = template.format(child_id=(ids["child_ids"] or [0])[0], unit_id=context["unit_id"])
        client = app.test_client()
        if page.role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = get_ids[role]
                session["_fresh"] = True
        query = {k: v.format(search=ids["search"]) for k, v in page.query.items()}
        headers = {"HX-Request": "true"} if page.htmx else {}
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        if page.kind == "sync":
            out[page.key] = _sync_queries(app, engine, client, context, role)
            continue
        with counting(engine) as statements:
            response = client.get(url, headers=headers)
        result = {"queries": len(statements), "status": response.status_code}
        if page.kind == "form" and response.status_code == 200:
            form = find_form(response.get_data(as_text=True))
            if form:
                data = fill(form, date.today(), page.overrides)
                action = form["attrs"].get("action") or url
                with counting(engine) as statements:
                    posted = client.post(action, data=MultiDict(data))
                result = {
                    "queries": len(statements),
                    "status": posted.status_code,
                    "form_queries": result["queries"],
                }
        out[page.key] = result
    return out


def _sync_queries(app: Flask, engine, client, context: dict, role: str) -> dict:
    """Queries for one sync batch of 50 offline visit (else assessment) records."""
    from bench import replay

    ids = context["ids"][role]["child_ids"]
    for key in ("visit_submit", "assessment_submit"):
        template = context["urls"].get(key)
        if template is None or not ids:
            continue
        page = client.get(template.format(child_id=ids[0]))
        form = find_form(page.get_data(as_text=True)) if page.status_code == 200 else None
        if form is None or "data-offline-kind" not in form["attrs"]:
            continue
        payload = dict(fill(form, date.today(), by_key(key).overrides))
        tpl = {"kind": form["attrs"]["data-offline-kind"], "payload": payload}
        with counting(engine) as statements:
            response = client.post(
                context["urls"]["sync_50"], json={"items": replay.items(tpl, ids, 50)}
            )
        return {"queries": len(statements), "status": response.status_code}
    return {}


def login(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=120)
    session.post(
        f"{base}/login",
        data={"csrf_token": csrf_token(page.text) or "", "email": email, "password": password},
        allow_redirects=False,
        timeout=120,
    ).raise_for_status()
    return session


def _fetch(session: requests.Session, url: str, headers: dict | None = None):
    """(response, bytes as sent: status line, headers and the compressed body, decoded body)."""
    response = session.get(url, headers={**ENCODING, **(headers or {})}, stream=True, timeout=120)
    raw = response.raw.read(decode_content=False)
    head = sum(len(k) + len(v) + 4 for k, v in response.raw.headers.items()) + 17
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "br":
        import brotli

        body = brotli.decompress(raw)
    elif encoding == "gzip":
        body = gzip.decompress(raw)
    else:
        body = raw
    return response, head + len(raw), body


def _fresh_in_cache(response: requests.Response) -> bool:
    control = response.headers.get("Cache-Control", "")
    match = re.search(r"max-age=(\d+)", control)
    return (
        "no-cache" not in control
        and "no-store" not in control
        and bool(match and int(match.group(1)) > 0)
    )


def page_weight(session: requests.Session, base: str, url: str) -> dict:
    """First load (page + the assets it links, compressed) and a repeat load with a warm cache."""
    first, html_bytes, body = _fetch(session, base + url)
    assets = sorted(set(ASSET.findall(body.decode("utf-8", "replace"))))
    first_total, refetched, repeat_total = html_bytes, [], 0
    for asset in assets:
        response, size, _ = _fetch(session, base + asset)
        first_total += size
        if _fresh_in_cache(response):
            continue
        refetched.append(asset.split("?")[0])
        etag = response.headers.get("ETag")
        _, size, _ = _fetch(session, base + asset, {"If-None-Match": etag} if etag else {})
        repeat_total += size
    _, size, _ = _fetch(session, base + url)
    repeat_total += size
    return {
        "status": first.status_code,
        "encoding": first.headers.get("Content-Encoding", "none"),
        "html": html_bytes,
        "first": first_total,
        "repeat": repeat_total,
        "assets": len(assets),
        "refetched": refetched,
    }


def weights(base: str, context: dict) -> dict[str, dict]:
    """Bytes for the main pages, each opened by its role."""
    out: dict[str, dict] = {}
    sessions: dict[str, requests.Session] = {}
    for page in PAGES:
        template = context["urls"].get(page.key)
        if not page.main or template is None:
            continue
        role = _role(page)
        if page.role == "anonymous":
            session = requests.Session()
        else:
            if role not in sessions:
                sessions[role] = login(base, context["users"][role], context["password"])
            session = sessions[role]
        ids = context["ids"][role]
        url = template.format(child_id=(ids["child_ids"] or [0])[0], unit_id=context["unit_id"])
        out[page.key] = page_weight(session, base, url)
    return out


__all__ = ["by_key", "page_weight", "query_counts", "weights"]
