"""Lighthouse (npm, pinned in package.json) in its default mobile mode against the bench server.

Authenticated pages get the session cookie through --extra-headers. Chromium is Debian's
(CHROME_PATH=/usr/bin/chromium), with the flags that keep it off the network.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def available() -> str | None:
    """None when Lighthouse can run, else why not."""
    if not BINARY.exists():
        return "node_modules/.bin/lighthouse missing (run npm ci)"
    if not Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium")).exists():
        return "no Chromium at CHROME_PATH"
    return None


def run(url: str, out: Path, cookie: str | None = None, timeout: int = 150) -> dict:
    """Scores (0–100), LCP in ms and the bytes Lighthouse saw, or {"error": ...}."""
    command = [
        str(BINARY),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={CHROME_FLAGS}",
        "--max-wait-for-load=45000",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    try:
        done = subprocess.run(  # noqa: S603
            command, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if done.returncode != 0 or not out.exists():
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        return {"error": report["runtimeError"].get("message", "runtime error")[:200]}
    categories, audits = report["categories"], report["audits"]

    def score(name: str):
        value = categories.get(name, {}).get("score")
        return None if value is None else round(value * 100)

    return {
        "performance": score("performance"),
        "accessibility": score("accessibility"),
        "best_practices": score("best-practices"),
        "lcp_ms": audits.get("largest-contentful-paint", {}).get("numericValue"),
        "bytes": audits.get("total-byte-weight", {}).get("numericValue"),
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
    }
