"""The benchmark's results as Markdown: bench/results/latest.md and a marked block in README."""

from __future__ import annotations

import re
from pathlib import Path

from bench.pages import PAGES

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
P95_GOAL_MS = 100
FIRST_LOAD_GOAL = 60 * 1024
REPLAY_GOAL_S = 10
DB_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ms(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def _kb(value) -> str:
    return "–" if value is None else f"{value / 1024:.1f} KB"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**missed**")


def _latency_cells(stats: dict | None) -> list[str]:
    if not stats or not stats.get("count"):
        return ["–", "–"]
    cell = f"{_ms(stats['p50'])} / {_ms(stats['p95'])} / {_ms(stats['p99'])}"
    if stats.get("failures"):
        cell += f" ({stats['failures']} of {stats['count']} failed)"
    return [cell, f"{stats['rps']:.1f}"]


def latency_table(results: dict) -> list[str]:
    users = results["meta"]["users"]
    head = ["page", "database"]
    for n in users:
        head += [f"{n} user{'s' if n > 1 else ''}: p50 / p95 / p99 ms", "req/s"]
    head += ["SQL queries", f"p95 < {P95_GOAL_MS} ms at {users[-1]} users"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    queries = results.get("queries", {})
    for page in PAGES:
        if page.key == "login_page":
            continue
        available = results["urls"].get(page.key) is not None or page.key == "login"
        if not available:
            cells = [page.label, "–", "not available (no such page in the app yet)"]
            cells += [""] * (len(head) - len(cells))
            lines.append("| " + " | ".join(cells) + " |")
            continue
        q = queries.get(page.key, {})
        q_text = "–" if not q else str(q["queries"])
        if q.get("form_queries") is not None:
            q_text = f"{q['form_queries']} (form) + {q['queries']} (submit)"
        if q.get("status") and q["status"] >= 400:
            q_text += f" (HTTP {q['status']})"
        for db_key, db in results["dbs"].items():
            if "skipped" in db:
                continue
            cells = [page.label, DB_NAMES[db_key]]
            for n in users:
                cells += _latency_cells(db["latency"].get(str(n), {}).get(page.key))
            last = db["latency"].get(str(users[-1]), {}).get(page.key)
            ok = None if not last or not last.get("count") else last["p95"] < P95_GOAL_MS
            cells += [q_text, _verdict(ok)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def weight_table(results: dict) -> list[str]:
    lines = [
        "| page | compression | first load (page + assets) | repeat load | static assets "
        "fetched again on repeat | first load ≤ 60 KB |",
        "|---|---|---|---|---|---|",
    ]
    for page in PAGES:
        if not page.main:
            continue
        w = results.get("weights", {}).get(page.key)
        if w is None:
            lines.append(f"| {page.label} | not available | | | | |")
            continue
        again = ", ".join(w["refetched"]) or "none"
        lines.append(
            f"| {page.label} | {w['encoding']} | {_kb(w['first'])} ({w['assets']} assets) | "
            f"{_kb(w['repeat'])} | {again} | {_verdict(w['first'] <= FIRST_LOAD_GOAL)} |"
        )
    return lines


def lighthouse_table(results: dict) -> list[str]:
    lh = results.get("lighthouse", {})
    if "skipped" in lh:
        return [f"Lighthouse not run: {lh['skipped']}."]
    lines = [
        "| page | performance | accessibility | best practices | LCP | bytes | "
        "performance ≥ 95 and accessibility 100 |",
        "|---|---|---|---|---|---|---|",
    ]
    for page in PAGES:
        if not page.lighthouse:
            continue
        r = lh.get(page.key)
        if r is None:
            lines.append(f"| {page.label} | not available | | | | | |")
        elif "error" in r:
            lines.append(f"| {page.label} | failed: {r['error']} | | | | | |")
        else:
            ok = (r["performance"] or 0) >= 95 and r["accessibility"] == 100
            lines.append(
                f"| {page.label} | {r['performance']} | {r['accessibility']} | "
                f"{r['best_practices']} | {_ms(r['lcp_ms'])} ms | {_kb(r['bytes'])} | "
                f"{_verdict(ok)} |"
            )
    return lines


def replay_lines(results: dict) -> list[str]:
    lines = [
        "| database | items | batches of | time | statuses | under 10 s |",
        "|---|---|---|---|---|---|",
    ]
    for db_key, db in results["dbs"].items():
        r = db.get("replay") if "skipped" not in db else None
        if not r:
            reason = db.get("skipped") or (db.get("replay_skipped") or "not run")
            lines.append(f"| {DB_NAMES[db_key]} | not available: {reason} | | | | |")
            continue
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()))
        lines.append(
            f"| {DB_NAMES[db_key]} | {r['items']} | {r['batch']} | {r['seconds']:.1f} s | "
            f"{statuses} | {_verdict(r['seconds'] < REPLAY_GOAL_S)} |"
        )
    return lines


def offline_open_lines(results: dict) -> list[str]:
    measured = results.get("offline_open") or {}
    if not measured.get("pages"):
        return [f"Not measured: {measured.get('skipped', 'not run')}."]
    goal = measured["goal_ms"]
    lines = [
        f"| page | median | worst | cold starts | under {goal} ms |",
        "|---|---|---|---|---|",
    ]
    for label, m in measured["pages"].items():
        ok = None if m["max_ms"] is None else m["max_ms"] < goal
        lines.append(
            f"| {label} | {_ms(m['median_ms'])} ms | {_ms(m['max_ms'])} ms | {m['runs']} | "
            f"{_verdict(ok)} |"
        )
    return lines


def _db_note(key: str, db: dict) -> str:
    if "skipped" in db:
        return f"{DB_NAMES[key]} (skipped: {db['skipped']})"
    return f"{DB_NAMES[key]} (data generated in {db.get('generation_s', 0):.0f} s)"


def markdown(results: dict) -> str:
    meta = results["meta"]
    dbs = ", ".join(_db_note(k, v) for k, v in results["dbs"].items())
    load = ""
    if meta.get("load_before") is not None:
        load = (
            f" Load average (1 min) {meta['load_before']:g} at the start and "
            f"{meta.get('load_after', '?')} at the end, in {meta.get('total_s', '?')} s: figures "
            "taken while other work ran on the machine are slower than it can do."
        )
    if meta.get("cpu_reference_ms"):
        end = meta.get("cpu_reference_end_ms")
        at_end = f" at the start, {end:g} ms at the end" if end else ""
        load += (
            f" CPU reference (a fixed Python loop, best of 5): {meta['cpu_reference_ms']:g} ms"
            f"{at_end}; compare tables from other machines by it (higher is slower)."
        )
    out = [
        f"Measured {meta['date']} on {meta['machine']}, commit `{meta['commit']}`.{load}",
        "",
        f"- Data: `flask demo synthetic --children {meta['children']} --seed {meta['seed']}` "
        f"({meta['children']:,} children; history included for: "
        f"{', '.join(meta['areas_included']) or 'no area yet'}; "
        f"not yet available: {', '.join(meta['areas_skipped']) or 'none'}). Databases: {dbs}"
        + (
            "; planner statistics gathered after loading (ANALYZE)."
            if meta.get("analyze", True)
            else "; no planner statistics (BENCH_ANALYZE=0)."
        ),
        f"- Server: gunicorn, {meta['workers']} sync workers, on 127.0.0.1; load from locust "
        f"(headless, a second process). "
        + "; ".join(
            f"{n} user{'s' if n > 1 else ''}: {meta['run_time'][str(n)]} s"
            + (
                f", ~{meta['think']:g} s think time between requests"
                if n > 1 and meta["think"]
                else ", back to back"
            )
            for n in meta["users"]
        )
        + ". Each user logs in and does one role's round (roles taken in turn).",
        f"- Unit overview measured on a unit with {results.get('unit_size', '?')} current "
        "children; the leader over all units sees every unit.",
        "",
        "**Server latency and throughput**",
        "",
        *latency_table(results),
        "",
        "**Bytes over the wire** (compressed, incl. headers; repeat load = same page again with "
        "a warm HTTP cache)",
        "",
        *weight_table(results),
        "",
        "**Lighthouse** (mobile, simulated slow 4G and CPU slowdown)",
        "",
        *lighthouse_table(results),
        "",
        "**Outbox replay** (500 queued records to the sync endpoint, from a second process)",
        "",
        *replay_lines(results),
        "",
        "**Offline open after a cold browser start** (Chromium, phone size, persistent profile: "
        "the nurse prepares the device, the browser is closed and started again in flight mode; "
        "navigation start to load)",
        "",
        *offline_open_lines(results),
    ]
    return "\n".join(out) + "\n"


def replace_block(text: str, block: str) -> str:
    """Put `block` between the bench markers (added at the end of the text if missing)."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    new = f"{BEGIN}\n{block.rstrip()}\n{END}"
    if pattern.search(text):
        return pattern.sub(lambda _: new, text, count=1)
    return text.rstrip() + "\n\n" + new + "\n"


def write(results: dict, latest: Path, readme: Path | None) -> str:
    block = markdown(results)
    latest.parent.mkdir(parents=True, exist_ok=True)
    latest.write_text("# Opspor benchmark: latest results\n\n" + block)
    if readme is not None and readme.exists():
        readme.write_text(replace_block(readme.read_text(), block))
    return block
