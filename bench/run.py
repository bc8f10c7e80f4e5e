"""`make bench`: the whole benchmark, bounded in time, from a fresh checkout.

For each database (SQLite file; PostgreSQL at 127.0.0.1:5432 when reachable, in its own schema):
generate the synthetic municipality, serve it with gunicorn, drive it with locust from a second
process at 1 and at 20 users, and replay a 500-item outbox. On the first database also: SQL
queries per page, bytes over the wire, Lighthouse. Then write bench/results/latest.md and the
marked block in README.md. Every step has a time limit; a missing page is reported, not fatal.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "instance" / "bench"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "opspor_bench"


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def parse_args(argv=None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--children", type=int, default=int(env("BENCH_CHILDREN", "40000")))
    p.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "1")))
    p.add_argument("--dbs", default=env("BENCH_DBS", "sqlite,postgresql"))
    p.add_argument("--pg-url", default=env("BENCH_PG_URL", PG_DEFAULT))
    # gunicorn's rule of thumb, as the README's production section: 2 x cores + 1.
    workers = 2 * (os.cpu_count() or 1) + 1
    p.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", str(workers))))
    p.add_argument("--users", default=env("BENCH_USERS", "1,20"))
    p.add_argument("--run-time", type=int, default=int(env("BENCH_RUN_TIME", "60")))
    p.add_argument("--run-time-single", type=int, default=int(env("BENCH_RUN_TIME_1", "40")))
    p.add_argument("--think", type=float, default=float(env("BENCH_THINK", "1.0")))
    p.add_argument("--cycles", type=int, default=int(env("BENCH_CYCLES", "200")))
    p.add_argument("--replay", type=int, default=int(env("BENCH_REPLAY", "500")))
    p.add_argument("--port", type=int, default=int(env("BENCH_PORT", "8765")))
    p.add_argument(
        "--analyze",
        type=int,
        default=int(env("BENCH_ANALYZE", "1")),
        help="1: gather planner statistics after loading (ANALYZE); 0: measure without them",
    )
    p.add_argument("--no-lighthouse", action="store_true", default=env("BENCH_LIGHTHOUSE") == "0")
    p.add_argument("--no-readme", action="store_true", help="write only bench/results/latest.md")
    return p.parse_args(argv)


# -- databases -----------------------------------------------------------------------------------


def database_url(kind: str, args) -> tuple[str | None, str | None]:
    """(SQLAlchemy URL, None) or (None, why it is skipped)."""
    if kind == "sqlite":
        path = WORK / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(args.pg_url, connect_args={"connect_timeout": 5})
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        return None, f"not reachable at {args.pg_url.split('@')[-1]} ({exc.__class__.__name__})"
    sep = "&" if "?" in args.pg_url else "?"
    return f"{args.pg_url}{sep}options=-csearch_path%3D{PG_SCHEMA}", None


def server_env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_APP": "app:create_app",
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "OPSPOR_DEMO": "0",
    }


def generate(url: str, args) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [
            str(BIN / "flask"),
            "demo",
            "synthetic",
            "--reset",
            "--children",
            str(args.children),
            "--seed",
            str(args.seed),
            *(["--analyze"] if args.analyze else []),
        ],
        cwd=ROOT,
        env=server_env(url),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return time.perf_counter() - started, done.stdout


# -- the server ----------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


class Server:
    """gunicorn as the README's production section runs it, in its own process group."""

    def __init__(self, url: str, workers: int, port: int, logfile: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = logfile.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "bench.wsgi:app",
            ],
            cwd=ROOT,
            env=server_env(url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.base}/login", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


# -- load ----------------------------------------------------------------------------------------


