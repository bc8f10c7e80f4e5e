"""The reminder sweep: plan (rules over facts), record once (the ledger), deliver (push).

Runs from `flask reminders run` (cron/systemd timer), from a timer thread in the demo run, and
right after a commit that recorded something urgent (a red concern, an urgent screening). Any
number of sweeps may run at the same moment: the ledger's unique constraint decides what is
recorded, and an atomic claim decides who pushes a notification.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import event, select, update

from app import clock
from app.extensions import db
from app.reminders import push, rules, services, sources
from app.reminders.models import Notification, ReminderPreference
from app.reminders.rules import KINDS, QuietHours, Reminder

log = logging.getLogger(__name__)

# A pending push older than this is not sent any more (it stays in the in-app list).
PUSH_MAX_AGE = timedelta(days=7)


@dataclass
class SweepResult:
    planned: int = 0
    recorded: int = 0
    pushed: int = 0


def plan(local_now: datetime, only: tuple[str, ...] | None = None) -> list[Reminder]:
    """Every reminder the rules want now, per municipality's settings."""
    org = sources.Org()
    today = local_now.date()
    facts_cache: dict[object, list] = {}
    reminders: list[Reminder] = []
    for rule in rules.RULES:
        if only and rule not in only:
            continue
        source = sources.SOURCES.get(rule)
        if source is None:
            continue
        if source not in facts_cache:
            try:
                facts_cache[source] = source(org, today)
            except Exception:  # one broken area must not stop the other reminders
                log.exception("reminder source %s failed", source.__name__)
                facts_cache[source] = []
        groups: dict[rules.Settings, list] = defaultdict(list)
        for fact in facts_cache[source]:
            groups[org.settings_for(fact.unit_id)].append(fact)
        rule_fn = getattr(rules, rule)
        for settings, facts in groups.items():
            if settings.enabled(rule):
                reminders += rule_fn(facts, local_now, settings, org.leaders)
    return reminders


def quiet_hours(user_id: int, unit_id: int | None, org: sources.Org) -> QuietHours:
    pref = db.session.scalar(
        select(ReminderPreference).where(ReminderPreference.user_id == user_id)
    )
    if pref is not None:
        return QuietHours(pref.quiet_start, pref.quiet_end, pref.quiet_weekends)
    s = org.settings_for(unit_id)
    return QuietHours(s.quiet_start, s.quiet_end, s.quiet_weekends)


def deliver_pending(now: datetime, *, sleep=time.sleep) -> int:
    """Push every pending notification whose user is not in quiet hours (urgent ones always),
    and every one a crashed sender left "sending" (push.claim decides which may be taken)."""
    waiting = push.claimable(now)
    db.session.execute(
        update(Notification)
        .where(waiting, Notification.created_at < now - PUSH_MAX_AGE)
        .values(push_state="expired")
        .execution_options(synchronize_session=False)  # the commit below expires the session
    )
    db.session.commit()
    pending = db.session.execute(
        select(Notification.id, Notification.user_id, Notification.kind, Notification.unit_id)
        .where(waiting)
        .order_by(Notification.id)
    ).all()
    if not pending:
        return 0
    org = sources.Org()
    local_now = now.astimezone(clock.LOCAL_TZ)
    pushed = 0
    for row in pending:
        kind = KINDS.get(row.kind, KINDS["test"])
        if not rules.may_push(kind, local_now, quiet_hours(row.user_id, row.unit_id, org)):
            continue
        if push.claim(row.id) and push.deliver(row.id, sleep=sleep) == "sent":
            pushed += 1
    return pushed


def run(now: datetime | None = None, only: tuple[str, ...] | None = None) -> SweepResult:
    """One sweep. Commits per reminder: it is a job of its own, not part of a request."""
    now = now or clock.now()
    local_now = now.astimezone(clock.LOCAL_TZ)
    result = SweepResult()
    planned = plan(local_now, only)
    result.planned = len(planned)
    new = services.drop_recorded(planned)
    db.session.rollback()  # end the read transaction before writing
    for reminder in new:
        if services.record(reminder) is not None:
            result.recorded += 1
    result.pushed = deliver_pending(now)
    return result


# ---- right after a commit -----------------------------------------------------------------

_JOBS = "reminders.after_commit"


def after_commit(job: tuple) -> None:
    """Run `job` once the current transaction has committed (never if it rolls back).

    ("sweep", rules) runs those rules at once; ("deliver", notification_id) pushes one.
    """
    db.session.info.setdefault(_JOBS, []).append(job)


def _run_jobs(app: Flask, jobs: list[tuple]) -> None:
    with app.app_context():
        try:
            rules_now = tuple(
                sorted({r for kind, *args in jobs if kind == "sweep" for r in args[0]})
            )
            if rules_now:
                run(only=rules_now)
            for kind, *args in jobs:
                if kind == "deliver" and push.claim(args[0]):
                    push.deliver(args[0])
        except Exception:
            log.exception("immediate reminders failed; the next sweep will retry")
        finally:
            db.session.remove()


def _dispatch(session) -> None:
    jobs = session.info.pop(_JOBS, None)
    if not jobs:
        return
    app = current_app._get_current_object()
    mode = app.config["REMINDERS_IMMEDIATE"]
    if mode == "inline":
        _run_jobs(app, jobs)
    elif mode == "thread":
        threading.Thread(target=_run_jobs, args=(app, jobs), daemon=True).start()


def _forget(session) -> None:
    session.info.pop(_JOBS, None)


def listen_for_commits() -> None:
    if not event.contains(db.session, "after_commit", _dispatch):
        event.listen(db.session, "after_commit", _dispatch)
        event.listen(db.session, "after_rollback", _forget)


# ---- the demo's timer ---------------------------------------------------------------------

_timer_started = False
_timer_lock = threading.Lock()


def timer_wanted(app: Flask) -> bool:
    """Only in the demo run: not in tests (pytest sets PYTEST_CURRENT_TEST), not in CLI runs
    (the timer starts with the first request), and only once per process."""
    return bool(
        app.config.get("DEMO_MODE")
        and not app.testing
        and app.config.get("REMINDERS_INTERVAL_SECONDS", 0) > 0
        and "PYTEST_CURRENT_TEST" not in os.environ
    )


def start_timer(app: Flask) -> bool:
    global _timer_started
    with _timer_lock:
        if _timer_started or not timer_wanted(app):
            return False
        _timer_started = True
    interval = app.config["REMINDERS_INTERVAL_SECONDS"]

    def loop() -> None:
        while True:
            time.sleep(interval)
            with app.app_context():
                try:
                    result = run()
                    if result.recorded or result.pushed:
                        log.info("reminder sweep: %s", result)
                except Exception:
                    log.exception("reminder sweep failed")
                finally:
                    db.session.remove()

    threading.Thread(target=loop, name="opspor-reminders", daemon=True).start()
    return True