def run_locust(base: str, context_file: Path, users: int, seconds: int, args, prefix: Path) -> dict:
    env = {
        **os.environ,
        "BENCH_CONTEXT": str(context_file),
        "BENCH_THINK": str(args.think if users > 1 else 0),
        "BENCH_CYCLES": str(args.cycles),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(max(1, users // 2)),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, timeout=seconds + 90, check=False
    )
    return read_locust_csv(Path(f"{prefix}_stats.csv"))


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_locust_csv(path: Path) -> dict[str, dict]:
    """{request name: p50/p95/p99 (ms), req/s, count, failures} from locust's stats CSV."""
    if not path.exists():
        return {}
    out = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            out[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": _number(row["50%"]),
                "p95": _number(row["95%"]),
                "p99": _number(row["99%"]),
                "rps": _number(row["Requests/s"]) or 0.0,
            }
    return out


# -- one database --------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {system}"


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop, best of 5 (ms): how fast this machine's cores run Python, so
    tables measured on different machines (or the same one on a busy day) can be compared.
    Taken at the start and at the end: on a shared host the figure itself moves (60-110 ms
    within minutes has been seen on an otherwise idle machine)."""

    def loop() -> float:
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        return time.perf_counter() - started

    return round(min(loop() for _ in range(5)) * 1000, 1)


def commit() -> str:
    def git(*a):
        return subprocess.run(  # noqa: S603
            ["git", *a],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,  # noqa: S607
        ).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return sha + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def bench_database(kind: str, args, results: dict, first: bool) -> None:
    from app import create_app
    from app.clock import today
    from bench import measure
    from bench.prepare import build_context

    url, skipped = database_url(kind, args)
    if skipped:
        log(f"{kind}: {skipped}")
        results["dbs"][kind] = {"skipped": skipped}
        return
    log(f"{kind}: generating {args.children} children")
    seconds, summary = generate(url, args)
    log(f"{kind}: generated in {seconds:.1f} s: {summary.strip().splitlines()[0][:200]}")
    db_result: dict = {"generation_s": round(seconds, 1), "latency": {}}
    results["dbs"][kind] = db_result
    for line in summary.splitlines():
        if line.startswith("Areas included:"):
            results["meta"]["areas_included"] = _names(line)
        if line.startswith("Areas not available"):
            results["meta"]["areas_skipped"] = _names(line)

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        context = build_context(app, today())
    results["urls"], results["unit_size"] = context["urls"], context["unit_size"]
    context_file = WORK / f"context-{kind}.json"
    context_file.write_text(json.dumps(context, indent=1))
    if first:
        log(f"{kind}: counting SQL queries per page")
        results["queries"] = guarded("queries", measure.query_counts, app, context) or {}
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()

    port = free_port(args.port)
    server = Server(url, args.workers, port, WORK / f"gunicorn-{kind}.log")
    try:
        server.wait()
        for _ in range(args.workers * 3):  # warm every worker's imports, templates, caches
            requests.get(f"{server.base}/login", timeout=120)
        for users in [int(u) for u in args.users.split(",")]:
            seconds = args.run_time_single if users == 1 else args.run_time
            log(f"{kind}: locust, {users} user(s), {seconds} s")
            stats = run_locust(
                server.base, context_file, users, seconds, args, WORK / f"locust-{kind}-{users}"
            )
            db_result["latency"][str(users)] = stats
        if first:
            log(f"{kind}: bytes over the wire")
            results["weights"] = guarded("bytes", measure.weights, server.base, context) or {}
            results["lighthouse"] = guarded(
                "lighthouse", run_lighthouse, server.base, context, args
            ) or {"skipped": "failed, see the log"}
        if first:
            log(f"{kind}: offline open after a cold browser start")
            results["offline_open"] = guarded(
                "offline open", run_offline_open, server.base, context
            ) or {"skipped": "failed, see the log"}
        log(f"{kind}: outbox replay of {args.replay} items")
        db_result["replay"], db_result["replay_skipped"] = guarded(
            "replay", run_replay, server.base, context, args
        ) or (None, "failed, see the log")
    finally:
        server.stop()


def guarded(step: str, fn, *args):
    """Run one measurement; on an error log it and go on (the table shows what is missing)."""
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001
        log(f"{step} failed:\n{traceback.format_exc()}")
        return None


def _names(line: str) -> list[str]:
    text = line.split(":", 1)[1].strip().rstrip(".")
    return [] if text in ("", "none") else [n.strip() for n in text.split(",")]


def run_lighthouse(base: str, context: dict, args) -> dict:
    from bench import lighthouse, measure
    from bench.pages import PAGES

    if args.no_lighthouse:
        return {"skipped": "turned off (--no-lighthouse)"}
    missing = lighthouse.available()
    if missing:
        return {"skipped": missing}
    out: dict = {}
    cookies: dict[str, str] = {}
    for page in PAGES:
        template = context["urls"].get(page.key)
        if not page.lighthouse or template is None:
            continue
        role = "paedagog" if page.role in ("*", "anonymous") else page.role
        cookie = None
        if page.role != "anonymous":
            if role not in cookies:
                session = measure.login(base, context["users"][role], context["password"])
                cookies[role] = f"session={session.cookies.get('session')}"
            cookie = cookies[role]
        ids = context["ids"][role]
        url = template.format(child_id=(ids["child_ids"] or [0])[0], unit_id=context["unit_id"])
        log(f"lighthouse: {page.key}")
        out[page.key] = lighthouse.run(base + url, WORK / f"lighthouse-{page.key}.json", cookie)
    return out


def run_offline_open(base: str, context: dict) -> dict:
    from bench import offline_open

    if not Path(offline_open.CHROMIUM).exists():
        return {"skipped": f"no Chromium at {offline_open.CHROMIUM} (make system-deps)"}
    email = context["users"]["sundhedsplejerske"]
    return offline_open.measure(base, email, context["password"])


def run_replay(base: str, context: dict, args) -> tuple[dict | None, str | None]:
    from bench import measure, replay
    from bench.pages import by_key

    sync_url = context["urls"].get("sync_50")
    if sync_url is None:
        return None, "no sync endpoint yet"
    for key in ("visit_submit", "assessment_submit"):
        form_url = context["urls"].get(key)
        if form_url is None:
            continue
        role = by_key(key).role
        session = measure.login(base, context["users"][role], context["password"])
        ids = context["ids"][role]["child_ids"]
        tpl = replay.template(
            session, base, form_url.format(child_id=ids[0]), by_key(key).overrides
        )
        if tpl:
            queued = replay.items(tpl, ids, args.replay)
            return replay.replay(session, base, sync_url, queued), None
    return None, "no offline form (visit or assessment) yet"


def main(argv=None) -> int:
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "commit": commit(),
            "children": args.children,
            "seed": args.seed,
            "workers": args.workers,
            "users": [int(u) for u in args.users.split(",")],
            "run_time": {
                u: (args.run_time_single if u == "1" else args.run_time)
                for u in args.users.split(",")
            },
            "think": args.think,
            "analyze": bool(args.analyze),
            "load_before": round(os.getloadavg()[0], 1),
            "cpu_reference_ms": cpu_reference_ms(),
            "areas_included": [],
            "areas_skipped": [],
        },
        "dbs": {},
        "urls": {},
    }
    kinds = [k.strip() for k in args.dbs.split(",") if k.strip()]
    for i, kind in enumerate(kinds):
        try:
            bench_database(kind, args, results, first=i == 0)
        except Exception as exc:  # noqa: BLE001 (one database failing still gives a table)
            log(f"{kind}: failed: {exc!r}")
            results["dbs"][kind] = {"skipped": f"failed ({exc.__class__.__name__}), see the log"}
    results["meta"]["total_s"] = round(time.perf_counter() - started)
    results["meta"]["load_after"] = round(os.getloadavg()[0], 1)
    results["meta"]["cpu_reference_end_ms"] = cpu_reference_ms()
    from bench import table

    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    table.write(results, RESULTS / "latest.md", None if args.no_readme else ROOT / "README.md")
    log(f"done in {results['meta']['total_s']} s: bench/results/latest.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
